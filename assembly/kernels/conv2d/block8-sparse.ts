// Block-sparse core of the conv2d kernels: like block8.ts (8 output channels x 4 pixels, 8 f32x4
// accumulators), but over the tile's kept weight columns only, so dropped blocks cost neither a
// decode nor a multiply-add.
//
//   mask (block rows of the tile's 8 channels)  --OR-->  kept block columns of the tile, k order
//   cols:    | k_0 | k_1 | ... | k_{nk-1} |            the columns of those blocks (< K)
//   wbc:     [nk][8] f32, row i = | W[j0][k_i] .. W[j0+7][k_i] |   (lanes of channels whose own
//            block at k_i is dropped, or past the tile's end, hold 0)
//   koff:    u32 [nk], byte offset of column k_i from a window corner (interior tiles)
//   ciOff:   u32 [nk], byte offset of k_i inside its tap (edge tiles), ci*4
//   tapStart: u32 [kh*kw + 1], first i of each tap (k = tap*Ig + ci, so taps are runs of i)
//
// With R a multiple of 8 (16x1 blocks) the 8 channels of a tile share one block row, so nk = the
// kept fraction of K exactly; with R < 8 the tile keeps the union of its rows' columns (the extra
// lanes are zeros). Each output value is the sum over i in increasing k of w*x, the order of the
// dense kernel with the dropped terms left out: adding w*0 or 0*x (finite) to a sum that started at
// +0 never changes it, so any split of the channels (threads) gives the same bits.
import { param, paramPtr, maskWord, countKept, readIndex, storeLanes, P_BITS, P_GROUP_ROWS, P_BLOCK_ROWS, P_BLOCK_COLS, P_CHSCALE, P_SCRATCH } from '../../common/gemm';
import {
  P_IN_H, P_IN_W, P_IN_C, P_KH, P_KW, P_STRIDE_H, P_STRIDE_W, P_PAD_T, P_PAD_L, P_DIL_H, P_DIL_W,
  P_GROUPS, P_OUT_C, outH, outW, outPixel,
} from './common';
import { convBlock8, runOffsets } from './block8';

/**
 * Decodes the kept blocks of rows j0..j0+cnt-1 (dense kept values: bits = 0; else packed indices
 * looked up in the row's palette) into wbc, and fills cols/koff/ciOff/tapStart (see above).
 * bpos: i32 per block column (scratch); lanePal: 8 palette pointers + 64 bytes of byte planes (scratch). Returns nk.
 */
export function packSparseCompact8(
  w: usize, mask: usize, pal: usize, bits: i32, groupRows: i32, R: i32, Cb: i32, K: i32, j0: i32, cnt: i32,
  params: usize, wbc: usize, cols: usize, koff: usize, ciOff: usize, bpos: usize, tapStart: usize, lanePal: usize,
): i32 {
  const gridCols = (K + Cb - 1) / Cb;
  const mrb = (gridCols + 7) >> 3;
  const br0 = j0 / R, br1 = (j0 + cnt - 1) / R;
  // 1. union of the kept block columns of the tile's block rows; their columns, in k order, to cols
  let nk = 0;
  for (let b = 0; b < mrb; b += 8) {
    let m: u64 = 0;
    for (let br = br0; br <= br1; br++) m |= maskWord(mask + <usize>(br * mrb + b), mrb - b, gridCols - (b << 3));
    while (m != 0) {
      const bc = (b << 3) + <i32>ctz(m);
      m &= m - 1;
      store<i32>(bpos + (<usize>bc << 2), nk);
      const c1 = min((bc + 1) * Cb, K);
      for (let c = bc * Cb; c < c1; c++) { store<u32>(cols + (<usize>nk << 2), <u32>c); nk++; }
    }
  }
  offsets(params, nk, cols, koff, ciOff, tapStart);
  for (let l = 0; l < cnt; l++) {
    store<usize>(lanePal + (<usize>l << 2), bits ? pal + ((<usize>((j0 + l) / groupRows) << <usize>bits) << 2) : 0);
  }
  let base = countKept(mask, br0, gridCols); // kept blocks in the block rows above br0
  if (br0 == br1) {
    // 3a. one block row (R a multiple of 8: 16x1, 8x1): its blocks are the compact columns in order,
    // and lane l of kept block t, column c is value (t*R + rOff + l)*Cb + c of the stream
    if (cnt < 8) memory.fill(wbc, 0, <usize>nk << 5);
    const rOff = j0 - br0 * R;
    const aligned = (rOff & 7) == 0 && (R & 7) == 0; // then every value index v0 below is a multiple of 8
    // bits <= 4 and one palette for the 8 lanes: i8x16.swizzle on the palette's 4 byte planes
    const planes = lanePal + 32;
    const fast8 = Cb == 1 && cnt == 8 && aligned && bits >= 1 && bits <= 4 && load<usize>(lanePal) == load<usize>(lanePal + 28);
    if (fast8) bytePlanes(load<usize>(lanePal), bits, planes);
    let i = 0;
    for (let t = base; i < nk; t++) {
      const c1 = min(Cb, nk - i); // the last block column may be cut at K
      for (let c = 0; c < c1; c++) {
        const v0 = (t * R + rOff) * Cb + c;
        const dst = wbc + (<usize>i << 5);
        if (Cb == 1 && cnt == 8 && bits == 0) {
          v128.store(dst, v128.load(w + (<usize>v0 << 2)));
          v128.store(dst, v128.load(w + (<usize>v0 << 2), 16), 16);
        } else if (fast8) {
          // 8 indices starting on a byte (v0 is a multiple of 8): `bits` bytes, LSB first
          const src = w + (<usize>(v0 >> 3) * <usize>bits);
          let u: u32 = 0;
          for (let q = 0; q < bits; q++) u |= <u32>load<u8>(src + <usize>q) << (<u32>q << 3);
          lookup8(spread8(u, bits), planes, dst);
        } else if (Cb == 1 && cnt == 8 && aligned) {
          const src = w + (<usize>(v0 >> 3) * <usize>bits);
          let u: u64 = 0;
          for (let q = 0; q < bits; q++) u |= <u64>load<u8>(src + <usize>q) << (<u64>q << 3);
          const im = (<u64>1 << <u64>bits) - 1;
          for (let l = 0; l < 8; l++) {
            const ix = <usize>((u >> (<u64>(l * bits))) & im);
            store<f32>(dst + (<usize>l << 2), load<f32>(load<usize>(lanePal + (<usize>l << 2)) + (ix << 2)));
          }
        } else {
          for (let l = 0; l < cnt; l++) {
            const vi = v0 + l * Cb;
            const v = bits ? load<f32>(load<usize>(lanePal + (<usize>l << 2)) + (<usize>readIndex(w, vi, bits) << 2)) : load<f32>(w + (<usize>vi << 2));
            store<f32>(dst + (<usize>l << 2), v);
          }
        }
        i++;
      }
    }
    return nk;
  }
  // 3b. several block rows (R < 8): each row walks its own kept blocks, lanes of other rows' blocks stay 0
  memory.fill(wbc, 0, <usize>nk << 5);
  for (let br = br0; br <= br1; br++) {
    const mr = mask + <usize>(br * mrb);
    const ra = max(j0, br * R), rb = min(j0 + cnt, br * R + R);
    let t1 = base; // every row of a block row has the same kept blocks
    for (let j = ra; j < rb; j++) {
      const lane = <usize>(j - j0) << 2;
      const rOff = (j - br * R) * Cb;
      const pr = load<usize>(lanePal + lane);
      t1 = base;
      for (let b = 0; b < mrb; b += 8) {
        let m = maskWord(mr + <usize>b, mrb - b, gridCols - (b << 3));
        while (m != 0) {
          const bc = (b << 3) + <i32>ctz(m);
          m &= m - 1;
          const dst = wbc + (<usize>load<i32>(bpos + (<usize>bc << 2)) << 5) + lane;
          const c1 = min(Cb, K - bc * Cb);
          const v0 = t1 * R * Cb + rOff;
          for (let c = 0; c < c1; c++) {
            const vi = v0 + c;
            const v = bits ? load<f32>(pr + (<usize>readIndex(w, vi, bits) << 2)) : load<f32>(w + (<usize>vi << 2));
            store<f32>(dst + (<usize>c << 5), v);
          }
          t1++;
        }
      }
    }
    base = t1;
  }
  return nk;
}

/** Byte b of palette entry e (e < 2^bits <= 16) to planes[16*b + e]. */
function bytePlanes(pr: usize, bits: i32, planes: usize): void {
  for (let e = 0; e < (1 << bits); e++) {
    for (let b = 0; b < 4; b++) store<u8>(planes + <usize>(b * 16 + e), load<u8>(pr + <usize>(e * 4 + b)));
  }
}

/** 8 packed indices of `bits` (1..4) bits, LSB first, to one byte each (byte l = index l). */
@inline function spread8(u: u32, bits: i32): u64 {
  if (bits == 4) { // nibbles to bytes: halves, then quarters, then nibbles apart
    let x = <u64>u;
    x = (x | (x << 16)) & 0x0000FFFF0000FFFF;
    x = (x | (x << 8)) & 0x00FF00FF00FF00FF;
    return (x | (x << 4)) & 0x0F0F0F0F0F0F0F0F;
  }
  const m = (<u32>1 << <u32>bits) - 1;
  let x: u64 = 0;
  for (let l = 0; l < 8; l++) x |= <u64>((u >> <u32>(l * bits)) & m) << (<u64>l << 3);
  return x;
}

/** The 8 f32 palette entries of the byte indices in x (byte planes at `planes`) to dst[0..7]. */
@inline function lookup8(x: u64, planes: usize, dst: usize): void {
  const idx = i64x2.splat(<i64>x);
  const s0 = i8x16.swizzle(v128.load(planes), idx), s1 = i8x16.swizzle(v128.load(planes, 16), idx);
  const s2 = i8x16.swizzle(v128.load(planes, 32), idx), s3 = i8x16.swizzle(v128.load(planes, 48), idx);
  const b01 = i8x16.shuffle(s0, s1, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const b23 = i8x16.shuffle(s2, s3, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  v128.store(dst, i8x16.shuffle(b01, b23, 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23));
  v128.store(dst, i8x16.shuffle(b01, b23, 8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31), 16);
}

/**
 * From the kept columns k_i at cols: koff[i] (window offset), ciOff[i] = ci*4, tapStart. The
 * columns are in k order, so the taps (runs of Ig columns) are walked once, without divisions.
 */
function offsets(params: usize, nk: i32, cols: usize, koff: usize, ciOff: usize, tapStart: usize): void {
  const W = param(params, P_IN_W), C = param(params, P_IN_C), kw = param(params, P_KW);
  const dh = param(params, P_DIL_H), dw = param(params, P_DIL_W);
  const Ig = C / param(params, P_GROUPS);
  const taps = param(params, P_KH) * kw;
  let t = 0, tBase = 0, ky = 0, kx = 0, tOff = 0;
  store<u32>(tapStart, 0);
  for (let i = 0; i < nk; i++) {
    const k = <i32>load<u32>(cols + (<usize>i << 2));
    while (k >= tBase + Ig) {
      t++; tBase += Ig;
      if (++kx == kw) { kx = 0; ky++; }
      tOff = ((ky * dh * W + kx * dw) * C) << 2;
      store<u32>(tapStart + (<usize>t << 2), <u32>i);
    }
    const ciB = (k - tBase) << 2;
    store<u32>(koff + (<usize>i << 2), <u32>(tOff + ciB));
    store<u32>(ciOff + (<usize>i << 2), <u32>ciB);
  }
  while (t < taps) { t++; store<u32>(tapStart + (<usize>t << 2), <u32>nk); }
}

/**
 * y for channels j0..j0+cnt-1 (cnt 1..8, all in group g) from the compact tile of
 * packSparseCompact8. Pixel tiles as convBlock8 (block8.ts): interior tiles read column i at
 * corner + koff[i]; edge tiles walk the taps, point padded taps at `zero`, and read ciOff[i] into
 * the tap's pixel for i in tapStart[tap] .. tapStart[tap+1].
 */
export function convSparse8(
  nb: i32, x: usize, xs: usize, y: usize, ys: usize, params: usize,
  wbc: usize, nk: i32, koff: usize, ciOff: usize, tapStart: usize,
  g: i32, j0: i32, cnt: i32, zero: usize, cs: usize, bias: usize,
): void {
  const H = param(params, P_IN_H), W = param(params, P_IN_W), C = param(params, P_IN_C);
  const kh = param(params, P_KH), kw = param(params, P_KW), sh = param(params, P_STRIDE_H), sw = param(params, P_STRIDE_W);
  const pt = param(params, P_PAD_T), pl = param(params, P_PAD_L), dh = param(params, P_DIL_H), dw = param(params, P_DIL_W);
  const Ig = C / param(params, P_GROUPS);
  const OW = outW(params);
  const P = outH(params) * OW;
  const spanY = (kh - 1) * dh, spanX = (kw - 1) * dw;
  const cOff = <usize>(g * Ig) << 2;
  const pixB = <usize>C << 2;
  const yPixB = <usize>outPixel(params) << 2;
  const kEnd = koff + (<usize>nk << 2);
  for (let img = 0; img < nb; img++) {
    const xi = x + <usize>img * xs + cOff;
    const yi = y + <usize>img * ys;
    let oy = 0, ox = 0; // output pixel p, advanced without divisions
    for (let p = 0; p < P; p += 4) {
      const np = min(4, P - p);
      // window corners of the tile's pixels; a tail tile repeats its last pixel
      const y0 = oy * sh - pt, x0 = ox * sw - pl;
      if (np > 1) { if (++ox == OW) { ox = 0; oy++; } }
      const y1 = oy * sh - pt, x1 = ox * sw - pl;
      if (np > 2) { if (++ox == OW) { ox = 0; oy++; } }
      const y2 = oy * sh - pt, x2 = ox * sw - pl;
      if (np > 3) { if (++ox == OW) { ox = 0; oy++; } }
      const y3 = oy * sh - pt, x3 = ox * sw - pl;
      if (++ox == OW) { ox = 0; oy++; }
      const inner = min(min(y0, y1), min(y2, y3)) >= 0 && max(max(y0, y1), max(y2, y3)) + spanY < H &&
        min(min(x0, x1), min(x2, x3)) >= 0 && max(max(x0, x1), max(x2, x3)) + spanX < W;
      let a0 = f32x4.splat(0), b0 = a0, a1 = a0, b1 = a0, a2 = a0, b2 = a0, a3 = a0, b3 = a0;
      let wt = wbc;
      if (inner) {
        const c0 = xi + <usize>(y0 * W + x0) * pixB, c1 = xi + <usize>(y1 * W + x1) * pixB;
        const c2 = xi + <usize>(y2 * W + x2) * pixB, c3 = xi + <usize>(y3 * W + x3) * pixB;
        // two columns per step (fewer loop tests and pointer bumps), then the odd one
        const kEnd2 = koff + (<usize>(nk & ~1) << 2);
        for (let kp = koff; kp < kEnd2; kp += 8) {
          const off = <usize>load<u32>(kp), offB = <usize>load<u32>(kp, 4);
          let w0 = v128.load(wt), w1 = v128.load(wt, 16);
          let v0 = v128.load32_splat(c0 + off), v1 = v128.load32_splat(c1 + off);
          let v2 = v128.load32_splat(c2 + off), v3 = v128.load32_splat(c3 + off);
          a0 = f32x4.add(a0, f32x4.mul(w0, v0)); b0 = f32x4.add(b0, f32x4.mul(w1, v0));
          a1 = f32x4.add(a1, f32x4.mul(w0, v1)); b1 = f32x4.add(b1, f32x4.mul(w1, v1));
          a2 = f32x4.add(a2, f32x4.mul(w0, v2)); b2 = f32x4.add(b2, f32x4.mul(w1, v2));
          a3 = f32x4.add(a3, f32x4.mul(w0, v3)); b3 = f32x4.add(b3, f32x4.mul(w1, v3));
          w0 = v128.load(wt, 32); w1 = v128.load(wt, 48);
          v0 = v128.load32_splat(c0 + offB); v1 = v128.load32_splat(c1 + offB);
          v2 = v128.load32_splat(c2 + offB); v3 = v128.load32_splat(c3 + offB);
          a0 = f32x4.add(a0, f32x4.mul(w0, v0)); b0 = f32x4.add(b0, f32x4.mul(w1, v0));
          a1 = f32x4.add(a1, f32x4.mul(w0, v1)); b1 = f32x4.add(b1, f32x4.mul(w1, v1));
          a2 = f32x4.add(a2, f32x4.mul(w0, v2)); b2 = f32x4.add(b2, f32x4.mul(w1, v2));
          a3 = f32x4.add(a3, f32x4.mul(w0, v3)); b3 = f32x4.add(b3, f32x4.mul(w1, v3));
          wt += 64;
        }
        for (let kp = kEnd2; kp < kEnd; kp += 4) {
          const off = <usize>load<u32>(kp);
          const w0 = v128.load(wt), w1 = v128.load(wt, 16);
          const v0 = v128.load32_splat(c0 + off), v1 = v128.load32_splat(c1 + off);
          const v2 = v128.load32_splat(c2 + off), v3 = v128.load32_splat(c3 + off);
          a0 = f32x4.add(a0, f32x4.mul(w0, v0)); b0 = f32x4.add(b0, f32x4.mul(w1, v0));
          a1 = f32x4.add(a1, f32x4.mul(w0, v1)); b1 = f32x4.add(b1, f32x4.mul(w1, v1));
          a2 = f32x4.add(a2, f32x4.mul(w0, v2)); b2 = f32x4.add(b2, f32x4.mul(w1, v2));
          a3 = f32x4.add(a3, f32x4.mul(w0, v3)); b3 = f32x4.add(b3, f32x4.mul(w1, v3));
          wt += 32;
        }
      } else {
        let ky = 0, kx = 0;
        for (let tap = 0; tap < kh * kw; tap++) {
          const i0 = <usize>load<u32>(tapStart + (<usize>tap << 2)), i1 = <usize>load<u32>(tapStart + (<usize>tap << 2), 4);
          const dy = ky * dh, dx = kx * dw;
          if (++kx == kw) { kx = 0; ky++; }
          if (i0 == i1) continue;
          // unsigned compares: one test catches both < 0 and >= size
          let iy = y0 + dy, ix = x0 + dx;
          const p0 = <u32>iy < <u32>H && <u32>ix < <u32>W ? xi + <usize>(iy * W + ix) * pixB : zero;
          iy = y1 + dy; ix = x1 + dx;
          const p1 = <u32>iy < <u32>H && <u32>ix < <u32>W ? xi + <usize>(iy * W + ix) * pixB : zero;
          iy = y2 + dy; ix = x2 + dx;
          const p2 = <u32>iy < <u32>H && <u32>ix < <u32>W ? xi + <usize>(iy * W + ix) * pixB : zero;
          iy = y3 + dy; ix = x3 + dx;
          const p3 = <u32>iy < <u32>H && <u32>ix < <u32>W ? xi + <usize>(iy * W + ix) * pixB : zero;
          for (let i = i0; i < i1; i++) {
            const o = <usize>load<u32>(ciOff + (i << 2));
            const w0 = v128.load(wt), w1 = v128.load(wt, 16);
            const v0 = v128.load32_splat(p0 + o), v1 = v128.load32_splat(p1 + o);
            const v2 = v128.load32_splat(p2 + o), v3 = v128.load32_splat(p3 + o);
            a0 = f32x4.add(a0, f32x4.mul(w0, v0)); b0 = f32x4.add(b0, f32x4.mul(w1, v0));
            a1 = f32x4.add(a1, f32x4.mul(w0, v1)); b1 = f32x4.add(b1, f32x4.mul(w1, v1));
            a2 = f32x4.add(a2, f32x4.mul(w0, v2)); b2 = f32x4.add(b2, f32x4.mul(w1, v2));
            a3 = f32x4.add(a3, f32x4.mul(w0, v3)); b3 = f32x4.add(b3, f32x4.mul(w1, v3));
            wt += 32;
          }
        }
      }
      const yp = yi + <usize>p * yPixB;
      store8(yp, j0, a0, b0, cnt, cs, bias);
      if (np > 1) store8(yp + yPixB, j0, a1, b1, cnt, cs, bias);
      if (np > 2) store8(yp + 2 * yPixB, j0, a2, b2, cnt, cs, bias);
      if (np > 3) store8(yp + 3 * yPixB, j0, a3, b3, cnt, cs, bias);
    }
  }
}

@inline function store8(yr: usize, j0: i32, a: v128, b: v128, cnt: i32, cs: usize, bias: usize): void {
  storeLanes(yr, j0, a, cnt, cs, bias);
  if (cnt > 4) storeLanes(yr, j0 + 4, b, cnt - 4, cs, bias);
}

/**
 * The whole block-sparse conv (both f32 bs kernels; bits = 0: dense kept values): per group and
 * block of 8 output channels, packSparseCompact8, then convSparse8 over the nk kept columns, or,
 * when they are more than 4/5 of K (R < 8: the union of 8 rows' blocks; or a dense block row),
 * the compact block scattered back to [K][8] with zeros and block8.ts's dense loop, whose contiguous
 * window runs cost less per column than the offset list (measured: 0.82x of the dense kernel's
 * speed at density 1 for the list).
 * scratch (16-byte aligned pieces, K4 = roundup(K,4)):
 *   | 8 lane palette pointers 32, byte planes 64 | zero K4 f32 | wbc K*8 f32 | koff K4 u32 | ciOff K4 u32 |
 *   | bpos K4 i32 | tapStart roundup(K+1,4) u32 | cols K4 u32 | wb K*8 f32 | run offsets K4 u32 |
 */
export function convSparse(
  n: i32, x: usize, w: usize, pal: usize, mask: usize, bias: usize, y: usize, xs: usize, ys: usize, params: usize, bits: i32,
): void {
  const groupRows = param(params, P_GROUP_ROWS);
  const R = param(params, P_BLOCK_ROWS), Cb = param(params, P_BLOCK_COLS);
  const groups = param(params, P_GROUPS);
  const Ig = param(params, P_IN_C) / groups;
  const Og = param(params, P_OUT_C) / groups;
  const K = param(params, P_KH) * param(params, P_KW) * Ig;
  const cs = paramPtr(params, P_CHSCALE);
  const K4 = <usize>(K + 3) & ~(<usize>3);
  const lanePal = paramPtr(params, P_SCRATCH); // 8 palette pointers, then 64 bytes of palette byte planes
  const zero = lanePal + 96;
  const wbc = zero + (K4 << 2);
  const koff = wbc + (<usize>K << 5);
  const ciOff = koff + (K4 << 2);
  const bpos = ciOff + (K4 << 2);
  const tapStart = bpos + (K4 << 2);
  const cols = tapStart + ((<usize>(K + 4) & ~(<usize>3)) << 2);
  const wb = cols + (K4 << 2);
  const roff = wb + (<usize>K << 5);
  memory.fill(zero, 0, <usize>Ig << 2);
  runOffsets(params, roff);
  for (let g = 0; g < groups; g++) {
    for (let jb = 0; jb < Og; jb += 8) {
      const j0 = g * Og + jb;
      const cnt = min(8, Og - jb);
      const nk = packSparseCompact8(w, mask, pal, bits, groupRows, R, Cb, K, j0, cnt, params, wbc, cols, koff, ciOff, bpos, tapStart, lanePal);
      if (nk * 5 > K * 4) {
        memory.fill(wb, 0, <usize>K << 5);
        for (let i = 0; i < nk; i++) {
          const src = wbc + (<usize>i << 5);
          const dst = wb + (<usize>load<u32>(cols + (<usize>i << 2)) << 5);
          v128.store(dst, v128.load(src));
          v128.store(dst, v128.load(src, 16), 16);
        }
        convBlock8(n, x, xs, y, ys, params, wb, g, j0, cnt, zero, roff, cs, bias);
      } else {
        convSparse8(n, x, xs, y, ys, params, wbc, nk, koff, ciOff, tapStart, g, j0, cnt, zero, cs, bias);
      }
    }
  }
}
