// f32_rdmax__ref: y[i][c] = max_{k<r} x[i][k][c], i < m, c < n: a row-major [m, r, n] block
// reduced over its middle axis with the innermost kept (layout: f32_rdsum__ref). IEEE 754-2019
// maximum (f32.max): NaN propagates, -0 < +0. Exact (no rounding).
// Preconditions: m >= 0, r >= 1, n >= 1; x, y 4-byte aligned; y does not overlap x.
// Scalar reference for f32_rdmax__simd.

export function f32_rdmax__ref(m: i32, r: i32, n: i32, x: usize, y: usize): void {
  assert(m >= 0 && r >= 1 && n >= 1);
  assert((x & 3) == 0 && (y & 3) == 0);
  const rowB = <usize>n << 2;
  for (let i = 0; i < m; i++) {
    const xb = x + <usize>i * <usize>r * rowB;
    const yb = y + <usize>i * rowB;
    for (let c = 0; c < n; c++) {
      let v = load<f32>(xb + (<usize>c << 2));
      for (let k = 1; k < r; k++) v = max<f32>(v, load<f32>(xb + <usize>k * rowB + (<usize>c << 2)));
      store<f32>(yb + (<usize>c << 2), v);
    }
  }
}
