/**
 * The split of a windowed op's kernel call (conv2d, dwconv2d) over the thread pool: output rows, or
 * output channels, and for int8 convs the two-pass split that prepares once (see windowCall). The
 * rules every split keeps (bit-identical outputs at any thread count) are at the top of parallel.ts.
 */
import type { WeightInfo } from '../../format/types.js';
import type { OpContext, RunState } from '../context.js';
import type { PreparedWeights } from './weights.js';
import { SHORT_K_CONV, channelSlices, scratchWriter, sliceParams, slicesFor, splitRange, splitTuning } from './parallel.js';

/** Geometry of a windowed op (conv2d, dwconv2d): what a row split needs. */
export interface WindowGeometry {
  h: number;
  w: number;
  c: number;
  outC: number;
  outH: number;
  outW: number;
  kh: number;
  strideH: number;
  padT: number;
  dilH: number;
  groups: number;
}

export type WindowCall = (rs: RunState, x: number, y: number) => void;

/** i8_conv2d's split phases (params slot 24; assembly/kernels/conv2d/i8-conv2d-p8i8-4x8-simd.ts). */
const PHASE = { quantizeWindows: 1, decodeWeights: 2, fromWindows: 3, fromWeights: 4 } as const;
const roundup = (v: number, to: number) => Math.ceil(v / to) * to;

/** A windowed conv's call, and the scratch one thread needs for it (the kernel's own, plus a phased split's shared buffer). */
export interface SplitWindowCall {
  call: WindowCall;
  scratchBytes: (batch: number) => number;
}

/** Largest shared buffer of a phased split (in the calling thread's scratch; every thread's scratch is sized alike). */
const PHASE_MAX_BYTES = 16 << 20;

/**
 * The call of a conv2d / dwconv2d kernel (params with the window slots 8..22 at pw.params): on the
 * calling thread, or split (see the top of this file). `k` = the [O, K] weight view's K
 * (multiply-adds per output value). `channels`: the weights of a conv2d with groups = 1 or of a
 * depthwise conv, which may also be split over output channels. A conv2d takes that split when
 * its weights are larger than its output (K > output pixels: late layers at batch 1), so each
 * thread reads and packs only its share of them and small images still split evenly; a depthwise
 * conv when it has more channels than output pixels, so each thread prepares only its channels'
 * weights (a row slice prepares all of them) and a few rows still split evenly.
 *
 * Phases (kernels with splitPhases: i8_conv2d, groups = 1): each slice of such a split would repeat
 * a per-call preparation, the windows' quantization (a channel slice does it for every pixel) or
 * the weights' decode (a row slice does it for every channel). A call of at least
 * splitTuning.phaseWork multiply-adds does that part once, in a first pass split the other way
 * (pixels, or channels), into a buffer in the calling thread's scratch; the slices then read it.
 */
export function windowCall(
  ctx: OpContext,
  pw: PreparedWeights,
  g: WindowGeometry,
  k: number,
  inBytes: number,
  outBytes: number,
  channels?: { w: WeightInfo; depthwise: boolean },
): SplitWindowCall {
  const heap = ctx.heap;
  const ownBytes = (batch: number) => roundup(pw.row.scratchBytes?.(batch, g.outC, k) ?? 0, 16);
  const single: WindowCall = (rs, x, y) => {
    heap.i32(pw.params, 8)[5] = rs.scratch;
    pw.kernel(rs.batch, x, pw.weights, pw.palette, pw.mask, pw.bias, y, inBytes, outBytes, pw.params);
  };
  const pool = ctx.pool;
  if (!pool) return { call: single, scratchBytes: ownBytes };
  const work = g.outH * g.outW * g.outC * k;
  const fn = pool.fnId(pw.row.name);
  const axis = splitTuning.axis;
  const pixels = g.outH * g.outW;
  const dw = channels?.depthwise ?? false;
  const phased = pw.row.splitPhases === true && g.groups === 1;
  const parts = slicesFor(ctx);
  // a phased split's shared buffer: the calling thread's scratch, after the kernel's own bytes
  const shared = (rs: RunState) => rs.scratch + ownBytes(rs.batch);
  // A first pass's calls: the whole layer's pointers, with the params block of a slice.
  const whole = (rs: RunState, x: number, y: number, params: number[]) => (s: number, c: Int32Array, at: number) =>
    putConvArgs(c, at, rs.batch, x, pw.weights, pw.palette, pw.mask, pw.bias, y, inBytes, outBytes, params[s]);
  // int8 (phased) convs: rows for short K too, whose windows a channel slice would read from the other
  // thread's cache (measured: MobileNet-v1's int8 stem 1.72x on rows against 0.94x on channels)
  const auto = dw ? g.outC > pixels : k > pixels || (k <= SHORT_K_CONV && !phased);
  if (channels && axis !== 'rows' && (axis === 'channels' || auto)) {
    // The slice's out_c (slot 11) is its channel count; slot 23 keeps y's pixel stride. A depthwise
    // slice also reads only its channels of x (in_c, groups = its channel count; x moves to them).
    const sliceSlots = (phase: number) => (p32: Int32Array, n0: number, n1: number) => {
      p32[11] = n1 - n0;
      if (dw) p32[10] = p32[22] = n1 - n0;
      p32[23] = g.outC;
      p32[24] = phase;
    };
    const cs = channelSlices(ctx, pw, channels.w, parts, 28, sliceSlots(0));
    if (cs) {
      const run = (rs: RunState, x: number, y: number, params: { params: number[]; pStride: number }) => {
        pool.run(fn, cs.slices.length, 9, params.pStride, (s, c, at) => {
          const sl = cs.slices[s];
          putConvArgs(c, at, rs.batch, dw ? x + 4 * sl.n0 : x, sl.w, sl.pal, sl.mask, sl.bias, y + 4 * sl.n0, inBytes, outBytes, params.params[s]);
        });
      };
      // phased: the windows of pixel range s quantized by slice s, then the channel slices read them
      const windowBytes = (batch: number) => batch * pixels * (2 * roundup(k, 4) + 8);
      const quantize = phased ? phaseSlices(ctx, pw, splitRange(pixels, parts, 1), PHASE.quantizeWindows, shared) : undefined;
      const fromWindows = phased ? channelSlices(ctx, pw, channels.w, parts, 28, sliceSlots(PHASE.fromWindows), shared) : undefined;
      const usePhases = (batch: number) => phased && windowBytes(batch) <= PHASE_MAX_BYTES;
      return {
        scratchBytes: (batch) => ownBytes(batch) + (usePhases(batch) ? windowBytes(batch) : 0),
        call: (rs, x, y) => {
          if (rs.batch * work < splitTuning.work) return single(rs, x, y);
          if (usePhases(rs.batch) && rs.batch * work >= splitTuning.phaseWork) {
            quantize!.setScratch(rs);
            fromWindows!.setScratch(rs);
            pool.run(fn, quantize!.params.length, 9, quantize!.pStride, whole(rs, x, y, quantize!.params));
            return run(rs, x, y, fromWindows!.params);
          }
          cs.setScratch(rs);
          run(rs, x, y, cs.params);
        },
      };
    }
  }
  const bounds = splitRange(g.outH, parts, 1);
  const count = bounds.length - 1;
  if (count < 2) return { call: single, scratchBytes: ownBytes };
  const span = g.dilH * (g.kh - 1) + 1;
  const slices = bounds.slice(0, -1).map((r0, s) => {
    const r1 = bounds[s + 1];
    const top = r0 * g.strideH - g.padT; // first input row the slice's windows touch (< 0: padding)
    const bottom = (r1 - 1) * g.strideH - g.padT + span; // one past the last
    const iy0 = Math.max(0, top);
    const iy1 = Math.min(g.h, bottom);
    return { r0, iy0, h: iy1 - iy0, padT: iy0 - top, padB: bottom - iy1 };
  });
  // A slice whose windows see only padding has no input rows to point at: do not split such a layer.
  if (slices.some((s) => s.h < 1)) return { call: single, scratchBytes: ownBytes };
  const rowParams = (phase: number) =>
    sliceParams(ctx, pw.params, 28, count, (s, slots) => {
      slots[8] = slices[s].h;
      slots[16] = slices[s].padT;
      slots[18] = slices[s].padB;
      slots[24] = phase;
    });
  const run = (rs: RunState, x: number, y: number, params: { params: number[]; pStride: number }) => {
    pool.run(fn, count, 9, params.pStride, (s, c, at) => {
      const sl = slices[s];
      putConvArgs(c, at, rs.batch, x + 4 * sl.iy0 * g.w * g.c, pw.weights, pw.palette, pw.mask, pw.bias, y + 4 * sl.r0 * g.outW * g.outC, inBytes, outBytes, params.params[s]);
    });
  };
  const sliced = rowParams(0);
  const setScratch = scratchWriter(ctx, sliced);
  // phased: channel blocks [8-multiple ranges) decoded by slice s, then the row slices read them
  const weightBytes = roundup(g.outC, 8) * roundup(k, 16);
  const usePhases = phased && weightBytes <= PHASE_MAX_BYTES;
  const decode = usePhases ? phaseSlices(ctx, pw, splitRange(g.outC, parts, 8), PHASE.decodeWeights, shared) : undefined;
  const fromWeights = usePhases ? rowParams(PHASE.fromWeights) : undefined;
  const setPhasedScratch = usePhases ? scratchWriter(ctx, fromWeights!, shared) : undefined;
  return {
    scratchBytes: (batch) => ownBytes(batch) + (usePhases ? weightBytes : 0),
    call: (rs, x, y) => {
      if (rs.batch * work < splitTuning.work) return single(rs, x, y);
      if (usePhases && rs.batch * work >= splitTuning.phaseWork) {
        decode!.setScratch(rs);
        setPhasedScratch!(rs);
        pool.run(fn, decode!.params.length, 9, decode!.pStride, whole(rs, x, y, decode!.params));
        return run(rs, x, y, fromWeights!);
      }
      setScratch(rs);
      run(rs, x, y, sliced);
    },
  };
}

/**
 * Params blocks of a phased split's first pass: the layer's own (28 slots), phase in slot 24 and
 * range [bounds[s], bounds[s + 1]) in slots 26..27, the shared buffer in slot 25.
 */
function phaseSlices(ctx: OpContext, pw: PreparedWeights, bounds: number[], phase: number, shared: (rs: RunState) => number): { params: number[]; pStride: number; setScratch: (rs: RunState) => void } {
  const plan = sliceParams(ctx, pw.params, 28, bounds.length - 1, (s, slots) => {
    slots[24] = phase;
    slots[26] = bounds[s];
    slots[27] = bounds[s + 1];
  });
  return { ...plan, setScratch: scratchWriter(ctx, plan, shared) };
}

/** The 12 argument slots of one conv2d / dwconv2d kernel call at c[at] (the last two unused). */
function putConvArgs(
  c: Int32Array, at: number, n: number, x: number, w: number, pal: number, mask: number, bias: number, y: number, xStride: number, yStride: number, params: number,
): void {
  c[at] = n;
  c[at + 1] = x;
  c[at + 2] = w;
  c[at + 3] = pal;
  c[at + 4] = mask;
  c[at + 5] = bias;
  c[at + 6] = y;
  c[at + 7] = xStride;
  c[at + 8] = yStride;
  c[at + 9] = params;
  c[at + 10] = 0;
  c[at + 11] = 0;
}
