// f32_avgpool__ref: y[b][oy][ox][c] = (sum over the window of x[b][iy][ix][c]) / count,
// padding EXCLUDED: count = taps of the window inside the image (ONNX count_include_pad = 0).
// The sum runs in window order (iy, then ix); then one division.
//   window of (oy, ox): iy in [oy*stride_h - pad_t, +kh), ix in [ox*stride_w - pad_l, +kw)
//
//   x image b (x_stride bytes apart): | px(0,0): C f32 | px(0,1): C f32 | ... |   NHWC
//   y image b (y_stride bytes apart): | px(0,0): C f32 | ... |                     out_h x out_w pixels
//
// params: the conv2d slot table: in_h, in_w, in_c (slots 8..10), kh, kw (12, 13), stride (14, 15),
// pads t/l/b/r (16..19); slots 0..7, 11, 20..23 unused. Output size: conv2d's formula, dilation 1.
// Preconditions: checkPool (every pad < the window size). Scalar reference and runtime fallback.
import { param } from '../../common/gemm';
import {
  P_IN_H, P_IN_W, P_IN_C, P_KH, P_KW, P_STRIDE_H, P_STRIDE_W, P_PAD_T, P_PAD_L, P_PAD_B, P_PAD_R, outDim,
} from '../conv2d/common';
import { checkPool, winStart, winEnd } from './window';

export function f32_avgpool__ref(n: i32, x: usize, y: usize, x_stride: i32, y_stride: i32, params: usize): void {
  assert(n >= 1);
  checkPool(n, x_stride, y_stride, params);
  const H = param(params, P_IN_H), W = param(params, P_IN_W), C = param(params, P_IN_C);
  const kh = param(params, P_KH), kw = param(params, P_KW), sh = param(params, P_STRIDE_H), sw = param(params, P_STRIDE_W);
  const pt = param(params, P_PAD_T), pl = param(params, P_PAD_L);
  const OH = outDim(H, kh, sh, pt, param(params, P_PAD_B), 1);
  const OW = outDim(W, kw, sw, pl, param(params, P_PAD_R), 1);
  for (let img = 0; img < n; img++) {
    const xi = x + <usize>img * <usize>x_stride;
    let yr = y + <usize>img * <usize>y_stride;
    for (let oy = 0; oy < OH; oy++) {
      const y0 = winStart(oy, sh, pt), y1 = winEnd(oy, sh, pt, kh, H);
      for (let ox = 0; ox < OW; ox++) {
        const x0 = winStart(ox, sw, pl), x1 = winEnd(ox, sw, pl, kw, W);
        for (let c = 0; c < C; c++) {
          let acc: f32 = 0;
          for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0; ix < x1; ix++) {
              const p = xi + ((<usize>(iy * W + ix) * <usize>C) << 2);
              acc += load<f32>(p + (<usize>c << 2));
            }
          }
          store<f32>(yr + (<usize>c << 2), acc / <f32>((y1 - y0) * (x1 - x0)));
        }
        yr += <usize>C << 2;
      }
    }
  }
}
