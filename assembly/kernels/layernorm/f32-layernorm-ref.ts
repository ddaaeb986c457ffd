// f32_layernorm__ref: for each row r < m, over its n values:
//   mean = sum_i x[i] / n,   var = sum_i (x[i] - mean)^2 / n        (biased, as PyTorch/ONNX)
//   y[i] = (x[i] - mean) / sqrt(var + eps) * gamma[i] + beta[i]
// mean, var and the normalisation in float64 (two passes), rounded to f32 once.
//
//   params (8 x 32-bit slots): | 0: eps (f32 bits) | 1..7: reserved, 0 |
//   gamma: f32 [n], or 0 = all ones;  beta: f32 [n], or 0 = all zeros.
//
// NaN or inf in a row makes the whole row NaN (as the formula does).
// Preconditions: m >= 0, n >= 0 (either 0: nothing); eps >= 0; x, y, gamma, beta 4-byte aligned;
// rows start x_stride / y_stride bytes apart (multiples of 4, >= 4n when m > 1); y may equal x when
// x_stride == y_stride. Scalar reference for f32_layernorm__simd.

export function f32_layernorm__ref(
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
  for (let r = 0; r < m; r++) {
    const xr = x + <usize>r * <usize>x_stride;
    const yr = y + <usize>r * <usize>y_stride;
    let s: f64 = 0;
    for (let i = 0; i < n; i++) s += <f64>load<f32>(xr + (<usize>i << 2));
    const mean = s / <f64>n;
    let v: f64 = 0;
    for (let i = 0; i < n; i++) {
      const d = <f64>load<f32>(xr + (<usize>i << 2)) - mean;
      v += d * d;
    }
    const rstd = 1.0 / Math.sqrt(v / <f64>n + <f64>eps);
    for (let i = 0; i < n; i++) {
      const o = <usize>i << 2;
      let t = (<f64>load<f32>(xr + o) - mean) * rstd;
      if (gamma) t *= <f64>load<f32>(gamma + o);
      if (beta) t += <f64>load<f32>(beta + o);
      store<f32>(yr + o, <f32>t);
    }
  }
}
