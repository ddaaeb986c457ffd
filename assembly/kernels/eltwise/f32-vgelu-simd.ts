// f32_vgelu__simd: y[i] = 0.5 x (1 + erf(x / sqrt2)) = x Phi(x), i < n, 4 lanes per step.
// With c = x clamped to [-14.5, 14.5] and xh = c Phi(-|c|) = c erfc(|c|/sqrt2)/2 (vNormTailMul,
// math.ts: Numerical Recipes erfcc, relative error < 1.2e-7, -x^2/2 split exactly before exp):
//   gelu(x) = x < 0 ? xh : x - xh,
// so the negative tail has no 1 + erf cancellation and keeps its relative precision down to the
// subnormals. Phi(-14.5) * 14.5 rounds to 0: -inf -> -0, +inf -> +inf, NaN -> NaN.
// Preconditions: n >= 0; x, y 4-byte aligned f32 arrays of n elements; y may equal x.
// Reference: f32_vgelu__ref.
import { loadTail, storeTail, vNormTailMul } from './math';

@inline function vGelu(v: v128): v128 {
  const c = f32x4.pmin(f32x4.pmax(v, f32x4.splat(-14.5)), f32x4.splat(14.5));
  const xh = vNormTailMul(f32x4.abs(c), c);
  return v128.bitselect(xh, f32x4.sub(v, xh), f32x4.lt(v, f32x4.splat(0)));
}

export function f32_vgelu__simd(n: i32, x: usize, y: usize): void {
  assert(n >= 0);
  assert((x & 3) == 0 && (y & 3) == 0);
  const end = x + ((<usize>n & ~(<usize>3)) << 2);
  for (; x < end; x += 16, y += 16) {
    const v = v128.load(x);
    v128.store(y, vGelu(v));
  }
  const rem = n & 3;
  if (rem != 0) {
    // The last 1..3 elements run through the same vector code (lanes past the end hold 0).
    const v = loadTail(x, rem, 0);
    storeTail(y, vGelu(v), rem);
  }
}
