// f32_matmul__ref: batched product of two activation tensors (attention: Q K^T and P V):
//   C[b][i][j] = alpha * sum_p A[b][i][p] * B[b][p][j]        b < batch, i < m, j < n, p < k
//   flags bit 0 (B transposed):  B[b] is stored [n][k] and B[b][p][j] reads B[b][j][p]
// Sum in float64, rounded once.
//
//   A[b]: m rows of k f32, rows a_stride bytes apart, at a + b * a_batch
//   B[b]: k rows of n f32 (transposed: n rows of k), rows b_stride apart, at b + b * b_batch
//   C[b]: m rows of n f32, rows c_stride apart, at c + b * c_batch
//   params: | 0 flags | 1 alpha (f32 bits) | 2 a_batch | 3 b_batch | 4 c_batch | 5..7 0 |
//
// Preconditions: batch, m, n, k >= 0 (k = 0 gives zeros); pointers and strides multiples of 4; C
// does not overlap A or B. Batch strides may be 0 (broadcast) for A and B. Reference for
// f32_matmul_4x8__simd.
import { MM_FLAGS, MM_ALPHA, MM_A_BATCH, MM_B_BATCH, MM_C_BATCH, MM_TRANS_B } from './common';

export function f32_matmul__ref(
  batch: i32, m: i32, n: i32, k: i32, a: usize, b: usize, c: usize,
  a_stride: i32, b_stride: i32, c_stride: i32, params: usize,
): void {
  const flags = load<i32>(params + MM_FLAGS);
  const alpha = <f64>load<f32>(params + MM_ALPHA);
  const ab = <usize>load<u32>(params + MM_A_BATCH);
  const bb = <usize>load<u32>(params + MM_B_BATCH);
  const cb = <usize>load<u32>(params + MM_C_BATCH);
  assert(batch >= 0 && m >= 0 && n >= 0 && k >= 0);
  assert(((a | b | c) & 3) == 0 && ((a_stride | b_stride | c_stride) & 3) == 0);
  const tb = (flags & MM_TRANS_B) != 0;
  // step along p and along j in B, in bytes
  const bp: usize = tb ? 4 : <usize>b_stride;
  const bj: usize = tb ? <usize>b_stride : 4;
  for (let z = 0; z < batch; z++) {
    const az = a + <usize>z * ab, bz = b + <usize>z * bb, cz = c + <usize>z * cb;
    for (let i = 0; i < m; i++) {
      const ar = az + <usize>i * <usize>a_stride;
      const cr = cz + <usize>i * <usize>c_stride;
      for (let j = 0; j < n; j++) {
        const bc = bz + <usize>j * bj;
        let s: f64 = 0;
        for (let p = 0; p < k; p++) {
          s += <f64>load<f32>(ar + (<usize>p << 2)) * <f64>load<f32>(bc + <usize>p * bp);
        }
        store<f32>(cr + (<usize>j << 2), <f32>(alpha * s));
      }
    }
  }
}
