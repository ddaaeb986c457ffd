// f32_vhsigmoid__ref: y[i] = max(0, min(1, alpha * x[i] + beta)), i < n (HardSigmoid), evaluated
// in float64 (alpha * x is exact there) and rounded once. min/max propagate NaN: NaN -> NaN.
//
//   params (8 x 32-bit slots): | 0: alpha (f32) | 1: beta (f32) | 2..7: reserved, 0 |
//
// Preconditions: n >= 0; x, y 4-byte aligned f32 arrays of n elements; y may equal x.
// Scalar reference for f32_vhsigmoid__simd.

export function f32_vhsigmoid__ref(n: i32, x: usize, y: usize, params: usize): void {
  assert(n >= 0);
  assert((x & 3) == 0 && (y & 3) == 0 && (params & 3) == 0);
  const alpha = <f64>load<f32>(params);
  const beta = <f64>load<f32>(params, 4);
  for (let i = 0; i < n; i++) {
    const t = alpha * <f64>load<f32>(x + (<usize>i << 2)) + beta;
    store<f32>(y + (<usize>i << 2), <f32>max<f64>(0, min<f64>(1, t)));
  }
}
