/**
 * The unary ops of format 1.1 (LeakyRelu, HardSigmoid, HardSwish, Clip, Sqrt, Log, Exp, Neg, Abs):
 * one kernel call over batch x elements. Float attributes go to the kernel's params slots as f32.
 */
import type { OpInfo } from '../../format/types.js';
import type { OpContext, Step } from '../context.js';
import { pickKernel } from './pick.js';
import { ELEMENT_UNIT, itemsCall } from './parallel.js';

/** Kernel op and the attributes that fill its params slots, in slot order. */
const KERNELS: Record<string, { op: string; params?: string[] }> = {
  LeakyRelu: { op: 'vlrelu', params: ['alpha'] },
  HardSigmoid: { op: 'vhsigmoid', params: ['alpha', 'beta'] },
  HardSwish: { op: 'vhswish' },
  Clip: { op: 'vclip', params: ['min', 'max'] },
  Sqrt: { op: 'vsqrt' },
  Log: { op: 'vlog' },
  Exp: { op: 'vexp' },
  Neg: { op: 'vneg' },
  Abs: { op: 'vabs' },
};

export const UNARY_1_1_TYPES: readonly string[] = Object.keys(KERNELS);

export function compileUnary(ctx: OpContext, op: OpInfo): Step {
  const spec = KERNELS[op.type];
  const k = pickKernel(ctx, op, spec.op);
  const x = op.inputs[0];
  const out = op.outputs[0];
  const per = ctx.elements(out);
  let params = 0;
  if (spec.params) {
    params = ctx.allocStatic(32);
    ctx.heap.f32(params, spec.params.length).set(spec.params.map((name) => op.attrs[name] as number));
  }
  const call = itemsCall(ctx, k, ELEMENT_UNIT, 1, 'elements');
  return {
    op,
    kernel: k.name,
    scratchBytes: () => 0,
    run(rs) {
      const px = rs.ptr(x);
      const py = rs.ptr(out);
      call(rs.batch * per, (i0, i1) => [i1 - i0, px + 4 * i0, py + 4 * i0, params]);
    },
  };
}
