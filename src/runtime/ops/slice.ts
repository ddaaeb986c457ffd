/**
 * Slice glue: ONNX's starts / ends / axes / steps resolved once at load (sliceAxes, the op schema's
 * own rule) into the slice kernel's strided gather (assembly/kernels/layernorm/README.md, "slice"):
 * axis 0 is the batch, then one axis per example axis with stride step * row stride.
 */
import type { OpInfo } from '../../format/types.js';
import { sliceAxes } from '../../format/ops-spatial.js';
import type { OpContext, Step } from '../context.js';
import { pickKernel } from './pick.js';

const SLOTS = 20;

export function compileSlice(ctx: OpContext, op: OpInfo): Step {
  const x = op.inputs[0];
  const out = op.outputs[0];
  const shape = ctx.info.tensors[x].shape;
  const axes = sliceAxes(shape, op.attrs);
  const rowStride = shape.map((_, j) => shape.slice(j + 1).reduce((a, b) => a * b, 1));
  const params = ctx.allocStatic(SLOTS * 4);
  const slots = ctx.heap.i32(params, SLOTS);
  slots[0] = axes.reduce((acc, a) => acc + a.start * rowStride[a.axis], 0);
  slots.set(axes.map((a) => a.count), 2); // slot 1: the batch, set per run
  slots[10] = ctx.elements(x);
  slots.set(axes.map((a) => a.step * rowStride[a.axis]), 11);
  const k = pickKernel(ctx, op, 'slice');
  const heap = ctx.heap;
  return {
    op,
    kernel: k.name,
    scratchBytes: () => 0,
    run(rs) {
      heap.i32(params, 2)[1] = rs.batch;
      k.fn(shape.length + 1, rs.ptr(x), rs.ptr(out), params);
    },
  };
}
