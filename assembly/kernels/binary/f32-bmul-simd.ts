// f32_bmul__simd: y = a * b with broadcasting strides, 4 lanes per step; a side with step 0 is
// splat once per row. f32x4.mul rounds like the ref's f32 mul: bit-identical to the ref.
//   y[i*n + j] = a[i*a_stride + j*a_step] * b[i*b_stride + j*b_step]        i < m, j < n
// (strides and steps in bytes: the broadcasting binary ABI of assembly/kernels/README.md;
// layouts in broadcast-loops.ts).
// Preconditions: m, n >= 0; a, b, y 4-byte aligned; strides >= 0, multiples of 4; steps 0 or 4;
// y holds m rows of n f32, contiguous, and may equal a (or b) only when that side has stride 4n and
// step 4.
// Reference: f32_bmul__ref.
import { binarySimd, checkBinary } from './broadcast-loops';

@final @unmanaged class MulSimd {
  @inline v(a: v128, b: v128): v128 {
    return f32x4.mul(a, b);
  }
}

export function f32_bmul__simd(
  m: i32, n: i32, a: usize, b: usize, y: usize,
  a_stride: i32, b_stride: i32, a_step: i32, b_step: i32,
): void {
  checkBinary(m, n, a, b, y, a_stride, b_stride, a_step, b_step);
  binarySimd<MulSimd>(m, n, a, b, y, a_stride, b_stride, a_step, b_step);
}
