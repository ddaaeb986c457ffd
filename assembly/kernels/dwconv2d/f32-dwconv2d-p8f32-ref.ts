// f32_dwconv2d_p8f32__ref: depthwise 2-D convolution (formula and activation layout:
// f32_dwconv2d_dense__ref) with palettized weights W[c][t] = pal[c / group_rows][idx[c][t]].
//
//   w: packed indices of the [C, K] view (K = kh*kw), row c at c * ceil(K*bits/8) bytes, LSB first
//   pal: f32 [num_palettes][2^bits]
//
// params: slot 0 bits 1..8, slot 1 group_rows, slot 4 chscale or 0, slot 5 scratch (K f32),
// geometry with in_c = out_c = groups = C. Reference of every palettized dwconv2d kernel.
import { P_BITS, P_GROUP_ROWS, P_CHSCALE, P_SCRATCH, paramPtr, param, readIndex } from '../../common/gemm';
import { P_IN_C, P_OUT_C, P_KH, P_KW, P_GROUPS, checkConv, convChannelRef, outPixel } from '../conv2d/common';

export function f32_dwconv2d_p8f32__ref(
  n: i32, x: usize, w: usize, pal: usize, mask: usize, bias: usize, y: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  const bits = param(params, P_BITS);
  const groupRows = param(params, P_GROUP_ROWS);
  const wb = paramPtr(params, P_SCRATCH);
  assert(n >= 1 && bits >= 1 && bits <= 8 && groupRows >= 1 && wb != 0);
  checkConv(n, x_stride, y_stride, params);
  const C = param(params, P_IN_C);
  assert(param(params, P_OUT_C) == C && param(params, P_GROUPS) == C);
  const K = param(params, P_KH) * param(params, P_KW);
  const cs = paramPtr(params, P_CHSCALE);
  const rowBytes = (<usize>K * <usize>bits + 7) >> 3;
  for (let c = 0; c < C; c++) {
    const wr = w + <usize>c * rowBytes;
    const pr = pal + ((<usize>(c / groupRows) << <usize>bits) << 2);
    for (let k = 0; k < K; k++) store<f32>(wb + (<usize>k << 2), load<f32>(pr + (<usize>readIndex(wr, k, bits) << 2)));
    convChannelRef(n, x, <usize>x_stride, y, <usize>y_stride, params, c, wb, cs, bias, outPixel(params));
  }
}
