/** MaxPool, AvgPool (padding excluded from the average), GlobalAveragePool over NHWC images. */
import type { OpInfo } from '../../format/types.js';
import type { OpContext, Step } from '../context.js';
import { writeWindowSlots } from './conv.js';
import { pickKernel } from './pick.js';

const KERNEL_OP: Record<string, string> = { MaxPool: 'maxpool', AvgPool: 'avgpool', GlobalAveragePool: 'gavgpool' };

export function isPool(type: string): boolean {
  return type in KERNEL_OP;
}

export function compilePool(ctx: OpContext, op: OpInfo): Step {
  const x = op.inputs[0];
  const out = op.outputs[0];
  const inShape = ctx.info.tensors[x].shape;
  const k = pickKernel(ctx, op, KERNEL_OP[op.type]);
  const params = ctx.allocStatic(24 * 4);
  const global = op.type === 'GlobalAveragePool';
  const kernel = global ? [inShape[0], inShape[1]] as [number, number] : (op.attrs.kernel as [number, number]);
  writeWindowSlots(
    ctx.heap.i32(params, 24), inShape, inShape[2], kernel,
    global ? [1, 1] : (op.attrs.strides as number[]), global ? [0, 0, 0, 0] : (op.attrs.pads as number[]), [1, 1], 1,
  );
  const inBytes = 4 * ctx.elements(x);
  const outBytes = 4 * ctx.elements(out);
  return { op, kernel: k.name, scratchBytes: () => 0, run: (rs) => k.fn(rs.batch, rs.ptr(x), rs.ptr(out), inBytes, outBytes, params) };
}
