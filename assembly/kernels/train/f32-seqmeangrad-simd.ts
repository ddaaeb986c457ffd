// f32_seqmeangrad__simd: as f32_seqmeangrad__ref (the reference; ABI there): dy / T computed once
// per example (correctly rounded f32 division, as the ref's float64 quotient rounded once: the same
// value), then stored or added to each of the T rows 4 lanes at a time. Bit-exact with the ref.
import { loadTail, storeTail } from '../eltwise/math';

export function f32_seqmeangrad__simd(batch: i32, T: i32, n: i32, dy: usize, dx: usize, accumulate: i32): void {
  assert(batch >= 0 && T >= 0 && n >= 0 && ((dy | dx) & 3) == 0);
  const div = f32x4.splat(<f32>T);
  const row = <usize>n << 2;
  for (let b = 0; b < batch; b++) {
    const gb = dy + <usize>b * row;
    const xb = dx + <usize>b * <usize>T * row;
    for (let c = 0; c < n; c += 4) {
      const cols = min(n - c, 4);
      const o = <usize>c << 2;
      const g = f32x4.div(cols == 4 ? v128.load(gb + o) : loadTail(gb + o, cols, 0), div);
      let p = xb + o;
      for (let t = 0; t < T; t++, p += row) {
        if (cols == 4) v128.store(p, accumulate ? f32x4.add(v128.load(p), g) : g);
        else storeTail(p, accumulate ? f32x4.add(loadTail(p, cols, 0), g) : g, cols);
      }
    }
  }
}
