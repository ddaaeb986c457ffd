/** MatMul between activations: C = alpha * A B (or A B^T), batched over the leading axes. */
import type { OpInfo } from '../../format/types.js';
import type { OpContext, Step } from '../context.js';
import { pickKernel } from './pick.js';
import { itemsCall } from './parallel.js';

export function compileMatMul(ctx: OpContext, op: OpInfo): Step {
  const [a, b] = op.inputs;
  const out = op.outputs[0];
  const sa = ctx.info.tensors[a].shape;
  const sb = ctx.info.tensors[b].shape;
  const r = sa.length;
  const transB = op.attrs.transpose_b === 1;
  const m = sa[r - 2];
  const k = sa[r - 1];
  const n = transB ? sb[r - 2] : sb[r - 1];
  const lead = sa.slice(0, r - 2).reduce((p, d) => p * d, 1);
  const params = ctx.allocStatic(32);
  const slots = ctx.heap.i32(params, 8);
  slots[0] = transB ? 1 : 0;
  ctx.heap.f32(params + 4, 1)[0] = op.attrs.alpha as number;
  slots[2] = m * k * 4;
  slots[3] = k * n * 4;
  slots[4] = m * n * 4;
  const kern = pickKernel(ctx, op, 'matmul');
  // Split over the batched matrices: each is one product, computed as in one call.
  const call = itemsCall(ctx, kern, 1, m * n * k, 'work');
  return {
    op,
    kernel: kern.name,
    scratchBytes: () => 0,
    run(rs) {
      const pa = rs.ptr(a);
      const pb = rs.ptr(b);
      const pc = rs.ptr(out);
      call(rs.batch * lead, (i0, i1) => [i1 - i0, m, n, k, pa + i0 * m * k * 4, pb + i0 * k * n * 4, pc + i0 * m * n * 4, k * 4, (transB ? k : n) * 4, n * 4, params]);
    },
  };
}
