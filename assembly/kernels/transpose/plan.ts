// Transpose plan, shared by the transpose kernels: params slots, and the axis collapse of the
// SIMD kernel. Size-1 axes are dropped, and input axes a, a+1 that stay next to each other in the
// output (perm[j] = a, perm[j+1] = a+1) are merged into one, so e.g. [2,3,4,5] perm [0,2,3,1]
// becomes [2,3,20] perm [0,2,1]: the fewest axes, the longest contiguous runs.

export const T_DIMS: usize = 0;   // params slots 0..5: input dims
export const T_PERM: usize = 24;  // params slots 6..11: perm
export const T_MAX_RANK: i32 = 6;

// plan arrays (i32[8] each) in the caller's work area
export const W_DIMS: usize = 0;   // collapsed input dims e[a]
export const W_PERM: usize = 32;  // collapsed perm q[j]
export const W_XSTR: usize = 64;  // input stride (elements) of output axis j
export const W_YSTR: usize = 96;  // output stride (elements) of output axis j

@inline function ld(p: usize, i: i32): i32 { return load<i32>(p + (<usize>i << 2)); }
@inline function st(p: usize, i: i32, v: i32): void { store<i32>(p + (<usize>i << 2), v); }

/** Collapses (rank, dims, perm) into work; fills the strides; returns the new rank (0 = 1 element). */
export function collapse(rank: i32, params: usize, work: usize): i32 {
  const e = work + W_DIMS, q = work + W_PERM;
  // 1. drop size-1 axes (renumbering the kept input axes)
  let r = 0;
  for (let a = 0; a < rank; a++) {
    const d = ld(params + T_DIMS, a);
    st(work + W_XSTR, a, d == 1 ? -1 : r); // temporary: new number of input axis a
    if (d != 1) st(e, r++, d);
  }
  let jr = 0;
  for (let j = 0; j < rank; j++) {
    const na = ld(work + W_XSTR, ld(params + T_PERM, j));
    if (na >= 0) st(q, jr++, na);
  }
  // 2. merge input axes that stay adjacent in the output
  for (let j = 0; j + 1 < r; ) {
    const a = ld(q, j);
    if (ld(q, j + 1) != a + 1) { j++; continue; }
    st(e, a, ld(e, a) * ld(e, a + 1));
    for (let b = a + 1; b + 1 < r; b++) st(e, b, ld(e, b + 1));
    for (let i = j + 1; i + 1 < r; i++) st(q, i, ld(q, i + 1));
    r--;
    for (let i = 0; i < r; i++) if (ld(q, i) > a) st(q, i, ld(q, i) - 1);
  }
  // 3. strides: input stride of output axis j, output stride of output axis j
  let ys = 1;
  for (let j = r - 1; j >= 0; j--) {
    st(work + W_YSTR, j, ys);
    ys *= ld(e, ld(q, j));
    let xs = 1;
    for (let a = ld(q, j) + 1; a < r; a++) xs *= ld(e, a);
    st(work + W_XSTR, j, xs);
  }
  return r;
}
