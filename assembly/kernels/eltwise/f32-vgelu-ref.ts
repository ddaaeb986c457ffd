// f32_vgelu__ref: y[i] = 0.5 x (1 + erf(x / sqrt2)) = x Phi(x), i < n (exact erf form).
// Evaluated in float64 as x * (1 - h) for x >= 0 and x * h for x < 0, h = erfc(|x|/sqrt2)/2, so
// the negative tail keeps its relative precision (no 1 + erf(x) cancellation). erfc is Numerical
// Recipes' erfcc (math.ts, relative error < 1.2e-7). -inf -> -0, +inf -> +inf, NaN -> NaN.
// Preconditions: n >= 0; x, y 4-byte aligned f32 arrays of n elements; y may equal x.
// Scalar reference for f32_vgelu__simd.
import { erfcNR } from './math';

export function f32_vgelu__ref(n: i32, x: usize, y: usize): void {
  assert(n >= 0);
  assert((x & 3) == 0 && (y & 3) == 0);
  for (let i = 0; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    let r: f64;
    if (v == -Infinity) {
      r = -0.0;
    } else {
      const h = 0.5 * erfcNR(Math.abs(v) * Math.SQRT1_2);
      r = v < 0 ? v * h : v * (1.0 - h);
    }
    store<f32>(y + (<usize>i << 2), <f32>r);
  }
}
