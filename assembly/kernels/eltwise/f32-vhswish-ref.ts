// f32_vhswish__ref: y[i] = x * max(0, min(1, x / 6 + 0.5)), x = x[i], i < n (HardSwish, ONNX
// opset 14), evaluated in float64 and rounded once. +inf -> +inf; -inf -> NaN (the formula
// read in IEEE arithmetic: -inf * 0, as the ONNX reference evaluates it); NaN -> NaN.
// Preconditions: n >= 0; x, y 4-byte aligned f32 arrays of n elements; y may equal x.
// Scalar reference for f32_vhswish__simd.

export function f32_vhswish__ref(n: i32, x: usize, y: usize): void {
  assert(n >= 0);
  assert((x & 3) == 0 && (y & 3) == 0);
  for (let i = 0; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    store<f32>(y + (<usize>i << 2), <f32>(v * max<f64>(0, min<f64>(1, v / 6 + 0.5))));
  }
}
