// f32_vhsigmoid__simd: y[i] = max(0, min(1, alpha * x[i] + beta)), i < n, 4 lanes per step
// (HardSigmoid). alpha * x and + beta round once each in f32 (no fused multiply-add in simd128):
// at most 2^-24 (|alpha x| + |t|) from the ref's single rounding, an absolute bound (the sum can
// cancel); test/oracle/eltwise.ts states it. f32x4.min/max propagate NaN: NaN -> NaN.
//
//   params (8 x 32-bit slots): | 0: alpha (f32) | 1: beta (f32) | 2..7: reserved, 0 |
//
// Preconditions: n >= 0; x, y 4-byte aligned f32 arrays of n elements; y may equal x.
// Reference: f32_vhsigmoid__ref.
import { loadTail, storeTail } from './math';

@inline function vHsigmoid(v: v128, alpha: v128, beta: v128): v128 {
  const t = f32x4.add(f32x4.mul(v, alpha), beta);
  return f32x4.max(f32x4.splat(0), f32x4.min(f32x4.splat(1), t));
}

export function f32_vhsigmoid__simd(n: i32, x: usize, y: usize, params: usize): void {
  assert(n >= 0);
  assert((x & 3) == 0 && (y & 3) == 0 && (params & 3) == 0);
  const alpha = v128.load32_splat(params);
  const beta = v128.load32_splat(params, 4);
  const end = x + ((<usize>n & ~(<usize>3)) << 2);
  for (; x < end; x += 16, y += 16) {
    v128.store(y, vHsigmoid(v128.load(x), alpha, beta));
  }
  const rem = n & 3;
  if (rem != 0) storeTail(y, vHsigmoid(loadTail(x, rem, 0), alpha, beta), rem);
}
