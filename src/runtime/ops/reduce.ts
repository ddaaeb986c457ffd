/**
 * ReduceMean and ReduceMax (format 1.1) over per-example axes, as passes of the reduction kernels.
 *
 * The input [batch, ...shape] is cut into groups of adjacent axes that are all kept or all reduced
 * (axes of size 1 dropped; the batch is kept). Each pass removes the innermost reduced group:
 *
 *   [A, R]      innermost reduced      rsum / rmax    (m = A rows of n = R)
 *   [A, R, B]   B kept inside          rdsum / rdmax  (e.g. [H*W, C] -> [C], a global pool)
 *
 * so the common cases are one pass; reducing two groups that are not adjacent (e.g. axes [0, 2] of
 * [H, W, C]) takes two, through kernel scratch. A mean sums in every pass and divides by the
 * number of reduced values in the last one. With nothing to reduce (every reduced axis has size
 * 1) one rows pass with n = 1 copies the values.
 */
import { reduceAxes } from '../../format/ops-elementwise.js';
import type { OpInfo } from '../../format/types.js';
import type { OpContext, Step } from '../context.js';
import { align16 } from '../context.js';
import { pickKernel } from './pick.js';

/** One kernel call: x [outer, r, inner] -> y [outer, inner]; outer is per example (times batch). */
export interface ReducePass {
  outer: number;
  r: number;
  inner: number;
}

/** The passes that reduce `axes` (normalized, ascending) of a per-example shape. */
export function reducePasses(shape: readonly number[], axes: readonly number[]): ReducePass[] {
  const dims = [{ size: 1, reduced: false }];
  shape.forEach((size, k) => {
    if (size > 1) dims.push({ size, reduced: axes.includes(k) });
  });
  const groups: Array<{ size: number; reduced: boolean }> = [];
  for (const d of dims) {
    const last = groups[groups.length - 1];
    if (last && last.reduced === d.reduced) last.size *= d.size;
    else groups.push({ ...d });
  }
  const passes: ReducePass[] = [];
  for (;;) {
    let p = groups.length - 1;
    while (p >= 0 && !groups[p].reduced) p--;
    if (p < 0) break;
    const size = (gs: typeof groups) => gs.reduce((a, g) => a * g.size, 1);
    passes.push({ outer: size(groups.slice(0, p)), r: groups[p].size, inner: size(groups.slice(p + 1)) });
    // The kept groups on both sides of the removed one become one (group 0, the batch, is kept).
    const after = groups[p + 1];
    groups.splice(p, after ? 2 : 1);
    if (after) groups[p - 1].size *= after.size;
  }
  if (passes.length === 0) passes.push({ outer: shape.reduce((a, b) => a * b, 1), r: 1, inner: 1 });
  return passes;
}

export function compileReduce(ctx: OpContext, op: OpInfo): Step {
  const x = op.inputs[0];
  const out = op.outputs[0];
  const shape = ctx.info.tensors[x].shape;
  const axes = reduceAxes(op.attrs.axes as number[], shape.length) as number[];
  const passes = reducePasses(shape, axes);
  const mean = op.type === 'ReduceMean';
  const count = axes.reduce((a, k) => a * shape[k], 1);
  const rows = pickKernel(ctx, op, mean ? 'rsum' : 'rmax');
  const cols = pickKernel(ctx, op, mean ? 'rdsum' : 'rdmax');
  // Divisor slots: 1 for the partial sums of early passes, the count of reduced values in the last.
  const params = passes.map((_, i) => {
    const p = ctx.allocStatic(32);
    ctx.heap.f32(p, 1)[0] = i === passes.length - 1 ? count : 1;
    return p;
  });
  // Intermediate results of every pass but the last, per example; two scratch buffers take turns.
  const mid = Math.max(0, ...passes.slice(0, -1).map((p) => p.outer * p.inner));
  const names = [...new Set(passes.map((p) => (p.inner === 1 ? rows.name : cols.name)))];
  return {
    op,
    kernel: names.join(' + '),
    scratchBytes: (batch) => (passes.length > 1 ? 2 * align16(4 * mid * batch) : 0),
    run(rs) {
      let src = rs.ptr(x);
      const half = align16(4 * mid * rs.batch);
      passes.forEach((p, i) => {
        const dst = i === passes.length - 1 ? rs.ptr(out) : rs.scratch + (i % 2) * half;
        const m = rs.batch * p.outer;
        const extra = mean ? [params[i]] : [];
        if (p.inner === 1) rows.fn(m, p.r, src, dst, ...extra);
        else cols.fn(m, p.r, p.inner, src, dst, ...extra);
        src = dst;
      });
    },
  };
}
