// f32_deconv2d_p8f32_4x8__simd: 2-D transposed convolution (ONNX ConvTranspose),
// NHWC, palettized weights, bits 1..8 (formula and layouts: f32_deconv2d_p8f32__ref).
// Tile: 4 output pixels of one stride phase x 8 output channels (deconv2d/phase8.ts: only the
// taps that exist for a phase are visited).
//
//   w row j: | 2b bytes: idx 0..15 | 2b bytes: idx 16..31 | ... |  LSB first, rows byte aligned
//      --packPal8 (conv2d/block8.ts: SIMD unpack + palette gather)-->  scratch wb [K][8] f32
//
// Blocks of 8 channels of one group are the outer loop: each block is decoded once per call and
// reused for every pixel of every image.
//
// scratch: | unpack ctl 64 | tmp 16 | idx 16 | zero buffer roundup(K,4) f32 | wb K*8 f32 |  (16-byte aligned)
// Preconditions: checkDeconv; scratch >= 96 + roundup(K,4)*4 + K*32. Ref: f32_deconv2d_p8f32__ref.
import { P_BITS, P_GROUP_ROWS, P_CHSCALE, P_SCRATCH, paramPtr, param } from '../../common/gemm';
import { P_IN_C, P_OUT_C, P_KH, P_KW, P_GROUPS } from '../conv2d/common';
import { packPal8 } from '../conv2d/block8';
import { unpackSetup } from '../../common/unpack';
import { checkDeconv } from './common';
import { deconvBlock8 } from './phase8';

export function f32_deconv2d_p8f32_4x8__simd(
  n: i32, x: usize, w: usize, pal: usize, mask: usize, bias: usize, y: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  const bits = param(params, P_BITS);
  const groupRows = param(params, P_GROUP_ROWS);
  const scratch = paramPtr(params, P_SCRATCH);
  assert(n >= 1 && bits >= 1 && bits <= 8 && groupRows >= 1 && scratch != 0 && (scratch & 15) == 0);
  checkDeconv(n, x_stride, y_stride, params);
  const groups = param(params, P_GROUPS);
  const Ig = param(params, P_IN_C) / groups;
  const Og = param(params, P_OUT_C) / groups;
  const K = param(params, P_KH) * param(params, P_KW) * Ig;
  const cs = paramPtr(params, P_CHSCALE);
  const zero = scratch + 96;
  const wb = zero + ((<usize>(K + 3) & ~(<usize>3)) << 2);
  memory.fill(zero, 0, <usize>Ig << 2);
  const ctl = scratch, tmp = scratch + 64, idxBuf = scratch + 80;
  unpackSetup(bits, ctl);
  const rowBytes = (<usize>K * <usize>bits + 7) >> 3;
  const wEnd = w + <usize>param(params, P_OUT_C) * rowBytes;
  for (let g = 0; g < groups; g++) {
    for (let jb = 0; jb < Og; jb += 8) {
      const j0 = g * Og + jb;
      const cnt = min(8, Og - jb);
      packPal8(w, wEnd, rowBytes, pal, bits, groupRows, K, j0, cnt, ctl, tmp, idxBuf, wb);
      deconvBlock8(n, x, <usize>x_stride, y, <usize>y_stride, params, wb, g, j0, cnt, zero, cs, bias);
    }
  }
}
