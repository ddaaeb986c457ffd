// f32_rsum__simd: y[i] = (sum_{j<n} x[i][j]) / divisor, i < m (layout and params: f32_rsum__ref),
// 4 lanes per step. Each row is summed in f32 by four f32x4 accumulators over 16-value blocks
// (then 4-value blocks, then a 1..3 value tail padded with 0), added pairwise and across lanes,
// then divided once. Every value goes through at most ceil(n/16) + 7 f32 additions, so the error
// against the exact sum is at most about (ceil(n/16) + 7) 2^-24 sum|x|, plus the division's
// rounding; the test (test/oracle/reduce.ts) checks the looser (ceil(n/4) + 8) 2^-24 sum|x|.
// Preconditions: m >= 0, n >= 1; x, y 4-byte aligned; y does not overlap x; divisor > 0.
// Reference: f32_rsum__ref.
import { loadTail } from '../eltwise/math';

export function f32_rsum__simd(m: i32, n: i32, x: usize, y: usize, params: usize): void {
  assert(m >= 0 && n >= 1);
  assert((x & 3) == 0 && (y & 3) == 0 && (params & 3) == 0);
  const d = load<f32>(params);
  assert(d > 0);
  const b16 = (<usize>n & ~(<usize>15)) << 2;
  const b4 = (<usize>n & ~(<usize>3)) << 2;
  const rem = n & 3;
  for (let i = 0; i < m; i++) {
    const xr = x + ((<usize>i * <usize>n) << 2);
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
    let j: usize = 0;
    for (; j < b16; j += 64) {
      a0 = f32x4.add(a0, v128.load(xr + j));
      a1 = f32x4.add(a1, v128.load(xr + j, 16));
      a2 = f32x4.add(a2, v128.load(xr + j, 32));
      a3 = f32x4.add(a3, v128.load(xr + j, 48));
    }
    for (; j < b4; j += 16) a0 = f32x4.add(a0, v128.load(xr + j));
    if (rem != 0) a1 = f32x4.add(a1, loadTail(xr + b4, rem, 0));
    const a = f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3));
    const s01 = f32x4.extract_lane(a, 0) + f32x4.extract_lane(a, 1);
    const s23 = f32x4.extract_lane(a, 2) + f32x4.extract_lane(a, 3);
    store<f32>(y + (<usize>i << 2), (s01 + s23) / d);
  }
}
