// f32_vsigmoid__ref: y[i] = 1 / (1 + exp(-x[i])), i < n, evaluated in float64 and rounded once.
// -inf -> 0, +inf -> 1, NaN -> NaN.
// Preconditions: n >= 0; x, y 4-byte aligned f32 arrays of n elements; y may equal x.
// Scalar reference for f32_vsigmoid__simd.

export function f32_vsigmoid__ref(n: i32, x: usize, y: usize): void {
  assert(n >= 0);
  assert((x & 3) == 0 && (y & 3) == 0);
  for (let i = 0; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    store<f32>(y + (<usize>i << 2), <f32>(1.0 / (1.0 + Math.exp(-v))));
  }
}
