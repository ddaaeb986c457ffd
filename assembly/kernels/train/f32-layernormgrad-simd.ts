// f32_layernormgrad__simd: as f32_layernormgrad__ref (the reference; ABI and params there), 4 lanes
// per step, the 1..3 element tail as a partial vector:
//   1. mean, var as f32_layernorm__simd (shifted by a first estimate mu0, so |mean| >> std keeps var);
//   2. sg = sum dy gamma, sgx = sum dy gamma xhat (f32 lanes, then a horizontal sum);
//   3. dx (+)= rstd (g - sg/n - xhat sgx/n); dgamma += dy xhat; dbeta += dy.
// Error vs float64: a few ulp of rstd (|g| + |mean g| + |xhat mean(g xhat)|), f32 sums over n.
import { loadTail, storeTail } from '../eltwise/math';
import { hsum } from '../../common/gemm';

@inline function ld(p: usize, full: bool, rem: i32, fill: f32): v128 {
  return full ? v128.load(p) : loadTail(p, rem, fill);
}
@inline function st(p: usize, v: v128, full: bool, rem: i32): void {
  if (full) v128.store(p, v);
  else storeTail(p, v, rem);
}

export function f32_layernormgrad__simd(
  m: i32, n: i32, x: usize, dy: usize, gamma: usize, dx: usize, dgamma: usize, dbeta: usize,
  x_stride: i32, dy_stride: i32, dx_stride: i32, params: usize,
): void {
  const eps = load<f32>(params);
  const accDx = load<i32>(params, 4);
  const accGb = load<i32>(params, 8);
  assert(m >= 0 && n >= 0 && eps >= 0);
  assert(((x | dy | gamma | dx | dgamma | dbeta) & 3) == 0 && ((x_stride | dy_stride | dx_stride) & 3) == 0);
  assert(m <= 1 || (x_stride >= n * 4 && dy_stride >= n * 4 && dx_stride >= n * 4));
  if (!accGb) {
    for (let i = 0; i < n; i++) {
      if (dgamma) store<f32>(dgamma + (<usize>i << 2), 0);
      if (dbeta) store<f32>(dbeta + (<usize>i << 2), 0);
    }
  }
  if (n == 0) return;
  const invN: f32 = <f32>1 / <f32>n;
  const zero = f32x4.splat(0), one = f32x4.splat(1);
  for (let r = 0; r < m; r++) {
    const xr = x + <usize>r * <usize>x_stride;
    const gr = dy + <usize>r * <usize>dy_stride;
    const dr = dx + <usize>r * <usize>dx_stride;
    let a = zero;
    for (let i = 0; i < n; i += 4) a = f32x4.add(a, ld(xr + (<usize>i << 2), i + 4 <= n, n - i, 0));
    const mu0 = hsum(a) * invN;
    const vmu0 = f32x4.splat(mu0);
    let s1 = zero, s2 = zero;
    for (let i = 0; i < n; i += 4) {
      const full = i + 4 <= n;
      // lanes past the end hold mu0, so their d is 0
      const d = f32x4.sub(ld(xr + (<usize>i << 2), full, n - i, mu0), vmu0);
      s1 = f32x4.add(s1, d);
      s2 = f32x4.add(s2, f32x4.mul(d, d));
    }
    const m1 = hsum(s1) * invN;
    const variance = max<f32>(hsum(s2) * invN - m1 * m1, 0);
    const rstd = <f32>1 / Mathf.sqrt(variance + eps);
    const vm1 = f32x4.splat(m1), vr = f32x4.splat(rstd);
    let sg = zero, sgx = zero;
    for (let i = 0; i < n; i += 4) {
      const o = <usize>i << 2, full = i + 4 <= n, rem = n - i;
      const xh = f32x4.mul(f32x4.sub(f32x4.sub(ld(xr + o, full, rem, mu0), vmu0), vm1), vr);
      const g = f32x4.mul(ld(gr + o, full, rem, 0), gamma ? ld(gamma + o, full, rem, 0) : one);
      sg = f32x4.add(sg, g);
      sgx = f32x4.add(sgx, f32x4.mul(g, xh));
    }
    const mg = f32x4.splat(hsum(sg) * invN), mgx = f32x4.splat(hsum(sgx) * invN);
    for (let i = 0; i < n; i += 4) {
      const o = <usize>i << 2, full = i + 4 <= n, rem = n - i;
      const xh = f32x4.mul(f32x4.sub(f32x4.sub(ld(xr + o, full, rem, mu0), vmu0), vm1), vr);
      const d = ld(gr + o, full, rem, 0);
      const g = f32x4.mul(d, gamma ? ld(gamma + o, full, rem, 0) : one);
      let t = f32x4.mul(vr, f32x4.sub(f32x4.sub(g, mg), f32x4.mul(xh, mgx)));
      if (accDx) t = f32x4.add(t, ld(dr + o, full, rem, 0));
      st(dr + o, t, full, rem);
      if (dgamma) st(dgamma + o, f32x4.add(ld(dgamma + o, full, rem, 0), f32x4.mul(d, xh)), full, rem);
      if (dbeta) st(dbeta + o, f32x4.add(ld(dbeta + o, full, rem, 0), d), full, rem);
    }
  }
}
