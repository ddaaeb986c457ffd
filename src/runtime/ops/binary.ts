/**
 * Add, Sub, Mul, Div, Max, Min, Pow with NumPy broadcasting (format 1.1): each input is an
 * activation or a dense float32 constant read in place from the file; broadcast.ts turns the shapes
 * into calls of the 2-D broadcasting kernels (b*). Two activations of one shape under Add / Mul run
 * the 1.0 kernels (vadd, vmul), as 1.0 files always did.
 */
import type { OpInfo } from '../../format/types.js';
import type { OpContext, Step } from '../context.js';
import { broadcastGroups, forEachBroadcastCall } from './broadcast.js';
import { pickKernel } from './pick.js';

const KERNEL_OP: Record<string, string> = { Add: 'badd', Sub: 'bsub', Mul: 'bmul', Div: 'bdiv', Max: 'bmax', Min: 'bmin', Pow: 'bpow' };
const SAME_SHAPE_OP: Record<string, string> = { Add: 'vadd', Mul: 'vmul' };

export function compileBinary(ctx: OpContext, op: OpInfo): Step {
  const [a, b] = op.inputs;
  const out = op.outputs[0];
  const t = ctx.info.tensors;
  const groups = broadcastGroups(t[out].shape, { shape: t[a].shape, batched: !t[a].weight }, { shape: t[b].shape, batched: !t[b].weight });
  // A constant's address in the file, or the activation's in this run's arena.
  const constant = (i: number) => (t[i].weight ? ctx.at(t[i].weight!.dense!.data) : undefined);
  const ca = constant(a);
  const cb = constant(b);
  const same = groups.length === 1 && groups[0].a && groups[0].b;
  if (same && op.type in SAME_SHAPE_OP) {
    const k = pickKernel(ctx, op, SAME_SHAPE_OP[op.type]);
    const per = ctx.elements(out);
    return { op, kernel: k.name, scratchBytes: () => 0, run: (rs) => k.fn(rs.batch * per, rs.ptr(a), rs.ptr(b), rs.ptr(out)) };
  }
  const k = pickKernel(ctx, op, KERNEL_OP[op.type]);
  return {
    op,
    kernel: k.name,
    scratchBytes: () => 0,
    run(rs) {
      const pa = ca ?? rs.ptr(a);
      const pb = cb ?? rs.ptr(b);
      const py = rs.ptr(out);
      forEachBroadcastCall(groups, rs.batch, (c) =>
        k.fn(c.m, c.n, pa + 4 * c.aOff, pb + 4 * c.bOff, py + 4 * c.yOff, 4 * c.aStride, 4 * c.bStride, 4 * c.aStep, 4 * c.bStep),
      );
    },
  };
}
