// f32_embed_dense__ref: embedding lookup on a dense f32 table:
//   y[i][c] = W[ids[i]][c]                                 i < m (tokens), c < n (dim)
//
//   ids: int32 [m];  w: f32 [vocab][n], rows 4n bytes apart;  y: m rows of n f32, y_stride apart
//   pal: unused (0);  params: unused (may be 0; the p8f32 kernels read slots 0, 1, 4, 5)
//
// An id outside [0, vocab): assert (debug build), row of zeros (release; the runtime checks ids
// first). Preconditions: m, n >= 0, vocab >= 1; ids, w, y 4-byte aligned; y_stride multiple of 4,
// >= 4n when m > 1; y does not overlap w or ids. Scalar reference for f32_embed_dense__simd.
import { idOk } from './common';

export function f32_embed_dense__ref(
  m: i32, n: i32, vocab: i32, ids: usize, w: usize, pal: usize, y: usize, y_stride: i32, params: usize,
): void {
  assert(m >= 0 && n >= 0 && vocab >= 1);
  assert(((ids | w | y) & 3) == 0 && (y_stride & 3) == 0 && (m <= 1 || y_stride >= n * 4));
  const rowBytes = <usize>n << 2;
  for (let i = 0; i < m; i++) {
    const t = load<i32>(ids + (<usize>i << 2));
    const yr = y + <usize>i * <usize>y_stride;
    if (!idOk(t, vocab, yr, n)) continue;
    const wr = w + <usize>t * rowBytes;
    for (let c = 0; c < n; c++) store<f32>(yr + (<usize>c << 2), load<f32>(wr + (<usize>c << 2)));
  }
}
