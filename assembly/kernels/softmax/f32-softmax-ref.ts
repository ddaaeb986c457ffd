// f32_softmax__ref: for each row r < m:
//   y[r][i] = exp(x[r][i] - max_j x[r][j]) / sum_j exp(x[r][j] - max_j x[r][j]),   i, j < n
// Numerically stable (subtracts the row max); exp and the sum in float64. -inf entries give 0
// (if the row has a finite entry); a row holding NaN or +inf, or only -inf, gives NaN throughout
// (the formula's inf - inf / 0 / 0, as PyTorch).
// Preconditions: m >= 0, n >= 0 (either 0: nothing); x, y 4-byte aligned; rows start x_stride /
// y_stride bytes apart (multiples of 4, >= 4n when m > 1). y may equal x when x_stride == y_stride.
// Scalar reference for f32_softmax__simd.

export function f32_softmax__ref(m: i32, n: i32, x: usize, y: usize, x_stride: i32, y_stride: i32): void {
  assert(m >= 0 && n >= 0);
  assert((x & 3) == 0 && (y & 3) == 0 && (x_stride & 3) == 0 && (y_stride & 3) == 0);
  assert(m <= 1 || (x_stride >= n * 4 && y_stride >= n * 4));
  assert(x != y || x_stride == y_stride);
  if (n == 0) return;
  for (let r = 0; r < m; r++) {
    const xr = x + <usize>r * <usize>x_stride;
    const yr = y + <usize>r * <usize>y_stride;
    // NaN must win the max (f32.max propagates it), so that the whole row becomes NaN.
    let mx = load<f32>(xr);
    for (let i = 1; i < n; i++) mx = max(mx, load<f32>(xr + (<usize>i << 2)));
    let sum: f64 = 0;
    for (let i = 0; i < n; i++) {
      const e = Math.exp(<f64>load<f32>(xr + (<usize>i << 2)) - <f64>mx);
      sum += e;
      store<f32>(yr + (<usize>i << 2), <f32>e);
    }
    // y holds exp rounded to f32 (a subnormal loses bits; those outputs are < 2^-126 anyway).
    const inv = 1.0 / sum;
    for (let i = 0; i < n; i++) {
      const p = yr + (<usize>i << 2);
      store<f32>(p, <f32>(<f64>load<f32>(p) * inv));
    }
  }
}
