// f32_avgpool__simd: y = window sum / count (padding excluded from the count) (formula and layout: f32_avgpool__ref).
// Channels in SIMD lanes: per output pixel the clipped window is computed once, then blocks of 8
// channels (2 accumulators), blocks of 4, and a last block of 1..3 read with loadX4 (never past
// the pixel's C floats). Same tap order and operations per channel as the ref: bit-identical.
//
//   x pixel (iy, ix): | c0 c1 c2 c3 | c4 .. c7 | ... | c(C-1) |   one f32x4 per 4 channels
//
// params: as f32_avgpool__ref. Preconditions: checkPool. Ref: f32_avgpool__ref.
import { param, storeLanes, loadX4 } from '../../common/gemm';
import {
  P_IN_H, P_IN_W, P_IN_C, P_KH, P_KW, P_STRIDE_H, P_STRIDE_W, P_PAD_T, P_PAD_L, P_PAD_B, P_PAD_R, outDim,
} from '../conv2d/common';
import { checkPool, winStart, winEnd } from './window';

export function f32_avgpool__simd(n: i32, x: usize, y: usize, x_stride: i32, y_stride: i32, params: usize): void {
  assert(n >= 1);
  checkPool(n, x_stride, y_stride, params);
  const H = param(params, P_IN_H), W = param(params, P_IN_W), C = param(params, P_IN_C);
  const kh = param(params, P_KH), kw = param(params, P_KW), sh = param(params, P_STRIDE_H), sw = param(params, P_STRIDE_W);
  const pt = param(params, P_PAD_T), pl = param(params, P_PAD_L);
  const OH = outDim(H, kh, sh, pt, param(params, P_PAD_B), 1);
  const OW = outDim(W, kw, sw, pl, param(params, P_PAD_R), 1);
  const pixB = <usize>C << 2;
  const rowB = <usize>W * pixB;
  for (let img = 0; img < n; img++) {
    const xi = x + <usize>img * <usize>x_stride;
    let yr = y + <usize>img * <usize>y_stride;
    for (let oy = 0; oy < OH; oy++) {
      const y0 = winStart(oy, sh, pt), y1 = winEnd(oy, sh, pt, kh, H);
      for (let ox = 0; ox < OW; ox++) {
        const x0 = winStart(ox, sw, pl), x1 = winEnd(ox, sw, pl, kw, W);
        const first = xi + <usize>y0 * rowB + <usize>x0 * pixB;
        const cnt = f32x4.splat(<f32>((y1 - y0) * (x1 - x0)));
        let c = 0;
        for (; c + 8 <= C; c += 8) {
          let a = f32x4.splat(0), b = a;
          let pr = first + (<usize>c << 2);
          for (let iy = y0; iy < y1; iy++) {
            let p = pr;
            for (let ix = x0; ix < x1; ix++) {
              a = f32x4.add(a, v128.load(p));
              b = f32x4.add(b, v128.load(p, 16));
              p += pixB;
            }
            pr += rowB;
          }
          storeLanes(yr, c, f32x4.div(a, cnt), 4, 0, 0);
          storeLanes(yr, c + 4, f32x4.div(b, cnt), 4, 0, 0);
        }
        for (; c < C; c += 4) {
          let a = f32x4.splat(0);
          let pr = first;
          for (let iy = y0; iy < y1; iy++) {
            let p = pr;
            for (let ix = x0; ix < x1; ix++) {
              a = f32x4.add(a, loadX4(p, c, C));
              p += pixB;
            }
            pr += rowB;
          }
          storeLanes(yr, c, f32x4.div(a, cnt), C - c, 0, 0);
        }
        yr += pixB;
      }
    }
  }
}
