// f32_resizenearest__ref: 2-D nearest-neighbour resize of NHWC images (ONNX Resize, mode nearest):
//   y[b][oy][ox][c] = x[b][rows[oy]][cols[ox]][c]
//
//   rows: i32 [OH], cols: i32 [OW]: the source pixel of each output row / column, chosen by the
//   host from the coordinate transform and nearest_mode and clamped to the image (resize/table.ts)
//   x image b (x_stride bytes apart): | px(0,0): C f32 | ... |   y image b: | px(0,0): C f32 | ... |
//
// Preconditions: sizes >= 1, every table index in range (checkResize); strides multiples of 4 and at
// least one image apart when n > 1; x and y do not overlap. Scalar reference for f32_resizenearest__simd.
import { R_H, R_W, R_C, R_OH, R_OW, R_ROWS, R_COLS, checkResize } from './table';

export function f32_resizenearest__ref(n: i32, x: usize, y: usize, x_stride: i32, y_stride: i32, params: usize): void {
  checkResize(n, x_stride, y_stride, params, 4);
  const W = load<i32>(params + R_W), C = load<i32>(params + R_C);
  const OH = load<i32>(params + R_OH), OW = load<i32>(params + R_OW);
  const rows = <usize>load<u32>(params + R_ROWS), cols = <usize>load<u32>(params + R_COLS);
  for (let b = 0; b < n; b++) {
    const xi = x + <usize>b * <usize>x_stride, yi = y + <usize>b * <usize>y_stride;
    for (let oy = 0; oy < OH; oy++) {
      const iy = load<i32>(rows + (<usize>oy << 2));
      for (let ox = 0; ox < OW; ox++) {
        const ix = load<i32>(cols + (<usize>ox << 2));
        const src = xi + ((<usize>(iy * W + ix) * <usize>C) << 2);
        const dst = yi + ((<usize>(oy * OW + ox) * <usize>C) << 2);
        for (let c = 0; c < C; c++) store<f32>(dst + (<usize>c << 2), load<f32>(src + (<usize>c << 2)));
      }
    }
  }
}
