// f32_embedgrad__ref: the backward pass of an embedding lookup (y[i] = W[ids[i]]): scatter-add
//   dW[ids[i]][c] += dy[i][c]        i < m (tokens, in order), c < n (dim)
// into dW [vocab][n] (rows 4n bytes apart). accumulate 0: dW is first set to zero (every row, so
// rows no token hit get a zero gradient; its old contents are never read). A repeated id adds up.
//
//   ids: int32 [m];  dy: m rows of n f32, dy_stride bytes apart;  dW: f32 [vocab][n]
//
// An id outside [0, vocab): assert (debug build), skipped (release).
// Preconditions: m, n >= 0, vocab >= 1; pointers 4-byte aligned; dy_stride a multiple of 4, >= 4n
// when m > 1; dW does not overlap dy or ids. Scalar reference for f32_embedgrad__simd.

export function f32_embedgrad__ref(
  m: i32, n: i32, vocab: i32, ids: usize, dy: usize, dw: usize, dy_stride: i32, accumulate: i32,
): void {
  assert(m >= 0 && n >= 0 && vocab >= 1);
  assert(((ids | dy | dw) & 3) == 0 && (dy_stride & 3) == 0 && (m <= 1 || dy_stride >= n * 4));
  const rowBytes = <usize>n << 2;
  if (!accumulate) {
    const total = <usize>vocab * <usize>n;
    for (let i: usize = 0; i < total; i++) store<f32>(dw + (i << 2), 0);
  }
  for (let i = 0; i < m; i++) {
    const t = load<i32>(ids + (<usize>i << 2));
    assert(t >= 0 && t < vocab);
    if (t < 0 || t >= vocab) continue;
    const gr = dy + <usize>i * <usize>dy_stride;
    const wr = dw + <usize>t * rowBytes;
    for (let c = 0; c < n; c++) store<f32>(wr + (<usize>c << 2), load<f32>(wr + (<usize>c << 2)) + load<f32>(gr + (<usize>c << 2)));
  }
}
