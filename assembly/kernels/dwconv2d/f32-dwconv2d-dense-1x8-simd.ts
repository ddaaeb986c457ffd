// f32_dwconv2d_dense_1x8__simd: depthwise conv, NHWC, dense weights (formula and layouts:
// f32_dwconv2d_dense__ref). Tile 1 pixel x 8 channels (dwconv2d/core.ts).
//
//   w [C][K]  --transpose-->  scratch wt [K][Cp]:  | W[0][t] W[1][t] ... W[C-1][t] 0 .. 0 |  Cp = roundup(C, 8)
//
// scratch: | ind roundup(4K, 16) | zero Cp f32 | wt K*Cp f32 |   (16-byte aligned)
// Preconditions: checkConv, out_c == in_c == groups; scratch as above. Ref: f32_dwconv2d_dense__ref.
import { P_CHSCALE, P_SCRATCH, paramPtr, param } from '../../common/gemm';
import { P_IN_C, P_OUT_C, P_KH, P_KW, P_GROUPS, checkConv } from '../conv2d/common';
import { dwconvCore, dwZeroOffset } from './core';

export function f32_dwconv2d_dense_1x8__simd(
  n: i32, x: usize, w: usize, pal: usize, mask: usize, bias: usize, y: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  const scratch = paramPtr(params, P_SCRATCH);
  assert(n >= 1 && scratch != 0 && (scratch & 15) == 0);
  checkConv(n, x_stride, y_stride, params);
  const C = param(params, P_IN_C);
  assert(param(params, P_OUT_C) == C && param(params, P_GROUPS) == C);
  const K = param(params, P_KH) * param(params, P_KW);
  const Cp = (C + 7) & ~7;
  const zero = scratch + dwZeroOffset(K);
  const wt = zero + (<usize>Cp << 2);
  memory.fill(zero, 0, <usize>Cp * <usize>(K + 1) << 2);
  for (let c = 0; c < C; c++) {
    const src = w + ((<usize>c * <usize>K) << 2);
    for (let t = 0; t < K; t++) store<f32>(wt + ((<usize>t * <usize>Cp + <usize>c) << 2), load<f32>(src + (<usize>t << 2)));
  }
  dwconvCore(n, x, <usize>x_stride, y, <usize>y_stride, params, scratch, zero, wt, paramPtr(params, P_CHSCALE), bias);
}
