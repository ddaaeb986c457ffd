// f32_gavgpool__simd: global average pool (formula and layout: f32_gavgpool__ref), channels in SIMD
// lanes: blocks of 16 channels (4 accumulators) walk all pixels, then blocks of 4, then a last
// block of 1..3 read with loadX4. Same per-channel order as the ref: bit-identical.
//
//   x pixel p: | c0 c1 c2 c3 | c4 .. c7 | ... |    y: | c0 .. c(C-1) |
//
// params: as f32_gavgpool__ref. Preconditions: n, in_h, in_w, in_c >= 1. Ref: f32_gavgpool__ref.
import { param, storeLanes, loadX4 } from '../../common/gemm';
import { P_IN_H, P_IN_W, P_IN_C, checkStrides } from '../conv2d/common';

export function f32_gavgpool__simd(n: i32, x: usize, y: usize, x_stride: i32, y_stride: i32, params: usize): void {
  const P = param(params, P_IN_H) * param(params, P_IN_W);
  const C = param(params, P_IN_C);
  assert(n >= 1 && P >= 1 && C >= 1);
  checkStrides(n, x_stride, y_stride, P * C * 4, C * 4);
  const pixB = <usize>C << 2;
  const div = f32x4.splat(<f32>P);
  for (let img = 0; img < n; img++) {
    const xi = x + <usize>img * <usize>x_stride;
    const yi = y + <usize>img * <usize>y_stride;
    let c = 0;
    for (; c + 16 <= C; c += 16) {
      let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
      let p = xi + (<usize>c << 2);
      for (let q = 0; q < P; q++) {
        a0 = f32x4.add(a0, v128.load(p));
        a1 = f32x4.add(a1, v128.load(p, 16));
        a2 = f32x4.add(a2, v128.load(p, 32));
        a3 = f32x4.add(a3, v128.load(p, 48));
        p += pixB;
      }
      storeLanes(yi, c, f32x4.div(a0, div), 4, 0, 0);
      storeLanes(yi, c + 4, f32x4.div(a1, div), 4, 0, 0);
      storeLanes(yi, c + 8, f32x4.div(a2, div), 4, 0, 0);
      storeLanes(yi, c + 12, f32x4.div(a3, div), 4, 0, 0);
    }
    for (; c < C; c += 4) {
      let a = f32x4.splat(0);
      let p = xi;
      for (let q = 0; q < P; q++) {
        a = f32x4.add(a, loadX4(p, c, C));
        p += pixB;
      }
      storeLanes(yi, c, f32x4.div(a, div), C - c, 0, 0);
    }
  }
}
