/**
 * Conv2D glue (NHWC activations, weights [O, kh, kw, C/groups]; assembly/kernels/conv2d/README.md):
 * pointwise convs (1x1, stride 1, no padding, groups 1) run as a gemm over the pixels, depthwise
 * convs (groups = C = O) on the dwconv2d kernels, everything else on the conv2d kernels; with
 * int8 = 1 every non-depthwise conv runs on the i8 conv2d kernel when one handles its weights.
 */
import type { OpInfo, WeightInfo } from '../../format/types.js';
import type { OpContext, Step } from '../context.js';
import { prepareWeights } from './weights.js';
import { chooseWeighted } from '../kernels.js';
import { weightNeed } from '../../format/layout-walk.js';
import { gemmCall } from './parallel.js';
import { windowCall } from './parallel-window.js';
import { blockI8ConvIndices } from './i8-block-order.js';

/** params slots 8..22 of the conv/pool ABI. */
export function writeWindowSlots(
  slots: Int32Array,
  inShape: readonly number[],
  outC: number,
  kernel: [number, number],
  strides: number[],
  pads: number[],
  dilations: number[],
  groups: number,
): void {
  const [h, w, c] = inShape;
  slots.set([h, w, c, outC, kernel[0], kernel[1], strides[0], strides[1], pads[0], pads[1], pads[2], pads[3], dilations[0], dilations[1], groups], 8);
}

/** Whether this build has an int8 conv2d kernel for the weight (int8 = 1 then runs on it). */
export function hasI8ConvKernel(ctx: OpContext, w: WeightInfo): boolean {
  return chooseWeighted('conv2d', { act: 'i8', ...weightNeed(w) }, ctx.pref) !== undefined;
}

export function compileConv2D(ctx: OpContext, op: OpInfo): Step {
  const [x, wIndex, biasIndex] = op.inputs;
  const out = op.outputs[0];
  const wt = ctx.info.tensors[wIndex];
  const w = wt.weight!;
  const [o, kh, kw] = wt.shape;
  const inShape = ctx.info.tensors[x].shape;
  const [h, wid, c] = inShape;
  const strides = op.attrs.strides as number[];
  const pads = op.attrs.pads as number[];
  const groups = op.attrs.groups as number;

  const depthwise = groups === c && o === c && wt.shape[3] === 1;
  // int8 = 1: convs (pointwise included) run on the i8 conv2d kernel, which quantizes each output
  // pixel's window; depthwise convs have no int8 kernel and stay on the exact path.
  const int8 = op.attrs.int8 === 1 && !depthwise && hasI8ConvKernel(ctx, w);
  const pointwise = !int8 && kh === 1 && kw === 1 && groups === 1 && strides.every((s) => s === 1) && pads.every((p) => p === 0);
  if (pointwise) {
    // NHWC: y[pixel][o] = sum_c W[o][c] x[pixel][c], a gemm with m = batch * H * W.
    const pw = prepareWeights(ctx, op, 'gemm', w, biasIndex);
    const pixels = h * wid;
    const gemm = gemmCall(ctx, pw, w);
    return {
      op,
      kernel: pw.row.name,
      scratchBytes: (batch) => pw.row.scratchBytes?.(batch * pixels, o, c) ?? 0,
      run: (rs) => gemm(rs, rs.batch * pixels, rs.ptr(x), rs.ptr(out), c * 4, o * 4),
    };
  }
  return compileWindowConv(ctx, op, {
    x, out, w, biasIndex, inShape, outShape: ctx.info.tensors[out].shape, kernel: [kh, kw],
    strides, pads, dilations: op.attrs.dilations as number[], groups, depthwise, int8,
  });
}

/** A conv on the window kernels (conv2d / dwconv2d, params slots 8..27): NHWC [h, w, c] -> [outH, outW, o]. */
export interface WindowConv {
  x: number;
  out: number;
  w: WeightInfo;
  biasIndex: number | undefined;
  inShape: readonly number[];
  outShape: readonly number[];
  kernel: [number, number];
  strides: number[];
  pads: number[];
  dilations: number[];
  groups: number;
  depthwise: boolean;
  int8: boolean;
}

/** The step of a windowed conv (Conv2D, and int8 FullyConnected layers run as 1x1 convs). */
export function compileWindowConv(ctx: OpContext, op: OpInfo, g: WindowConv): Step {
  const { x, out, w, inShape, strides, pads, dilations: dil, groups, depthwise, int8 } = g;
  const [h, wid, c] = inShape;
  const [kh, kw] = g.kernel;
  const o = w.rows;
  const pw = prepareWeights(ctx, op, depthwise ? 'dwconv2d' : 'conv2d', w, g.biasIndex, { paramSlots: 28, int8 });
  writeWindowSlots(ctx.heap.i32(pw.params, 24), inShape, o, [kh, kw], strides, pads, dil, groups);
  if (int8) blockI8ConvIndices(ctx, op, pw, w, groups);
  const k = w.cols;
  const call = windowCall(
    ctx,
    pw,
    { h, w: wid, c, outC: o, outH: g.outShape[0], outW: g.outShape[1], kh, strideH: strides[0], padT: pads[0], dilH: dil[0], groups },
    k,
    4 * h * wid * c,
    4 * ctx.elements(out),
    depthwise || groups === 1 ? { w, depthwise } : undefined,
  );
  return {
    op,
    kernel: pw.row.name,
    scratchBytes: call.scratchBytes,
    run: (rs) => call.call(rs, rs.ptr(x), rs.ptr(out)),
  };
}
