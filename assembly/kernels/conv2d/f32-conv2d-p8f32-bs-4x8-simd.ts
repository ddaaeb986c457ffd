// f32_conv2d_p8f32_bs_4x8__simd: 2-D convolution, NHWC, palettized block-sparse weights, bits 1..8,
// any block shape (formula and layouts: f32_conv2d_p8f32_bs__ref). Tile: 4 pixels x 8 channels.
//
//   mask + kept index stream  --packSparseCompact8 (scalar decode of kept values only)-->
//   scratch wbc [nk][8] f32 + offsets, as f32_conv2d_dense_bs_4x8__simd
//
// Dropped blocks are skipped in the decode and in the inner loop (conv2d/block8-sparse.ts).
//
// scratch: 96 + roundup(K,4)*24 + 64K + roundup(K+1,4)*4 bytes, laid out in convSparse (block8-sparse.ts);
// tiles with more than 4/5 of K kept run block8.ts's dense loop.
// Preconditions: checkConv; bits 1..8; group_rows, R, C >= 1; scratch as above. Ref: f32_conv2d_p8f32_bs__ref.
import { P_BITS, P_GROUP_ROWS, P_BLOCK_ROWS, P_BLOCK_COLS, P_SCRATCH, paramPtr, param } from '../../common/gemm';
import { checkConv } from './common';
import { convSparse } from './block8-sparse';

export function f32_conv2d_p8f32_bs_4x8__simd(
  n: i32, x: usize, w: usize, pal: usize, mask: usize, bias: usize, y: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  const bits = param(params, P_BITS);
  const scratch = paramPtr(params, P_SCRATCH);
  assert(n >= 1 && bits >= 1 && bits <= 8 && param(params, P_GROUP_ROWS) >= 1 && param(params, P_BLOCK_ROWS) >= 1 &&
    param(params, P_BLOCK_COLS) >= 1 && scratch != 0 && (scratch & 15) == 0);
  checkConv(n, x_stride, y_stride, params);
  convSparse(n, x, w, pal, mask, bias, y, <usize>x_stride, <usize>y_stride, params, bits);
}
