// f32_conv2d_p8f32__ref: 2-D convolution (formula and activation layout: f32_conv2d_dense__ref) with
// palettized weights: W[o][k] = pal[o / group_rows][idx[o][k]], k = (ky*kw + kx)*Ig + ci.
//
//   w: packed indices of the [O, K] view, row o at o * ceil(K*bits/8) bytes, LSB first
//   byte:   |   0    |   1    | ...        e.g. bits = 3:
//   bits:   |22111000|54443332| ...        (digit = which index k the bit belongs to)
//   pal: f32 [num_palettes][2^bits]
//
// Each row is decoded (scalar) into scratch once, then the scalar direct conv runs on it.
// params: slot 0 bits 1..8, slot 1 group_rows, slot 4 chscale or 0, slot 5 scratch (K f32),
// geometry slots 8..22. Preconditions: checkConv. Reference of every palettized conv2d kernel.
import { P_BITS, P_GROUP_ROWS, P_CHSCALE, P_SCRATCH, paramPtr, param, readIndex } from '../../common/gemm';
import { P_IN_C, P_OUT_C, P_KH, P_KW, P_GROUPS, checkConv, convChannelRef } from './common';

export function f32_conv2d_p8f32__ref(
  n: i32, x: usize, w: usize, pal: usize, mask: usize, bias: usize, y: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  const bits = param(params, P_BITS);
  const groupRows = param(params, P_GROUP_ROWS);
  const wb = paramPtr(params, P_SCRATCH);
  assert(n >= 1 && bits >= 1 && bits <= 8 && groupRows >= 1 && wb != 0);
  checkConv(n, x_stride, y_stride, params);
  const K = param(params, P_KH) * param(params, P_KW) * (param(params, P_IN_C) / param(params, P_GROUPS));
  const O = param(params, P_OUT_C);
  const cs = paramPtr(params, P_CHSCALE);
  const rowBytes = (<usize>K * <usize>bits + 7) >> 3;
  for (let o = 0; o < O; o++) {
    const wr = w + <usize>o * rowBytes;
    const pr = pal + ((<usize>(o / groupRows) << <usize>bits) << 2);
    for (let k = 0; k < K; k++) store<f32>(wb + (<usize>k << 2), load<f32>(pr + (<usize>readIndex(wr, k, bits) << 2)));
    convChannelRef(n, x, <usize>x_stride, y, <usize>y_stride, params, o, wb, cs, bias, param(params, P_IN_C));
  }
}
