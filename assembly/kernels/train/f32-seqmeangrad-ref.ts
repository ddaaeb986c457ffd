// f32_seqmeangrad__ref: the backward pass of f32_seqmean: every position gets the pooled gradient / T:
//   dx[b][t][c] (+)= dy[b][c] / T            b < batch, t < T, c < n
// dy / T in float64, rounded once. accumulate 0: dx overwritten (old contents never read).
// Preconditions: batch, T >= 0 (T >= 1 when batch > 0), n >= 0; dy, dx 4-byte aligned, no overlap.
// Scalar reference for f32_seqmeangrad__simd.

export function f32_seqmeangrad__ref(batch: i32, T: i32, n: i32, dy: usize, dx: usize, accumulate: i32): void {
  assert(batch >= 0 && T >= 0 && n >= 0 && ((dy | dx) & 3) == 0);
  for (let b = 0; b < batch; b++) {
    for (let c = 0; c < n; c++) {
      const g = <f32>(<f64>load<f32>(dy + ((<usize>b * <usize>n + <usize>c) << 2)) / <f64>T);
      for (let t = 0; t < T; t++) {
        const p = dx + (((<usize>b * <usize>T + <usize>t) * <usize>n + <usize>c) << 2);
        store<f32>(p, accumulate ? load<f32>(p) + g : g);
      }
    }
  }
}
