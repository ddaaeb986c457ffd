// f32_rsum__ref: y[i] = (sum_{j<n} x[i][j]) / divisor, i < m: each row of a row-major [m, n]
// block reduced over its n contiguous values (the innermost axis). The sum runs in float64 in j
// order, the division in float64, and the result is rounded to f32 once.
//
//   x: | row 0: n f32 | row 1: n f32 | ... |        y: | m f32 |
//   params (8 x 32-bit slots): | 0: divisor (f32; 1 = the plain sum, n = the mean) | 1..7: reserved, 0 |
//
// A NaN in a row gives NaN; +inf and -inf in one row give NaN (inf - inf), as the sum does.
// Preconditions: m >= 0, n >= 1; x, y 4-byte aligned; y does not overlap x; divisor > 0.
// Scalar reference for f32_rsum__simd.

export function f32_rsum__ref(m: i32, n: i32, x: usize, y: usize, params: usize): void {
  assert(m >= 0 && n >= 1);
  assert((x & 3) == 0 && (y & 3) == 0 && (params & 3) == 0);
  const d = <f64>load<f32>(params);
  assert(d > 0);
  for (let i = 0; i < m; i++) {
    const xr = x + ((<usize>i * <usize>n) << 2);
    let s: f64 = 0;
    for (let j = 0; j < n; j++) s += <f64>load<f32>(xr + (<usize>j << 2));
    store<f32>(y + (<usize>i << 2), <f32>(s / d));
  }
}
