// f32_conv2d_dense_bs_4x8__simd: 2-D convolution, NHWC, block-sparse dense weights, any block shape
// (formula and layouts: f32_conv2d_dense_bs__ref). Tile: 4 pixels x 8 channels (conv2d/block8.ts).
//
//   mask + kept f32 blocks  --packSparse8-->  scratch wb [K][8] f32 (dropped blocks -> 0)
//
// The file stores only the kept blocks; the compute runs dense on the decoded block of 8 channels
// (no skipping of zero blocks yet: the saving is in weight bytes, not in MACs).
//
// scratch: | 96 unused | zero buffer roundup(K,4) f32 | wb K*8 f32 | run offsets <= K u32 |
// Preconditions: checkConv; R, C >= 1; scratch >= 96 + roundup(K,4)*4 + K*32 + roundup(K,4)*4.
// Ref: f32_conv2d_dense_bs__ref.
import { P_BLOCK_ROWS, P_BLOCK_COLS, P_CHSCALE, P_SCRATCH, paramPtr, param } from '../../common/gemm';
import { P_IN_C, P_OUT_C, P_KH, P_KW, P_GROUPS, checkConv } from './common';
import { packSparse8, convBlock8, runOffsets } from './block8';

export function f32_conv2d_dense_bs_4x8__simd(
  n: i32, x: usize, w: usize, pal: usize, mask: usize, bias: usize, y: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  const R = param(params, P_BLOCK_ROWS);
  const Cb = param(params, P_BLOCK_COLS);
  const scratch = paramPtr(params, P_SCRATCH);
  assert(n >= 1 && R >= 1 && Cb >= 1 && scratch != 0 && (scratch & 15) == 0);
  checkConv(n, x_stride, y_stride, params);
  const groups = param(params, P_GROUPS);
  const Ig = param(params, P_IN_C) / groups;
  const Og = param(params, P_OUT_C) / groups;
  const K = param(params, P_KH) * param(params, P_KW) * Ig;
  const cs = paramPtr(params, P_CHSCALE);
  const zero = scratch + 96;
  const wb = zero + ((<usize>(K + 3) & ~(<usize>3)) << 2);
  const roff = wb + (<usize>K << 5);
  memory.fill(zero, 0, <usize>Ig << 2);
  runOffsets(params, roff);
  for (let g = 0; g < groups; g++) {
    for (let jb = 0; jb < Og; jb += 8) {
      const j0 = g * Og + jb;
      const cnt = min(8, Og - jb);
      packSparse8(w, mask, 0, 0, 1, R, Cb, K, j0, cnt, wb);
      convBlock8(n, x, <usize>x_stride, y, <usize>y_stride, params, wb, g, j0, cnt, zero, roff, cs, bias);
    }
  }
}
