// f32_tgemm_4x8__simd: the GEMM of the training passes, as f32_tgemm__ref (the reference):
//   C[i][j] = alpha * sum_p A'[i][p] * B'[p][j] + beta * C[i][j] + bias[j]
// B stored [k][n] (A plain = dX = dY W, or A transposed = dW = dY^T X): broadcast tile of 4 rows
// of C x 8 columns, 8 f32x4 accumulators; A'[i+r][p] is one splat load whatever A's layout
// (plain: step 4 bytes along p; transposed: step a_stride), so both cases share one loop:
//
//   for p < k:   B[p][j..j+7] = | w0 (4 f32) | w1 (4 f32) |,   A'[i+r][p] splat      r < 4
//                acc[r][0] += A'[i+r][p] * w0,  acc[r][1] += A'[i+r][p] * w1
//
// B transposed (forward x W^T): dot-product tile of 2 rows of A x 4 rows of B along contiguous k,
// one transpose-add (hsum4) per row. Both transposed: a scalar loop (no training pass uses it).
// Edges never overlap (beta reads C, so a column may be stored only once): m % 4 rows one at a
// time; n % 8 columns as one 4-wide tile and a 1..3-wide tile with partial loads / stores.
// Sums in f32, in p order. Error <= (k + 2) 2^-24 (|alpha| sum |a b| + |beta c| + |bias|).
import { TG_FLAGS, TG_ALPHA, TG_BETA, TG_TRANS_A, TG_TRANS_B } from './common';
import { loadTail, storeTail } from '../eltwise/math';
import { hsum4 } from '../../common/gemm';

/** alpha * acc + beta * C + bias on `cols` (1..4) columns at c, bias at bj (0 = none). */
@inline function fin(c: usize, acc: v128, va: v128, vb: v128, hasBeta: bool, bj: usize, cols: i32): void {
  let v = f32x4.mul(acc, va);
  if (cols >= 4) {
    if (hasBeta) v = f32x4.add(v, f32x4.mul(v128.load(c), vb));
    if (bj) v = f32x4.add(v, v128.load(bj));
    v128.store(c, v);
  } else {
    if (hasBeta) v = f32x4.add(v, f32x4.mul(loadTail(c, cols, 0), vb));
    if (bj) v = f32x4.add(v, loadTail(bj, cols, 0));
    storeTail(c, v, cols);
  }
}

/** C[4 rows][j..j+W-1]: W = 8 (wide), else cols (1..4); one: row 0 only. Constant flags per call site. */
@inline function tile(
  a0: usize, a1: usize, a2: usize, a3: usize, ap: usize, bj: usize, sb: usize, k: i32,
  c0: usize, c1: usize, c2: usize, c3: usize, va: v128, vb: v128, hasBeta: bool, bias: usize,
  wide: bool, cols: i32, one: bool,
): void {
  let x00 = f32x4.splat(0), x01 = x00, x10 = x00, x11 = x00, x20 = x00, x21 = x00, x30 = x00, x31 = x00;
  let o: usize = 0;
  for (let p = 0; p < k; p++, o += ap, bj += sb) {
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
  const b1 = bias ? bias + 16 : 0;
  fin(c0, x00, va, vb, hasBeta, bias, cols);
  if (wide) fin(c0 + 16, x01, va, vb, hasBeta, b1, 4);
  if (one) return;
  fin(c1, x10, va, vb, hasBeta, bias, cols); fin(c2, x20, va, vb, hasBeta, bias, cols); fin(c3, x30, va, vb, hasBeta, bias, cols);
  if (wide) {
    fin(c1 + 16, x11, va, vb, hasBeta, b1, 4); fin(c2 + 16, x21, va, vb, hasBeta, b1, 4); fin(c3 + 16, x31, va, vb, hasBeta, b1, 4);
  }
}

@inline function rowBlock(
  a0: usize, a1: usize, a2: usize, a3: usize, ap: usize, b: usize, sb: usize, n: i32, k: i32,
  c0: usize, c1: usize, c2: usize, c3: usize, va: v128, vb: v128, hasBeta: bool, bias: usize, one: bool,
): void {
  let j = 0;
  for (; j + 8 <= n; j += 8) {
    const o = <usize>j << 2;
    tile(a0, a1, a2, a3, ap, b + o, sb, k, c0 + o, c1 + o, c2 + o, c3 + o, va, vb, hasBeta, bias ? bias + o : 0, true, 4, one);
  }
  if (j + 4 <= n) {
    const o = <usize>j << 2;
    tile(a0, a1, a2, a3, ap, b + o, sb, k, c0 + o, c1 + o, c2 + o, c3 + o, va, vb, hasBeta, bias ? bias + o : 0, false, 4, one);
    j += 4;
  }
  if (j < n) {
    const o = <usize>j << 2;
    tile(a0, a1, a2, a3, ap, b + o, sb, k, c0 + o, c1 + o, c2 + o, c3 + o, va, vb, hasBeta, bias ? bias + o : 0, false, n - j, one);
  }
}

function gemmBroadcast(
  m: i32, n: i32, k: i32, a: usize, ai: usize, ap: usize, b: usize, sb: usize, c: usize, sc: usize,
  va: v128, vb: v128, hasBeta: bool, bias: usize,
): void {
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const a0 = a + <usize>i * ai, c0 = c + <usize>i * sc;
    rowBlock(a0, a0 + ai, a0 + 2 * ai, a0 + 3 * ai, ap, b, sb, n, k, c0, c0 + sc, c0 + 2 * sc, c0 + 3 * sc, va, vb, hasBeta, bias, false);
  }
  for (; i < m; i++) {
    const a0 = a + <usize>i * ai, c0 = c + <usize>i * sc;
    rowBlock(a0, a0, a0, a0, ap, b, sb, n, k, c0, c0, c0, c0, va, vb, hasBeta, bias, true);
  }
}

function gemmDot(
  m: i32, n: i32, k: i32, a: usize, sa: usize, b: usize, sb: usize, c: usize, sc: usize,
  va: v128, vb: v128, hasBeta: bool, bias: usize,
): void {
  const body = (<usize>k & ~(<usize>3)) << 2;
  const rem = k & 3;
  const lastB = b + <usize>(n - 1) * sb;
  const lastA = a + <usize>(m - 1) * sa;
  for (let i = 0; i < m; i += 2) {
    const a0 = a + <usize>i * sa;
    const a1 = min(a0 + sa, lastA);
    for (let j = 0; j < n; j += 4) {
      // rows past the end are clamped to the last row: computed again, never stored
      const b0 = b + <usize>j * sb;
      const b1 = min(b0 + sb, lastB), b2 = min(b1 + sb, lastB), b3 = min(b2 + sb, lastB);
      let c00 = f32x4.splat(0), c01 = c00, c02 = c00, c03 = c00;
      let c10 = c00, c11 = c00, c12 = c00, c13 = c00;
      for (let o: usize = 0; o < body; o += 16) {
        const x0 = v128.load(a0 + o), x1 = v128.load(a1 + o);
        const w0 = v128.load(b0 + o), w1 = v128.load(b1 + o), w2 = v128.load(b2 + o), w3 = v128.load(b3 + o);
        c00 = f32x4.add(c00, f32x4.mul(x0, w0)); c01 = f32x4.add(c01, f32x4.mul(x0, w1));
        c02 = f32x4.add(c02, f32x4.mul(x0, w2)); c03 = f32x4.add(c03, f32x4.mul(x0, w3));
        c10 = f32x4.add(c10, f32x4.mul(x1, w0)); c11 = f32x4.add(c11, f32x4.mul(x1, w1));
        c12 = f32x4.add(c12, f32x4.mul(x1, w2)); c13 = f32x4.add(c13, f32x4.mul(x1, w3));
      }
      if (rem != 0) {
        const x0 = loadTail(a0 + body, rem, 0), x1 = loadTail(a1 + body, rem, 0);
        const w0 = loadTail(b0 + body, rem, 0), w1 = loadTail(b1 + body, rem, 0);
        const w2 = loadTail(b2 + body, rem, 0), w3 = loadTail(b3 + body, rem, 0);
        c00 = f32x4.add(c00, f32x4.mul(x0, w0)); c01 = f32x4.add(c01, f32x4.mul(x0, w1));
        c02 = f32x4.add(c02, f32x4.mul(x0, w2)); c03 = f32x4.add(c03, f32x4.mul(x0, w3));
        c10 = f32x4.add(c10, f32x4.mul(x1, w0)); c11 = f32x4.add(c11, f32x4.mul(x1, w1));
        c12 = f32x4.add(c12, f32x4.mul(x1, w2)); c13 = f32x4.add(c13, f32x4.mul(x1, w3));
      }
      const cols = min(n - j, 4);
      const cr0 = c + <usize>i * sc + (<usize>j << 2);
      const bj = bias ? bias + (<usize>j << 2) : 0;
      fin(cr0, hsum4(c00, c01, c02, c03), va, vb, hasBeta, bj, cols);
      if (i + 1 < m) fin(cr0 + sc, hsum4(c10, c11, c12, c13), va, vb, hasBeta, bj, cols);
    }
  }
}

export function f32_tgemm_4x8__simd(
  m: i32, n: i32, k: i32, a: usize, b: usize, bias: usize, c: usize,
  a_stride: i32, b_stride: i32, c_stride: i32, params: usize,
): void {
  const flags = load<i32>(params + TG_FLAGS);
  const alpha = load<f32>(params + TG_ALPHA);
  const beta = load<f32>(params + TG_BETA);
  assert(m >= 0 && n >= 0 && k >= 0);
  assert(((a | b | c | bias) & 3) == 0 && ((a_stride | b_stride | c_stride) & 3) == 0);
  if (m == 0 || n == 0) return;
  const va = f32x4.splat(alpha), vb = f32x4.splat(beta);
  const hasBeta = beta != 0;
  const sa = <usize>a_stride, sb = <usize>b_stride, sc = <usize>c_stride;
  const ta = (flags & TG_TRANS_A) != 0, tb = (flags & TG_TRANS_B) != 0;
  if (!tb) {
    if (hasBeta) gemmBroadcast(m, n, k, a, ta ? 4 : sa, ta ? sa : 4, b, sb, c, sc, va, vb, true, bias);
    else gemmBroadcast(m, n, k, a, ta ? 4 : sa, ta ? sa : 4, b, sb, c, sc, va, vb, false, bias);
  } else if (!ta) {
    if (hasBeta) gemmDot(m, n, k, a, sa, b, sb, c, sc, va, vb, true, bias);
    else gemmDot(m, n, k, a, sa, b, sb, c, sc, va, vb, false, bias);
  } else {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s: f32 = 0;
        for (let p = 0; p < k; p++) s += load<f32>(a + <usize>p * sa + (<usize>i << 2)) * load<f32>(b + <usize>j * sb + (<usize>p << 2));
        const cp = c + <usize>i * sc + (<usize>j << 2);
        let v = alpha * s;
        if (hasBeta) v += beta * load<f32>(cp);
        if (bias) v += load<f32>(bias + (<usize>j << 2));
        store<f32>(cp, v);
      }
    }
  }
}
