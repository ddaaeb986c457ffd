/**
 * ConvTranspose glue (NHWC activations, weights [O, kh, kw, C/groups] like Conv2D): the deconv2d
 * kernel for the weight's encoding is chosen by the same machinery as Conv2D's (prepareWeights ->
 * chooseWeighted), weights read in place; params are conv2d's 24 slots (pads = the output crop)
 * plus the output padding in slots 24, 25 (assembly/kernels/conv2d/README.md, "deconv2d").
 */
import type { OpInfo } from '../../format/types.js';
import type { OpContext, Step } from '../context.js';
import { writeWindowSlots } from './conv.js';
import { prepareWeights } from './weights.js';

export function compileConvTranspose(ctx: OpContext, op: OpInfo): Step {
  const [x, wIndex, biasIndex] = op.inputs;
  const out = op.outputs[0];
  const wt = ctx.info.tensors[wIndex];
  const w = wt.weight!;
  const [o, kh, kw] = wt.shape;
  const inShape = ctx.info.tensors[x].shape;
  const pw = prepareWeights(ctx, op, 'deconv2d', w, biasIndex, { paramSlots: 26 });
  const slots = ctx.heap.i32(pw.params, 26);
  const a = op.attrs;
  writeWindowSlots(slots, inShape, o, [kh, kw], a.strides as number[], a.pads as number[], a.dilations as number[], a.groups as number);
  slots.set(a.output_padding as number[], 24);
  const heap = ctx.heap;
  const inBytes = 4 * ctx.elements(x);
  const outBytes = 4 * ctx.elements(out);
  const k = w.cols;
  return {
    op,
    kernel: pw.row.name,
    scratchBytes: (batch) => pw.row.scratchBytes?.(batch, o, k) ?? 0,
    run(rs) {
      heap.i32(pw.params, 8)[5] = rs.scratch;
      pw.kernel(rs.batch, rs.ptr(x), pw.weights, pw.palette, pw.mask, pw.bias, rs.ptr(out), inBytes, outBytes, pw.params);
    },
  };
}
