// f32_vclip__ref: y[i] = min(max(x[i], lo), hi), i < n (Clip). min/max are IEEE 754-2019
// minimum/maximum (wasm f32.min/f32.max): NaN propagates, -0 < +0. lo > hi gives hi everywhere
// (as ONNX Clip says); lo = -inf / hi = +inf leave that side open.
//
//   params (8 x 32-bit slots): | 0: lo (f32) | 1: hi (f32) | 2..7: reserved, 0 |
//
// Preconditions: n >= 0; x, y 4-byte aligned f32 arrays of n elements; y may equal x; lo, hi not NaN.
// Scalar reference for f32_vclip__simd.

export function f32_vclip__ref(n: i32, x: usize, y: usize, params: usize): void {
  assert(n >= 0);
  assert((x & 3) == 0 && (y & 3) == 0 && (params & 3) == 0);
  const lo = load<f32>(params);
  const hi = load<f32>(params, 4);
  assert(lo == lo && hi == hi);
  for (let i = 0; i < n; i++) {
    store<f32>(y + (<usize>i << 2), min<f32>(max<f32>(load<f32>(x + (<usize>i << 2)), lo), hi));
  }
}
