// f32_vsilu__simd: y[i] = x[i] * sigmoid(x[i]), i < n, 4 lanes per step.
// With e = exp(-|x|): silu(x) = (x > 0 ? x : x e) / (1 + e) (vSilu, math.ts), x e rounded once
// even where e alone is subnormal. x is clamped to >= -110 for the product (e is exactly 0
// there), so -inf gives -0 instead of -inf * 0 = NaN. +inf -> +inf, NaN -> NaN.
// Preconditions: n >= 0; x, y 4-byte aligned f32 arrays of n elements; y may equal x.
// Reference: f32_vsilu__ref.
import { loadTail, storeTail, vSilu } from './math';

export function f32_vsilu__simd(n: i32, x: usize, y: usize): void {
  assert(n >= 0);
  assert((x & 3) == 0 && (y & 3) == 0);
  const end = x + ((<usize>n & ~(<usize>3)) << 2);
  for (; x < end; x += 16, y += 16) {
    const v = v128.load(x);
    v128.store(y, vSilu(v));
  }
  const rem = n & 3;
  if (rem != 0) {
    // The last 1..3 elements run through the same vector code (lanes past the end hold 0).
    const v = loadTail(x, rem, 0);
    storeTail(y, vSilu(v), rem);
  }
}
