/** Glue for the weightless ops of format 1.0: unary activations, Softmax over the last axis (Add, Mul: binary.ts). */
import type { OpInfo } from '../../format/types.js';
import type { OpContext, Step } from '../context.js';
import { pickKernel as pick } from './pick.js';

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
    return { op, kernel: k.name, scratchBytes: () => 0, run: (rs) => k.fn(rs.batch * per, rs.ptr(x), rs.ptr(out)) };
  }
  // Softmax over the last axis (the only axis format 1.0 allows).
  const k = pick(ctx, op, 'softmax');
  const shape = ctx.info.tensors[out].shape;
  const cols = shape[shape.length - 1];
  const x = op.inputs[0];
  return {
    op,
    kernel: k.name,
    scratchBytes: () => 0,
    run: (rs) => k.fn((rs.batch * per) / cols, cols, rs.ptr(x), rs.ptr(out), cols * 4, cols * 4),
  };
}
