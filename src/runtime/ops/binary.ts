/**
 * Add, Sub, Mul, Div, Max, Min, Pow with NumPy broadcasting (format 1.1): each input is an
 * activation or a dense float32 constant read in place from the file; broadcast.ts turns the shapes
 * into calls of the 2-D broadcasting kernels (b*). Two activations of one shape under Add / Mul run
 * the 1.0 kernels (vadd, vmul), as 1.0 files always did. A short constant row against many rows
 * (a per-channel [C] with C < 16, e.g. RGB) is tiled once at load so the kernel rows are long.
 */
import type { OpInfo } from '../../format/types.js';
import type { OpContext, Step } from '../context.js';
import { broadcastGroups, forEachBroadcastCall, type BroadcastGroup } from './broadcast.js';
import { pickKernel } from './pick.js';
import { ELEMENT_UNIT, itemsCall } from './parallel.js';

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
    const call = itemsCall(ctx, k, ELEMENT_UNIT, 1, 'elements');
    return {
      op,
      kernel: k.name,
      scratchBytes: () => 0,
      run(rs) {
        const [pa, pb, py] = [rs.ptr(a), rs.ptr(b), rs.ptr(out)];
        call(rs.batch * per, (i0, i1) => [i1 - i0, pa + 4 * i0, pb + 4 * i0, py + 4 * i0]);
      },
    };
  }
  const k = pickKernel(ctx, op, KERNEL_OP[op.type]);
  const tiled = tileShortConstantRow(ctx, groups, ca, cb);
  if (tiled) {
    // [rows, n] op constant [n] with n short: `reps` activation rows per kernel row, against the tile.
    const { rows, n, reps, tile, constantIsA } = tiled;
    return {
      op,
      kernel: k.name,
      scratchBytes: () => 0,
      run(rs) {
        const x = rs.ptr(constantIsA ? b : a);
        const y = rs.ptr(out);
        const total = rows * rs.batch;
        const full = Math.floor(total / reps);
        const call = (m: number, width: number, at: number) => {
          const [pa, pb] = constantIsA ? [tile, x + 4 * at] : [x + 4 * at, tile];
          const [sa, sb] = constantIsA ? [0, 4 * width] : [4 * width, 0];
          k.fn(m, width, pa, pb, y + 4 * at, sa, sb, 4, 4);
        };
        if (full > 0) call(full, n * reps, 0);
        if (total > full * reps) call(1, n * (total - full * reps), full * reps * n);
      },
    };
  }
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

/** Rows shorter than this run mostly in the kernel's 1..3-value tail, so a constant row is tiled. */
const SHORT_ROW = 16;

/**
 * For [rows, n] op constant [n] (the constant repeated along the leading axes, e.g. a per-channel
 * [C] against [H, W, C]) with n < 16: the constant row copied `reps` times into load-time memory,
 * so one kernel row covers `reps` rows of the activation (n * reps >= 16 values). Undefined when the
 * op is not of that form.
 */
function tileShortConstantRow(ctx: OpContext, groups: readonly BroadcastGroup[], ca: number | undefined, cb: number | undefined) {
  if (groups.length !== 2 || (ca === undefined) === (cb === undefined)) return undefined;
  const [outer, inner] = groups;
  const constantIsA = ca !== undefined;
  const runsOuter = constantIsA ? outer.b && !outer.a : outer.a && !outer.b;
  if (!runsOuter || !inner.a || !inner.b || inner.size >= SHORT_ROW) return undefined;
  const n = inner.size;
  const reps = Math.ceil(SHORT_ROW / n);
  const values = ctx.heap.f32((ca ?? cb)!, n).slice();
  const tile = ctx.allocStatic(4 * n * reps);
  const view = ctx.heap.f32(tile, n * reps);
  for (let r = 0; r < reps; r++) view.set(values, r * n);
  return { rows: outer.size, n, reps, tile, constantIsA };
}
