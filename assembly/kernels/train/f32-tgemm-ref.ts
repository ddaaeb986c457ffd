// f32_tgemm__ref: the GEMM of the training passes (forward x W^T + b, dX = dY W, dW = dY^T X):
//   C[i][j] = alpha * sum_p A'[i][p] * B'[p][j] + beta * C[i][j] + bias[j]     i < m, j < n, p < k
//   A'[i][p] = A[i][p] (A stored [m][k]) or, flags bit 0, A[p][i] (A stored [k][m])
//   B'[p][j] = B[p][j] (B stored [k][n]) or, flags bit 1, B[j][p] (B stored [n][k])
// Rows of A, B, C are a_stride, b_stride, c_stride bytes apart. beta = 0: C is only written (its
// old contents, even NaN, are never read). bias: f32 [n] or 0. Sum in float64, rounded once.
//
//   params: | 0 flags | 1 alpha (f32 bits) | 2 beta (f32 bits) | 3..7 0 |
//
// Preconditions: m, n, k >= 0; pointers and strides multiples of 4; C overlaps neither A, B nor
// bias. Reference for f32_tgemm_4x8__simd.
import { TG_FLAGS, TG_ALPHA, TG_BETA, TG_TRANS_A, TG_TRANS_B } from './common';

export function f32_tgemm__ref(
  m: i32, n: i32, k: i32, a: usize, b: usize, bias: usize, c: usize,
  a_stride: i32, b_stride: i32, c_stride: i32, params: usize,
): void {
  const flags = load<i32>(params + TG_FLAGS);
  const alpha = <f64>load<f32>(params + TG_ALPHA);
  const beta = load<f32>(params + TG_BETA);
  assert(m >= 0 && n >= 0 && k >= 0);
  assert(((a | b | c | bias) & 3) == 0 && ((a_stride | b_stride | c_stride) & 3) == 0);
  // steps in bytes: along i and p in A, along p and j in B
  const ta = (flags & TG_TRANS_A) != 0, tb = (flags & TG_TRANS_B) != 0;
  const ai: usize = ta ? 4 : <usize>a_stride, ap: usize = ta ? <usize>a_stride : 4;
  const bp: usize = tb ? 4 : <usize>b_stride, bj: usize = tb ? <usize>b_stride : 4;
  for (let i = 0; i < m; i++) {
    const ar = a + <usize>i * ai;
    const cr = c + <usize>i * <usize>c_stride;
    for (let j = 0; j < n; j++) {
      const bc = b + <usize>j * bj;
      let s: f64 = 0;
      for (let p = 0; p < k; p++) s += <f64>load<f32>(ar + <usize>p * ap) * <f64>load<f32>(bc + <usize>p * bp);
      let v = alpha * s;
      if (beta != 0) v += <f64>beta * <f64>load<f32>(cr + (<usize>j << 2));
      if (bias) v += <f64>load<f32>(bias + (<usize>j << 2));
      store<f32>(cr + (<usize>j << 2), <f32>v);
    }
  }
}
