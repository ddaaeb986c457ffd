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
import { param, paramPtr, P_GROUP_ROWS, P_BLOCK_ROWS, P_BLOCK_COLS, P_CHSCALE, P_SCRATCH } from '../../common/gemm';
import {
  P_IN_H, P_IN_W, P_IN_C, P_KH, P_KW, P_STRIDE_H, P_STRIDE_W, P_PAD_T, P_PAD_L, P_DIL_H, P_DIL_W,
  P_GROUPS, P_OUT_C, outH, outW, outPixel,
} from './common';
import { convBlock8, pixelAt, runOffsets, store8 } from './block8';
import { packSparseCompact8 } from './block8-sparse-pack';
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
          const p0 = pixelAt(y0 + dy, x0 + dx, H, W, xi, pixB, zero), p1 = pixelAt(y1 + dy, x1 + dx, H, W, xi, pixB, zero);
          const p2 = pixelAt(y2 + dy, x2 + dx, H, W, xi, pixB, zero), p3 = pixelAt(y3 + dy, x3 + dx, H, W, xi, pixB, zero);
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
