/**
 * Activation arena planning from tensor lifetimes (greedy by size, as TFLite's
 * ArenaPlanner with kGreedyBySize does): every activation tensor lives from the op that
 * writes it to the last op that reads it; two tensors may share bytes when their lifetimes do
 * not overlap. Offsets are planned per example and scaled by the batch size at run time, which
 * keeps every offset a multiple of 16 for any batch.
 */

export interface PlanTensor {
  /** Bytes of one example (the batch multiplies it). */
  bytes: number;
  /** First op index that writes the tensor (-1 for graph inputs). */
  first: number;
  /** Last op index that reads it (ops.length for graph outputs). */
  last: number;
}

export interface ArenaPlan {
  /** Offset of each planned tensor, per example (multiply by batch). -1 for unplanned. */
  offsets: number[];
  /** Arena bytes per example. */
  bytesPerExample: number;
}

const align16 = (n: number) => (n + 15) & ~15;

export function planArena(tensors: Array<PlanTensor | undefined>): ArenaPlan {
  const order = tensors
    .map((t, i) => ({ t, i }))
    .filter((e): e is { t: PlanTensor; i: number } => e.t !== undefined)
    .sort((a, b) => b.t.bytes - a.t.bytes || a.t.first - b.t.first || a.i - b.i);
  const placed: Array<{ off: number; end: number; first: number; last: number }> = [];
  const offsets = tensors.map(() => -1);
  let total = 0;
  for (const { t, i } of order) {
    const size = align16(Math.max(t.bytes, 1));
    // Address ranges of placed tensors that are alive at the same time, by offset.
    const busy = placed.filter((p) => p.first <= t.last && t.first <= p.last).sort((a, b) => a.off - b.off);
    let off = 0;
    for (const p of busy) {
      if (off + size <= p.off) break;
      off = Math.max(off, p.end);
    }
    placed.push({ off, end: off + size, first: t.first, last: t.last });
    offsets[i] = off;
    total = Math.max(total, off + size);
  }
  return { offsets, bytesPerExample: total };
}
