// f32_seqmean__ref: mean over the sequence axis (mean pooling of a [T, n] example):
//   y[b][c] = (sum_t x[b][t][c]) / T          b < batch, t < T, c < n
// x: batch examples of T rows of n f32 (rows 4n bytes apart, examples 4Tn apart); y: batch rows of n.
// Sum in float64 in t order, divided once. T = 0 gives NaN (an empty mean).
// Preconditions: batch, T, n >= 0; x, y 4-byte aligned; y does not overlap x.
// Scalar reference for f32_seqmean__simd.

export function f32_seqmean__ref(batch: i32, T: i32, n: i32, x: usize, y: usize): void {
  assert(batch >= 0 && T >= 0 && n >= 0 && ((x | y) & 3) == 0);
  for (let b = 0; b < batch; b++) {
    const xb = x + <usize>b * <usize>T * <usize>n * 4;
    const yb = y + <usize>b * <usize>n * 4;
    for (let c = 0; c < n; c++) {
      let s: f64 = 0;
      for (let t = 0; t < T; t++) s += <f64>load<f32>(xb + ((<usize>t * <usize>n + <usize>c) << 2));
      store<f32>(yb + (<usize>c << 2), <f32>(s / <f64>T));
    }
  }
}
