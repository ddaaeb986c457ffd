// Shared @inline helpers of the conv2d / dwconv2d / pool families (ABI: assembly/kernels/conv2d/README.md).
// Slots 0..7 are the gemm slots (assembly/common/gemm.ts: P_BITS .. P_PALSCALE); the geometry
// follows in slots 8..22. Activations are NHWC, weights [O][kh][kw][I/groups] viewed as [O, K].
import { param, readIndex, countKept } from '../../common/gemm';

/** params byte offsets of the geometry slots (slot s at 4*s). */
export const P_IN_H: usize = 32;      // slot 8
export const P_IN_W: usize = 36;      // slot 9
export const P_IN_C: usize = 40;      // slot 10
export const P_OUT_C: usize = 44;     // slot 11
export const P_KH: usize = 48;        // slot 12
export const P_KW: usize = 52;        // slot 13
export const P_STRIDE_H: usize = 56;  // slot 14
export const P_STRIDE_W: usize = 60;  // slot 15
export const P_PAD_T: usize = 64;     // slot 16
export const P_PAD_L: usize = 68;     // slot 17
export const P_PAD_B: usize = 72;     // slot 18
export const P_PAD_R: usize = 76;     // slot 19
export const P_DIL_H: usize = 80;     // slot 20
export const P_DIL_W: usize = 84;     // slot 21
export const P_GROUPS: usize = 88;    // slot 22
export const P_Y_PIXEL: usize = 92;   // slot 23: floats from one output pixel to the next (0 = out_c)
/** i8_conv2d's phases of a split call (i8-conv2d-p8i8-4x8-simd.ts): slot 24 the phase, 25 the shared buffer, 26..27 a range. */
export const P_PHASE: usize = 96;     // slot 24
export const P_SHARED: usize = 100;   // slot 25
export const P_RANGE0: usize = 104;   // slot 26
export const P_RANGE1: usize = 108;   // slot 27

/** Output size along one axis: floor((in + p0 + p1 - d*(k-1) - 1) / s) + 1 (0 if the window never fits). */
@inline export function outDim(inSize: i32, k: i32, s: i32, p0: i32, p1: i32, d: i32): i32 {
  const span = inSize + p0 + p1 - d * (k - 1) - 1;
  return span < 0 ? 0 : span / s + 1;
}

@inline export function outH(params: usize): i32 {
  return outDim(param(params, P_IN_H), param(params, P_KH), param(params, P_STRIDE_H),
    param(params, P_PAD_T), param(params, P_PAD_B), param(params, P_DIL_H));
}

@inline export function outW(params: usize): i32 {
  return outDim(param(params, P_IN_W), param(params, P_KW), param(params, P_STRIDE_W),
    param(params, P_PAD_L), param(params, P_PAD_R), param(params, P_DIL_W));
}

/**
 * Floats between consecutive output pixels of y (for dwconv2d also of x): slot 23, or out_c when it
 * is 0. The runtime sets it when it splits a conv over output channels (src/runtime/ops/parallel-window.ts):
 * a slice computes out_c channels of a y (and, depthwise, reads them from an x) whose pixels are wider.
 */
@inline export function outPixel(params: usize): i32 {
  const s = param(params, P_Y_PIXEL);
  return s > 0 ? s : param(params, P_OUT_C);
}

/** The geometry preconditions every conv / pool kernel asserts (debug build only). */
@inline export function checkGeometry(params: usize): void {
  assert(param(params, P_IN_H) >= 1 && param(params, P_IN_W) >= 1 && param(params, P_IN_C) >= 1);
  assert(param(params, P_KH) >= 1 && param(params, P_KW) >= 1);
  assert(param(params, P_STRIDE_H) >= 1 && param(params, P_STRIDE_W) >= 1);
  assert(param(params, P_PAD_T) >= 0 && param(params, P_PAD_L) >= 0 && param(params, P_PAD_B) >= 0 && param(params, P_PAD_R) >= 0);
  assert(outH(params) >= 1 && outW(params) >= 1);
}

/** Image strides: multiples of 4, and at least one image (xImg / yImg bytes) apart when n > 1. */
@inline export function checkStrides(n: i32, xs: i32, ys: i32, xImg: i32, yImg: i32): void {
  assert(n >= 1 && (xs & 3) == 0 && (ys & 3) == 0);
  assert(n == 1 || (xs >= xImg && ys >= yImg));
}

/** Conv preconditions on top of checkGeometry: dilation, groups, out_c, image strides. */
@inline export function checkConv(n: i32, xs: i32, ys: i32, params: usize): void {
  checkGeometry(params);
  checkStrides(n, xs, ys, param(params, P_IN_H) * param(params, P_IN_W) * param(params, P_IN_C) * 4,
    outH(params) * outW(params) * outPixel(params) * 4);
  assert(outPixel(params) >= param(params, P_OUT_C));
  const groups = param(params, P_GROUPS);
  assert(param(params, P_DIL_H) >= 1 && param(params, P_DIL_W) >= 1 && groups >= 1);
  assert(param(params, P_OUT_C) >= 1 && param(params, P_IN_C) % groups == 0 && param(params, P_OUT_C) % groups == 0);
}

/**
 * Reference direct conv of ONE output channel o (in group g) for every image and output pixel,
 * from its K = kh*kw*Ig weights as f32 at wrow (order [ky][kx][ci]). Taps that fall in the padding
 * are skipped; the sum runs in K order. y = chscale[o] * sum + bias[o]. xPix: floats between input
 * pixels (in_c for conv2d; outPixel() for dwconv2d, whose slot 23 is the pixel stride of x and y).
 */
export function convChannelRef(
  nb: i32, x: usize, xs: usize, y: usize, ys: usize, params: usize, o: i32, wrow: usize, cs: usize, bias: usize, xPix: i32,
): void {
  const H = param(params, P_IN_H), W = param(params, P_IN_W), C = param(params, P_IN_C), O = param(params, P_OUT_C);
  const kh = param(params, P_KH), kw = param(params, P_KW), sh = param(params, P_STRIDE_H), sw = param(params, P_STRIDE_W);
  const pt = param(params, P_PAD_T), pl = param(params, P_PAD_L), dh = param(params, P_DIL_H), dw = param(params, P_DIL_W);
  const groups = param(params, P_GROUPS);
  const Ig = C / groups;
  const g = o / (O / groups);
  const OH = outH(params), OW = outW(params);
  const yPix = outPixel(params);
  for (let img = 0; img < nb; img++) {
    const xi = x + <usize>img * xs;
    const yi = y + <usize>img * ys;
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        let acc: f32 = 0;
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - pt + ky * dh;
          if (iy < 0 || iy >= H) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw - pl + kx * dw;
            if (ix < 0 || ix >= W) continue;
            const xp = xi + ((<usize>(iy * W + ix) * <usize>xPix + <usize>(g * Ig)) << 2);
            const wp = wrow + (<usize>((ky * kw + kx) * Ig) << 2);
            for (let ci = 0; ci < Ig; ci++) acc += load<f32>(wp + (<usize>ci << 2)) * load<f32>(xp + (<usize>ci << 2));
          }
        }
        let v = acc;
        if (cs) v *= load<f32>(cs + (<usize>o << 2));
        if (bias) v += load<f32>(bias + (<usize>o << 2));
        store<f32>(yi + ((<usize>(oy * OW + ox) * <usize>yPix + <usize>o) << 2), v);
      }
    }
  }
}

/**
 * Writes row `row` of a block-sparse [N, K] weight as K f32 at dst (stride `dstStride` bytes):
 * dropped blocks give 0, kept values come from the dense f32 stream (bits = 0) or the packed index
 * stream looked up in palette `pr` (bits 1..8).
 */
export function decodeSparseRow(
  w: usize, mask: usize, pr: usize, bits: i32, R: i32, Cb: i32, K: i32, row: i32, dst: usize, dstStride: usize,
): void {
  const gridCols = (K + Cb - 1) / Cb;
  const maskRowBytes = (gridCols + 7) >> 3;
  const br = row / R, r = row % R;
  // kept blocks in the block rows above this one
  let t = countKept(mask, br, gridCols);
  const mr = mask + <usize>(br * maskRowBytes);
  for (let bc = 0; bc < gridCols; bc++) {
    const kept = ((<i32>load<u8>(mr + (<usize>bc >> 3)) >> (bc & 7)) & 1) != 0;
    for (let c = 0; c < Cb; c++) {
      const col = bc * Cb + c;
      if (col >= K) break;
      let v: f32 = 0;
      if (kept) {
        const vi = t * R * Cb + r * Cb + c;
        if (bits == 0) v = load<f32>(w + (<usize>vi << 2));
        else v = load<f32>(pr + (<usize>readIndex(w, vi, bits) << 2));
      }
      store<f32>(dst + <usize>col * dstStride, v);
    }
    if (kept) t++;
  }
}
