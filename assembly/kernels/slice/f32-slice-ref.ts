// f32_slice__ref: strided N-D gather, the kernel of Slice (ONNX semantics resolved by the host):
//   y[o_0]...[o_{r-1}] = x[offset + sum_j o_j * s_j]      0 <= o_j < d_j, y contiguous row-major
//
//   params (20 x i32): | 0: offset | 1..9: d_0..d_8 | 10..18: s_0..s_8 (elements, signed) | 19: 0 |
//
// A Slice of starts/steps/counts per axis over an input of row strides S_j (elements) is
// offset = sum_j start_j * S_j, d_j = count_j, s_j = step_j * S_j; a negative step reads backwards.
// Moves 4-byte elements (f32 or int32 alike). One division chain per output element: slow, the
// truth the SIMD kernel is checked against.
// Preconditions: 1 <= rank <= 9; d_j >= 0; every element read lies in x (the host's job); x, y
// 4-byte aligned, not overlapping. Scalar reference for f32_slice__simd.
import { S_OFFSET, S_MAX_RANK, sliceDim, sliceStride } from './plan';

export function f32_slice__ref(rank: i32, x: usize, y: usize, params: usize): void {
  assert(rank >= 1 && rank <= S_MAX_RANK && ((x | y) & 3) == 0);
  let total: i64 = 1;
  for (let a = 0; a < rank; a++) {
    assert(sliceDim(params, a) >= 0);
    total *= <i64>sliceDim(params, a);
  }
  const offset = <i64>load<i32>(params + S_OFFSET);
  for (let o: i64 = 0; o < total; o++) {
    // output coordinates from the flat output index, innermost axis first
    let rest = o;
    let off = offset;
    for (let a = rank - 1; a >= 0; a--) {
      const d = <i64>sliceDim(params, a);
      off += (rest % d) * <i64>sliceStride(params, a);
      rest /= d;
    }
    assert(off >= 0);
    store<f32>(y + (<usize>o << 2), load<f32>(x + (<usize>off << 2)));
  }
}
