// f32_dwconv2d_p8f32_1x8__simd: depthwise conv, NHWC, palettized weights, bits 1..8 (formula and
// layouts: f32_dwconv2d_p8f32__ref). Tile 1 pixel x 8 channels (dwconv2d/core.ts).
//
//   w row c: ceil(K*bits/8) bytes of LSB-first indices  --decode + transpose-->  scratch wt [K][Cp] f32
//
// The decode (C*K lookups, scalar: K = kh*kw is small) runs once per call and is amortized over
// n * out_h * out_w pixels.
// scratch: | ind roundup(4K, 16) | zero Cp f32 | wt K*Cp f32 |   Cp = roundup(C, 8)
// Preconditions: checkConv, out_c == in_c == groups, bits 1..8, group_rows >= 1.
// Ref: f32_dwconv2d_p8f32__ref.
import { P_BITS, P_GROUP_ROWS, P_CHSCALE, P_SCRATCH, paramPtr, param, readIndex } from '../../common/gemm';
import { P_IN_C, P_OUT_C, P_KH, P_KW, P_GROUPS, checkConv } from '../conv2d/common';
import { dwconvCore, dwZeroOffset } from './core';

export function f32_dwconv2d_p8f32_1x8__simd(
  n: i32, x: usize, w: usize, pal: usize, mask: usize, bias: usize, y: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  const bits = param(params, P_BITS);
  const groupRows = param(params, P_GROUP_ROWS);
  const scratch = paramPtr(params, P_SCRATCH);
  assert(n >= 1 && bits >= 1 && bits <= 8 && groupRows >= 1 && scratch != 0 && (scratch & 15) == 0);
  checkConv(n, x_stride, y_stride, params);
  const C = param(params, P_IN_C);
  assert(param(params, P_OUT_C) == C && param(params, P_GROUPS) == C);
  const K = param(params, P_KH) * param(params, P_KW);
  const Cp = (C + 7) & ~7;
  const zero = scratch + dwZeroOffset(K);
  const wt = zero + (<usize>Cp << 2);
  memory.fill(zero, 0, <usize>Cp * <usize>(K + 1) << 2);
  const rowBytes = (<usize>K * <usize>bits + 7) >> 3;
  for (let c = 0; c < C; c++) {
    const wr = w + <usize>c * rowBytes;
    const pr = pal + ((<usize>(c / groupRows) << <usize>bits) << 2);
    for (let t = 0; t < K; t++) {
      store<f32>(wt + ((<usize>t * <usize>Cp + <usize>c) << 2), load<f32>(pr + (<usize>readIndex(wr, t, bits) << 2)));
    }
  }
  dwconvCore(n, x, <usize>x_stride, y, <usize>y_stride, params, scratch, zero, wt, paramPtr(params, P_CHSCALE), bias);
}
