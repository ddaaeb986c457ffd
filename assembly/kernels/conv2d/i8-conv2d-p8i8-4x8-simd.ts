// i8_conv2d_p8i8_4x8__simd: 2-D convolution, NHWC, int8 palette entries (bits 1..8), activations
// quantized to int8 per output pixel and group from that pixel's window (formula, quantization and
// layouts: i8_conv2d_p8i8__ref; same integers and float epilogue, so equal to it bit for bit).
// Tile: 4 output pixels x 8 output channels, i32x4.dot_i16x8_s on k pairs (conv2d/i8-block.ts).
//
//   per group g:
//     every 8-channel block of g: packed index rows --unpack + swizzle + transpose--> blk [K/2][8][2] int8
//     per image, per tile of 32 output pixels:
//       window (in place for 1x1, else gathered) --quantizeWindow--> q [32][Kp] i16
//       per 8-channel block, per 4 pixels: 8 int32x4 accumulators; per k pair 2 load8x8_s,
//       4 load32_splat, 8 dot + 8 add (64 multiply-adds); epilogue ((s * xscale) * palscale) * chscale + bias
//
// The weights are decoded once per call (and group), the windows once per pixel for all channels.
//
// Relaxed-SIMD build (ASC_FEATURE_RELAXED_SIMD): blk in k quads [K/4][8][4] and each window split
// into max(q, 0) and max(-q, 0) bytes, so one i32x4.relaxed_dot_i8x16_i7x16_add_s does 4 products
// per channel (i8-block.ts tile4x8Relaxed); same integers, same outputs bit for bit.
//
// scratch: | ctl 64 | tmp 16 | pcopy 16 | etmp 32 | pad 128 | xscale 32 f32 | palscale, chscale, bias: 3 x (Oe f32) |
//          | win roundup(K,4) f32 | rows 8*kr int8 | q 32 x Kp i16 (relaxed: 32 x 2 Kq bytes) | blk roundup(O,8) * kr int8 |
//          kr = roundup(K,16), Kp = roundup(K,2), Kq = roundup(K,4), Oe = roundup(O,8) + 8 (src/runtime/kernels/conv.ts: i8Conv);
//          relaxed: the pad holds the 32 pixels' negative flags.
// Preconditions: checkConv; bits 1..8; group_rows >= 1; palscale (slot 6) != 0; K < 2^17; scratch 16-byte aligned.
// Ref: i8_conv2d_p8i8__ref.
//
// Phases (slot 24; groups = 1 only): a call split over threads does its per-call preparation once,
// in a first pass split another way, instead of in every slice (src/runtime/ops/parallel-window.ts):
//   0 whole call (above);
//   1 quantize the windows of output pixels [slot 26, slot 27) of every image into the shared buffer
//     (slot 25): q rows [n * pixels][qs], then their scales [n * pixels] f32, then (relaxed) their
//     negative flags [n * pixels] i32;
//   2 decode the 8-channel blocks of channels [slot 26, slot 27) into the shared buffer: blk of all O;
//   3 compute, reading the windows from phase 1's buffer (a channel slice: all pixels, its channels);
//   4 compute, reading the weight blocks from phase 2's buffer (a row slice: its pixels, all channels).
// Each value is computed by the same instructions in every phase split, so outputs are the same bits.
import { P_BITS, P_GROUP_ROWS, P_CHSCALE, P_SCRATCH, P_PALSCALE, P_WEIGHT_ORDER, param, paramPtr } from '../../common/gemm';
import { unpackSetup } from '../../common/unpack';
import { P_IN_C, P_OUT_C, P_KH, P_KW, P_GROUPS, P_PHASE, P_SHARED, P_RANGE0, P_RANGE1, checkConv, outH, outW, outPixel } from './common';
import { decodeI8, packI8Block8, windowF32, quantizeWindow, quantizeWindowSplit, tile4x8, tile4x8Relaxed } from './i8-block';

/** Output pixels quantized per tile (their i16 rows stay in L2 while every channel block uses them). */
const TILE: i32 = 32;

export function i8_conv2d_p8i8_4x8__simd(
  n: i32, x: usize, w: usize, pal: usize, mask: usize, bias: usize, y: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  const bits = param(params, P_BITS);
  const groupRows = param(params, P_GROUP_ROWS);
  const scratch = paramPtr(params, P_SCRATCH);
  const ps = paramPtr(params, P_PALSCALE);
  assert(n >= 1 && bits >= 1 && bits <= 8 && groupRows >= 1 && scratch != 0 && (scratch & 15) == 0 && ps != 0);
  checkConv(n, x_stride, y_stride, params);
  const groups = param(params, P_GROUPS);
  const O = param(params, P_OUT_C);
  const Ig = param(params, P_IN_C) / groups, Og = O / groups;
  const K = param(params, P_KH) * param(params, P_KW) * Ig;
  assert(K < (1 << 17));
  const OW = outW(params), pixels = outH(params) * OW;
  const yPix = <usize>outPixel(params);
  const cs = paramPtr(params, P_CHSCALE);
  const kr = (K + 15) & ~15, Kp = (K + 1) & ~1, Kq = (K + 3) & ~3;
  const relaxed = ASC_FEATURE_RELAXED_SIMD;
  const qs = relaxed ? <usize>Kq << 1 : <usize>Kp << 1;
  const oe = <usize>((O + 7) & ~7) + 8;
  const ctl = scratch, tmp = scratch + 64, pcopy = scratch + 80, etmp = scratch + 96;
  const negs = scratch + 128;
  const xsc = scratch + 256;
  const eps = xsc + (<usize>TILE << 2), ecs = eps + (oe << 2), eb = ecs + (oe << 2);
  const win = eb + (oe << 2);
  const rows = win + (<usize>((K + 3) & ~3) << 2);
  const q = rows + (<usize>kr << 3);
  const blk = q + <usize>TILE * qs;
  unpackSetup(bits, ctl);
  const rowBytes = (<usize>K * <usize>bits + 7) >> 3;
  const wEnd = w + <usize>O * rowBytes;
  const blkBytes = <usize>kr << 3;
  const pairs = Kp >> 1;
  // slot 7 = 1: the host laid the indices out in blk's order at load (8-channel blocks of one palette)
  const blocked = param(params, P_WEIGHT_ORDER) == 1;
  assert(!blocked || ((K & 15) == 0 && (Og & 7) == 0 && (groupRows & 7) == 0));
  const phase = param(params, P_PHASE);
  const shared = paramPtr(params, P_SHARED);
  assert(phase >= 0 && phase <= 4 && (phase == 0 || (groups == 1 && shared != 0 && (shared & 15) == 0)));
  // phase 1 / 3: the shared windows of all n * pixels output pixels
  const sq = shared, sx = sq + <usize>n * <usize>pixels * qs, sn = sx + (<usize>n * <usize>pixels << 2);
  if (phase == 1) {
    const p0 = param(params, P_RANGE0), p1 = param(params, P_RANGE1);
    for (let img = 0; img < n; img++) {
      const xi = x + <usize>img * <usize>x_stride;
      for (let p = p0; p < p1; p++) {
        const at = <usize>img * <usize>pixels + <usize>p;
        quantizePixel(xi, params, p / OW, p % OW, 0, win, K, Kp, Kq, sx + (at << 2), sq + at * qs, sn + (at << 2));
      }
    }
    return;
  }
  if (phase == 2) {
    for (let jb = param(params, P_RANGE0); jb < param(params, P_RANGE1); jb += 8) {
      decodeBlock(w, wEnd, rowBytes, pal, bits, groupRows, K, jb, min(8, O - jb), blocked, ctl, pcopy, tmp, rows, shared + <usize>(jb >> 3) * blkBytes);
    }
    return;
  }
  // per-channel epilogue factors as vectors of 8 (zero past O: lanes never stored)
  memory.fill(eps, 0, oe * 12);
  for (let o = 0; o < O; o++) {
    const off = <usize>o << 2;
    store<f32>(eps + off, load<f32>(ps + (<usize>(o / groupRows) << 2)));
    if (cs) store<f32>(ecs + off, load<f32>(cs + off));
    if (bias) store<f32>(eb + off, load<f32>(bias + off));
  }
  const ecsP = cs ? ecs : 0, ebP = bias ? eb : 0;
  // phase 4: the weight blocks of phase 2, all O channels of this (row) slice
  const blkAt = phase == 4 ? shared : blk;
  for (let g = 0; g < groups; g++) {
    if (phase != 4) {
      for (let jb = 0; jb < Og; jb += 8) {
        const j0 = g * Og + jb;
        decodeBlock(w, wEnd, rowBytes, pal, bits, groupRows, K, j0, min(8, Og - jb), blocked, ctl, pcopy, tmp, rows, blkAt + <usize>(jb >> 3) * blkBytes);
      }
    }
    for (let img = 0; img < n; img++) {
      const xi = x + <usize>img * <usize>x_stride;
      const yi = y + <usize>img * <usize>y_stride;
      for (let p0 = 0; p0 < pixels; p0 += TILE) {
        const np = min(TILE, pixels - p0);
        // the tile's quantized windows, scales and negative flags: phase 1's, or made here
        let qt = q, xt = xsc, nt = negs;
        if (phase == 3) {
          const at = <usize>img * <usize>pixels + <usize>p0;
          qt = sq + at * qs;
          xt = sx + (at << 2);
          nt = sn + (at << 2);
        } else {
          for (let i = 0; i < np; i++) {
            const p = p0 + i;
            quantizePixel(xi, params, p / OW, p % OW, g, win, K, Kp, Kq, xsc + (<usize>i << 2), q + <usize>i * qs, negs + (<usize>i << 2));
          }
        }
        for (let jb = 0; jb < Og; jb += 8) {
          const o0 = g * Og + jb;
          const cnt = min(8, Og - jb);
          const bp = blkAt + <usize>(jb >> 3) * blkBytes;
          const eo = <usize>o0 << 2;
          for (let i = 0; i < np; i += 4) {
            const pix = min(4, np - i);
            // missing pixels of a short last tile reuse row 0 (computed, never stored)
            const q0 = qt + <usize>i * qs;
            const q1 = pix > 1 ? q0 + qs : q0, q2 = pix > 2 ? q0 + 2 * qs : q0, q3 = pix > 3 ? q0 + 3 * qs : q0;
            const yp0 = yi + ((<usize>(p0 + i) * yPix + <usize>o0) << 2);
            const ys = yPix << 2;
            if (relaxed) {
              let neg = 0;
              for (let r = 0; r < pix; r++) neg |= load<i32>(nt + (<usize>(i + r) << 2));
              tile4x8Relaxed(bp, Kq >> 2, Kq, q0, q1, q2, q3, neg != 0, xt + (<usize>i << 2), eps + eo, ecsP ? ecsP + eo : 0, ebP ? ebP + eo : 0,
                yp0, yp0 + ys, yp0 + 2 * ys, yp0 + 3 * ys, pix, cnt, etmp);
            } else {
              tile4x8(bp, pairs, q0, q1, q2, q3, xt + (<usize>i << 2), eps + eo, ecsP ? ecsP + eo : 0, ebP ? ebP + eo : 0,
                yp0, yp0 + ys, yp0 + 2 * ys, yp0 + 3 * ys, pix, cnt, etmp);
            }
          }
        }
      }
    }
  }
}

/** Output pixel (oy, ox)'s window in group g, quantized: its i16 row at qDst, scale at xscDst, (relaxed) negative flag at negDst. */
@inline function quantizePixel(
  xi: usize, params: usize, oy: i32, ox: i32, g: i32, win: usize, K: i32, Kp: i32, Kq: i32, xscDst: usize, qDst: usize, negDst: usize,
): void {
  const src = windowF32(xi, params + 32, oy, ox, g, win);
  if (ASC_FEATURE_RELAXED_SIMD) store<i32>(negDst, quantizeWindowSplit(src, K, Kq, xscDst, qDst));
  else quantizeWindow(src, K, Kp, xscDst, qDst);
}

/** Channels j0 .. j0+cnt-1 (cnt <= 8, one palette) decoded into one 8-channel block at bp, from the file's order or the load-time block order. */
@inline function decodeBlock(
  w: usize, wEnd: usize, rowBytes: usize, pal: usize, bits: i32, groupRows: i32, K: i32, j0: i32, cnt: i32, blocked: bool,
  ctl: usize, pcopy: usize, tmp: usize, rows: usize, bp: usize,
): void {
  if (blocked) decodeI8(w + <usize>j0 * rowBytes, wEnd, K << 3, pal, bits, groupRows, j0, ctl, pcopy, tmp, bp);
  else packI8Block8(w, wEnd, rowBytes, pal, bits, groupRows, K, j0, cnt, ctl, pcopy, tmp, rows, bp, ASC_FEATURE_RELAXED_SIMD);
}
