/** Glue for the weightless ops of format 1.0: unary activations, Softmax over the last axis (Add, Mul: binary.ts). */
import type { OpInfo } from '../../format/types.js';
import type { OpContext, Step } from '../context.js';
import { pickKernel as pick } from './pick.js';
import { ELEMENT_UNIT, itemsCall } from './parallel.js';

const UNARY: Record<string, string> = {
  Relu: 'vrelu',
  Relu6: 'vrelu6',
  Sigmoid: 'vsigmoid',
  Tanh: 'vtanh',
  Gelu: 'vgelu',
  Silu: 'vsilu',
};

export function isElementwise(type: string): boolean {
  return type in UNARY || type === 'Softmax';
}

export function compileElementwise(ctx: OpContext, op: OpInfo): Step {
  const per = ctx.elements(op.outputs[0]);
  const out = op.outputs[0];
  if (op.type in UNARY) {
    const k = pick(ctx, op, UNARY[op.type]);
    const x = op.inputs[0];
    const call = itemsCall(ctx, k, ELEMENT_UNIT, 1, 'elements');
    return {
      op,
      kernel: k.name,
      scratchBytes: () => 0,
      run(rs) {
        const px = rs.ptr(x);
        const py = rs.ptr(out);
        call(rs.batch * per, (i0, i1) => [i1 - i0, px + 4 * i0, py + 4 * i0]);
      },
    };
  }
  // Softmax over the last axis (the only axis format 1.0 allows).
  const k = pick(ctx, op, 'softmax');
  const shape = ctx.info.tensors[out].shape;
  const cols = shape[shape.length - 1];
  const x = op.inputs[0];
  // Rows are independent: split over them.
  const call = itemsCall(ctx, k, 1, cols, 'elements');
  return {
    op,
    kernel: k.name,
    scratchBytes: () => 0,
    run(rs) {
      const px = rs.ptr(x);
      const py = rs.ptr(out);
      call((rs.batch * per) / cols, (r0, r1) => [r1 - r0, cols, px + 4 * cols * r0, py + 4 * cols * r0, cols * 4, cols * 4]);
    },
  };
}
