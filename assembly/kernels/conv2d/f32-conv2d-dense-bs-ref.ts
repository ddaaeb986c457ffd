// f32_conv2d_dense_bs__ref: 2-D convolution (formula and activation layout: f32_conv2d_dense__ref)
// with a block-sparse dense weight over the [O, K] view, K = kh*kw*Ig in [ky][kx][ci] order.
//
//   mask: one bit per R x C block, ceil(O/R) rows of ceil(ceil(K/C)/8) bytes, LSB first
//   w:    kept blocks in row-major block order, each R*C f32 row-major inside the block;
//         edge positions outside [O, K] are stored (as 0) and never read
//
// Each row is decoded into scratch (dropped blocks -> 0), then the scalar direct conv runs on it.
// params: slot 2 R, slot 3 C, slot 4 chscale or 0, slot 5 scratch (K f32), geometry slots 8..22.
// Preconditions: checkConv, R, C >= 1. Reference of every dense block-sparse conv2d kernel.
import { P_BLOCK_ROWS, P_BLOCK_COLS, P_CHSCALE, P_SCRATCH, paramPtr, param } from '../../common/gemm';
import { P_IN_C, P_OUT_C, P_KH, P_KW, P_GROUPS, checkConv, convChannelRef, decodeSparseRow } from './common';

export function f32_conv2d_dense_bs__ref(
  n: i32, x: usize, w: usize, pal: usize, mask: usize, bias: usize, y: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  const R = param(params, P_BLOCK_ROWS);
  const Cb = param(params, P_BLOCK_COLS);
  const wb = paramPtr(params, P_SCRATCH);
  assert(n >= 1 && R >= 1 && Cb >= 1 && wb != 0);
  checkConv(n, x_stride, y_stride, params);
  const K = param(params, P_KH) * param(params, P_KW) * (param(params, P_IN_C) / param(params, P_GROUPS));
  const O = param(params, P_OUT_C);
  const cs = paramPtr(params, P_CHSCALE);
  for (let o = 0; o < O; o++) {
    decodeSparseRow(w, mask, 0, 0, R, Cb, K, o, wb, 4);
    convChannelRef(n, x, <usize>x_stride, y, <usize>y_stride, params, o, wb, cs, bias, param(params, P_IN_C));
  }
}
