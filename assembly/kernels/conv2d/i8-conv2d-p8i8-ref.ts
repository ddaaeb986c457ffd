// i8_conv2d_p8i8__ref: 2-D convolution (NHWC, weights [O][kh][kw][Ig] viewed as [O, K]; formula and
// geometry: f32_conv2d_dense__ref) with int8 palette entries and int8 activations:
//
//   y[b][oy][ox][o] = (sum_k pal[p][idx[o][k]] * q[k]) * xscale * palscale[p] * chscale[o] + bias[o]
//   p = o / group_rows;  win = the K inputs of o's window in [ky][kx][ci] order (0 in the padding),
//   xscale = max|win| / 127 (absMaxP), q[k] = nearest(win[k] * 127 / max|win|)   (assembly/common/quant.ts)
//
// The activations are quantized per output pixel and group, from that pixel's own window: every
// output value depends only on its window, whatever pixels or channels a call (or a thread's slice,
// src/runtime/ops/parallel.ts) computes. Finite inputs: the SIMD kernel rounds NaN differently. Integer sums (|sum| <= K * 127 * 128 < 2^31 for K < 2^17),
// then the gemm i8 epilogue in its order: ((sum * xscale) * palscale) * chscale + bias.
//
//   w:   packed index rows of the [O, K] view, row o at o * ceil(K*bits/8) bytes, LSB first
//   pal: int8 [num_palettes][2^bits], read in place     palscale (slot 6): f32 [num_palettes]
//   scratch (slot 5): | win: roundup(K,4) f32 | q: roundup(K,16) int8 |
//
// Preconditions: checkConv; bits 1..8; group_rows >= 1; palscale != 0; K < 2^17.
// Reference of every i8 conv2d kernel.
import { P_BITS, P_GROUP_ROWS, P_CHSCALE, P_SCRATCH, P_PALSCALE, param, paramPtr, readIndex } from '../../common/gemm';
import { absMaxP, quantInv, quantScale, quantize1 } from '../../common/quant';
import {
  P_IN_H, P_IN_W, P_IN_C, P_OUT_C, P_KH, P_KW, P_STRIDE_H, P_STRIDE_W, P_PAD_T, P_PAD_L, P_DIL_H, P_DIL_W,
  P_GROUPS, checkConv, outH, outW, outPixel,
} from './common';

export function i8_conv2d_p8i8__ref(
  n: i32, x: usize, w: usize, pal: usize, mask: usize, bias: usize, y: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  const bits = param(params, P_BITS);
  const groupRows = param(params, P_GROUP_ROWS);
  const scratch = paramPtr(params, P_SCRATCH);
  const ps = paramPtr(params, P_PALSCALE);
  assert(n >= 1 && bits >= 1 && bits <= 8 && groupRows >= 1 && scratch != 0 && ps != 0);
  checkConv(n, x_stride, y_stride, params);
  const H = param(params, P_IN_H), W = param(params, P_IN_W), C = param(params, P_IN_C), O = param(params, P_OUT_C);
  const kh = param(params, P_KH), kw = param(params, P_KW), sh = param(params, P_STRIDE_H), sw = param(params, P_STRIDE_W);
  const pt = param(params, P_PAD_T), pl = param(params, P_PAD_L), dh = param(params, P_DIL_H), dw = param(params, P_DIL_W);
  const groups = param(params, P_GROUPS);
  const Ig = C / groups, Og = O / groups;
  const K = kh * kw * Ig;
  assert(K < (1 << 17));
  const OH = outH(params), OW = outW(params), yPix = outPixel(params);
  const cs = paramPtr(params, P_CHSCALE);
  const rowBytes = (<usize>K * <usize>bits + 7) >> 3;
  const win = scratch;
  const q = scratch + ((<usize>(K + 3) & ~(<usize>3)) << 2);
  for (let img = 0; img < n; img++) {
    const xi = x + <usize>img * <usize>x_stride;
    const yi = y + <usize>img * <usize>y_stride;
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        for (let g = 0; g < groups; g++) {
          // the window of group g, in k order, padding taps 0
          for (let ky = 0; ky < kh; ky++) {
            const iy = oy * sh - pt + ky * dh;
            for (let kx = 0; kx < kw; kx++) {
              const ix = ox * sw - pl + kx * dw;
              const inside = iy >= 0 && iy < H && ix >= 0 && ix < W;
              const xp = xi + ((<usize>(iy * W + ix) * <usize>C + <usize>(g * Ig)) << 2);
              for (let ci = 0; ci < Ig; ci++) {
                const k = (ky * kw + kx) * Ig + ci;
                store<f32>(win + (<usize>k << 2), inside ? load<f32>(xp + (<usize>ci << 2)) : 0);
              }
            }
          }
          const amax = absMaxP(win, K);
          const inv = quantInv(amax);
          const xs = quantScale(amax);
          for (let k = 0; k < K; k++) store<i8>(q + <usize>k, <i8>quantize1(load<f32>(win + (<usize>k << 2)), inv));
          for (let o = g * Og; o < (g + 1) * Og; o++) {
            const p = o / groupRows;
            const pr = pal + (<usize>p << <usize>bits);
            const wr = w + <usize>o * rowBytes;
            let acc: i32 = 0;
            for (let k = 0; k < K; k++) acc += <i32>load<i8>(pr + <usize>readIndex(wr, k, bits)) * <i32>load<i8>(q + <usize>k);
            let v = <f32>acc * xs * load<f32>(ps + (<usize>p << 2));
            if (cs) v *= load<f32>(cs + (<usize>o << 2));
            if (bias) v += load<f32>(bias + (<usize>o << 2));
            store<f32>(yi + ((<usize>(oy * OW + ox) * <usize>yPix + <usize>o) << 2), v);
          }
        }
      }
    }
  }
}
