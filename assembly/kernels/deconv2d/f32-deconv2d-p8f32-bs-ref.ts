// f32_deconv2d_p8f32_bs__ref: 2-D transposed convolution (formula and activation layout:
// f32_deconv2d_dense__ref) with a block-sparse palettized weight over the [O, K] view.
//
//   mask: one bit per R x C block (as f32_deconv2d_dense_bs__ref)
//   w:    the kept blocks' indices as ONE LSB-first stream of `bits`-bit indices (value v at bit
//         v*bits), blocks in row-major block order, R*C indices row-major inside each block
//   pal:  f32 [num_palettes][2^bits]; W[o][k] = pal[o / group_rows][idx]
//
// Each row is decoded into scratch (dropped blocks -> 0), then deconvChannelRef runs on it.
// params: slot 0 bits, 1 group_rows, 2 R, 3 C, 4 chscale or 0, 5 scratch (K f32), geometry 8..22, 24, 25.
// Preconditions: checkDeconv, bits 1..8, R, C >= 1. Reference of every palettized block-sparse deconv2d kernel.
import { P_BITS, P_GROUP_ROWS, P_BLOCK_ROWS, P_BLOCK_COLS, P_CHSCALE, P_SCRATCH, paramPtr, param } from '../../common/gemm';
import { P_IN_C, P_OUT_C, P_KH, P_KW, P_GROUPS, decodeSparseRow } from '../conv2d/common';
import { checkDeconv, deconvChannelRef } from './common';

export function f32_deconv2d_p8f32_bs__ref(
  n: i32, x: usize, w: usize, pal: usize, mask: usize, bias: usize, y: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  const bits = param(params, P_BITS);
  const groupRows = param(params, P_GROUP_ROWS);
  const R = param(params, P_BLOCK_ROWS);
  const Cb = param(params, P_BLOCK_COLS);
  const wb = paramPtr(params, P_SCRATCH);
  assert(n >= 1 && bits >= 1 && bits <= 8 && groupRows >= 1 && R >= 1 && Cb >= 1 && wb != 0);
  checkDeconv(n, x_stride, y_stride, params);
  const K = param(params, P_KH) * param(params, P_KW) * (param(params, P_IN_C) / param(params, P_GROUPS));
  const O = param(params, P_OUT_C);
  const cs = paramPtr(params, P_CHSCALE);
  for (let o = 0; o < O; o++) {
    const pr = pal + ((<usize>(o / groupRows) << <usize>bits) << 2);
    decodeSparseRow(w, mask, pr, bits, R, Cb, K, o, wb, 4);
    deconvChannelRef(n, x, <usize>x_stride, y, <usize>y_stride, params, o, wb, cs, bias);
  }
}
