// SIMD core of the dwconv2d kernels (NHWC, channels in SIMD lanes), tile 1 pixel x 8 channels.
//
//   wt (scratch): [K][Cp] f32, Cp = roundup(C, 8), tap-major: | W[0][t] W[1][t] ... W[C-1][t] 0.. |
//   ind (scratch): K input pointers of the current output pixel, one per tap (ky, kx): the pixel's
//                  C channels at (iy, ix), or `zero` (Cp zero floats) when the tap is in the padding
//                  (XNNPACK's indirection buffer), so the channel loops have no bounds tests.
//
// Per output pixel: fill ind, then channel blocks of 8 (2 accumulators), one block of 4, and a
// last block of 1..3 channels read with loadX4 (never past the pixel's C floats).
import { param, storeLanes, loadX4 } from '../../common/gemm';
import {
  P_IN_H, P_IN_W, P_IN_C, P_KH, P_KW, P_STRIDE_H, P_STRIDE_W, P_PAD_T, P_PAD_L, P_DIL_H, P_DIL_W, outH, outW, outPixel,
} from '../conv2d/common';

/** Scratch layout: byte offsets of zero and wt from the scratch base; Cp = roundup(C, 8). */
@inline export function dwZeroOffset(K: i32): usize {
  return (<usize>K * 4 + 15) & ~(<usize>15);
}

export function dwconvCore(
  nb: i32, x: usize, xs: usize, y: usize, ys: usize, params: usize, ind: usize, zero: usize, wt: usize,
  cs: usize, bias: usize,
): void {
  const H = param(params, P_IN_H), W = param(params, P_IN_W), C = param(params, P_IN_C);
  const kh = param(params, P_KH), kw = param(params, P_KW), sh = param(params, P_STRIDE_H), sw = param(params, P_STRIDE_W);
  const pt = param(params, P_PAD_T), pl = param(params, P_PAD_L), dh = param(params, P_DIL_H), dw = param(params, P_DIL_W);
  const OH = outH(params), OW = outW(params);
  const K = kh * kw;
  // x and y pixels: C floats, or more (slot 23) when this call computes some of a wider tensor's channels
  const pixB = <usize>outPixel(params) << 2;
  const tapB = (<usize>(C + 7) & ~(<usize>7)) << 2;
  for (let img = 0; img < nb; img++) {
    const xi = x + <usize>img * xs;
    let yr = y + <usize>img * ys;
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        let ip = ind;
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - pt + ky * dh;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw - pl + kx * dw;
            const p = <u32>iy < <u32>H && <u32>ix < <u32>W ? xi + <usize>(iy * W + ix) * pixB : zero;
            store<u32>(ip, <u32>p);
            ip += 4;
          }
        }
        let c = 0;
        for (; c + 8 <= C; c += 8) {
          const o = <usize>c << 2;
          let a = f32x4.splat(0), b = a;
          let wp = wt + o;
          for (let t = 0; t < K; t++) {
            const p = <usize>load<u32>(ind + (<usize>t << 2)) + o;
            a = f32x4.add(a, f32x4.mul(v128.load(wp), v128.load(p)));
            b = f32x4.add(b, f32x4.mul(v128.load(wp, 16), v128.load(p, 16)));
            wp += tapB;
          }
          storeLanes(yr, c, a, 4, cs, bias);
          storeLanes(yr, c + 4, b, 4, cs, bias);
        }
        for (; c < C; c += 4) {
          // 1..7 channels left: blocks of 4, the last one partial (loadX4 zero-fills lanes >= C)
          const o = <usize>c << 2;
          let a = f32x4.splat(0);
          let wp = wt + o;
          for (let t = 0; t < K; t++) {
            const p = <usize>load<u32>(ind + (<usize>t << 2));
            a = f32x4.add(a, f32x4.mul(v128.load(wp), loadX4(p, c, C)));
            wp += tapB;
          }
          storeLanes(yr, c, a, C - c, cs, bias);
        }
        yr += pixB;
      }
    }
  }
}
