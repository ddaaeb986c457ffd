// f32_vrelu6__ref: y[i] = min(max(x[i], 0), 6), i < n.   NaN -> NaN, -inf -> 0, +inf -> 6.
// Preconditions: n >= 0; x, y 4-byte aligned f32 arrays of n elements; y may equal x.
// Scalar reference for f32_vrelu6__simd.

export function f32_vrelu6__ref(n: i32, x: usize, y: usize): void {
  assert(n >= 0);
  assert((x & 3) == 0 && (y & 3) == 0);
  for (let i = 0; i < n; i++) {
    let v = load<f32>(x + (<usize>i << 2));
    // Comparisons written so that NaN fails both and passes through.
    v = select<f32>(0, v, v < 0);
    v = select<f32>(6, v, v > 6);
    store<f32>(y + (<usize>i << 2), v);
  }
}
