// f32_vrelu__simd: y[i] = max(x[i], 0), i < n, 4 lanes per step, 1..3 element remainder.
// pmax(v, 0) = (v < 0 ? 0 : v): one maxps on x86, and NaN passes through like the ref.
// Preconditions: n >= 0; x, y 4-byte aligned f32 arrays of n elements; y may equal x.
// Reference: f32_vrelu__ref.
import { loadTail, storeTail } from './math';

export function f32_vrelu__simd(n: i32, x: usize, y: usize): void {
  assert(n >= 0);
  assert((x & 3) == 0 && (y & 3) == 0);
  const zero = f32x4.splat(0);
  const end = x + ((<usize>n & ~(<usize>3)) << 2);
  for (; x < end; x += 16, y += 16) {
    const v = v128.load(x);
    v128.store(y, f32x4.pmax(v, zero));
  }
  const rem = n & 3;
  if (rem != 0) {
    // The last 1..3 elements run through the same vector code (lanes past the end hold 0).
    const v = loadTail(x, rem, 0);
    storeTail(y, f32x4.pmax(v, zero), rem);
  }
}
