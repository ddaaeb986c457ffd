import type { OpInfo } from '../../format/types.js';
import { chooseOp } from '../kernels.js';
import { WpalEngineError } from '../errors.js';
import type { OpContext } from '../context.js';

/** The kernel of a weightless family for an op, or a clear error when the build lacks it. */
export function pickKernel(ctx: OpContext, op: OpInfo, kernelOp: string): { name: string; fn: (...args: number[]) => void; scratchBytes?: (m: number, n: number, k: number) => number } {
  const row = chooseOp(kernelOp, ctx.pref);
  if (!row) throw new WpalEngineError(`op ${op.index} (${op.type}): this build has no ${kernelOp} kernel`);
  return { name: row.name, fn: ctx.kernel(row.name), scratchBytes: row.scratchBytes };
}
