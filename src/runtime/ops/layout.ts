/** Transpose (per-example axes; the batch axis stays first) and Concat (one strided copy per input). */
import type { OpInfo } from '../../format/types.js';
import { WpalEngineError } from '../errors.js';
import type { OpContext, Step } from '../context.js';
import { pickKernel } from './pick.js';

const MAX_TRANSPOSE_RANK = 6;

export function compileTranspose(ctx: OpContext, op: OpInfo): Step {
  const x = op.inputs[0];
  const out = op.outputs[0];
  const shape = ctx.info.tensors[x].shape;
  const perm = op.attrs.perm as number[];
  if (shape.length + 1 > MAX_TRANSPOSE_RANK) {
    throw new WpalEngineError(`op ${op.index} (Transpose): rank ${shape.length} per example is over the ${MAX_TRANSPOSE_RANK - 1} this runtime transposes`);
  }
  const params = ctx.allocStatic(12 * 4);
  const slots = ctx.heap.i32(params, 12);
  slots.set(shape, 1);
  slots.set([0, ...perm.map((p) => p + 1)], 6);
  const k = pickKernel(ctx, op, 'transpose');
  const heap = ctx.heap;
  return {
    op,
    kernel: k.name,
    scratchBytes: () => 0,
    run(rs) {
      heap.i32(params, 1)[0] = rs.batch; // dim 0 is the batch
      k.fn(shape.length + 1, rs.ptr(x), rs.ptr(out), params);
    },
  };
}

export function compileConcat(ctx: OpContext, op: OpInfo): Step {
  const out = op.outputs[0];
  const outShape = ctx.info.tensors[out].shape;
  const axis = (op.attrs.axis as number) < 0 ? (op.attrs.axis as number) + outShape.length : (op.attrs.axis as number);
  const outer = outShape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inners = op.inputs.map((t) => ctx.info.tensors[t].shape.slice(axis).reduce((a, b) => a * b, 1));
  const total = inners.reduce((a, b) => a + b, 0);
  const k = pickKernel(ctx, op, 'copy2d');
  return {
    op,
    kernel: k.name,
    scratchBytes: () => 0,
    run(rs) {
      const y = rs.ptr(out);
      let col = 0;
      op.inputs.forEach((t, i) => {
        k.fn(rs.batch * outer, inners[i], rs.ptr(t), y + 4 * col, 4 * inners[i], 4 * total);
        col += inners[i];
      });
    },
  };
}
