// Shared helpers of the deconv2d family (transposed convolution, ONNX ConvTranspose; ABI:
// assembly/kernels/conv2d/README.md, "deconv2d"). Slots 0..22 are conv2d's (conv2d/common.ts);
// pads crop the output instead of padding the input, and slots 24, 25 add the output padding.
import { param } from '../../common/gemm';
import { f16ToF32 } from '../../common/f16';
import {
  P_IN_H, P_IN_W, P_IN_C, P_OUT_C, P_KH, P_KW, P_STRIDE_H, P_STRIDE_W, P_PAD_T, P_PAD_L, P_PAD_B, P_PAD_R,
  P_DIL_H, P_DIL_W, P_GROUPS, checkStrides,
} from '../conv2d/common';

export const P_OUTPAD_H: usize = 96;  // slot 24
export const P_OUTPAD_W: usize = 100; // slot 25

/** Output size along one axis: (in-1)*s - p0 - p1 + d*(k-1) + 1 + outPad (may be < 1: invalid). */
@inline export function deconvOutDim(inSize: i32, k: i32, s: i32, p0: i32, p1: i32, d: i32, op: i32): i32 {
  return (inSize - 1) * s - p0 - p1 + d * (k - 1) + 1 + op;
}

@inline export function deconvOutH(params: usize): i32 {
  return deconvOutDim(param(params, P_IN_H), param(params, P_KH), param(params, P_STRIDE_H),
    param(params, P_PAD_T), param(params, P_PAD_B), param(params, P_DIL_H), param(params, P_OUTPAD_H));
}

@inline export function deconvOutW(params: usize): i32 {
  return deconvOutDim(param(params, P_IN_W), param(params, P_KW), param(params, P_STRIDE_W),
    param(params, P_PAD_L), param(params, P_PAD_R), param(params, P_DIL_W), param(params, P_OUTPAD_W));
}

/** Preconditions of every deconv2d kernel (debug build only). */
@inline export function checkDeconv(n: i32, xs: i32, ys: i32, params: usize): void {
  assert(param(params, P_IN_H) >= 1 && param(params, P_IN_W) >= 1 && param(params, P_IN_C) >= 1);
  assert(param(params, P_KH) >= 1 && param(params, P_KW) >= 1 && param(params, P_OUT_C) >= 1);
  assert(param(params, P_STRIDE_H) >= 1 && param(params, P_STRIDE_W) >= 1);
  assert(param(params, P_DIL_H) >= 1 && param(params, P_DIL_W) >= 1);
  assert(param(params, P_PAD_T) >= 0 && param(params, P_PAD_L) >= 0 && param(params, P_PAD_B) >= 0 && param(params, P_PAD_R) >= 0);
  assert(param(params, P_OUTPAD_H) >= 0 && param(params, P_OUTPAD_W) >= 0);
  assert(deconvOutH(params) >= 1 && deconvOutW(params) >= 1);
  const groups = param(params, P_GROUPS);
  assert(groups >= 1 && param(params, P_IN_C) % groups == 0 && param(params, P_OUT_C) % groups == 0);
  checkStrides(n, xs, ys, param(params, P_IN_H) * param(params, P_IN_W) * param(params, P_IN_C) * 4,
    deconvOutH(params) * deconvOutW(params) * param(params, P_OUT_C) * 4);
}

/** Row o of an f16 [O][K] weight as K f32 at dst (exact conversion). */
export function decodeF16Row(w: usize, K: i32, o: i32, dst: usize): void {
  const src = w + ((<usize>o * <usize>K) << 1);
  for (let k = 0; k < K; k++) store<f32>(dst + (<usize>k << 2), f16ToF32(<u32>load<u16>(src + (<usize>k << 1))));
}

/**
 * Reference transposed conv of ONE output channel o (in group g) for every image and output pixel,
 * from its K = kh*kw*Ig weights as f32 at wrow (order [ky][kx][ci]). Output pixel (oy, ox) takes
 * tap (ky, kx) from input pixel iy = (oy + pad_t - ky*dil_h) / stride_h when that division is exact
 * and iy lies in [0, H) (ix likewise); the sum runs in K order over those taps.
 * y = chscale[o] * sum + bias[o] (a pixel that no tap reaches gets bias[o]).
 */
export function deconvChannelRef(
  nb: i32, x: usize, xs: usize, y: usize, ys: usize, params: usize, o: i32, wrow: usize, cs: usize, bias: usize,
): void {
  const H = param(params, P_IN_H), W = param(params, P_IN_W), C = param(params, P_IN_C), O = param(params, P_OUT_C);
  const kh = param(params, P_KH), kw = param(params, P_KW), sh = param(params, P_STRIDE_H), sw = param(params, P_STRIDE_W);
  const pt = param(params, P_PAD_T), pl = param(params, P_PAD_L), dh = param(params, P_DIL_H), dw = param(params, P_DIL_W);
  const groups = param(params, P_GROUPS);
  const Ig = C / groups;
  const g = o / (O / groups);
  const OH = deconvOutH(params), OW = deconvOutW(params);
  for (let img = 0; img < nb; img++) {
    const xi = x + <usize>img * xs;
    const yi = y + <usize>img * ys;
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        let acc: f32 = 0;
        for (let ky = 0; ky < kh; ky++) {
          const ny = oy + pt - ky * dh;
          if (ny < 0 || ny % sh != 0 || ny / sh >= H) continue;
          const iy = ny / sh;
          for (let kx = 0; kx < kw; kx++) {
            const nx = ox + pl - kx * dw;
            if (nx < 0 || nx % sw != 0 || nx / sw >= W) continue;
            const ix = nx / sw;
            const xp = xi + ((<usize>(iy * W + ix) * <usize>C + <usize>(g * Ig)) << 2);
            const wp = wrow + (<usize>((ky * kw + kx) * Ig) << 2);
            for (let ci = 0; ci < Ig; ci++) acc += load<f32>(wp + (<usize>ci << 2)) * load<f32>(xp + (<usize>ci << 2));
          }
        }
        let v = acc;
        if (cs) v *= load<f32>(cs + (<usize>o << 2));
        if (bias) v += load<f32>(bias + (<usize>o << 2));
        store<f32>(yi + ((<usize>(oy * OW + ox) * <usize>O + <usize>o) << 2), v);
      }
    }
  }
}
