// f32_vexp__ref: y[i] = exp(x[i]), i < n, evaluated in float64 (Math.exp) and rounded once.
// -inf -> 0, +inf -> +inf, NaN -> NaN; x > 88.72 -> +inf, results below 2^-126 are subnormal.
// Preconditions: n >= 0; x, y 4-byte aligned f32 arrays of n elements; y may equal x.
// Scalar reference for f32_vexp__simd.

export function f32_vexp__ref(n: i32, x: usize, y: usize): void {
  assert(n >= 0);
  assert((x & 3) == 0 && (y & 3) == 0);
  for (let i = 0; i < n; i++) {
    store<f32>(y + (<usize>i << 2), <f32>Math.exp(<f64>load<f32>(x + (<usize>i << 2))));
  }
}
