// f32_maxpoolgrad__ref: the input gradient of f32_maxpool (NHWC):
//   dx[b][iy][ix][c] (+)= sum over output pixels (oy, ox) whose window's max of channel c is first
//                         reached at (iy, ix) (row-major scan of the clipped window) of dy[b][oy][ox][c]
// Ties go to the first tap; padding never wins. NaN inputs: which tap gets the gradient is
// unspecified. Slot 23 = 1: add into dx; 0: dx is overwritten (zeroed first).
//
// (n, x, dy, dx, x_stride, y_stride, params): x, dx images x_stride bytes apart; dy images
// y_stride apart; params: the pool slot table of f32_maxpool (slots 8..10, 12..19) + slot 23.
// Preconditions: those of f32_maxpool (every pad < the window). Reference of f32_maxpoolgrad__simd.
import { param } from '../../common/gemm';
import { P_IN_H, P_IN_W, P_IN_C, P_KH, P_KW, P_STRIDE_H, P_STRIDE_W, P_PAD_T, P_PAD_L, P_PAD_B, P_PAD_R } from '../conv2d/common';
import { geoOut, P_ACCUM } from './common';

export function f32_maxpoolgrad__ref(n: i32, x: usize, dy: usize, dx: usize, x_stride: i32, y_stride: i32, params: usize): void {
  const H = param(params, P_IN_H), W = param(params, P_IN_W), C = param(params, P_IN_C);
  const kh = param(params, P_KH), kw = param(params, P_KW), sh = param(params, P_STRIDE_H), sw = param(params, P_STRIDE_W);
  const pt = param(params, P_PAD_T), pl = param(params, P_PAD_L);
  const OH = geoOut(H, kh, sh, pt, param(params, P_PAD_B), 1), OW = geoOut(W, kw, sw, pl, param(params, P_PAD_R), 1);
  assert(n >= 1 && H >= 1 && W >= 1 && C >= 1 && OH >= 1 && OW >= 1);
  assert(pt < kh && pl < kw && param(params, P_PAD_B) < kh && param(params, P_PAD_R) < kw);
  const accum = param(params, P_ACCUM) != 0;
  for (let b = 0; b < n; b++) {
    const xi = x + <usize>b * <usize>x_stride, di = dx + <usize>b * <usize>x_stride;
    let g = dy + <usize>b * <usize>y_stride;
    if (!accum) for (let i = 0; i < H * W * C; i++) store<f32>(di + (<usize>i << 2), 0);
    for (let oy = 0; oy < OH; oy++) {
      const y0 = max(oy * sh - pt, 0), y1 = min(oy * sh - pt + kh, H);
      for (let ox = 0; ox < OW; ox++) {
        const x0 = max(ox * sw - pl, 0), x1 = min(ox * sw - pl + kw, W);
        for (let c = 0; c < C; c++) {
          let best: f32 = -Infinity;
          let at: usize = <usize>((y0 * W + x0) * C + c) << 2;
          for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0; ix < x1; ix++) {
              const o = <usize>((iy * W + ix) * C + c) << 2;
              const v = load<f32>(xi + o);
              if (v > best) { best = v; at = o; }
            }
          }
          store<f32>(di + at, load<f32>(di + at) + load<f32>(g + (<usize>c << 2)));
        }
        g += <usize>C << 2;
      }
    }
  }
}
