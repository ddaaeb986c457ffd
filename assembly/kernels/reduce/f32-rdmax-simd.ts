// f32_rdmax__simd: y[i][c] = max_{k<r} x[i][k][c] (layout: f32_rdsum__ref), the kept innermost
// axis in SIMD lanes: blocks of 16 values (4 accumulators) walk all r rows, then blocks of 4, then
// a last block of 1..3 (loadTail / storeTail). f32x4.max is the ref's IEEE maximum (NaN
// propagates, -0 < +0) and exact: the same values as the ref.
// Preconditions: m >= 0, r >= 1, n >= 1; x, y 4-byte aligned; y does not overlap x.
// Reference: f32_rdmax__ref.
import { loadTail, storeTail } from '../eltwise/math';

export function f32_rdmax__simd(m: i32, r: i32, n: i32, x: usize, y: usize): void {
  assert(m >= 0 && r >= 1 && n >= 1);
  assert((x & 3) == 0 && (y & 3) == 0);
  const rowB = <usize>n << 2;
  const rem = n & 3;
  for (let i = 0; i < m; i++) {
    const xb = x + <usize>i * <usize>r * rowB;
    const yb = y + <usize>i * rowB;
    let c = 0;
    for (; c + 16 <= n; c += 16) {
      let p = xb + (<usize>c << 2);
      let a0 = v128.load(p), a1 = v128.load(p, 16), a2 = v128.load(p, 32), a3 = v128.load(p, 48);
      for (let k = 1; k < r; k++) {
        p += rowB;
        a0 = f32x4.max(a0, v128.load(p));
        a1 = f32x4.max(a1, v128.load(p, 16));
        a2 = f32x4.max(a2, v128.load(p, 32));
        a3 = f32x4.max(a3, v128.load(p, 48));
      }
      const q = yb + (<usize>c << 2);
      v128.store(q, a0);
      v128.store(q, a1, 16);
      v128.store(q, a2, 32);
      v128.store(q, a3, 48);
    }
    for (; c + 4 <= n; c += 4) {
      let p = xb + (<usize>c << 2);
      let a = v128.load(p);
      for (let k = 1; k < r; k++) a = f32x4.max(a, v128.load(p += rowB));
      v128.store(yb + (<usize>c << 2), a);
    }
    if (rem != 0) {
      let p = xb + (<usize>c << 2);
      let a = loadTail(p, rem, -Infinity);
      for (let k = 1; k < r; k++) a = f32x4.max(a, loadTail(p += rowB, rem, -Infinity));
      storeTail(yb + (<usize>c << 2), a, rem);
    }
  }
}
