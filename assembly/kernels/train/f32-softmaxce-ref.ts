// f32_softmaxce__ref: softmax cross-entropy of m rows of logits against integer labels, and its
// gradient, in one pass per row (float64 inside, rounded once):
//   p[i][j] = exp(x[i][j] - max_j x[i]) / sum_j exp(x[i][j] - max_j x[i])
//   loss[i] = log(sum_j exp(x[i][j] - max)) - (x[i][label[i]] - max)      (= -log p[i][label[i]])
//   dx[i][j] = scale * (p[i][j] - [j == label[i]]) + (accumulate ? dx[i][j] : 0)
// (m, n, x, labels, loss, dx, x_stride, dx_stride, params): x rows x_stride bytes apart; labels
// i32 [m] in [0, n); loss f32 [m] or 0 (not written); dx rows dx_stride apart, or 0 (no gradient).
// params: | 0 scale (f32 bits; 1/m for a mean loss) | 1 accumulate (0 / 1) | 2..7 0 |
// A label outside [0, n) gives loss NaN and no one-hot term (the host validates labels).
// Only a reference: with 10 classes this is a few hundred flops per batch.
export function f32_softmaxce__ref(
  m: i32, n: i32, x: usize, labels: usize, loss: usize, dx: usize, x_stride: i32, dx_stride: i32, params: usize,
): void {
  assert(m >= 0 && n >= 1 && ((x | labels | loss | dx | x_stride | dx_stride) & 3) == 0);
  const scale = <f64>load<f32>(params);
  const accumulate = load<i32>(params, 4) != 0;
  for (let i = 0; i < m; i++) {
    const xr = x + <usize>i * <usize>x_stride;
    const lab = load<i32>(labels + (<usize>i << 2));
    let mx = -Infinity;
    for (let j = 0; j < n; j++) mx = max(mx, <f64>load<f32>(xr + (<usize>j << 2)));
    let s: f64 = 0;
    for (let j = 0; j < n; j++) s += Math.exp(<f64>load<f32>(xr + (<usize>j << 2)) - mx);
    if (loss) {
      const l = lab >= 0 && lab < n ? Math.log(s) - (<f64>load<f32>(xr + (<usize>lab << 2)) - mx) : NaN;
      store<f32>(loss + (<usize>i << 2), <f32>l);
    }
    if (dx) {
      const dr = dx + <usize>i * <usize>dx_stride;
      for (let j = 0; j < n; j++) {
        let g = scale * (Math.exp(<f64>load<f32>(xr + (<usize>j << 2)) - mx) / s - (j == lab ? 1.0 : 0.0));
        if (accumulate) g += <f64>load<f32>(dr + (<usize>j << 2));
        store<f32>(dr + (<usize>j << 2), <f32>g);
      }
    }
  }
}
