// f32_bpow__ref: y = pow(a, b) with broadcasting strides, one element at a time: the f64 pow of
// the two f32 values (Math.pow, with C99 F.9.4.4 special cases: pow(a, +-0) = 1 and pow(1, b) = 1 even
// for NaN, pow(-1, +-inf) = 1, a negative base with a non-integer exponent is NaN, the sign of a
// kept for odd integer exponents), rounded to f32 once: within 1 ulp of the correctly rounded result.
//   y[i*n + j] = pow(a[i*a_stride + j*a_step], b[i*b_stride + j*b_step])    i < m, j < n
// (strides and steps in bytes: the broadcasting binary ABI of assembly/kernels/README.md;
// layouts in broadcast-loops.ts).
// Preconditions: m, n >= 0; a, b, y 4-byte aligned; strides >= 0, multiples of 4; steps 0 or 4;
// y holds m rows of n f32, contiguous, and may equal a (or b) only when that side has stride 4n and
// step 4.
// Scalar reference for f32_bpow__simd.
import { binaryRef, checkBinary } from './broadcast-loops';

@final @unmanaged class PowRef {
  @inline s(a: f32, b: f32): f32 {
    // Math.pow has JavaScript's rules, NaN for pow(1, NaN), pow(1, +-inf) and pow(-1, +-inf);
    // C and ONNX give 1.
    if (a == 1 || (a == -1 && abs<f32>(b) == Infinity)) return 1;
    return <f32>Math.pow(<f64>a, <f64>b);
  }
}

export function f32_bpow__ref(
  m: i32, n: i32, a: usize, b: usize, y: usize,
  a_stride: i32, b_stride: i32, a_step: i32, b_step: i32,
): void {
  checkBinary(m, n, a, b, y, a_stride, b_stride, a_step, b_step);
  binaryRef<PowRef>(m, n, a, b, y, a_stride, b_stride, a_step, b_step);
}
