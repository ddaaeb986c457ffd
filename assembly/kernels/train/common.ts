// Shared by the training kernels (ABI: assembly/kernels/train/README.md).
//
// tgemm params (8 x 32-bit slots):
//   | 0: flags (bit 0: A transposed, bit 1: B transposed) | 1: alpha (f32) | 2: beta (f32) | 3..7: 0 |
// Geometry kernels (im2col, col2im, maxpoolgrad) take the conv2d slot table
// (assembly/kernels/conv2d/README.md) and read slot 23 as "accumulate into the output" (0 / 1).

export const TG_FLAGS: usize = 0;
export const TG_ALPHA: usize = 4;
export const TG_BETA: usize = 8;
export const TG_TRANS_A: i32 = 1;
export const TG_TRANS_B: i32 = 2;

/** conv slot 23: 1 = add into the output, 0 = overwrite it. */
export const P_ACCUM: usize = 92;

/** Output height / width of a conv (dil = slots 20 / 21) or pool (dil = 1) call. */
@inline export function geoOut(inSize: i32, k: i32, s: i32, p0: i32, p1: i32, d: i32): i32 {
  const span = inSize + p0 + p1 - d * (k - 1) - 1;
  return span < 0 ? 0 : span / s + 1;
}

/** v128 copy of `count` f32 (4 at a time, scalar tail). */
@inline export function copyRun(dst: usize, src: usize, count: i32): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) v128.store(dst + (<usize>i << 2), v128.load(src + (<usize>i << 2)));
  for (; i < count; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
}

/** dst[i] += src[i], i < count (4 at a time, scalar tail). */
@inline export function addRun(dst: usize, src: usize, count: i32): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const d = dst + (<usize>i << 2);
    v128.store(d, f32x4.add(v128.load(d), v128.load(src + (<usize>i << 2))));
  }
  for (; i < count; i++) {
    const d = dst + (<usize>i << 2);
    store<f32>(d, load<f32>(d) + load<f32>(src + (<usize>i << 2)));
  }
}
