// f32_copy2d__simd: strided 2-D copy, the building block of concat (see f32_copy2d__ref):
//   y[r][c] = x[r][c]          r < rows, c < cols;  rows of x / y x_stride / y_stride bytes apart
// One memory.copy (bulk memory, V8's memmove) per row of >= 16 values, inline 16-byte moves for
// shorter rows (rows.ts); one memory.copy for everything when both sides are contiguous.
// ABI and preconditions: as f32_copy2d__ref (the reference).
import { copyRows } from './rows';

export function f32_copy2d__simd(rows: i32, cols: i32, x: usize, y: usize, x_stride: i32, y_stride: i32): void {
  assert(rows >= 0 && cols >= 0 && ((x | y) & 3) == 0 && ((x_stride | y_stride) & 3) == 0);
  assert(rows <= 1 || (x_stride >= cols * 4 && y_stride >= cols * 4));
  const bytes = <usize>cols << 2;
  if (rows > 0 && x_stride == cols * 4 && y_stride == cols * 4) {
    memory.copy(y, x, bytes * <usize>rows);
    return;
  }
  copyRows(rows, bytes, x, y, <usize>x_stride, <usize>y_stride);
}
