// f32_embedgrad__simd: as f32_embedgrad__ref (the reference; ABI there): the zero fill and each
// row's scatter-add 4 lanes at a time (1..3 element tail as a partial vector). Same additions in the
// same order as the ref: bit-exact.
import { addRun } from './common';

export function f32_embedgrad__simd(
  m: i32, n: i32, vocab: i32, ids: usize, dy: usize, dw: usize, dy_stride: i32, accumulate: i32,
): void {
  assert(m >= 0 && n >= 0 && vocab >= 1);
  assert(((ids | dy | dw) & 3) == 0 && (dy_stride & 3) == 0 && (m <= 1 || dy_stride >= n * 4));
  const rowBytes = <usize>n << 2;
  if (!accumulate) memory.fill(dw, 0, <usize>vocab * rowBytes);
  for (let i = 0; i < m; i++) {
    const t = load<i32>(ids + (<usize>i << 2));
    assert(t >= 0 && t < vocab);
    if (t < 0 || t >= vocab) continue;
    addRun(dw + <usize>t * rowBytes, dy + <usize>i * <usize>dy_stride, n);
  }
}
