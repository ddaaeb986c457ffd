// f32_deconv2d_dense_bs_4x8__simd: 2-D transposed convolution (ONNX ConvTranspose),
// NHWC, block-sparse dense weights (any R x C block) (formula and layouts: f32_deconv2d_dense_bs__ref).
// Tile: 4 output pixels of one stride phase x 8 output channels (deconv2d/phase8.ts: only the
// taps that exist for a phase are visited).
//
//   mask + kept blocks  --packSparse8 (conv2d/block8.ts; dropped blocks -> 0)-->  scratch wb [K][8] f32
// (saves weight bytes, not MACs: the decoded block is computed dense)
//
// Blocks of 8 channels of one group are the outer loop: each block is decoded once per call and
// reused for every pixel of every image.
//
// scratch: | unpack ctl 64 | tmp 16 | idx 16 | zero buffer roundup(K,4) f32 | wb K*8 f32 |  (16-byte aligned)
// Preconditions: checkDeconv; scratch >= 96 + roundup(K,4)*4 + K*32. Ref: f32_deconv2d_dense_bs__ref.
import { P_BLOCK_ROWS, P_BLOCK_COLS, P_CHSCALE, P_SCRATCH, paramPtr, param } from '../../common/gemm';
import { P_IN_C, P_OUT_C, P_KH, P_KW, P_GROUPS } from '../conv2d/common';
import { packSparse8 } from '../conv2d/block8';
import { checkDeconv } from './common';
import { deconvBlock8 } from './phase8';

export function f32_deconv2d_dense_bs_4x8__simd(
  n: i32, x: usize, w: usize, pal: usize, mask: usize, bias: usize, y: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  const R = param(params, P_BLOCK_ROWS);
  const Cb = param(params, P_BLOCK_COLS);
  const scratch = paramPtr(params, P_SCRATCH);
  assert(n >= 1 && R >= 1 && Cb >= 1 && scratch != 0 && (scratch & 15) == 0);
  checkDeconv(n, x_stride, y_stride, params);
  const groups = param(params, P_GROUPS);
  const Ig = param(params, P_IN_C) / groups;
  const Og = param(params, P_OUT_C) / groups;
  const K = param(params, P_KH) * param(params, P_KW) * Ig;
  const cs = paramPtr(params, P_CHSCALE);
  const zero = scratch + 96;
  const wb = zero + ((<usize>(K + 3) & ~(<usize>3)) << 2);
  memory.fill(zero, 0, <usize>Ig << 2);
  for (let g = 0; g < groups; g++) {
    for (let jb = 0; jb < Og; jb += 8) {
      const j0 = g * Og + jb;
      const cnt = min(8, Og - jb);
      packSparse8(w, mask, 0, 0, 1, R, Cb, K, j0, cnt, wb);
      deconvBlock8(n, x, <usize>x_stride, y, <usize>y_stride, params, wb, g, j0, cnt, zero, cs, bias);
    }
  }
}
