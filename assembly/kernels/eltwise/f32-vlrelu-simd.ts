// f32_vlrelu__simd: y[i] = x[i] < 0 ? alpha * x[i] : x[i], i < n, 4 lanes per step (LeakyRelu).
// bitselect on the `x < 0` mask, which is false for NaN: NaN passes through like the ref.
// Bit-identical to the ref (one f32 multiply per element).
//
//   params (8 x 32-bit slots): | 0: alpha (f32) | 1..7: reserved, 0 |
//
// Preconditions: n >= 0; x, y 4-byte aligned f32 arrays of n elements; y may equal x.
// Reference: f32_vlrelu__ref.
import { loadTail, storeTail } from './math';

@inline function vLrelu(v: v128, alpha: v128): v128 {
  return v128.bitselect(f32x4.mul(v, alpha), v, f32x4.lt(v, f32x4.splat(0)));
}

export function f32_vlrelu__simd(n: i32, x: usize, y: usize, params: usize): void {
  assert(n >= 0);
  assert((x & 3) == 0 && (y & 3) == 0 && (params & 3) == 0);
  const alpha = v128.load32_splat(params);
  const end = x + ((<usize>n & ~(<usize>3)) << 2);
  for (; x < end; x += 16, y += 16) {
    v128.store(y, vLrelu(v128.load(x), alpha));
  }
  const rem = n & 3;
  if (rem != 0) storeTail(y, vLrelu(loadTail(x, rem, 0), alpha), rem);
}
