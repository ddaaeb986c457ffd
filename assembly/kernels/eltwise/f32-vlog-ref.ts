// f32_vlog__ref: y[i] = ln(x[i]), i < n, evaluated in float64 (Math.log) and rounded once.
// +-0 -> -inf, x < 0 -> NaN, +inf -> +inf, NaN -> NaN; subnormal x are exact inputs.
// Preconditions: n >= 0; x, y 4-byte aligned f32 arrays of n elements; y may equal x.
// Scalar reference for f32_vlog__simd.

export function f32_vlog__ref(n: i32, x: usize, y: usize): void {
  assert(n >= 0);
  assert((x & 3) == 0 && (y & 3) == 0);
  for (let i = 0; i < n; i++) {
    store<f32>(y + (<usize>i << 2), <f32>Math.log(<f64>load<f32>(x + (<usize>i << 2))));
  }
}
