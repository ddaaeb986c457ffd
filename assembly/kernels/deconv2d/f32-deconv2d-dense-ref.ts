// f32_deconv2d_dense__ref: 2-D transposed convolution (ONNX ConvTranspose), NHWC, dense f32 weights.
//
//   y[b][oy][ox][o] = chscale[o] * sum W[o][ky][kx][ci] * x[b][iy][ix][g*Ig + ci] + bias[o]
//     over the taps with oy = iy*stride_h - pad_t + ky*dil_h, ox = ix*stride_w - pad_l + kx*dil_w,
//     0 <= iy < H, 0 <= ix < W;   g = o / (O/groups), Ig = C/groups, K = kh*kw*Ig
//   OH = (H-1)*stride_h - pad_t - pad_b + dil_h*(kh-1) + 1 + out_pad_h   (OW likewise)
//
//   x image b (x_stride bytes apart):  | px(0,0): C f32 | px(0,1): C f32 | ... | px(H-1,W-1) |
//   w: f32 [O][K], row o = | tap(0,0): Ig f32 | tap(0,1): Ig f32 | ... | tap(kh-1,kw-1) |
//      (Conv2D's layout: ONNX's [C][O/groups][kh][kw] permuted so a row is one output channel)
//   y image b (y_stride bytes apart):  | px(0,0): O f32 | ... | px(OH-1,OW-1) |
//
// params: conv2d slots 8..22 (pads crop the output), 24, 25 output padding; slot 4 chscale or 0.
// Preconditions: checkDeconv (sizes >= 1, C and O multiples of groups, output >= 1x1).
// Scalar reference and runtime fallback of every dense deconv2d kernel.
import { P_CHSCALE, paramPtr, param } from '../../common/gemm';
import { P_IN_C, P_OUT_C, P_KH, P_KW, P_GROUPS } from '../conv2d/common';
import { checkDeconv, deconvChannelRef } from './common';

export function f32_deconv2d_dense__ref(
  n: i32, x: usize, w: usize, pal: usize, mask: usize, bias: usize, y: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  assert(n >= 1);
  checkDeconv(n, x_stride, y_stride, params);
  const K = param(params, P_KH) * param(params, P_KW) * (param(params, P_IN_C) / param(params, P_GROUPS));
  const O = param(params, P_OUT_C);
  const cs = paramPtr(params, P_CHSCALE);
  for (let o = 0; o < O; o++) {
    deconvChannelRef(n, x, <usize>x_stride, y, <usize>y_stride, params, o, w + ((<usize>o * <usize>K) << 2), cs, bias);
  }
}
