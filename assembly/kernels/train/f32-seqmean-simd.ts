// f32_seqmean__simd: as f32_seqmean__ref (the reference; ABI there): columns in lanes, the T rows
// summed in f32 (t order), times 1/T. Error vs float64: (T + 1) 2^-24 of the mean of |x|.
import { loadTail, storeTail } from '../eltwise/math';

export function f32_seqmean__simd(batch: i32, T: i32, n: i32, x: usize, y: usize): void {
  assert(batch >= 0 && T >= 0 && n >= 0 && ((x | y) & 3) == 0);
  const inv = f32x4.splat(<f32>1 / <f32>T);
  const row = <usize>n << 2;
  for (let b = 0; b < batch; b++) {
    const xb = x + <usize>b * <usize>T * row;
    const yb = y + <usize>b * row;
    for (let c = 0; c < n; c += 4) {
      const cols = min(n - c, 4);
      let s = f32x4.splat(0);
      let p = xb + (<usize>c << 2);
      if (cols == 4) for (let t = 0; t < T; t++, p += row) s = f32x4.add(s, v128.load(p));
      else for (let t = 0; t < T; t++, p += row) s = f32x4.add(s, loadTail(p, cols, 0));
      s = f32x4.mul(s, inv);
      if (cols == 4) v128.store(yb + (<usize>c << 2), s);
      else storeTail(yb + (<usize>c << 2), s, cols);
    }
  }
}
