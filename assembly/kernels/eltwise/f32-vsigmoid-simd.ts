// f32_vsigmoid__simd: y[i] = 1 / (1 + exp(-x[i])), i < n, 4 lanes per step.
// With e = exp(-|x|) (vExp, math.ts): sigmoid(x) = (x > 0 ? 1 : e) / (1 + e); the exponent is never
// positive, so nothing overflows and the x < 0 side keeps its relative precision down to the
// subnormals. -inf -> 0, +inf -> 1, NaN -> NaN. Max error vs float64: see test/oracle/eltwise.ts.
// Preconditions: n >= 0; x, y 4-byte aligned f32 arrays of n elements; y may equal x.
// Reference: f32_vsigmoid__ref.
import { loadTail, storeTail, vSigmoid } from './math';

export function f32_vsigmoid__simd(n: i32, x: usize, y: usize): void {
  assert(n >= 0);
  assert((x & 3) == 0 && (y & 3) == 0);
  const end = x + ((<usize>n & ~(<usize>3)) << 2);
  for (; x < end; x += 16, y += 16) {
    const v = v128.load(x);
    v128.store(y, vSigmoid(v));
  }
  const rem = n & 3;
  if (rem != 0) {
    // The last 1..3 elements run through the same vector code (lanes past the end hold 0).
    const v = loadTail(x, rem, 0);
    storeTail(y, vSigmoid(v), rem);
  }
}
