// f32_col2im__ref: the adjoint of f32_im2col (the input gradient of a conv from dcol = dY W):
//   dx[b][iy][ix][c] (+)= sum over (oy, ox, ky, kx) with iy = oy*stride_h - pad_t + ky*dil_h,
//                         ix = ox*stride_w - pad_l + kx*dil_w of col[(b*OH + oy)*OW + ox][(ky*kw + kx)*C + c]
// Taps in the padding are dropped. Slot 23 = 1: add into dx; 0: dx is overwritten (zeroed first).
// Layouts and params: as f32_im2col__ref (col: n*OH*OW rows of K = kh*kw*C f32; dx images
// x_stride bytes apart). Sums in f32 in (oy, ox, ky, kx) order. Reference of f32_col2im__simd.
import { param } from '../../common/gemm';
import { P_IN_H, P_IN_W, P_IN_C, P_KH, P_KW, P_STRIDE_H, P_STRIDE_W, P_PAD_T, P_PAD_L, P_PAD_B, P_PAD_R, P_DIL_H, P_DIL_W, P_GROUPS } from '../conv2d/common';
import { geoOut, P_ACCUM } from './common';

export function f32_col2im__ref(n: i32, col: usize, x: usize, x_stride: i32, params: usize): void {
  const H = param(params, P_IN_H), W = param(params, P_IN_W), C = param(params, P_IN_C);
  const kh = param(params, P_KH), kw = param(params, P_KW), sh = param(params, P_STRIDE_H), sw = param(params, P_STRIDE_W);
  const pt = param(params, P_PAD_T), pl = param(params, P_PAD_L);
  const dh = max(1, param(params, P_DIL_H)), dw = max(1, param(params, P_DIL_W));
  const OH = geoOut(H, kh, sh, pt, param(params, P_PAD_B), dh), OW = geoOut(W, kw, sw, pl, param(params, P_PAD_R), dw);
  assert(n >= 1 && H >= 1 && W >= 1 && C >= 1 && OH >= 1 && OW >= 1 && param(params, P_GROUPS) <= 1);
  const accum = param(params, P_ACCUM) != 0;
  let r = col;
  for (let b = 0; b < n; b++) {
    const xi = x + <usize>b * <usize>x_stride;
    if (!accum) for (let i = 0; i < H * W * C; i++) store<f32>(xi + (<usize>i << 2), 0);
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - pt + ky * dh;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw - pl + kx * dw;
            const inside = iy >= 0 && iy < H && ix >= 0 && ix < W;
            for (let c = 0; c < C; c++) {
              if (inside) {
                const d = xi + ((<usize>(iy * W + ix) * <usize>C + <usize>c) << 2);
                store<f32>(d, load<f32>(d) + load<f32>(r));
              }
              r += 4;
            }
          }
        }
      }
    }
  }
}
