// f32_im2col__ref: the patch matrix of a conv (NHWC, groups 1), so conv = gemm:
//   col[(b*OH + oy)*OW + ox][(ky*kw + kx)*C + c] = x[b][iy][ix][c]   (0 where the tap is padding)
//   iy = oy*stride_h - pad_t + ky*dil_h,  ix = ox*stride_w - pad_l + kx*dil_w
// Row r of col is K = kh*kw*C contiguous f32, in the order of a conv weight row [kh][kw][C]
// (assembly/kernels/conv2d/README.md), so y = col W^T (f32_tgemm, B transposed).
//
//   col row (one output pixel): | tap(0,0): C f32 | tap(0,1): C f32 | ... | tap(kh-1,kw-1): C f32 |
//
// params: the conv2d slot table (slots 8..10, 12..21; groups (22) must be 0 or 1).
// Preconditions: n >= 1; x images x_stride bytes apart; col holds n*OH*OW*K f32 and overlaps
// nothing. Scalar reference of f32_im2col__simd.
import { param } from '../../common/gemm';
import { P_IN_H, P_IN_W, P_IN_C, P_KH, P_KW, P_STRIDE_H, P_STRIDE_W, P_PAD_T, P_PAD_L, P_PAD_B, P_PAD_R, P_DIL_H, P_DIL_W, P_GROUPS } from '../conv2d/common';
import { geoOut } from './common';

export function f32_im2col__ref(n: i32, x: usize, col: usize, x_stride: i32, params: usize): void {
  const H = param(params, P_IN_H), W = param(params, P_IN_W), C = param(params, P_IN_C);
  const kh = param(params, P_KH), kw = param(params, P_KW), sh = param(params, P_STRIDE_H), sw = param(params, P_STRIDE_W);
  const pt = param(params, P_PAD_T), pl = param(params, P_PAD_L);
  const dh = max(1, param(params, P_DIL_H)), dw = max(1, param(params, P_DIL_W));
  const OH = geoOut(H, kh, sh, pt, param(params, P_PAD_B), dh), OW = geoOut(W, kw, sw, pl, param(params, P_PAD_R), dw);
  assert(n >= 1 && H >= 1 && W >= 1 && C >= 1 && OH >= 1 && OW >= 1 && param(params, P_GROUPS) <= 1);
  let r = col;
  for (let b = 0; b < n; b++) {
    const xi = x + <usize>b * <usize>x_stride;
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - pt + ky * dh;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw - pl + kx * dw;
            const inside = iy >= 0 && iy < H && ix >= 0 && ix < W;
            for (let c = 0; c < C; c++) {
              let v: f32 = 0;
              if (inside) v = load<f32>(xi + ((<usize>(iy * W + ix) * <usize>C + <usize>c) << 2));
              store<f32>(r, v);
              r += 4;
            }
          }
        }
      }
    }
  }
}
