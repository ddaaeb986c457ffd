// f32_vgelugrad__ref: the backward pass of f32_vgelu (y = x Phi(x), the exact erf GELU):
//   dx[i] (+)= dy[i] * (Phi(x[i]) + x[i] phi(x[i])),   phi(x) = exp(-x^2/2) / sqrt(2 pi)
// In float64, with Phi(x) = 1 - h (x >= 0) or h (x < 0), h = erfc(|x|/sqrt2)/2 (erfcNR, the erfc
// of f32_vgelu__ref, relative error < 1.2e-7). accumulate 0: dx overwritten (old contents never read).
// Preconditions: n >= 0; x, dy, dx 4-byte aligned f32 arrays of n; dx may equal dy, never x.
// Scalar reference for f32_vgelugrad__simd.
import { erfcNR } from '../eltwise/math';

export function f32_vgelugrad__ref(n: i32, x: usize, dy: usize, dx: usize, accumulate: i32): void {
  assert(n >= 0 && ((x | dy | dx) & 3) == 0);
  const INV_SQRT_2PI: f64 = 0.3989422804014327;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const v = <f64>load<f32>(x + o);
    const h = 0.5 * erfcNR(Math.abs(v) * Math.SQRT1_2);
    const cdf = v < 0 ? h : 1.0 - h;
    const d = cdf + v * Math.exp(-0.5 * v * v) * INV_SQRT_2PI;
    let t = <f32>(<f64>load<f32>(dy + o) * d);
    if (accumulate) t += load<f32>(dx + o);
    store<f32>(dx + o, t);
  }
}
