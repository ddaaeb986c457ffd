// f32_bmax__ref: y = max(a, b) with broadcasting strides, one element at a time.
// IEEE 754-2019 maximum (wasm f32.max): NaN if either side is NaN, -0 < +0.
//   y[i*n + j] = max(a[i*a_stride + j*a_step], b[i*b_stride + j*b_step])    i < m, j < n
// (strides and steps in bytes: the broadcasting binary ABI of assembly/kernels/README.md;
// layouts in broadcast-loops.ts).
// Preconditions: m, n >= 0; a, b, y 4-byte aligned; strides >= 0, multiples of 4; steps 0 or 4;
// y holds m rows of n f32, contiguous, and may equal a (or b) only when that side has stride 4n and
// step 4.
// Scalar reference for f32_bmax__simd.
import { binaryRef, checkBinary } from './broadcast-loops';

@final @unmanaged class MaxRef {
  @inline s(a: f32, b: f32): f32 {
    return max<f32>(a, b);
  }
}

export function f32_bmax__ref(
  m: i32, n: i32, a: usize, b: usize, y: usize,
  a_stride: i32, b_stride: i32, a_step: i32, b_step: i32,
): void {
  checkBinary(m, n, a, b, y, a_stride, b_stride, a_step, b_step);
  binaryRef<MaxRef>(m, n, a, b, y, a_stride, b_stride, a_step, b_step);
}
