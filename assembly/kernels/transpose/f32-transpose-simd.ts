// f32_transpose__simd: permutes the axes of a contiguous row-major tensor of rank 1..6:
//   y[o_0]...[o_{r-1}] = x[i_0]...[i_{r-1}]   with i_{perm[j]} = o_j   (numpy.transpose)
// 1. collapse (plan.ts): drop size-1 axes, merge input axes that stay adjacent -> rank r;
// 2. r <= 1: one memory.copy;
//    innermost input axis stays innermost: runs of e[r-1] contiguous values (copyRows,
//    ../concat/rows.ts),
//    over output axis r-2 and the up to 4 outer axes;
//    else: 2-D planes (input axis q[r-1] x input axis r-1) through the 4x4-tile SIMD transpose
//    (plane.ts), over the up to 4 remaining (outer) axes.
//
//   params: as f32_transpose__ref (slots 0..5 dims, 6..11 perm). Static work area: 160 bytes.
// Preconditions: as f32_transpose__ref (the reference).
import { T_DIMS, T_PERM, T_MAX_RANK, W_DIMS, W_PERM, W_XSTR, W_YSTR, collapse } from './plan';
import { transposePlane } from './plane';
import { copyRows } from '../concat/rows';

const WORK = memory.data(160, 16);

@inline function ld(p: usize, i: i32): i32 { return load<i32>(p + (<usize>i << 2)); }

export function f32_transpose__simd(rank: i32, x: usize, y: usize, params: usize): void {
  assert(rank >= 1 && rank <= T_MAX_RANK && ((x | y) & 3) == 0);
  let total: usize = 1;
  for (let a = 0; a < rank; a++) total *= <usize>ld(params + T_DIMS, a);
  if (total == 0) return;
  for (let j = 0; j < rank; j++) assert(ld(params + T_PERM, j) >= 0 && ld(params + T_PERM, j) < rank);
  const r = collapse(rank, params, WORK);
  if (r <= 1) { memory.copy(y, x, total << 2); return; }
  const e = WORK + W_DIMS, q = WORK + W_PERM, xst = WORK + W_XSTR, yst = WORK + W_YSTR;
  const inner = ld(q, r - 1) == r - 1; // innermost input axis stays innermost: contiguous runs
  // jpos: output position of input axis r-1 (plane case), or r-2: the run case copies a 2-D
  // block of (output axis r-2) x (contiguous run)
  let jpos = r - 2;
  if (!inner) for (let j = 0; j < r; j++) if (ld(q, j) == r - 1) jpos = j;
  // outer axes (all output axes but r-1 and jpos: at most 4), padded to 4 with size 1
  let n0 = 1, n1 = 1, n2 = 1, n3 = 1;
  let x0: usize = 0, x1: usize = 0, x2: usize = 0, x3: usize = 0;
  let y0: usize = 0, y1: usize = 0, y2: usize = 0, y3: usize = 0;
  let cnt = 0;
  for (let j = 0; j < r - 1; j++) {
    if (j == jpos) continue;
    const nn = ld(e, ld(q, j)), xx = <usize>ld(xst, j) << 2, yy = <usize>ld(yst, j) << 2;
    if (cnt == 0) { n0 = nn; x0 = xx; y0 = yy; }
    else if (cnt == 1) { n1 = nn; x1 = xx; y1 = yy; }
    else if (cnt == 2) { n2 = nn; x2 = xx; y2 = yy; }
    else { n3 = nn; x3 = xx; y3 = yy; }
    cnt++;
  }
  const run = <usize>ld(e, r - 1) << 2;                 // run case: bytes per contiguous run
  const rows = ld(e, ld(q, inner ? r - 2 : r - 1)), cols = ld(e, r - 1);
  // plane: x row a (input axis q[r-1]), y row b (output axis jpos); run: x and y rows of axis r-2
  const pxs = <usize>ld(xst, inner ? r - 2 : r - 1) << 2, pys = <usize>ld(yst, jpos) << 2;
  for (let i0 = 0; i0 < n0; i0++) {
    for (let i1 = 0; i1 < n1; i1++) {
      for (let i2 = 0; i2 < n2; i2++) {
        for (let i3 = 0; i3 < n3; i3++) {
          const xo = x + <usize>i0 * x0 + <usize>i1 * x1 + <usize>i2 * x2 + <usize>i3 * x3;
          const yo = y + <usize>i0 * y0 + <usize>i1 * y1 + <usize>i2 * y2 + <usize>i3 * y3;
          if (inner) {
            copyRows(rows, run, xo, yo, pxs, pys);
          } else transposePlane(xo, yo, rows, cols, pxs, pys);
        }
      }
    }
  }
}
