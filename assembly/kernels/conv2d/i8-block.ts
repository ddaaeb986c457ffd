// SIMD parts of the i8 conv2d kernel (i8_conv2d_p8i8_4x8__simd), not kernels themselves:
//
// 1. packI8Block8: 8 output channels' int8 palette entries, decoded once per call into the layout
//    of i32x4.dot_i16x8_s with k pairs in lanes ("c2", XNNPACK's qs8 4x4c2 layout):
//
//      blk: [K/2 pairs][8 channels][2] int8, pair t = | W[j0][2t] W[j0][2t+1] | W[j0+1][2t] ... | (16 bytes)
//
//    load8x8_s of 8 bytes gives channels 0..3 (or 4..7) as i16 pairs; a load32_splat of one pixel's
//    pair (q[2t], q[2t+1]) as i16 gives the other operand; the dot adds both products per channel.
//    Rows are decoded (SIMD unpack + i8x16.swizzle lookup) into [8][kr] bytes, kr = roundup(K, 16),
//    then an 8 x 8 transpose of u16 pairs per 16 indices writes blk. Entries past K are whatever the
//    unpack gives: the activations are 0 there, so they add nothing.
//    With slot 7 = 1 the host laid the indices out in blk's order at load (src/runtime/ops/i8-block-order.ts):
//    decodeI8 (unpack + lookup) then writes blk straight, no transpose.
//    The decode runs once per call for every weight (6-14% of a 7x7 or 14x14 layer at batch 1); without
//    the transpose it measured 1.07-1.14x faster (two runs), the whole layer 1.01-1.06x.
// 2. windowF32: the K floats of one output pixel's window (k order, padding 0), in place for 1x1;
//    quantizeWindow: those floats to int8 held as i16 (the ref's integers), and their scale.
// 3. tile4x8: 4 pixels x 8 channels, int32 accumulators, the ref's float epilogue.
import { unpack16, loadChunk } from '../../common/unpack';
import { absMaxP, quantInv, quantScale, quantize1 } from '../../common/quant';
import { lookupI8 } from '../../common/palette';


/**
 * n indices (read 16 at a time; the weight data ends at wEnd) from src, looked up in the int8 palette
 * of output channel j, as n bytes at dst. ctl: unpackSetup(bits) vectors; pcopy: 16 bytes for a
 * zero-padded copy of a palette shorter than 16 entries; tmp: 16 bytes. One row of the file's order
 * (packI8Block8), or 8 channels' indices the host stored in blk's order (n = 8 K, K a multiple of 16,
 * the 8 channels one palette: straight into blk, no transpose; params slot 7 = 1).
 */
@inline export function decodeI8(
  src: usize, wEnd: usize, n: i32, pal: usize, bits: i32, groupRows: i32, j: i32, ctl: usize, pcopy: usize, tmp: usize, dst: usize,
): void {
  const c0 = v128.load(ctl), c1 = v128.load(ctl, 16), m0 = v128.load(ctl, 32), m1 = v128.load(ctl, 48);
  const down = 16 - bits;
  const chunkBytes = <usize>(bits << 1);
  const chunks = bits >= 4 ? 1 << (bits - 4) : 1;
  let pr = pal + (<usize>(j / groupRows) << <usize>bits);
  if (bits < 4) {
    v128.store(pcopy, i32x4.splat(0)); // fewer than 16 entries: never read past the palette
    memory.copy(pcopy, pr, <usize>1 << <usize>bits);
    pr = pcopy;
  }
  for (let c = 0; c < n; c += 16) {
    const v = loadChunk(src, <isize>(wEnd - src), tmp);
    v128.store(dst + <usize>c, lookupI8(bits == 8 ? v : unpack16(v, c0, c1, m0, m1, down), pr, chunks));
    src += chunkBytes;
  }
}

/**
 * Rows j0..j0+cnt-1 (packed, rowBytes each; the weight data ends at wEnd) into blk (kr * 8 bytes);
 * channels cnt..7 get 0. rows: scratch of 8 * kr bytes; ctl, pcopy, tmp as for decodeI8.
 */
export function packI8Block8(
  w: usize, wEnd: usize, rowBytes: usize, pal: usize, bits: i32, groupRows: i32, K: i32, j0: i32, cnt: i32,
  ctl: usize, pcopy: usize, tmp: usize, rows: usize, blk: usize, quads: bool = false,
): void {
  const kr = (K + 15) & ~15;
  memory.fill(rows + <usize>cnt * <usize>kr, 0, <usize>(8 - cnt) * <usize>kr);
  for (let r = 0; r < cnt; r++) {
    const j = j0 + r;
    decodeI8(w + <usize>j * rowBytes, wEnd, K, pal, bits, groupRows, j, ctl, pcopy, tmp, rows + <usize>r * <usize>kr);
  }
  // transpose: 8 rows x 8 pairs (u16) per 16 indices -> 8 pair vectors of 8 channels; or, for the
  // relaxed-SIMD tile ("c4", `quads`), 8 rows x 4 quads (u32) -> [quad][8 channels][4] int8, 32 bytes a
  // quad (channels 0-3, then 4-7: the operand order of i32x4.relaxed_dot_i8x16_i7x16_add_s)
  for (let c = 0; c < kr; c += 16) {
    const s = rows + <usize>c;
    const a0 = v128.load(s), a1 = v128.load(s + <usize>kr), a2 = v128.load(s + 2 * <usize>kr), a3 = v128.load(s + 3 * <usize>kr);
    const a4 = v128.load(s + 4 * <usize>kr), a5 = v128.load(s + 5 * <usize>kr), a6 = v128.load(s + 6 * <usize>kr), a7 = v128.load(s + 7 * <usize>kr);
    const o = blk + (<usize>c << 3); // 128 bytes: 8 pairs x 16, or 4 quads x 32
    if (quads) {
      // u32 lanes (quads): interleave rows (0,1), (2,3), ... then u64 halves
      const q0 = i32x4.shuffle(a0, a1, 0, 4, 1, 5), q1 = i32x4.shuffle(a0, a1, 2, 6, 3, 7);
      const q2 = i32x4.shuffle(a2, a3, 0, 4, 1, 5), q3 = i32x4.shuffle(a2, a3, 2, 6, 3, 7);
      const q4 = i32x4.shuffle(a4, a5, 0, 4, 1, 5), q5 = i32x4.shuffle(a4, a5, 2, 6, 3, 7);
      const q6 = i32x4.shuffle(a6, a7, 0, 4, 1, 5), q7 = i32x4.shuffle(a6, a7, 2, 6, 3, 7);
      v128.store(o, i64x2.shuffle(q0, q2, 0, 2));
      v128.store(o, i64x2.shuffle(q4, q6, 0, 2), 16);
      v128.store(o, i64x2.shuffle(q0, q2, 1, 3), 32);
      v128.store(o, i64x2.shuffle(q4, q6, 1, 3), 48);
      v128.store(o, i64x2.shuffle(q1, q3, 0, 2), 64);
      v128.store(o, i64x2.shuffle(q5, q7, 0, 2), 80);
      v128.store(o, i64x2.shuffle(q1, q3, 1, 3), 96);
      v128.store(o, i64x2.shuffle(q5, q7, 1, 3), 112);
      continue;
    }
    // u16 lanes: interleave rows (0,1), (2,3), ... then u32, then u64
    const b0 = i16x8.shuffle(a0, a1, 0, 8, 1, 9, 2, 10, 3, 11), b1 = i16x8.shuffle(a0, a1, 4, 12, 5, 13, 6, 14, 7, 15);
    const b2 = i16x8.shuffle(a2, a3, 0, 8, 1, 9, 2, 10, 3, 11), b3 = i16x8.shuffle(a2, a3, 4, 12, 5, 13, 6, 14, 7, 15);
    const b4 = i16x8.shuffle(a4, a5, 0, 8, 1, 9, 2, 10, 3, 11), b5 = i16x8.shuffle(a4, a5, 4, 12, 5, 13, 6, 14, 7, 15);
    const b6 = i16x8.shuffle(a6, a7, 0, 8, 1, 9, 2, 10, 3, 11), b7 = i16x8.shuffle(a6, a7, 4, 12, 5, 13, 6, 14, 7, 15);
    const d0 = i32x4.shuffle(b0, b2, 0, 4, 1, 5), d1 = i32x4.shuffle(b0, b2, 2, 6, 3, 7);
    const d2 = i32x4.shuffle(b1, b3, 0, 4, 1, 5), d3 = i32x4.shuffle(b1, b3, 2, 6, 3, 7);
    const d4 = i32x4.shuffle(b4, b6, 0, 4, 1, 5), d5 = i32x4.shuffle(b4, b6, 2, 6, 3, 7);
    const d6 = i32x4.shuffle(b5, b7, 0, 4, 1, 5), d7 = i32x4.shuffle(b5, b7, 2, 6, 3, 7);
    v128.store(o, i64x2.shuffle(d0, d4, 0, 2));
    v128.store(o, i64x2.shuffle(d0, d4, 1, 3), 16);
    v128.store(o, i64x2.shuffle(d1, d5, 0, 2), 32);
    v128.store(o, i64x2.shuffle(d1, d5, 1, 3), 48);
    v128.store(o, i64x2.shuffle(d2, d6, 0, 2), 64);
    v128.store(o, i64x2.shuffle(d2, d6, 1, 3), 80);
    v128.store(o, i64x2.shuffle(d3, d7, 0, 2), 96);
    v128.store(o, i64x2.shuffle(d3, d7, 1, 3), 112);
  }
}

/**
 * One window of K floats at src -> K int8 values held as i16 at q (zero up to Kp), its scale at xsc:
 * the integers of assembly/common/quant.ts (nearest(x * 127 / max|x|)). Rounding adds 1.5 * 2^23,
 * whose ulp is 1, and takes the integer from the mantissa: round half to even, as f32 nearest, for
 * |x * 127 / max| <= 127 (NaN inputs excepted); cheaper than nearest + trunc_sat, which V8 expands
 * on x64 into a sequence of about 7 instructions.
 */
export function quantizeWindow(src: usize, K: i32, Kp: i32, xsc: usize, q: usize): void {
  const amax = absMaxP(src, K);
  const inv = quantInv(amax);
  store<f32>(xsc, quantScale(amax));
  const vinv = f32x4.splat(inv);
  const magic = f32x4.splat(12582912.0);
  const bias = i32x4.splat(0x4b400000);
  let c = 0;
  for (; c + 8 <= K; c += 8) {
    const o = <usize>c << 2;
    const a = i32x4.sub(f32x4.add(f32x4.mul(v128.load(src + o), vinv), magic), bias);
    const b = i32x4.sub(f32x4.add(f32x4.mul(v128.load(src + o, 16), vinv), magic), bias);
    v128.store(q + (<usize>c << 1), i16x8.narrow_i32x4_s(a, b));
  }
  for (; c < K; c++) store<i16>(q + (<usize>c << 1), <i16>quantize1(load<f32>(src + (<usize>c << 2)), inv));
  if (c < Kp) store<i16>(q + (<usize>c << 1), 0);
}

/**
 * quantizeWindow's integers q (same rounding), split for the relaxed-SIMD tile: max(q, 0) as bytes
 * at q[0, Kq), max(-q, 0) at q[Kq, 2 Kq) (zero past K; Kq = roundup(K, 4)). Returns 1 when some q
 * is negative (else the tile skips the negative half).
 */
export function quantizeWindowSplit(src: usize, K: i32, Kq: i32, xsc: usize, q: usize): i32 {
  const amax = absMaxP(src, K);
  const inv = quantInv(amax);
  store<f32>(xsc, quantScale(amax));
  const vinv = f32x4.splat(inv);
  const magic = f32x4.splat(12582912.0);
  const bias = i32x4.splat(0x4b400000);
  const zero = i32x4.splat(0);
  const qn = q + <usize>Kq;
  let anyNeg = zero;
  let c = 0;
  for (; c + 16 <= K; c += 16) {
    const o = src + (<usize>c << 2);
    const a = i32x4.sub(f32x4.add(f32x4.mul(v128.load(o), vinv), magic), bias);
    const b = i32x4.sub(f32x4.add(f32x4.mul(v128.load(o, 16), vinv), magic), bias);
    const d = i32x4.sub(f32x4.add(f32x4.mul(v128.load(o, 32), vinv), magic), bias);
    const e = i32x4.sub(f32x4.add(f32x4.mul(v128.load(o, 48), vinv), magic), bias);
    const v = i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(a, b), i16x8.narrow_i32x4_s(d, e));
    v128.store(q + <usize>c, i8x16.max_s(v, zero));
    v128.store(qn + <usize>c, i8x16.max_s(i8x16.neg(v), zero));
    anyNeg = v128.or(anyNeg, v);
  }
  let neg = i8x16.bitmask(anyNeg) != 0;
  for (; c < K; c++) {
    const v = quantize1(load<f32>(src + (<usize>c << 2)), inv);
    store<u8>(q + <usize>c, <u8>(v > 0 ? v : 0));
    store<u8>(qn + <usize>c, <u8>(v < 0 ? -v : 0));
    if (v < 0) neg = true;
  }
  for (; c < Kq; c++) {
    store<u8>(q + <usize>c, 0);
    store<u8>(qn + <usize>c, 0);
  }
  return <i32>neg;
}

/**
 * tile4x8 on the relaxed-SIMD layouts: blk in quads (packI8Block8 with quads), q rows split (quantizeWindowSplit,
 * Kq bytes apart). i32x4.relaxed_dot_i8x16_i7x16_add_s multiplies the signed entries by bytes in
 * [0, 127], where every engine agrees, and each pair of products fits in i16: the sums are the
 * baseline tile's integers. neg: some of the 4 pixels have negative q (a second pass subtracts
 * their dot; after a ReLU there is none).
 */
export function tile4x8Relaxed(
  blk: usize, quads: i32, Kq: i32, q0: usize, q1: usize, q2: usize, q3: usize, neg: bool, xs: usize,
  eps: usize, ecs: usize, eb: usize, yp0: usize, yp1: usize, yp2: usize, yp3: usize, pixels: i32, cnt: i32, tmp: usize,
): void {
  let a0 = i32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
  for (let t = 0; t < quads; t++) {
    const wp = blk + (<usize>t << 5);
    const w0 = v128.load(wp), w1 = v128.load(wp, 16);
    const o = <usize>t << 2;
    const x0 = v128.load32_splat(q0 + o), x1 = v128.load32_splat(q1 + o);
    a0 = i32x4.relaxed_dot_i8x16_i7x16_add_s(w0, x0, a0); a1 = i32x4.relaxed_dot_i8x16_i7x16_add_s(w1, x0, a1);
    a2 = i32x4.relaxed_dot_i8x16_i7x16_add_s(w0, x1, a2); a3 = i32x4.relaxed_dot_i8x16_i7x16_add_s(w1, x1, a3);
    const x2 = v128.load32_splat(q2 + o), x3 = v128.load32_splat(q3 + o);
    a4 = i32x4.relaxed_dot_i8x16_i7x16_add_s(w0, x2, a4); a5 = i32x4.relaxed_dot_i8x16_i7x16_add_s(w1, x2, a5);
    a6 = i32x4.relaxed_dot_i8x16_i7x16_add_s(w0, x3, a6); a7 = i32x4.relaxed_dot_i8x16_i7x16_add_s(w1, x3, a7);
  }
  if (neg) {
    const n = <usize>Kq;
    let b0 = i32x4.splat(0), b1 = b0, b2 = b0, b3 = b0, b4 = b0, b5 = b0, b6 = b0, b7 = b0;
    for (let t = 0; t < quads; t++) {
      const wp = blk + (<usize>t << 5);
      const w0 = v128.load(wp), w1 = v128.load(wp, 16);
      const o = (<usize>t << 2) + n;
      const x0 = v128.load32_splat(q0 + o), x1 = v128.load32_splat(q1 + o);
      b0 = i32x4.relaxed_dot_i8x16_i7x16_add_s(w0, x0, b0); b1 = i32x4.relaxed_dot_i8x16_i7x16_add_s(w1, x0, b1);
      b2 = i32x4.relaxed_dot_i8x16_i7x16_add_s(w0, x1, b2); b3 = i32x4.relaxed_dot_i8x16_i7x16_add_s(w1, x1, b3);
      const x2 = v128.load32_splat(q2 + o), x3 = v128.load32_splat(q3 + o);
      b4 = i32x4.relaxed_dot_i8x16_i7x16_add_s(w0, x2, b4); b5 = i32x4.relaxed_dot_i8x16_i7x16_add_s(w1, x2, b5);
      b6 = i32x4.relaxed_dot_i8x16_i7x16_add_s(w0, x3, b6); b7 = i32x4.relaxed_dot_i8x16_i7x16_add_s(w1, x3, b7);
    }
    a0 = i32x4.sub(a0, b0); a1 = i32x4.sub(a1, b1); a2 = i32x4.sub(a2, b2); a3 = i32x4.sub(a3, b3);
    a4 = i32x4.sub(a4, b4); a5 = i32x4.sub(a5, b5); a6 = i32x4.sub(a6, b6); a7 = i32x4.sub(a7, b7);
  }
  store8(a0, a1, load<f32>(xs), eps, ecs, eb, yp0, cnt, tmp);
  if (pixels > 1) store8(a2, a3, load<f32>(xs, 4), eps, ecs, eb, yp1, cnt, tmp);
  if (pixels > 2) store8(a4, a5, load<f32>(xs, 8), eps, ecs, eb, yp2, cnt, tmp);
  if (pixels > 3) store8(a6, a7, load<f32>(xs, 12), eps, ecs, eb, yp3, cnt, tmp);
}

/** n floats src -> dst (4 at a time, then one by one). */
@inline function copyF32(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), v128.load(src + (<usize>i << 2)));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
}

/**
 * Pointer to the K = kh*kw*Ig floats of output pixel (oy, ox)'s window in group g, k order, taps
 * in the padding 0: x itself for a 1x1 window inside the image, else gathered into win. geo: the
 * i32 slots 8..22 of params (H, W, C, O, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, groups).
 */
export function windowF32(xi: usize, geo: usize, oy: i32, ox: i32, g: i32, win: usize): usize {
  const H = load<i32>(geo), W = load<i32>(geo, 4), C = load<i32>(geo, 8);
  const kh = load<i32>(geo, 16), kw = load<i32>(geo, 20);
  const iy0 = oy * load<i32>(geo, 24) - load<i32>(geo, 32), ix0 = ox * load<i32>(geo, 28) - load<i32>(geo, 36);
  const dh = load<i32>(geo, 48), dw = load<i32>(geo, 52), groups = load<i32>(geo, 56);
  const Ig = C / groups;
  const gOff = <usize>(g * Ig);
  if (kh == 1 && kw == 1) {
    if (iy0 >= 0 && iy0 < H && ix0 >= 0 && ix0 < W) return xi + ((<usize>(iy0 * W + ix0) * <usize>C + gOff) << 2);
    memory.fill(win, 0, <usize>Ig << 2);
    return win;
  }
  // one contiguous run per window row when the row lies inside the image and taps are adjacent
  const rowRun = groups == 1 && dw == 1 && ix0 >= 0 && ix0 + kw <= W;
  let dst = win;
  for (let ky = 0; ky < kh; ky++) {
    const iy = iy0 + ky * dh;
    if (iy < 0 || iy >= H) {
      memory.fill(dst, 0, <usize>(kw * Ig) << 2);
    } else if (rowRun) {
      copyF32(dst, xi + (<usize>(iy * W + ix0) * <usize>C << 2), kw * C);
    } else {
      for (let kx = 0; kx < kw; kx++) {
        const ix = ix0 + kx * dw;
        const d = dst + (<usize>(kx * Ig) << 2);
        if (ix < 0 || ix >= W) memory.fill(d, 0, <usize>Ig << 2);
        else copyF32(d, xi + ((<usize>(iy * W + ix) * <usize>C + gOff) << 2), Ig);
      }
    }
    dst += <usize>(kw * Ig) << 2;
  }
  return win;
}

/**
 * y rows (pixels) yp0..yp3 at channels j0..j0+cnt-1 = epilogue(sum over pairs of blk x q rows):
 * ((sum * xscale[r]) * palscale) * chscale + bias, as i8_conv2d_p8i8__ref. q0..q3: i16 rows
 * (zero past K); xs: the 4 pixels' scales; eps / ecs / eb: 8 channels' palette scales, channel
 * scales, biases (ecs / eb = 0: none); pixels = how many of the 4 are real (their y stored).
 */
export function tile4x8(
  blk: usize, pairs: i32, q0: usize, q1: usize, q2: usize, q3: usize, xs: usize,
  eps: usize, ecs: usize, eb: usize, yp0: usize, yp1: usize, yp2: usize, yp3: usize, pixels: i32, cnt: i32, tmp: usize,
): void {
  let a0 = i32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
  for (let t = 0; t < pairs; t++) {
    const wp = blk + (<usize>t << 4);
    const w0 = v128.load8x8_s(wp), w1 = v128.load8x8_s(wp, 8);
    const o = <usize>t << 2;
    const x0 = v128.load32_splat(q0 + o), x1 = v128.load32_splat(q1 + o);
    a0 = i32x4.add(a0, i32x4.dot_i16x8_s(x0, w0)); a1 = i32x4.add(a1, i32x4.dot_i16x8_s(x0, w1));
    a2 = i32x4.add(a2, i32x4.dot_i16x8_s(x1, w0)); a3 = i32x4.add(a3, i32x4.dot_i16x8_s(x1, w1));
    const x2 = v128.load32_splat(q2 + o), x3 = v128.load32_splat(q3 + o);
    a4 = i32x4.add(a4, i32x4.dot_i16x8_s(x2, w0)); a5 = i32x4.add(a5, i32x4.dot_i16x8_s(x2, w1));
    a6 = i32x4.add(a6, i32x4.dot_i16x8_s(x3, w0)); a7 = i32x4.add(a7, i32x4.dot_i16x8_s(x3, w1));
  }
  store8(a0, a1, load<f32>(xs), eps, ecs, eb, yp0, cnt, tmp);
  if (pixels > 1) store8(a2, a3, load<f32>(xs, 4), eps, ecs, eb, yp1, cnt, tmp);
  if (pixels > 2) store8(a4, a5, load<f32>(xs, 8), eps, ecs, eb, yp2, cnt, tmp);
  if (pixels > 3) store8(a6, a7, load<f32>(xs, 12), eps, ecs, eb, yp3, cnt, tmp);
}

@inline function epilogue4(acc: v128, xs: v128, eps: usize, ecs: usize, eb: usize, off: usize): v128 {
  let v = f32x4.mul(f32x4.mul(f32x4.convert_i32x4_s(acc), xs), v128.load(eps + off));
  if (ecs) v = f32x4.mul(v, v128.load(ecs + off));
  if (eb) v = f32x4.add(v, v128.load(eb + off));
  return v;
}

@inline function store8(lo: v128, hi: v128, xscale: f32, eps: usize, ecs: usize, eb: usize, yp: usize, cnt: i32, tmp: usize): void {
  const xs = f32x4.splat(xscale);
  const vl = epilogue4(lo, xs, eps, ecs, eb, 0);
  const vh = epilogue4(hi, xs, eps, ecs, eb, 16);
  if (cnt == 8) {
    v128.store(yp, vl);
    v128.store(yp, vh, 16);
  } else {
    v128.store(tmp, vl);
    v128.store(tmp, vh, 16);
    memory.copy(yp, tmp, <usize>cnt << 2);
  }
}
