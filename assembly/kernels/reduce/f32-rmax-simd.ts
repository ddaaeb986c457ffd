// f32_rmax__simd: y[i] = max_{j<n} x[i][j], i < m (layout: f32_rmax__ref), 4 lanes per step: four
// f32x4.max accumulators over 16-value blocks, then 4-value blocks, then a 1..3 value tail padded
// with -inf, then across lanes. f32x4.max is the same IEEE maximum as the ref's f32.max (NaN
// propagates, -0 < +0) and max is exact in any order: the same value as the ref.
// Preconditions: m >= 0, n >= 1; x, y 4-byte aligned; y does not overlap x.
// Reference: f32_rmax__ref.
import { loadTail } from '../eltwise/math';

export function f32_rmax__simd(m: i32, n: i32, x: usize, y: usize): void {
  assert(m >= 0 && n >= 1);
  assert((x & 3) == 0 && (y & 3) == 0);
  const b16 = (<usize>n & ~(<usize>15)) << 2;
  const b4 = (<usize>n & ~(<usize>3)) << 2;
  const rem = n & 3;
  for (let i = 0; i < m; i++) {
    const xr = x + ((<usize>i * <usize>n) << 2);
    let a0 = f32x4.splat(-Infinity), a1 = a0, a2 = a0, a3 = a0;
    let j: usize = 0;
    for (; j < b16; j += 64) {
      a0 = f32x4.max(a0, v128.load(xr + j));
      a1 = f32x4.max(a1, v128.load(xr + j, 16));
      a2 = f32x4.max(a2, v128.load(xr + j, 32));
      a3 = f32x4.max(a3, v128.load(xr + j, 48));
    }
    for (; j < b4; j += 16) a0 = f32x4.max(a0, v128.load(xr + j));
    if (rem != 0) a1 = f32x4.max(a1, loadTail(xr + b4, rem, -Infinity));
    const a = f32x4.max(f32x4.max(a0, a1), f32x4.max(a2, a3));
    const v01 = max<f32>(f32x4.extract_lane(a, 0), f32x4.extract_lane(a, 1));
    const v23 = max<f32>(f32x4.extract_lane(a, 2), f32x4.extract_lane(a, 3));
    store<f32>(y + (<usize>i << 2), max<f32>(v01, v23));
  }
}
