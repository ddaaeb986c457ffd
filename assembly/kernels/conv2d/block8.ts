// SIMD core of the conv2d kernels: 8 output channels of one group, packed tap-major, against every
// output pixel of every image, 4 pixels per step (tile 4x8: 8 f32x4 accumulators).
//
//   wb (scratch): [K][8] f32, row k = | W[j0][k] W[j0+1][k] ... W[j0+7][k] |  (32 bytes; channels
//                 past the block's end hold 0). k = (ky*kw + kx)*Ig + ci, the [O, K] view's order.
//
//   x (NHWC), one pixel's window, groups = 1, dil_w = 1:
//     row ky: | px(iy, ix0): C f32 | px(iy, ix0+1): C f32 | ... kw pixels |  = one run of kw*C floats,
//             in the same order as k, so wb rows and x floats advance together
//
//   per pixel tile and segment: 4 input pointers, one per pixel. Interior tiles: segment = run
//   (offset table roff). Edge tiles: segment = tap (ky, kx), pointer to the Ig channels of group g
//   at (iy, ix), or to `zero` (Ig zero floats) when (iy, ix) is in the padding. The inner loop has
//   no branches: per input float 2 weight loads, 4 load-splats, 8 mul + 8 add.
//
// Packers fill wb from the three weight encodings (dense rows, packed index rows, sparse rows).
import { param, storeLanes } from '../../common/gemm';
import { unpack16, loadChunk } from '../../common/unpack';
import {
  P_IN_H, P_IN_W, P_IN_C, P_KH, P_KW, P_STRIDE_H, P_STRIDE_W, P_PAD_T, P_PAD_L, P_DIL_H, P_DIL_W,
  P_GROUPS, outH, outW, outPixel, decodeSparseRow,
} from './common';

/** Dense rows j0..j0+cnt-1 of w ([O][K] f32) into wb ([K][8]); lanes cnt..7 = 0. */
export function packDense8(w: usize, K: i32, j0: i32, cnt: i32, wb: usize): void {
  memory.fill(wb, 0, <usize>K << 5);
  for (let r = 0; r < cnt; r++) {
    const src = w + ((<usize>(j0 + r) * <usize>K) << 2);
    const dst = wb + (<usize>r << 2);
    for (let k = 0; k < K; k++) store<f32>(dst + (<usize>k << 5), load<f32>(src + (<usize>k << 2)));
  }
}

/**
 * Palettized rows j0..j0+cnt-1 (packed, rowBytes each, data ends at wEnd) into wb: SIMD unpack of 16
 * indices at a time (common/unpack.ts, control vectors at ctl), scalar gather from the row's palette.
 */
export function packPal8(
  w: usize, wEnd: usize, rowBytes: usize, pal: usize, bits: i32, groupRows: i32, K: i32, j0: i32, cnt: i32,
  ctl: usize, tmp: usize, idxBuf: usize, wb: usize,
): void {
  memory.fill(wb, 0, <usize>K << 5);
  const c0 = v128.load(ctl), c1 = v128.load(ctl, 16), m0 = v128.load(ctl, 32), m1 = v128.load(ctl, 48);
  const down = 16 - bits;
  const chunk = <usize>(bits << 1);
  for (let r = 0; r < cnt; r++) {
    const j = j0 + r;
    const pr = pal + ((<usize>(j / groupRows) << <usize>bits) << 2);
    let src = w + <usize>j * rowBytes;
    const dst = wb + (<usize>r << 2);
    for (let k = 0; k < K; k += 16) {
      v128.store(idxBuf, unpack16(loadChunk(src, <isize>(wEnd - src), tmp), c0, c1, m0, m1, down));
      const e1 = min(16, K - k);
      const d = dst + (<usize>k << 5);
      for (let e = 0; e < e1; e++) {
        store<f32>(d + (<usize>e << 5), load<f32>(pr + (<usize>load<u8>(idxBuf + <usize>e) << 2)));
      }
      src += chunk;
    }
  }
}

/**
 * Input elements per contiguous run of the window: with groups = 1 and dil_w = 1 a window row
 * (kw pixels x C channels) is contiguous in NHWC and in the weight row, otherwise one tap (Ig).
 */
@inline export function runLength(params: usize): i32 {
  const Ig = param(params, P_IN_C) / param(params, P_GROUPS);
  return Ig == param(params, P_IN_C) && param(params, P_DIL_W) == 1 ? param(params, P_KW) * Ig : Ig;
}

/** Byte offset of each run (K / runLength of them, [ky][kx] order) from a window corner, u32 at roff. */
export function runOffsets(params: usize, roff: usize): void {
  const W = param(params, P_IN_W), pixB = param(params, P_IN_C) << 2;
  const kh = param(params, P_KH), kw = param(params, P_KW), dh = param(params, P_DIL_H), dw = param(params, P_DIL_W);
  const perRow = runLength(params) == param(params, P_IN_C) / param(params, P_GROUPS) ? kw : 1;
  let p = roff;
  for (let ky = 0; ky < kh; ky++) {
    for (let kx = 0; kx < perRow; kx++) { store<u32>(p, <u32>((ky * dh * W + kx * dw) * pixB)); p += 4; }
  }
}

/**
 * y for channels j0..j0+cnt-1 (cnt 1..8, all in group g) from packed wb; see the top of this file.
 * roff: runOffsets() of this geometry. A tile whose 4 windows lie inside the image loops over the
 * window's contiguous runs (a whole window row when groups = 1, dil_w = 1: what keeps Ig = 1..3
 * layers fast) with offsets from roff; other tiles test every tap, point padded taps at `zero`,
 * and loop over ci per tap.
 */
export function convBlock8(
  nb: i32, x: usize, xs: usize, y: usize, ys: usize, params: usize,
  wb: usize, g: i32, j0: i32, cnt: i32, zero: usize, roff: usize, cs: usize, bias: usize,
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
  const ciB = <usize>Ig << 2;
  const runB = <usize>runLength(params) << 2;
  const nRuns = kh * kw * Ig / runLength(params);
  const yPixB = <usize>outPixel(params) << 2;
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
      const c0 = xi + <usize>(y0 * W + x0) * pixB, c1 = xi + <usize>(y1 * W + x1) * pixB;
      const c2 = xi + <usize>(y2 * W + x2) * pixB, c3 = xi + <usize>(y3 * W + x3) * pixB;
      let a0 = f32x4.splat(0), b0 = a0, a1 = a0, b1 = a0, a2 = a0, b2 = a0, a3 = a0, b3 = a0;
      let wt = wb;
      // interior tiles: nRuns contiguous runs of runB bytes; edge tiles: kh*kw taps of Ig channels
      const segs = inner ? nRuns : kh * kw;
      const segB = inner ? runB : ciB;
      let ky = 0, kx = 0;
      for (let sg = 0; sg < segs; sg++) {
        let p0: usize, p1: usize, p2: usize, p3: usize;
        if (inner) {
          const off = <usize>load<u32>(roff + (<usize>sg << 2));
          p0 = c0 + off; p1 = c1 + off; p2 = c2 + off; p3 = c3 + off;
        } else {
          const dy = ky * dh, dx = kx * dw;
          p0 = pixelAt(y0 + dy, x0 + dx, H, W, xi, pixB, zero);
          p1 = pixelAt(y1 + dy, x1 + dx, H, W, xi, pixB, zero);
          p2 = pixelAt(y2 + dy, x2 + dx, H, W, xi, pixB, zero);
          p3 = pixelAt(y3 + dy, x3 + dx, H, W, xi, pixB, zero);
          if (++kx == kw) { kx = 0; ky++; }
        }
        for (let o: usize = 0; o < segB; o += 4) {
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
      const yp = yi + <usize>p * yPixB;
      store8(yp, j0, a0, b0, cnt, cs, bias);
      if (np > 1) store8(yp + yPixB, j0, a1, b1, cnt, cs, bias);
      if (np > 2) store8(yp + 2 * yPixB, j0, a2, b2, cnt, cs, bias);
      if (np > 3) store8(yp + 3 * yPixB, j0, a3, b3, cnt, cs, bias);
    }
  }
}

/** Output channels j0..j0+cnt-1 of one pixel from two f32x4 accumulators (scale, bias, store). */
@inline export function store8(yr: usize, j0: i32, a: v128, b: v128, cnt: i32, cs: usize, bias: usize): void {
  storeLanes(yr, j0, a, cnt, cs, bias);
  if (cnt > 4) storeLanes(yr, j0 + 4, b, cnt - 4, cs, bias);
}

/**
 * Address of input pixel (iy, ix) of an image at xi, or `zero` (a row of zeros) when it lies in the
 * padding: unsigned compares, so one test catches both < 0 and >= size.
 */
@inline export function pixelAt(iy: i32, ix: i32, H: i32, W: i32, xi: usize, pixB: usize, zero: usize): usize {
  return <u32>iy < <u32>H && <u32>ix < <u32>W ? xi + <usize>(iy * W + ix) * pixB : zero;
}

/** Block-sparse rows j0..j0+cnt-1 (dense kept values: bits = 0; else packed indices) into wb. */
export function packSparse8(
  w: usize, mask: usize, pal: usize, bits: i32, groupRows: i32, R: i32, Cb: i32, K: i32, j0: i32, cnt: i32, wb: usize,
): void {
  memory.fill(wb, 0, <usize>K << 5);
  for (let r = 0; r < cnt; r++) {
    const j = j0 + r;
    const pr = bits ? pal + ((<usize>(j / groupRows) << <usize>bits) << 2) : 0;
    decodeSparseRow(w, mask, pr, bits, R, Cb, K, j, wb + (<usize>r << 2), 32);
  }
}
