// f32_transpose__ref: permutes the axes of a contiguous row-major tensor of rank 1..6:
//   y[o_0]...[o_{r-1}] = x[i_0]...[i_{r-1}]   with i_{perm[j]} = o_j,
//   i.e. output axis j is input axis perm[j] and has size dims[perm[j]] (numpy.transpose).
//
//   params (12 x i32): | 0..5: dims (input shape; slots >= rank ignored) | 6..11: perm |
//
// Moves 4-byte elements (f32 or int32 alike). One division chain per output element: slow, the
// truth the SIMD kernel is checked against.
// Preconditions: 1 <= rank <= 6; dims >= 0; perm a permutation of 0..rank-1; x, y 4-byte aligned,
// contiguous, not overlapping. Scalar reference for f32_transpose__simd.
import { T_DIMS, T_PERM, T_MAX_RANK } from './plan';

const STR = memory.data(32, 16); // input stride (elements) of each output axis, i32[6]

export function f32_transpose__ref(rank: i32, x: usize, y: usize, params: usize): void {
  assert(rank >= 1 && rank <= T_MAX_RANK && ((x | y) & 3) == 0);
  let total: usize = 1;
  for (let a = 0; a < rank; a++) total *= <usize>load<i32>(params + T_DIMS + (<usize>a << 2));
  for (let j = 0; j < rank; j++) {
    const pj = load<i32>(params + T_PERM + (<usize>j << 2));
    assert(pj >= 0 && pj < rank);
    let s = 1;
    for (let a = pj + 1; a < rank; a++) s *= load<i32>(params + T_DIMS + (<usize>a << 2));
    store<i32>(STR + (<usize>j << 2), s);
  }
  for (let o: usize = 0; o < total; o++) {
    // output coordinates from the flat output index, innermost axis first
    let rest = o;
    let off: usize = 0;
    for (let j = rank - 1; j >= 0; j--) {
      const size = <usize>load<i32>(params + T_DIMS + (<usize>load<i32>(params + T_PERM + (<usize>j << 2)) << 2));
      off += (rest % size) * <usize>load<i32>(STR + (<usize>j << 2));
      rest /= size;
    }
    store<f32>(y + (o << 2), load<f32>(x + (off << 2)));
  }
}
