// f32_vclip__simd: y[i] = min(max(x[i], lo), hi), i < n, 4 lanes per step (Clip). f32x4.min/max
// are the same IEEE minimum/maximum as the ref's f32.min/f32.max (NaN propagates, -0 < +0):
// bit-identical to the ref.
//
//   params (8 x 32-bit slots): | 0: lo (f32) | 1: hi (f32) | 2..7: reserved, 0 |
//
// Preconditions: n >= 0; x, y 4-byte aligned f32 arrays of n elements; y may equal x; lo, hi not NaN.
// Reference: f32_vclip__ref.
import { loadTail, storeTail } from './math';

export function f32_vclip__simd(n: i32, x: usize, y: usize, params: usize): void {
  assert(n >= 0);
  assert((x & 3) == 0 && (y & 3) == 0 && (params & 3) == 0);
  const lo = v128.load32_splat(params);
  const hi = v128.load32_splat(params, 4);
  const end = x + ((<usize>n & ~(<usize>3)) << 2);
  for (; x < end; x += 16, y += 16) {
    v128.store(y, f32x4.min(f32x4.max(v128.load(x), lo), hi));
  }
  const rem = n & 3;
  if (rem != 0) storeTail(y, f32x4.min(f32x4.max(loadTail(x, rem, 0), lo), hi), rem);
}
