// f32_conv2d_dense_bs_4x8__simd: 2-D convolution, NHWC, block-sparse dense weights, any block shape
// (formula and layouts: f32_conv2d_dense_bs__ref). Tile: 4 pixels x 8 channels (conv2d/block8-sparse.ts).
//
//   mask + kept f32 blocks  --packSparseCompact8-->  scratch wbc [nk][8] f32: only the columns
//   kept by the tile's block rows, with their window offsets (koff) and in-tap offsets (ciOff)
//
// Dropped blocks are skipped in the decode and in the inner loop: with 16x1 (or any R multiple of 8)
// blocks a tile's MACs are the kept fraction of the dense kernel's.
//
// scratch: 96 + roundup(K,4)*24 + 64K + roundup(K+1,4)*4 bytes, laid out in convSparse (block8-sparse.ts);
// tiles with more than 4/5 of K kept run block8.ts's dense loop.
// Preconditions: checkConv; R, C >= 1; scratch as above, 16-byte aligned. Ref: f32_conv2d_dense_bs__ref.
import { P_BLOCK_ROWS, P_BLOCK_COLS, P_SCRATCH, paramPtr, param } from '../../common/gemm';
import { checkConv } from './common';
import { convSparse } from './block8-sparse';

export function f32_conv2d_dense_bs_4x8__simd(
  n: i32, x: usize, w: usize, pal: usize, mask: usize, bias: usize, y: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  const scratch = paramPtr(params, P_SCRATCH);
  assert(n >= 1 && param(params, P_BLOCK_ROWS) >= 1 && param(params, P_BLOCK_COLS) >= 1 && scratch != 0 && (scratch & 15) == 0);
  checkConv(n, x_stride, y_stride, params);
  convSparse(n, x, w, 0, mask, bias, y, <usize>x_stride, <usize>y_stride, params, 0);
}
