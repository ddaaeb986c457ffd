// f32_vlog__simd: y[i] = ln(x[i]), i < n, 4 lanes per step, with vLog (math.ts: x = 2^k m with m in
// [sqrt(1/2), sqrt(2)), ln m = 2 atanh(f / (2 + f)), f = m - 1 exact, as an odd series in
// s = f / (2 + f); k ln2 split in two parts). Error vs float64: see test/oracle/eltwise.ts.
// +-0 -> -inf, x < 0 -> NaN, +inf -> +inf, NaN -> NaN; subnormal x are scaled by 2^23 first.
// Preconditions: n >= 0; x, y 4-byte aligned f32 arrays of n elements; y may equal x.
// Reference: f32_vlog__ref.
import { loadTail, storeTail, vLog } from './math';

export function f32_vlog__simd(n: i32, x: usize, y: usize): void {
  assert(n >= 0);
  assert((x & 3) == 0 && (y & 3) == 0);
  const end = x + ((<usize>n & ~(<usize>3)) << 2);
  for (; x < end; x += 16, y += 16) {
    v128.store(y, vLog(v128.load(x)));
  }
  const rem = n & 3;
  // Tail lanes hold 1 (ln 1 = 0): nothing special is computed for lanes that are thrown away.
  if (rem != 0) storeTail(y, vLog(loadTail(x, rem, 1)), rem);
}
