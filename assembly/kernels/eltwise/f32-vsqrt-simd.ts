// f32_vsqrt__simd: y[i] = sqrt(x[i]), i < n, 4 lanes per step (f32x4.sqrt, correctly rounded like
// the ref's f32.sqrt: bit-identical). -0 -> -0, x < 0 -> NaN, +inf -> +inf, NaN -> NaN.
// Preconditions: n >= 0; x, y 4-byte aligned f32 arrays of n elements; y may equal x.
// Reference: f32_vsqrt__ref.
import { loadTail, storeTail } from './math';

export function f32_vsqrt__simd(n: i32, x: usize, y: usize): void {
  assert(n >= 0);
  assert((x & 3) == 0 && (y & 3) == 0);
  const end = x + ((<usize>n & ~(<usize>3)) << 2);
  for (; x < end; x += 16, y += 16) {
    v128.store(y, f32x4.sqrt(v128.load(x)));
  }
  const rem = n & 3;
  // Tail lanes hold 1, not 0: nothing special is computed for lanes that are thrown away.
  if (rem != 0) storeTail(y, f32x4.sqrt(loadTail(x, rem, 1)), rem);
}
