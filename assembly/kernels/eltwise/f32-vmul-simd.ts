// f32_vmul__simd: y[i] = a[i] * b[i], i < n, 4 lanes per step, 1..3 element remainder.
// Preconditions: n >= 0; a, b, y 4-byte aligned f32 arrays of n elements; y may equal a or b.
// Reference: f32_vmul__ref.
import { loadTail, storeTail } from './math';

export function f32_vmul__simd(n: i32, a: usize, b: usize, y: usize): void {
  assert(n >= 0);
  assert((a & 3) == 0 && (b & 3) == 0 && (y & 3) == 0);
  const end = a + ((<usize>n & ~(<usize>3)) << 2);
  for (; a < end; a += 16, b += 16, y += 16) {
    v128.store(y, f32x4.mul(v128.load(a), v128.load(b)));
  }
  const rem = n & 3;
  if (rem != 0) storeTail(y, f32x4.mul(loadTail(a, rem, 0), loadTail(b, rem, 0)), rem);
}
