// f32_rmax__ref: y[i] = max_{j<n} x[i][j], i < m: each row of a row-major [m, n] block reduced
// over its n contiguous values (the innermost axis). max is the IEEE 754-2019 maximum (f32.max):
// a NaN anywhere in a row gives NaN; -0 < +0. Exact (no rounding).
//
//   x: | row 0: n f32 | row 1: n f32 | ... |        y: | m f32 |
//
// Preconditions: m >= 0, n >= 1; x, y 4-byte aligned; y does not overlap x.
// Scalar reference for f32_rmax__simd.

export function f32_rmax__ref(m: i32, n: i32, x: usize, y: usize): void {
  assert(m >= 0 && n >= 1);
  assert((x & 3) == 0 && (y & 3) == 0);
  for (let i = 0; i < m; i++) {
    const xr = x + ((<usize>i * <usize>n) << 2);
    let v = load<f32>(xr);
    for (let j = 1; j < n; j++) v = max<f32>(v, load<f32>(xr + (<usize>j << 2)));
    store<f32>(y + (<usize>i << 2), v);
  }
}
