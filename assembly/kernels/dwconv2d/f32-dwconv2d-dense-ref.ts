// f32_dwconv2d_dense__ref: depthwise 2-D convolution (groups = C = O, channel multiplier 1), NHWC.
//
//   y[b][oy][ox][c] = chscale[c] * sum_{ky,kx} W[c][ky][kx] * x[b][iy][ix][c] + bias[c]
//   iy = oy*stride_h - pad_t + ky*dil_h,  ix = ox*stride_w - pad_l + kx*dil_w  (outside: 0)
//
//   x image b:  | px(0,0): C f32 | px(0,1): C f32 | ... |      y image b: same with the output size
//   w: f32 [C][K], K = kh*kw:  row c = | W[c][0][0] W[c][0][1] ... W[c][kh-1][kw-1] |
//
// params: the conv2d slot table with in_c = out_c = groups = C; slot 4 chscale or 0.
// Preconditions: checkConv, out_c == in_c == groups. Reference of every dense dwconv2d kernel.
import { P_CHSCALE, paramPtr, param } from '../../common/gemm';
import { P_IN_C, P_OUT_C, P_KH, P_KW, P_GROUPS, checkConv, convChannelRef, outPixel } from '../conv2d/common';

export function f32_dwconv2d_dense__ref(
  n: i32, x: usize, w: usize, pal: usize, mask: usize, bias: usize, y: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  assert(n >= 1);
  checkConv(n, x_stride, y_stride, params);
  const C = param(params, P_IN_C);
  assert(param(params, P_OUT_C) == C && param(params, P_GROUPS) == C);
  const K = param(params, P_KH) * param(params, P_KW);
  const cs = paramPtr(params, P_CHSCALE);
  // a depthwise conv is the grouped conv with Ig = 1: channel c reads input channel c
  for (let c = 0; c < C; c++) {
    convChannelRef(n, x, <usize>x_stride, y, <usize>y_stride, params, c, w + ((<usize>c * <usize>K) << 2), cs, bias, outPixel(params));
  }
}
