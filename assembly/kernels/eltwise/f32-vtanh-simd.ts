// f32_vtanh__simd: y[i] = tanh(x[i]), i < n, 4 lanes per step.
// tanh(|x|) = -em / (2 + em), em = expm1(-2|x|) (vExpm1Neg, math.ts), which keeps full relative
// precision near 0; -2|x| is clamped to -20 (tanh(10) rounds to 1 in f32), then the sign of x is
// or-ed back in (tanh(-0) = -0). +-inf -> +-1, NaN -> NaN.
// Preconditions: n >= 0; x, y 4-byte aligned f32 arrays of n elements; y may equal x.
// Reference: f32_vtanh__ref.
import { loadTail, storeTail, vExpm1Neg } from './math';

@inline function vTanh(v: v128): v128 {
  // -2|x| via the sign bit: or-ing it in gives -|x|, then double.
  const sign = v128.and(v, i32x4.splat(0x80000000));
  const z = f32x4.pmax(f32x4.mul(v128.or(v, i32x4.splat(0x80000000)), f32x4.splat(2)), f32x4.splat(-20));
  const em = vExpm1Neg(z);
  const t = f32x4.div(f32x4.neg(em), f32x4.add(em, f32x4.splat(2)));
  return v128.or(t, sign);
}

export function f32_vtanh__simd(n: i32, x: usize, y: usize): void {
  assert(n >= 0);
  assert((x & 3) == 0 && (y & 3) == 0);
  const end = x + ((<usize>n & ~(<usize>3)) << 2);
  for (; x < end; x += 16, y += 16) {
    const v = v128.load(x);
    v128.store(y, vTanh(v));
  }
  const rem = n & 3;
  if (rem != 0) {
    // The last 1..3 elements run through the same vector code (lanes past the end hold 0).
    const v = loadTail(x, rem, 0);
    storeTail(y, vTanh(v), rem);
  }
}
