// f32_vadd__ref: y[i] = a[i] + b[i], i < n.
// Preconditions: n >= 0; a, b, y 4-byte aligned f32 arrays of n elements; y may equal a or b.
// Scalar reference for f32_vadd__simd.

export function f32_vadd__ref(n: i32, a: usize, b: usize, y: usize): void {
  assert(n >= 0);
  assert((a & 3) == 0 && (b & 3) == 0 && (y & 3) == 0);
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(a + o) + load<f32>(b + o));
  }
}
