// f32_resizebilinear__ref: 2-D bilinear resize of NHWC images (ONNX Resize, mode linear, 2 spatial axes):
//   top = lerp(x[r0][c0][c], x[r0][c1][c], tx),  bottom = lerp(x[r1][c0][c], x[r1][c1][c], tx)
//   y[b][oy][ox][c] = lerp(top, bottom, ty),      lerp(a, b, t) = a + (b - a) * t   (f32, this order)
//   (r0, r1, ty) = rows[oy], (c0, c1, tx) = cols[ox]
//
//   rows: [OH] x | i0: i32 | i1: i32 | t: f32 |, cols: [OW] x the same (12 bytes an entry): source
//   rows / columns and the weight of the second, from the coordinate transform, clamped to the
//   image by the host (ONNX's edge padding; resize/table.ts)
//   x image b (x_stride bytes apart): | px(0,0): C f32 | ... |   y image b: | px(0,0): C f32 | ... |
//
// Preconditions: sizes >= 1, every table index in range (checkResize); strides multiples of 4 and at
// least one image apart when n > 1; x and y do not overlap. Scalar reference for f32_resizebilinear__simd.
import { R_W, R_C, R_OH, R_OW, R_ROWS, R_COLS, checkResize } from './table';

@inline function lerp(a: f32, b: f32, t: f32): f32 {
  return a + (b - a) * t;
}

export function f32_resizebilinear__ref(n: i32, x: usize, y: usize, x_stride: i32, y_stride: i32, params: usize): void {
  checkResize(n, x_stride, y_stride, params, 12);
  const W = load<i32>(params + R_W), C = load<i32>(params + R_C);
  const OH = load<i32>(params + R_OH), OW = load<i32>(params + R_OW);
  const rows = <usize>load<u32>(params + R_ROWS), cols = <usize>load<u32>(params + R_COLS);
  for (let b = 0; b < n; b++) {
    const xi = x + <usize>b * <usize>x_stride, yi = y + <usize>b * <usize>y_stride;
    for (let oy = 0; oy < OH; oy++) {
      const re = rows + <usize>oy * 12;
      const r0 = load<i32>(re), r1 = load<i32>(re, 4), ty = load<f32>(re, 8);
      for (let ox = 0; ox < OW; ox++) {
        const ce = cols + <usize>ox * 12;
        const c0 = load<i32>(ce), c1 = load<i32>(ce, 4), tx = load<f32>(ce, 8);
        const p00 = xi + ((<usize>(r0 * W + c0) * <usize>C) << 2), p01 = xi + ((<usize>(r0 * W + c1) * <usize>C) << 2);
        const p10 = xi + ((<usize>(r1 * W + c0) * <usize>C) << 2), p11 = xi + ((<usize>(r1 * W + c1) * <usize>C) << 2);
        const dst = yi + ((<usize>(oy * OW + ox) * <usize>C) << 2);
        for (let c = 0; c < C; c++) {
          const o = <usize>c << 2;
          const top = lerp(load<f32>(p00 + o), load<f32>(p01 + o), tx);
          const bottom = lerp(load<f32>(p10 + o), load<f32>(p11 + o), tx);
          store<f32>(dst + o, lerp(top, bottom, ty));
        }
      }
    }
  }
}
