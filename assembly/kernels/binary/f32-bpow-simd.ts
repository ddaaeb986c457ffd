// f32_bpow__simd: y = pow(a, b) with broadcasting strides, 4 lanes per step (vPow, pow-math.ts:
// |a|^b = exp(b ln|a|) in f64x2, rounded to f32 once, so within 1 ulp of the correctly rounded
// result, like the ref; C / ONNX special cases and signs applied lane-wise in f32). No fast paths
// for particular exponents (b = 2, 0.5, 1 run the same code, so Pow(x, 0.5) gives pow's +0 and +inf
// for -0 and -inf where sqrt would not). A side with step 0 is splat once per row.
//   y[i*n + j] = pow(a[i*a_stride + j*a_step], b[i*b_stride + j*b_step])    i < m, j < n
// (strides and steps in bytes: the broadcasting binary ABI of assembly/kernels/README.md;
// layouts in broadcast-loops.ts).
// Preconditions: m, n >= 0; a, b, y 4-byte aligned; strides >= 0, multiples of 4; steps 0 or 4;
// y holds m rows of n f32, contiguous, and may equal a (or b) only when that side has stride 4n and
// step 4.
// Reference: f32_bpow__ref.
import { binarySimd, checkBinary } from './broadcast-loops';
import { vPow } from './pow-math';

@final @unmanaged class PowSimd {
  @inline v(a: v128, b: v128): v128 {
    return vPow(a, b);
  }
}

export function f32_bpow__simd(
  m: i32, n: i32, a: usize, b: usize, y: usize,
  a_stride: i32, b_stride: i32, a_step: i32, b_step: i32,
): void {
  checkBinary(m, n, a, b, y, a_stride, b_stride, a_step, b_step);
  binarySimd<PowSimd>(m, n, a, b, y, a_stride, b_stride, a_step, b_step);
}
