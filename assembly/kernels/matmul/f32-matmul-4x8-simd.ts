// f32_matmul_4x8__simd: batched product of two activation tensors (attention: Q K^T and P V):
//   C[b][i][j] = alpha * sum_p A[b][i][p] * B[b][p][j]        b < batch, i < m, j < n, p < k
//   flags bit 0 (B transposed, B[b] stored [n][k]): dot-product tiles, see nt-2x4.ts.
// B stored [k][n] (no flag): broadcast tile of 4 rows of C x 8 columns, 8 f32x4 accumulators:
//
//   for p < k:   B[p][j..j+7] = | w0 (4 f32) | w1 (4 f32) |,   A[i+r][p] splat
//                acc[r][0] += A[i+r][p] * w0,  acc[r][1] += A[i+r][p] * w1      r < 4
//
// Edges: m % 4 rows one at a time (a 1x8 variant of the tile); n % 8 columns: one 8-wide tile
// ending at n (overlapping the previous tile: it stores the same values again) when n >= 8, else 4-wide tiles at 0 and n - 4, else (n < 4) a 4-wide tile with partial B
// loads and C stores. Sums in f32, in p order.
// ABI, params and preconditions: as f32_matmul__ref (the reference).
import { MM_FLAGS, MM_ALPHA, MM_A_BATCH, MM_B_BATCH, MM_C_BATCH, MM_TRANS_B } from './common';
import { matmulNT } from './nt-2x4';
import { loadTail, storeTail } from '../eltwise/math';

/**
 * C[4 rows][j..j+W-1] for W = 8 (wide) or 4 (cols = 4: full vector, 1..3: partial); one: row 0
 * only. wide and one are constants at every call site, so each variant compiles to its own loop.
 */
@inline function tile(
  a0: usize, a1: usize, a2: usize, a3: usize, bj: usize, sb: usize, k: i32,
  c0: usize, c1: usize, c2: usize, c3: usize, va: v128, wide: bool, cols: i32, one: bool,
): void {
  let x00 = f32x4.splat(0), x01 = x00, x10 = x00, x11 = x00, x20 = x00, x21 = x00, x30 = x00, x31 = x00;
  for (let o: usize = 0, e = <usize>k << 2; o < e; o += 4, bj += sb) {
    const w0 = cols >= 4 ? v128.load(bj) : loadTail(bj, cols, 0);
    const s0 = v128.load32_splat(a0 + o);
    x00 = f32x4.add(x00, f32x4.mul(s0, w0));
    const w1 = wide ? v128.load(bj, 16) : w0;
    if (wide) x01 = f32x4.add(x01, f32x4.mul(s0, w1));
    if (!one) {
      const s1 = v128.load32_splat(a1 + o), s2 = v128.load32_splat(a2 + o), s3 = v128.load32_splat(a3 + o);
      x10 = f32x4.add(x10, f32x4.mul(s1, w0)); x20 = f32x4.add(x20, f32x4.mul(s2, w0));
      x30 = f32x4.add(x30, f32x4.mul(s3, w0));
      if (wide) {
        x11 = f32x4.add(x11, f32x4.mul(s1, w1)); x21 = f32x4.add(x21, f32x4.mul(s2, w1));
        x31 = f32x4.add(x31, f32x4.mul(s3, w1));
      }
    }
  }
  if (cols >= 4) v128.store(c0, f32x4.mul(x00, va));
  else storeTail(c0, f32x4.mul(x00, va), cols);
  if (wide) v128.store(c0, f32x4.mul(x01, va), 16);
  if (one) return;
  if (cols >= 4) {
    v128.store(c1, f32x4.mul(x10, va)); v128.store(c2, f32x4.mul(x20, va)); v128.store(c3, f32x4.mul(x30, va));
  } else {
    storeTail(c1, f32x4.mul(x10, va), cols); storeTail(c2, f32x4.mul(x20, va), cols); storeTail(c3, f32x4.mul(x30, va), cols);
  }
  if (wide) {
    v128.store(c1, f32x4.mul(x11, va), 16); v128.store(c2, f32x4.mul(x21, va), 16); v128.store(c3, f32x4.mul(x31, va), 16);
  }
}

/** Columns 0..n-1 of C for the rows at a0..a3 / c0..c3 (one: row 0 only). */
@inline function rowBlock(
  a0: usize, a1: usize, a2: usize, a3: usize, b: usize, sb: usize, n: i32, k: i32,
  c0: usize, c1: usize, c2: usize, c3: usize, va: v128, one: bool,
): void {
  let j = 0;
  for (; j + 8 <= n; j += 8) {
    const o = <usize>j << 2;
    tile(a0, a1, a2, a3, b + o, sb, k, c0 + o, c1 + o, c2 + o, c3 + o, va, true, 4, one);
  }
  if (j == n) return;
  if (n >= 8) {
    const o = <usize>(n - 8) << 2;
    tile(a0, a1, a2, a3, b + o, sb, k, c0 + o, c1 + o, c2 + o, c3 + o, va, true, 4, one);
  } else if (n >= 4) {
    tile(a0, a1, a2, a3, b, sb, k, c0, c1, c2, c3, va, false, 4, one);
    const o = <usize>(n - 4) << 2;
    if (n > 4) tile(a0, a1, a2, a3, b + o, sb, k, c0 + o, c1 + o, c2 + o, c3 + o, va, false, 4, one);
  } else {
    tile(a0, a1, a2, a3, b, sb, k, c0, c1, c2, c3, va, false, n, one);
  }
}

function matmulNN(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, sa: usize, sb: usize, sc: usize, alpha: f32): void {
  const va = f32x4.splat(alpha);
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const a0 = a + <usize>i * sa, c0 = c + <usize>i * sc;
    rowBlock(a0, a0 + sa, a0 + 2 * sa, a0 + 3 * sa, b, sb, n, k, c0, c0 + sc, c0 + 2 * sc, c0 + 3 * sc, va, false);
  }
  // 1..3 leftover rows one at a time (m = 1 is the decode step: no wasted lanes)
  for (; i < m; i++) {
    const a0 = a + <usize>i * sa, c0 = c + <usize>i * sc;
    rowBlock(a0, a0, a0, a0, b, sb, n, k, c0, c0, c0, c0, va, true);
  }
}

export function f32_matmul_4x8__simd(
  batch: i32, m: i32, n: i32, k: i32, a: usize, b: usize, c: usize,
  a_stride: i32, b_stride: i32, c_stride: i32, params: usize,
): void {
  const flags = load<i32>(params + MM_FLAGS);
  const alpha = load<f32>(params + MM_ALPHA);
  const ab = <usize>load<u32>(params + MM_A_BATCH);
  const bb = <usize>load<u32>(params + MM_B_BATCH);
  const cb = <usize>load<u32>(params + MM_C_BATCH);
  assert(batch >= 0 && m >= 0 && n >= 0 && k >= 0);
  assert(((a | b | c) & 3) == 0 && ((a_stride | b_stride | c_stride) & 3) == 0);
  if (m == 0 || n == 0) return;
  for (let z = 0; z < batch; z++) {
    const az = a + <usize>z * ab, bz = b + <usize>z * bb, cz = c + <usize>z * cb;
    if (flags & MM_TRANS_B) {
      matmulNT(m, n, k, az, bz, cz, <usize>a_stride, <usize>b_stride, <usize>c_stride, alpha);
    } else {
      matmulNN(m, n, k, az, bz, cz, <usize>a_stride, <usize>b_stride, <usize>c_stride, alpha);
    }
  }
}
