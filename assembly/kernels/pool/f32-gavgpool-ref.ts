// f32_gavgpool__ref: global average pool, y[b][c] = (sum_{iy,ix} x[b][iy][ix][c]) / (in_h * in_w)
// (the sum in pixel order, then one division).
//
//   x image b (x_stride bytes apart): | px(0,0): C f32 | px(0,1): C f32 | ... | px(H-1,W-1) |  NHWC
//   y image b (y_stride bytes apart): | C f32 |                                               [n][C]
//
// params: the conv2d slot table, only in_h, in_w, in_c (slots 8..10) are read.
// Preconditions: n, in_h, in_w, in_c >= 1. Scalar reference and runtime fallback.
import { param } from '../../common/gemm';
import { P_IN_H, P_IN_W, P_IN_C, checkStrides } from '../conv2d/common';

export function f32_gavgpool__ref(n: i32, x: usize, y: usize, x_stride: i32, y_stride: i32, params: usize): void {
  const P = param(params, P_IN_H) * param(params, P_IN_W);
  const C = param(params, P_IN_C);
  assert(n >= 1 && P >= 1 && C >= 1);
  checkStrides(n, x_stride, y_stride, P * C * 4, C * 4);
  const pixB = <usize>C << 2;
  for (let img = 0; img < n; img++) {
    const xi = x + <usize>img * <usize>x_stride;
    const yi = y + <usize>img * <usize>y_stride;
    for (let c = 0; c < C; c++) {
      let acc: f32 = 0;
      for (let p = 0; p < P; p++) acc += load<f32>(xi + <usize>p * pixB + (<usize>c << 2));
      store<f32>(yi + (<usize>c << 2), acc / <f32>P);
    }
  }
}
