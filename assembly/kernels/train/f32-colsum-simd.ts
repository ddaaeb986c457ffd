// f32_colsum__simd: as f32_colsum__ref (the reference; same sums in the same order, bit for bit):
// columns in lanes, 16 columns (4 accumulators) per pass over the rows, then 4, then a partial 1..3.
import { loadTail, storeTail } from '../eltwise/math';

@inline function fin(y: usize, s: v128, accumulate: i32, cols: i32): void {
  if (cols >= 4) {
    v128.store(y, accumulate ? f32x4.add(v128.load(y), s) : s);
  } else {
    storeTail(y, accumulate ? f32x4.add(loadTail(y, cols, 0), s) : s, cols);
  }
}

export function f32_colsum__simd(m: i32, n: i32, x: usize, y: usize, x_stride: i32, accumulate: i32): void {
  assert(m >= 0 && n >= 0 && ((x | y | x_stride) & 3) == 0);
  const sx = <usize>x_stride;
  let j = 0;
  for (; j + 16 <= n; j += 16) {
    let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
    let p = x + (<usize>j << 2);
    for (let i = 0; i < m; i++, p += sx) {
      s0 = f32x4.add(s0, v128.load(p)); s1 = f32x4.add(s1, v128.load(p, 16));
      s2 = f32x4.add(s2, v128.load(p, 32)); s3 = f32x4.add(s3, v128.load(p, 48));
    }
    const yj = y + (<usize>j << 2);
    fin(yj, s0, accumulate, 4); fin(yj + 16, s1, accumulate, 4); fin(yj + 32, s2, accumulate, 4); fin(yj + 48, s3, accumulate, 4);
  }
  for (; j < n; j += 4) {
    const cols = min(n - j, 4);
    let s = f32x4.splat(0);
    let p = x + (<usize>j << 2);
    if (cols == 4) for (let i = 0; i < m; i++, p += sx) s = f32x4.add(s, v128.load(p));
    else for (let i = 0; i < m; i++, p += sx) s = f32x4.add(s, loadTail(p, cols, 0));
    fin(y + (<usize>j << 2), s, accumulate, cols);
  }
}
