// f32_batchnorm__ref: inference BatchNorm folded to a per-channel affine map:
//   y = x * scale[ch] + shift[ch]      (scale = gamma / sqrt(var + eps), shift = beta - mean * scale,
//                                       folded by the host at load), in f32: one multiply, one add
//   params slot 0, layout:  0 = NHWC  x[b][s][ch]  (channel innermost),  index (b*hw + s)*c + ch
//                           1 = NCHW  x[b][ch][s]  (spatial innermost),  index (b*c + ch)*hw + s
//   params slots 1..7: reserved, 0.      b < n (batch), ch < c, s < hw (H*W, or any inner size)
// shift may be 0 (none). The writer folds BatchNorm into a preceding conv / linear; this kernel is
// for a standalone one.
// Preconditions: n, c, hw >= 0; x, y, scale, shift 4-byte aligned, contiguous; y may equal x.
// Scalar reference for f32_batchnorm__simd.

export function f32_batchnorm__ref(
  n: i32, c: i32, hw: i32, x: usize, scale: usize, shift: usize, y: usize, params: usize,
): void {
  const nchw = load<i32>(params) == 1;
  assert(n >= 0 && c >= 0 && hw >= 0 && load<i32>(params) >= 0 && load<i32>(params) <= 1);
  assert(((x | y | scale | shift) & 3) == 0);
  let p: usize = 0;
  for (let b = 0; b < n; b++) {
    if (nchw) {
      for (let ch = 0; ch < c; ch++) {
        const s = load<f32>(scale + (<usize>ch << 2));
        const t: f32 = shift ? load<f32>(shift + (<usize>ch << 2)) : 0;
        for (let i = 0; i < hw; i++, p += 4) store<f32>(y + p, load<f32>(x + p) * s + t);
      }
    } else {
      for (let i = 0; i < hw; i++) {
        for (let ch = 0; ch < c; ch++, p += 4) {
          const t: f32 = shift ? load<f32>(shift + (<usize>ch << 2)) : 0;
          store<f32>(y + p, load<f32>(x + p) * load<f32>(scale + (<usize>ch << 2)) + t);
        }
      }
    }
  }
}
