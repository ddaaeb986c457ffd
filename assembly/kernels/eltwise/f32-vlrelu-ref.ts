// f32_vlrelu__ref: y[i] = x[i] < 0 ? alpha * x[i] : x[i], i < n (LeakyRelu). The product is one
// f32 multiply, so the result is exact up to that rounding. NaN -> NaN.
//
//   params (8 x 32-bit slots): | 0: alpha (f32) | 1..7: reserved, 0 |
//
// Preconditions: n >= 0; x, y 4-byte aligned f32 arrays of n elements; y may equal x.
// Scalar reference for f32_vlrelu__simd.

export function f32_vlrelu__ref(n: i32, x: usize, y: usize, params: usize): void {
  assert(n >= 0);
  assert((x & 3) == 0 && (y & 3) == 0 && (params & 3) == 0);
  const alpha = load<f32>(params);
  for (let i = 0; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    // `v < 0` is false for NaN, which passes through.
    store<f32>(y + (<usize>i << 2), v < 0 ? alpha * v : v);
  }
}
