// Decoder of the block-sparse conv2d kernels (layouts: block8-sparse.ts): per tile of 8 output
// channels, the kept columns of its block rows, their weights as a compact [nk][8] f32 block, and
// the offsets the inner loops read. Dense kept values are copied 8 at a time when the tile lies in
// one block row (R a multiple of 8); palettized ones of <= 4 bits and one palette are looked up 8 at
// a time (i8x16.swizzle on the palette's 4 byte planes); other cases go value by value.
import { param, maskWord, countKept, readIndex } from '../../common/gemm';
import { P_IN_W, P_IN_C, P_KH, P_KW, P_DIL_H, P_DIL_W, P_GROUPS } from './common';

/**
 * Decodes the kept blocks of rows j0..j0+cnt-1 (dense kept values: bits = 0; else packed indices
 * looked up in the row's palette) into wbc, and fills cols/koff/ciOff/tapStart (layouts: block8-sparse.ts).
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
