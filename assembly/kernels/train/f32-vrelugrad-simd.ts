// f32_vrelugrad__simd: as f32_vrelugrad__ref (the reference): dx = (y > 0 ? dy : 0) (+ dx),
// 4 lanes per step (mask = y > 0, and-ed with dy), 1..3 element remainder in partial vectors.
import { loadTail, storeTail } from '../eltwise/math';

export function f32_vrelugrad__simd(n: i32, y: usize, dy: usize, dx: usize, accumulate: i32): void {
  assert(n >= 0 && ((y | dy | dx) & 3) == 0);
  const zero = f32x4.splat(0);
  const body = (<usize>n & ~(<usize>3)) << 2;
  for (let o: usize = 0; o < body; o += 16) {
    let v = v128.and(v128.load(dy + o), f32x4.gt(v128.load(y + o), zero));
    if (accumulate) v = f32x4.add(v128.load(dx + o), v);
    v128.store(dx + o, v);
  }
  const rem = n & 3;
  if (rem != 0) {
    let v = v128.and(loadTail(dy + body, rem, 0), f32x4.gt(loadTail(y + body, rem, 0), zero));
    if (accumulate) v = f32x4.add(loadTail(dx + body, rem, 0), v);
    storeTail(dx + body, v, rem);
  }
}
