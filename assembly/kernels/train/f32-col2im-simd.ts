// f32_col2im__simd: as f32_col2im__ref (the reference; same additions in the same order, so the
// same result bit for bit). Adds runs: a whole window row (kw*C f32) when dil_w = 1 and the row
// lies inside the image, else one tap of C f32; 4 f32 per v128 step.
import { param } from '../../common/gemm';
import { P_IN_H, P_IN_W, P_IN_C, P_KH, P_KW, P_STRIDE_H, P_STRIDE_W, P_PAD_T, P_PAD_L, P_PAD_B, P_PAD_R, P_DIL_H, P_DIL_W, P_GROUPS } from '../conv2d/common';
import { geoOut, addRun, P_ACCUM } from './common';

export function f32_col2im__simd(n: i32, col: usize, x: usize, x_stride: i32, params: usize): void {
  const H = param(params, P_IN_H), W = param(params, P_IN_W), C = param(params, P_IN_C);
  const kh = param(params, P_KH), kw = param(params, P_KW), sh = param(params, P_STRIDE_H), sw = param(params, P_STRIDE_W);
  const pt = param(params, P_PAD_T), pl = param(params, P_PAD_L);
  const dh = max(1, param(params, P_DIL_H)), dw = max(1, param(params, P_DIL_W));
  const OH = geoOut(H, kh, sh, pt, param(params, P_PAD_B), dh), OW = geoOut(W, kw, sw, pl, param(params, P_PAD_R), dw);
  assert(n >= 1 && H >= 1 && W >= 1 && C >= 1 && OH >= 1 && OW >= 1 && param(params, P_GROUPS) <= 1);
  const accum = param(params, P_ACCUM) != 0;
  const tapBytes = <usize>C << 2;
  const rowRun = kw * C;
  let r = col;
  for (let b = 0; b < n; b++) {
    const xi = x + <usize>b * <usize>x_stride;
    if (!accum) memory.fill(xi, 0, <usize>(H * W) * tapBytes);
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const ix0 = ox * sw - pl;
        const rowInside = dw == 1 && ix0 >= 0 && ix0 + kw <= W;
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - pt + ky * dh;
          if (iy < 0 || iy >= H) {
            r += <usize>rowRun << 2;
            continue;
          }
          const xr = xi + (<usize>(iy * W) * tapBytes);
          if (rowInside) {
            addRun(xr + <usize>ix0 * tapBytes, r, rowRun);
            r += <usize>rowRun << 2;
            continue;
          }
          for (let kx = 0; kx < kw; kx++) {
            const ix = ix0 + kx * dw;
            if (ix >= 0 && ix < W) addRun(xr + <usize>ix * tapBytes, r, C);
            r += tapBytes;
          }
        }
      }
    }
  }
}
