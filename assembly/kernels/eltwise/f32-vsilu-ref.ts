// f32_vsilu__ref: y[i] = x[i] * sigmoid(x[i]) = x[i] / (1 + exp(-x[i])), i < n, in float64,
// rounded once. -inf -> -0 (the limit; the formula would give -inf * 0 = NaN), +inf -> +inf,
// NaN -> NaN.
// Preconditions: n >= 0; x, y 4-byte aligned f32 arrays of n elements; y may equal x.
// Scalar reference for f32_vsilu__simd.

export function f32_vsilu__ref(n: i32, x: usize, y: usize): void {
  assert(n >= 0);
  assert((x & 3) == 0 && (y & 3) == 0);
  for (let i = 0; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    const r = v == -Infinity ? -0.0 : v / (1.0 + Math.exp(-v));
    store<f32>(y + (<usize>i << 2), <f32>r);
  }
}
