// f32_layernorm__simd: for each row r < m, over its n values:
//   y[i] = (x[i] - mean) / sqrt(var + eps) * gamma[i] + beta[i]   (biased var, as the ref)
// Three passes per row, 4 lanes per step, the 1..3 element tail as a partial vector:
//   1. mu0 = sum x / n (f32, two accumulators): only an estimate;
//   2. d = x - mu0: s1 = sum d, s2 = sum d^2; mean = mu0 + s1/n, var = s2/n - (s1/n)^2.
//      Shifting by mu0 keeps var accurate when |mean| >> std (no x^2 - mean^2 cancellation)
//      and corrects the rounding of pass 1 (s1/n is tiny);
//   3. y = ((x - mu0) - s1/n) * rstd * gamma + beta: x - mu0 is exact for x within a factor 2 of
//      mu0, so |mean| >> std does not cost the ulp(mean) / std a rounded f32 mean would.
// params, gamma, beta: as f32_layernorm__ref (slot 0 eps; gamma 0 = ones, beta 0 = zeros).
// Error vs float64: a few ulp of |xhat * gamma| + |beta| (f32 sums over n).
// Preconditions: as f32_layernorm__ref. Reference: f32_layernorm__ref.
import { loadTail, storeTail } from '../eltwise/math';
import { hsum } from '../../common/gemm';

export function f32_layernorm__simd(
  m: i32, n: i32, x: usize, y: usize, gamma: usize, beta: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  const eps = load<f32>(params);
  assert(m >= 0 && n >= 0 && eps >= 0);
  assert((x & 3) == 0 && (y & 3) == 0 && (gamma & 3) == 0 && (beta & 3) == 0);
  assert((x_stride & 3) == 0 && (y_stride & 3) == 0);
  assert(m <= 1 || (x_stride >= n * 4 && y_stride >= n * 4));
  assert(x != y || x_stride == y_stride);
  if (n == 0) return;
  const body = (<usize>n & ~(<usize>3)) << 2; // bytes handled 4 lanes at a time
  const rem = n & 3;
  const invN: f32 = <f32>1 / <f32>n;
  const one = f32x4.splat(1), zero = f32x4.splat(0);
  for (let r = 0; r < m; r++) {
    const xr = x + <usize>r * <usize>x_stride;
    const yr = y + <usize>r * <usize>y_stride;

    // 1. estimate of the mean
    let a0 = zero, a1 = zero;
    let o: usize = 0;
    for (; o + 32 <= body; o += 32) {
      a0 = f32x4.add(a0, v128.load(xr + o));
      a1 = f32x4.add(a1, v128.load(xr + o, 16));
    }
    if (o < body) a0 = f32x4.add(a0, v128.load(xr + o));
    if (rem != 0) a1 = f32x4.add(a1, loadTail(xr + body, rem, 0));
    const mu0 = f32x4.splat(hsum(f32x4.add(a0, a1)) * invN);

    // 2. shifted sums; tail lanes are loaded as mu0 so they add d = 0
    let s1 = zero, s2 = zero;
    for (o = 0; o < body; o += 16) {
      const d = f32x4.sub(v128.load(xr + o), mu0);
      s1 = f32x4.add(s1, d);
      s2 = f32x4.add(s2, f32x4.mul(d, d));
    }
    if (rem != 0) {
      const d = f32x4.sub(loadTail(xr + body, rem, f32x4.extract_lane(mu0, 0)), mu0);
      s1 = f32x4.add(s1, d);
      s2 = f32x4.add(s2, f32x4.mul(d, d));
    }
    const dm = hsum(s1) * invN;
    const vdm = f32x4.splat(dm);
    const variance = max<f32>(hsum(s2) * invN - dm * dm, 0);
    const rstd = f32x4.splat(<f32>1 / Mathf.sqrt(variance + eps));

    // 3. normalise, scale, shift
    for (o = 0; o < body; o += 16) {
      let t = f32x4.mul(f32x4.sub(f32x4.sub(v128.load(xr + o), mu0), vdm), rstd);
      if (gamma) t = f32x4.mul(t, v128.load(gamma + o));
      if (beta) t = f32x4.add(t, v128.load(beta + o));
      v128.store(yr + o, t);
    }
    if (rem != 0) {
      let t = f32x4.mul(f32x4.sub(f32x4.sub(loadTail(xr + body, rem, 0), mu0), vdm), rstd);
      if (gamma) t = f32x4.mul(t, loadTail(gamma + body, rem, 1));
      if (beta) t = f32x4.add(t, loadTail(beta + body, rem, 0));
      storeTail(yr + body, t, rem);
    }
  }
}
