// f32_layernormgrad__ref: the backward pass of f32_layernorm (y = xhat * gamma + beta per row of n),
// recomputing mean and rstd from x (nothing is kept from the forward pass):
//   xhat = (x - mean) * rstd,   g = dy * gamma,
//   dx     (+)= rstd * (g - mean(g) - xhat * mean(g * xhat))
//   dgamma (+)= sum over rows of dy * xhat,    dbeta (+)= sum over rows of dy
// mean, var and the row sums in float64; dgamma / dbeta are summed row after row in f32.
//
//   params (8 x 32-bit slots): | 0: eps (f32) | 1: accumulate dx (0 / 1) | 2: accumulate dgamma, dbeta (0 / 1) | 3..7: 0 |
//   gamma: f32 [n] or 0 (= ones);  dgamma, dbeta: f32 [n] or 0 (not wanted).
// With accumulate 0 the output is overwritten and its old contents never read (they may be NaN).
// Preconditions: m, n >= 0; eps >= 0; pointers 4-byte aligned; strides in bytes, multiples of 4,
// >= 4n when m > 1; dx does not overlap x, dy, gamma. Scalar reference for f32_layernormgrad__simd.

export function f32_layernormgrad__ref(
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
  for (let r = 0; r < m; r++) {
    const xr = x + <usize>r * <usize>x_stride;
    const gr = dy + <usize>r * <usize>dy_stride;
    const dr = dx + <usize>r * <usize>dx_stride;
    let s: f64 = 0;
    for (let i = 0; i < n; i++) s += <f64>load<f32>(xr + (<usize>i << 2));
    const mean = s / <f64>n;
    let v: f64 = 0;
    for (let i = 0; i < n; i++) {
      const d = <f64>load<f32>(xr + (<usize>i << 2)) - mean;
      v += d * d;
    }
    const rstd = 1.0 / Math.sqrt(v / <f64>n + <f64>eps);
    // the two row means of the dx formula
    let sg: f64 = 0, sgx: f64 = 0;
    for (let i = 0; i < n; i++) {
      const o = <usize>i << 2;
      const xh = (<f64>load<f32>(xr + o) - mean) * rstd;
      const g = <f64>load<f32>(gr + o) * (gamma ? <f64>load<f32>(gamma + o) : 1.0);
      sg += g;
      sgx += g * xh;
    }
    const mg = sg / <f64>n, mgx = sgx / <f64>n;
    for (let i = 0; i < n; i++) {
      const o = <usize>i << 2;
      const xh = (<f64>load<f32>(xr + o) - mean) * rstd;
      const d = <f64>load<f32>(gr + o);
      const g = d * (gamma ? <f64>load<f32>(gamma + o) : 1.0);
      let t = <f32>(rstd * (g - mg - xh * mgx));
      if (accDx) t += load<f32>(dr + o);
      store<f32>(dr + o, t);
      if (dgamma) store<f32>(dgamma + o, load<f32>(dgamma + o) + <f32>(d * xh));
      if (dbeta) store<f32>(dbeta + o, load<f32>(dbeta + o) + <f32>d);
    }
  }
}
