// f32_vgelugrad__simd: as f32_vgelugrad__ref (the reference), 4 lanes per step:
// with c = x clamped to [-14.5, 14.5] (beyond it Phi is 0 or 1 and x phi(x) < 1e-44),
//   t = Phi(-|c|) (vNormTailMul, the erfc of f32_vgelu__simd),  Phi(x) = x < 0 ? t : 1 - t,
//   x phi(x) = c exp(-c^2/2) / sqrt(2 pi) (vExp),
// dx = dy (Phi + x phi) (+ dx). The 1..3 element tail as a partial vector (lanes past the end 0).
// Error vs float64: a few ulp of |dy| (Phi + |x| phi), plus the erfc approximation (1.2e-7 relative).
import { loadTail, storeTail, vExp, vNormTailMul } from '../eltwise/math';

@inline function vGeluDeriv(v: v128): v128 {
  const c = f32x4.pmin(f32x4.pmax(v, f32x4.splat(-14.5)), f32x4.splat(14.5));
  const t = vNormTailMul(f32x4.abs(c), f32x4.splat(1));
  const cdf = v128.bitselect(t, f32x4.sub(f32x4.splat(1), t), f32x4.lt(v, f32x4.splat(0)));
  const pdf = f32x4.mul(vExp(f32x4.mul(f32x4.mul(c, c), f32x4.splat(-0.5))), f32x4.splat(0.3989422804014327));
  return f32x4.add(cdf, f32x4.mul(c, pdf));
}

export function f32_vgelugrad__simd(n: i32, x: usize, dy: usize, dx: usize, accumulate: i32): void {
  assert(n >= 0 && ((x | dy | dx) & 3) == 0);
  const body = (<usize>n & ~(<usize>3)) << 2;
  for (let o: usize = 0; o < body; o += 16) {
    let t = f32x4.mul(v128.load(dy + o), vGeluDeriv(v128.load(x + o)));
    if (accumulate) t = f32x4.add(t, v128.load(dx + o));
    v128.store(dx + o, t);
  }
  const rem = n & 3;
  if (rem != 0) {
    let t = f32x4.mul(loadTail(dy + body, rem, 0), vGeluDeriv(loadTail(x + body, rem, 0)));
    if (accumulate) t = f32x4.add(t, loadTail(dx + body, rem, 0));
    storeTail(dx + body, t, rem);
  }
}
