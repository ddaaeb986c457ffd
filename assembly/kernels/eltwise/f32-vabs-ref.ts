// f32_vabs__ref: y[i] = |x[i]|, i < n (f32.abs: clears the sign bit; -0 -> 0, NaN stays NaN).
// Preconditions: n >= 0; x, y 4-byte aligned f32 arrays of n elements; y may equal x.
// Scalar reference for f32_vabs__simd.

export function f32_vabs__ref(n: i32, x: usize, y: usize): void {
  assert(n >= 0);
  assert((x & 3) == 0 && (y & 3) == 0);
  for (let i = 0; i < n; i++) {
    store<f32>(y + (<usize>i << 2), abs<f32>(load<f32>(x + (<usize>i << 2))));
  }
}
