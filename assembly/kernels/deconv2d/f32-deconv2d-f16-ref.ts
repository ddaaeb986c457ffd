// f32_deconv2d_f16__ref: 2-D transposed convolution (formula and activation layout:
// f32_deconv2d_dense__ref) with IEEE binary16 weights, converted exactly (common/f16.ts).
//
//   w: f16 [O][K], row o = | W[o][0] | W[o][1] | ... |   2 bytes each, |s|eeeee|mmmmmmmmmm|
//
// Each row is decoded into scratch once, then the scalar loops of deconvChannelRef run on it.
// params: slot 4 chscale or 0, slot 5 scratch (K f32), geometry slots 8..22, 24, 25.
// Preconditions: checkDeconv. Reference of every f16 deconv2d kernel.
import { P_CHSCALE, P_SCRATCH, paramPtr, param } from '../../common/gemm';
import { P_IN_C, P_OUT_C, P_KH, P_KW, P_GROUPS } from '../conv2d/common';
import { checkDeconv, deconvChannelRef, decodeF16Row } from './common';

export function f32_deconv2d_f16__ref(
  n: i32, x: usize, w: usize, pal: usize, mask: usize, bias: usize, y: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  const wb = paramPtr(params, P_SCRATCH);
  assert(n >= 1 && wb != 0);
  checkDeconv(n, x_stride, y_stride, params);
  const K = param(params, P_KH) * param(params, P_KW) * (param(params, P_IN_C) / param(params, P_GROUPS));
  const O = param(params, P_OUT_C);
  const cs = paramPtr(params, P_CHSCALE);
  for (let o = 0; o < O; o++) {
    decodeF16Row(w, K, o, wb);
    deconvChannelRef(n, x, <usize>x_stride, y, <usize>y_stride, params, o, wb, cs, bias);
  }
}
