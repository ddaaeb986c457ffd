// f32_vrelu__ref: y[i] = max(x[i], 0), i < n.   NaN -> NaN.
// Preconditions: n >= 0; x, y 4-byte aligned f32 arrays of n elements; y may equal x.
// Scalar reference for f32_vrelu__simd.

export function f32_vrelu__ref(n: i32, x: usize, y: usize): void {
  assert(n >= 0);
  assert((x & 3) == 0 && (y & 3) == 0);
  for (let i = 0; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    // `v < 0` (not `v > 0`) so NaN passes through.
    store<f32>(y + (<usize>i << 2), select<f32>(0, v, v < 0));
  }
}
