// f32_conv2d_dense__ref: 2-D convolution, NHWC activations, dense f32 weights.
//
//   y[b][oy][ox][o] = chscale[o] * sum_{ky,kx,ci} W[o][ky][kx][ci] * x[b][iy][ix][g*Ig + ci] + bias[o]
//   iy = oy*stride_h - pad_t + ky*dil_h,  ix = ox*stride_w - pad_l + kx*dil_w  (outside the image: 0)
//   g = o / (O/groups),  Ig = C/groups,   K = kh*kw*Ig
//
//   x image b (x_stride bytes apart):  | px(0,0): C f32 | px(0,1): C f32 | ... | px(H-1,W-1) |
//   w: f32 [O][K], row o = | tap(0,0): Ig f32 | tap(0,1): Ig f32 | ... | tap(kh-1,kw-1) |
//   y image b (y_stride bytes apart):  | px(0,0): O f32 | ... |
//
// params: geometry slots 8..22, slot 4 chscale or 0 (README.md in this folder).
// Preconditions: checkConv (sizes >= 1, C and O multiples of groups, output >= 1x1).
// Scalar reference and runtime fallback of every dense conv2d kernel.
import { P_CHSCALE, paramPtr, param } from '../../common/gemm';
import { P_IN_C, P_OUT_C, P_KH, P_KW, P_GROUPS, checkConv, convChannelRef } from './common';

export function f32_conv2d_dense__ref(
  n: i32, x: usize, w: usize, pal: usize, mask: usize, bias: usize, y: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  assert(n >= 1);
  checkConv(n, x_stride, y_stride, params);
  const K = param(params, P_KH) * param(params, P_KW) * (param(params, P_IN_C) / param(params, P_GROUPS));
  const O = param(params, P_OUT_C);
  const cs = paramPtr(params, P_CHSCALE);
  for (let o = 0; o < O; o++) {
    convChannelRef(n, x, <usize>x_stride, y, <usize>y_stride, params, o, w + ((<usize>o * <usize>K) << 2), cs, bias, param(params, P_IN_C));
  }
}
