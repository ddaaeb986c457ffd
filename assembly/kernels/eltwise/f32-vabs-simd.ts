// f32_vabs__simd: y[i] = |x[i]|, i < n, 4 lanes per step (f32x4.abs clears the sign bit, as the
// ref's f32.abs: bit-identical; -0 -> 0, NaN stays NaN).
// Preconditions: n >= 0; x, y 4-byte aligned f32 arrays of n elements; y may equal x.
// Reference: f32_vabs__ref.
import { loadTail, storeTail } from './math';

export function f32_vabs__simd(n: i32, x: usize, y: usize): void {
  assert(n >= 0);
  assert((x & 3) == 0 && (y & 3) == 0);
  const end = x + ((<usize>n & ~(<usize>3)) << 2);
  for (; x < end; x += 16, y += 16) {
    v128.store(y, f32x4.abs(v128.load(x)));
  }
  const rem = n & 3;
  if (rem != 0) storeTail(y, f32x4.abs(loadTail(x, rem, 0)), rem);
}
