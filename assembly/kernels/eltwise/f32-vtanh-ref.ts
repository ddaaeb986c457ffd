// f32_vtanh__ref: y[i] = tanh(x[i]), i < n, evaluated in float64 (Math.tanh) and rounded once.
// +-inf -> +-1, NaN -> NaN, -0 -> -0.
// Preconditions: n >= 0; x, y 4-byte aligned f32 arrays of n elements; y may equal x.
// Scalar reference for f32_vtanh__simd.

export function f32_vtanh__ref(n: i32, x: usize, y: usize): void {
  assert(n >= 0);
  assert((x & 3) == 0 && (y & 3) == 0);
  for (let i = 0; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    store<f32>(y + (<usize>i << 2), <f32>Math.tanh(v));
  }
}
