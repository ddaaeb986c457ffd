// f32_embed_dense__simd: embedding lookup on a dense f32 table:
//   y[i][c] = W[ids[i]][c]                                 i < m (tokens), c < n (dim)
// One bulk-memory copy per token row (memory.copy), which V8 turns into a tuned memmove.
// ABI, id check and preconditions: as f32_embed_dense__ref (the reference).
import { idOk } from './common';

export function f32_embed_dense__simd(
  m: i32, n: i32, vocab: i32, ids: usize, w: usize, pal: usize, y: usize, y_stride: i32, params: usize,
): void {
  assert(m >= 0 && n >= 0 && vocab >= 1);
  assert(((ids | w | y) & 3) == 0 && (y_stride & 3) == 0 && (m <= 1 || y_stride >= n * 4));
  const rowBytes = <usize>n << 2;
  for (let i = 0; i < m; i++) {
    const t = load<i32>(ids + (<usize>i << 2));
    const yr = y + <usize>i * <usize>y_stride;
    if (idOk(t, vocab, yr, n)) memory.copy(yr, w + <usize>t * rowBytes, rowBytes);
  }
}
