// f32_colsum__ref: column sums (bias gradients: sum of dY over the batch and the pixels):
//   y[j] = sum_i x[i][j] + (accumulate ? y[j] : 0)        i < m, j < n
// (m, n, x, y, x_stride, accumulate): x rows x_stride bytes apart (multiple of 4); y f32 [n].
// Sums in f32 in i order, starting from 0 (accumulate adds the old y last).
// Reference of f32_colsum__simd (same result bit for bit).
export function f32_colsum__ref(m: i32, n: i32, x: usize, y: usize, x_stride: i32, accumulate: i32): void {
  assert(m >= 0 && n >= 0 && ((x | y | x_stride) & 3) == 0);
  for (let j = 0; j < n; j++) {
    let s: f32 = 0;
    for (let i = 0; i < m; i++) s += load<f32>(x + <usize>i * <usize>x_stride + (<usize>j << 2));
    if (accumulate) s = load<f32>(y + (<usize>j << 2)) + s;
    store<f32>(y + (<usize>j << 2), s);
  }
}
