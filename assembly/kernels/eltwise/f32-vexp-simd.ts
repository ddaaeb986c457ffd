// f32_vexp__simd: y[i] = exp(x[i]), i < n, 4 lanes per step, with vExp (math.ts: Cody-Waite
// reduction, degree-5 polynomial, 2^n applied in two steps so subnormal results round once).
// Error vs float64: see test/oracle/eltwise.ts (measured ~2 ulp). -inf -> 0, +inf -> +inf,
// NaN -> NaN.
// Preconditions: n >= 0; x, y 4-byte aligned f32 arrays of n elements; y may equal x.
// Reference: f32_vexp__ref.
import { loadTail, storeTail, vExp } from './math';

export function f32_vexp__simd(n: i32, x: usize, y: usize): void {
  assert(n >= 0);
  assert((x & 3) == 0 && (y & 3) == 0);
  const end = x + ((<usize>n & ~(<usize>3)) << 2);
  for (; x < end; x += 16, y += 16) {
    v128.store(y, vExp(v128.load(x)));
  }
  const rem = n & 3;
  if (rem != 0) storeTail(y, vExp(loadTail(x, rem, 0)), rem);
}
