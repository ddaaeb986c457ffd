// Loops shared by the broadcasting binary kernels (f32-b<op>-ref.ts / f32-b<op>-simd.ts); not kernels.
//
//   y[i*n + j] = a[i*a_stride + j*a_step] OP b[i*b_stride + j*b_step]      i < m, j < n
//   (strides and steps in bytes; a step is 4 = the row is contiguous, or 0 = one value for the row)
//
//   a_step 4, b_step 4:  | a0 a1 a2 a3 | a4 .. |  OP  | b0 b1 b2 b3 | b4 .. |   same shape, rows
//   a_step 4, b_step 0:  | a0 a1 a2 a3 | a4 .. |  OP  | b  b  b  b  | ...       scalar / per-row b
//   a_step 0, b_step 4:  | a  a  a  a  | ...     OP  | b0 b1 b2 b3 | b4 .. |   scalar / per-row a
//   a_stride 0 (or b_stride 0): every row reads the same a row, e.g. a per-channel [C] against [H*W, C].
//
// A kernel file declares its operation as an @unmanaged class with @inline methods
// `s(a: f32, b: f32): f32` (ref) or `v(a: v128, b: v128): v128` (SIMD) and calls binaryRef<Op> /
// binarySimd<Op>. The class is never instantiated: changetype<Op>(0) only names the methods, so each
// kernel compiles to its own loops with the operation inlined (no indirect call per element).
import { loadTail, storeTail } from '../eltwise/math';

/** The preconditions every broadcasting binary kernel asserts on entry. */
@inline export function checkBinary(
  m: i32, n: i32, a: usize, b: usize, y: usize,
  a_stride: i32, b_stride: i32, a_step: i32, b_step: i32,
): void {
  assert(m >= 0 && n >= 0);
  assert(((a | b | y) & 3) == 0 && ((a_stride | b_stride) & 3) == 0 && a_stride >= 0 && b_stride >= 0);
  assert((a_step == 0 || a_step == 4) && (b_step == 0 || b_step == 4));
}

/** Scalar loops: the reference order, one element at a time. */
@inline export function binaryRef<Op>(
  m: i32, n: i32, a: usize, b: usize, y: usize,
  a_stride: i32, b_stride: i32, a_step: i32, b_step: i32,
): void {
  const op = changetype<Op>(0);
  for (let i = 0; i < m; i++) {
    const ar = a + <usize>i * <usize>a_stride;
    const br = b + <usize>i * <usize>b_stride;
    const yr = y + ((<usize>i * <usize>n) << 2);
    for (let j = 0; j < n; j++) {
      const va = load<f32>(ar + <usize>j * <usize>a_step);
      const vb = load<f32>(br + <usize>j * <usize>b_step);
      store<f32>(yr + (<usize>j << 2), op.s(va, vb));
    }
  }
}

/**
 * 4 lanes per step along each row; a side with step 0 is splat once per row. The last 1..3
 * elements of a row run through the same vector code (tail lanes hold 1 and are not stored).
 */
@inline export function binarySimd<Op>(
  m: i32, n: i32, a: usize, b: usize, y: usize,
  a_stride: i32, b_stride: i32, a_step: i32, b_step: i32,
): void {
  const op = changetype<Op>(0);
  const body = (<usize>n & ~(<usize>3)) << 2;
  const rem = n & 3;
  for (let i = 0; i < m; i++) {
    const ar = a + <usize>i * <usize>a_stride;
    const br = b + <usize>i * <usize>b_stride;
    const yr = y + ((<usize>i * <usize>n) << 2);
    if (a_step != 0 && b_step != 0) {
      for (let j: usize = 0; j < body; j += 16) {
        v128.store(yr + j, op.v(v128.load(ar + j), v128.load(br + j)));
      }
      if (rem != 0) {
        storeTail(yr + body, op.v(loadTail(ar + body, rem, 1), loadTail(br + body, rem, 1)), rem);
      }
    } else if (a_step != 0) {
      const vb = v128.load32_splat(br);
      for (let j: usize = 0; j < body; j += 16) v128.store(yr + j, op.v(v128.load(ar + j), vb));
      if (rem != 0) storeTail(yr + body, op.v(loadTail(ar + body, rem, 1), vb), rem);
    } else if (b_step != 0) {
      const va = v128.load32_splat(ar);
      for (let j: usize = 0; j < body; j += 16) v128.store(yr + j, op.v(va, v128.load(br + j)));
      if (rem != 0) storeTail(yr + body, op.v(va, loadTail(br + body, rem, 1)), rem);
    } else {
      // One value for the whole row.
      const v = op.v(v128.load32_splat(ar), v128.load32_splat(br));
      for (let j: usize = 0; j < body; j += 16) v128.store(yr + j, v);
      if (rem != 0) storeTail(yr + body, v, rem);
    }
  }
}
