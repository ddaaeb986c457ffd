// f32_vneg__ref: y[i] = -x[i], i < n (f32.neg: flips the sign bit, so 0 -> -0 and NaN stays NaN).
// Preconditions: n >= 0; x, y 4-byte aligned f32 arrays of n elements; y may equal x.
// Scalar reference for f32_vneg__simd.

export function f32_vneg__ref(n: i32, x: usize, y: usize): void {
  assert(n >= 0);
  assert((x & 3) == 0 && (y & 3) == 0);
  for (let i = 0; i < n; i++) {
    store<f32>(y + (<usize>i << 2), -load<f32>(x + (<usize>i << 2)));
  }
}
