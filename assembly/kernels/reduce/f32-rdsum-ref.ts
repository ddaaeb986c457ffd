// f32_rdsum__ref: y[i][c] = (sum_{k<r} x[i][k][c]) / divisor, i < m, c < n: a row-major [m, r, n]
// block reduced over its middle axis with the innermost kept (e.g. [H*W, C] -> [C], a global
// pool). Each sum runs in float64 in k order, the division in float64, rounded to f32 once.
//
//   x block i: | k=0: n f32 | k=1: n f32 | ... | k=r-1: n f32 |      y: | block i: n f32 | ...
//   params (8 x 32-bit slots): | 0: divisor (f32; 1 = the plain sum, r = the mean) | 1..7: reserved, 0 |
//
// NaN, inf - inf: as the sum gives them.
// Preconditions: m >= 0, r >= 1, n >= 1; x, y 4-byte aligned; y does not overlap x; divisor > 0.
// Scalar reference for f32_rdsum__simd.

export function f32_rdsum__ref(m: i32, r: i32, n: i32, x: usize, y: usize, params: usize): void {
  assert(m >= 0 && r >= 1 && n >= 1);
  assert((x & 3) == 0 && (y & 3) == 0 && (params & 3) == 0);
  const d = <f64>load<f32>(params);
  assert(d > 0);
  const rowB = <usize>n << 2;
  for (let i = 0; i < m; i++) {
    const xb = x + <usize>i * <usize>r * rowB;
    const yb = y + <usize>i * rowB;
    for (let c = 0; c < n; c++) {
      let s: f64 = 0;
      for (let k = 0; k < r; k++) s += <f64>load<f32>(xb + <usize>k * rowB + (<usize>c << 2));
      store<f32>(yb + (<usize>c << 2), <f32>(s / d));
    }
  }
}
