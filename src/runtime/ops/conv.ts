/**
 * Conv2D glue (NHWC activations, weights [O, kh, kw, C/groups]; assembly/kernels/conv2d/README.md):
 * pointwise convs (1x1, stride 1, no padding, groups 1) run as a gemm over the pixels, depthwise
 * convs (groups = C = O) on the dwconv2d kernels, everything else on the conv2d kernels; with
 * int8 = 1 every non-depthwise conv runs on the i8 conv2d kernel when one handles its weights.
 */
import type { OpInfo } from '../../format/types.js';
import type { OpContext, Step } from '../context.js';
import { prepareWeights } from './weights.js';
import { chooseWeighted } from '../kernels.js';
import { weightNeed } from '../../format/layout-walk.js';
import { gemmCall, windowCall } from './parallel.js';
import { blockI8ConvIndices } from './i8-block-order.js';

/** params slots 8..22 of the conv/pool ABI. */
export function writeWindowSlots(
  slots: Int32Array,
  inShape: number[],
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
  const dil = op.attrs.dilations as number[];
  const groups = op.attrs.groups as number;
  const heap = ctx.heap;
  const inBytes = 4 * h * wid * c;
  const outBytes = 4 * ctx.elements(out);

  const depthwise = groups === c && o === c && wt.shape[3] === 1;
  // int8 = 1: convs (pointwise included) run on the i8 conv2d kernel, which quantizes each output
  // pixel's window; depthwise convs have no int8 kernel and stay on the exact path.
  const int8 = op.attrs.int8 === 1 && !depthwise && chooseWeighted('conv2d', { act: 'i8', ...weightNeed(w) }, ctx.pref) !== undefined;
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
  const family = depthwise ? 'dwconv2d' : 'conv2d';
  const pw = prepareWeights(ctx, op, family, w, biasIndex, { paramSlots: 24, int8 });
  writeWindowSlots(heap.i32(pw.params, 24), inShape, o, [kh, kw], strides, pads, dil, groups);
  if (int8) blockI8ConvIndices(ctx, op, pw, w, groups);
  const k = w.cols;
  const outShape = ctx.info.tensors[out].shape;
  const call = windowCall(
    ctx,
    pw,
    { h, w: wid, c, outC: o, outH: outShape[0], outW: outShape[1], kh, strideH: strides[0], padT: pads[0], dilH: dil[0] },
    k,
    inBytes,
    outBytes,
    depthwise || groups === 1 ? { w, depthwise } : undefined,
  );
  return {
    op,
    kernel: pw.row.name,
    scratchBytes: (batch) => pw.row.scratchBytes?.(batch, o, k) ?? 0,
    run: (rs) => call(rs, rs.ptr(x), rs.ptr(out)),
  };
}
