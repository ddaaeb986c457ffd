// f32_copy2d__ref: strided 2-D copy, the building block of concat (and split / slice):
//   y[r][c] = x[r][c]          r < rows, c < cols;  rows of x / y x_stride / y_stride bytes apart
// Concat along an axis: view every input as [outer, inner_i] (inner_i = its dims from the axis on,
// multiplied) and the output as [outer, sum inner]; call once per input with rows = outer,
// cols = inner_i, y = output + 4 * (inner_0 + ... + inner_{i-1}), x_stride = 4 inner_i,
// y_stride = 4 sum inner.
// Moves 4-byte elements (f32 or int32 alike).
// Preconditions: rows, cols >= 0; x, y 4-byte aligned; strides multiples of 4, >= 4 cols when
// rows > 1; x and y do not overlap. Scalar reference for f32_copy2d__simd.

export function f32_copy2d__ref(rows: i32, cols: i32, x: usize, y: usize, x_stride: i32, y_stride: i32): void {
  assert(rows >= 0 && cols >= 0 && ((x | y) & 3) == 0 && ((x_stride | y_stride) & 3) == 0);
  assert(rows <= 1 || (x_stride >= cols * 4 && y_stride >= cols * 4));
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * <usize>x_stride, yr = y + <usize>r * <usize>y_stride;
    for (let c = 0; c < cols; c++) store<f32>(yr + (<usize>c << 2), load<f32>(xr + (<usize>c << 2)));
  }
}
