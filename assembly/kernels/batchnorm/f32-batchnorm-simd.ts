// f32_batchnorm__simd: y = x * scale[ch] + shift[ch], NHWC or NCHW (params slot 0), 4 lanes:
//   NHWC: per pixel, the c channels against 4 channels of scale / shift at a time;
//         c % 4 tails are partial vectors; c < 16 and not a multiple of 4 (RGB input: c = 3):
//         the tensor is walked flat, against scale / shift repeated over L = lcm(c, 4) values
//         (a static pattern of <= 64 values), so every vector is full.
//   NCHW: per (b, ch) plane of hw values, scale / shift splat.
// Same f32 multiply then add as the ref, so results are bit-identical to it.
// ABI, params and preconditions: as f32_batchnorm__ref (the reference).
import { loadTail, storeTail } from '../eltwise/math';

const PAT = memory.data(512, 16); // scale pattern f32[64] | shift pattern f32[64]

/** NHWC with 1 <= c < 16: flat walk against the period-L pattern of scale / shift. */
function affineSmallC(total: usize, c: i32, x: usize, scale: usize, shift: usize, y: usize): void {
  const L = c & 1 ? c * 4 : c & 2 ? c * 2 : c; // lcm(c, 4)
  for (let i = 0; i < L; i++) {
    const ch = <usize>(i % c) << 2;
    store<f32>(PAT + (<usize>i << 2), load<f32>(scale + ch));
    store<f32>(PAT + 256 + (<usize>i << 2), shift ? load<f32>(shift + ch) : 0);
  }
  const period = <usize>L << 2, body = (total & ~(<usize>3)) << 2, rem = <i32>(total & 3);
  let q: usize = 0;
  let p: usize = 0;
  for (; p < body; p += 16) {
    v128.store(y + p, f32x4.add(f32x4.mul(v128.load(x + p), v128.load(PAT + q)), v128.load(PAT + 256 + q)));
    q += 16;
    if (q == period) q = 0;
  }
  if (rem != 0) {
    const v = f32x4.add(f32x4.mul(loadTail(x + p, rem, 0), v128.load(PAT + q)), v128.load(PAT + 256 + q));
    storeTail(y + p, v, rem);
  }
}

export function f32_batchnorm__simd(
  n: i32, c: i32, hw: i32, x: usize, scale: usize, shift: usize, y: usize, params: usize,
): void {
  const nchw = load<i32>(params) == 1;
  assert(n >= 0 && c >= 0 && hw >= 0 && load<i32>(params) >= 0 && load<i32>(params) <= 1);
  assert(((x | y | scale | shift) & 3) == 0);
  const zero = f32x4.splat(0);
  if (nchw) {
    const body = (<usize>hw & ~(<usize>3)) << 2, rem = hw & 3;
    let p: usize = 0;
    for (let plane = 0, planes = n * c; plane < planes; plane++) {
      const ch = <usize>(plane % c) << 2;
      const s = v128.load32_splat(scale + ch);
      const t = shift ? v128.load32_splat(shift + ch) : zero;
      const e = p + body;
      for (; p < e; p += 16) v128.store(y + p, f32x4.add(f32x4.mul(v128.load(x + p), s), t));
      if (rem != 0) {
        storeTail(y + p, f32x4.add(f32x4.mul(loadTail(x + p, rem, 0), s), t), rem);
        p += <usize>rem << 2;
      }
    }
    return;
  }
  if (c < 16 && (c & 3) != 0) {
    affineSmallC(<usize>n * <usize>hw * <usize>c, c, x, scale, shift, y);
    return;
  }
  const body = (<usize>c & ~(<usize>3)) << 2, rem = c & 3, row = <usize>c << 2;
  // the tail's scale / shift, loaded once
  const st = rem ? loadTail(scale + body, rem, 0) : zero;
  const tt = rem && shift ? loadTail(shift + body, rem, 0) : zero;
  for (let px: usize = 0, pixels = <usize>n * <usize>hw; px < pixels; px++) {
    const xr = x + px * row, yr = y + px * row;
    for (let o: usize = 0; o < body; o += 16) {
      const t = shift ? v128.load(shift + o) : zero;
      v128.store(yr + o, f32x4.add(f32x4.mul(v128.load(xr + o), v128.load(scale + o)), t));
    }
    if (rem != 0) storeTail(yr + body, f32x4.add(f32x4.mul(loadTail(xr + body, rem, 0), st), tt), rem);
  }
}
