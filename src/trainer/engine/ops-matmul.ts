/**
 * Batched MatMul as the format defines it: y[..., M, N] = alpha * a[..., M, K] b[..., K, N] (b read
 * as [..., N, K] when transposeB), both activations, one training GEMM per matrix of the leading axes.
 */
import type { Engine, Tensor } from './tensor.js';

const TRANS_A = 1;
const TRANS_B = 2;

export function matmul(e: Engine, a: Tensor, b: Tensor, transposeB: boolean, alpha: number): Tensor {
  const r = a.shape.length;
  const [M, K] = a.shape.slice(r - 2);
  const bs = b.shape;
  const N = transposeB ? bs[bs.length - 2] : bs[bs.length - 1];
  const count = a.size / (M * K);
  const y = e.tensor([...a.shape.slice(0, r - 1), N], a.requiresGrad || b.requiresGrad);
  const mod = e.mod;
  const slots = (flags: number, beta: number) => {
    const p = mod.slots();
    mod.i32[p] = flags;
    mod.f32[p + 1] = alpha;
    mod.f32[p + 2] = beta;
    return mod.params;
  };
  const A = (i: number) => a.ptr + i * M * K * 4;
  const Bm = (ptr: number, i: number) => ptr + i * K * N * 4;
  const Y = (ptr: number, i: number) => ptr + i * M * N * 4;
  const sb = (transposeB ? K : N) * 4;
  for (let i = 0; i < count; i++) mod.k.tgemm(M, N, K, A(i), Bm(b.ptr, i), 0, Y(y.ptr, i), K * 4, sb, N * 4, slots(transposeB ? TRANS_B : 0, 0));
  e.record(y, () => {
    const dy = y.root.grad;
    if (a.requiresGrad) {
      // dA[M][K] = alpha dY[M][N] B^T: B stored [N][K] (transposeB) is read as is, [K][N] transposed
      const da = e.gradPtr(a), beta = e.accum(a);
      for (let i = 0; i < count; i++) mod.k.tgemm(M, K, N, Y(dy, i), Bm(b.ptr, i), 0, da + i * M * K * 4, N * 4, sb, K * 4, slots(transposeB ? 0 : TRANS_B, beta));
      e.wrote(a);
    }
    if (b.requiresGrad) {
      const db = e.gradPtr(b), beta = e.accum(b);
      for (let i = 0; i < count; i++) {
        // transposeB: dB[N][K] = alpha dY^T A; else dB[K][N] = alpha A^T dY
        if (transposeB) mod.k.tgemm(N, K, M, Y(dy, i), A(i), 0, Bm(db, i), N * 4, K * 4, K * 4, slots(TRANS_A, beta));
        else mod.k.tgemm(K, N, M, A(i), Y(dy, i), 0, Bm(db, i), K * 4, N * 4, N * 4, slots(TRANS_A, beta));
      }
      e.wrote(b);
    }
  });
  return y;
}
