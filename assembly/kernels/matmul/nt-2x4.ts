// The B-transposed path of f32_matmul_4x8__simd (C = alpha A B^T, B stored [n][k], e.g. Q K^T):
// every output is a dot product of two contiguous rows. Tile: 2 rows of A x 4 rows of B,
// 8 f32x4 accumulators along k, then one transpose-add (hsum4) per A row gives C[i][j..j+3].
//
//   A row i   | a0 a1 a2 a3 | a4 ... |      B row j | b0 b1 b2 b3 | b4 ... |     (k contiguous)
//
// Edge tiles: row indices past m / n are clamped to the last row (the duplicate computes the same
// value again; C stores only the lanes that exist); the k tail (1..3) is a zero-filled vector.
import { loadTail, storeTail } from '../eltwise/math';
import { hsum4 } from '../../common/gemm';

export function matmulNT(
  m: i32, n: i32, k: i32, a: usize, b: usize, c: usize,
  sa: usize, sb: usize, sc: usize, alpha: f32,
): void {
  const body = (<usize>k & ~(<usize>3)) << 2;
  const rem = k & 3;
  const va = f32x4.splat(alpha);
  const lastB = b + <usize>(n - 1) * sb;
  const lastA = a + <usize>(m - 1) * sa;
  for (let i = 0; i < m; i += 2) {
    const a0 = a + <usize>i * sa;
    const a1 = min(a0 + sa, lastA);
    for (let j = 0; j < n; j += 4) {
      const b0 = b + <usize>j * sb;
      const b1 = min(b0 + sb, lastB), b2 = min(b1 + sb, lastB), b3 = min(b2 + sb, lastB);
      let c00 = f32x4.splat(0), c01 = c00, c02 = c00, c03 = c00;
      let c10 = c00, c11 = c00, c12 = c00, c13 = c00;
      for (let o: usize = 0; o < body; o += 16) {
        const x0 = v128.load(a0 + o), x1 = v128.load(a1 + o);
        const w0 = v128.load(b0 + o), w1 = v128.load(b1 + o), w2 = v128.load(b2 + o), w3 = v128.load(b3 + o);
        c00 = f32x4.add(c00, f32x4.mul(x0, w0)); c01 = f32x4.add(c01, f32x4.mul(x0, w1));
        c02 = f32x4.add(c02, f32x4.mul(x0, w2)); c03 = f32x4.add(c03, f32x4.mul(x0, w3));
        c10 = f32x4.add(c10, f32x4.mul(x1, w0)); c11 = f32x4.add(c11, f32x4.mul(x1, w1));
        c12 = f32x4.add(c12, f32x4.mul(x1, w2)); c13 = f32x4.add(c13, f32x4.mul(x1, w3));
      }
      if (rem != 0) {
        const x0 = loadTail(a0 + body, rem, 0), x1 = loadTail(a1 + body, rem, 0);
        const w0 = loadTail(b0 + body, rem, 0), w1 = loadTail(b1 + body, rem, 0);
        const w2 = loadTail(b2 + body, rem, 0), w3 = loadTail(b3 + body, rem, 0);
        c00 = f32x4.add(c00, f32x4.mul(x0, w0)); c01 = f32x4.add(c01, f32x4.mul(x0, w1));
        c02 = f32x4.add(c02, f32x4.mul(x0, w2)); c03 = f32x4.add(c03, f32x4.mul(x0, w3));
        c10 = f32x4.add(c10, f32x4.mul(x1, w0)); c11 = f32x4.add(c11, f32x4.mul(x1, w1));
        c12 = f32x4.add(c12, f32x4.mul(x1, w2)); c13 = f32x4.add(c13, f32x4.mul(x1, w3));
      }
      const r0 = f32x4.mul(hsum4(c00, c01, c02, c03), va);
      const r1 = f32x4.mul(hsum4(c10, c11, c12, c13), va);
      const cr0 = c + <usize>i * sc + (<usize>j << 2);
      const cols = n - j;
      if (cols >= 4) {
        v128.store(cr0, r0);
        if (i + 1 < m) v128.store(cr0 + sc, r1);
      } else {
        storeTail(cr0, r0, cols);
        if (i + 1 < m) storeTail(cr0 + sc, r1, cols);
      }
    }
  }
}
