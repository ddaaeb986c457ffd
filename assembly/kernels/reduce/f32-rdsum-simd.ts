// f32_rdsum__simd: y[i][c] = (sum_{k<r} x[i][k][c]) / divisor (layout and params: f32_rdsum__ref),
// the kept innermost axis in SIMD lanes: blocks of 16 values (4 accumulators) walk all r rows,
// then blocks of 4, then a last block of 1..3 (loadTail / storeTail, never past the row). Each
// lane sums its column in f32 in k order (r - 1 additions), then one division: the error against
// the exact sum is at most (r - 1) 2^-24 sum|x| plus the division's rounding (test/oracle/reduce.ts).
// Preconditions: m >= 0, r >= 1, n >= 1; x, y 4-byte aligned; y does not overlap x; divisor > 0.
// Reference: f32_rdsum__ref.
import { loadTail, storeTail } from '../eltwise/math';

export function f32_rdsum__simd(m: i32, r: i32, n: i32, x: usize, y: usize, params: usize): void {
  assert(m >= 0 && r >= 1 && n >= 1);
  assert((x & 3) == 0 && (y & 3) == 0 && (params & 3) == 0);
  const d = v128.load32_splat(params);
  assert(f32x4.extract_lane(d, 0) > 0);
  const rowB = <usize>n << 2;
  const rem = n & 3;
  for (let i = 0; i < m; i++) {
    const xb = x + <usize>i * <usize>r * rowB;
    const yb = y + <usize>i * rowB;
    let c = 0;
    for (; c + 16 <= n; c += 16) {
      let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
      let p = xb + (<usize>c << 2);
      for (let k = 0; k < r; k++, p += rowB) {
        a0 = f32x4.add(a0, v128.load(p));
        a1 = f32x4.add(a1, v128.load(p, 16));
        a2 = f32x4.add(a2, v128.load(p, 32));
        a3 = f32x4.add(a3, v128.load(p, 48));
      }
      const q = yb + (<usize>c << 2);
      v128.store(q, f32x4.div(a0, d));
      v128.store(q, f32x4.div(a1, d), 16);
      v128.store(q, f32x4.div(a2, d), 32);
      v128.store(q, f32x4.div(a3, d), 48);
    }
    for (; c + 4 <= n; c += 4) {
      let a = f32x4.splat(0);
      let p = xb + (<usize>c << 2);
      for (let k = 0; k < r; k++, p += rowB) a = f32x4.add(a, v128.load(p));
      v128.store(yb + (<usize>c << 2), f32x4.div(a, d));
    }
    if (rem != 0) {
      let a = f32x4.splat(0);
      let p = xb + (<usize>c << 2);
      for (let k = 0; k < r; k++, p += rowB) a = f32x4.add(a, loadTail(p, rem, 0));
      storeTail(yb + (<usize>c << 2), f32x4.div(a, d), rem);
    }
  }
}
