/**
 * Block pruning by magnitude with the cubic sparsity schedule of Zhu & Gupta (2017), on the
 * training engine. A weight [O, ...] is viewed as the [rows = O, cols = rest] matrix of the .wpal
 * block-sparse layout (src/encode/blocksparse.ts; conv weights [O][kh][kw][I] as [O, kh*kw*I]) and
 * cut into R x C blocks (1x4, 4x1, 4x4, 8x1, 16x1, whole rows [1, cols], whole columns [rows, 1];
 * clamped to the matrix, as the .wpal builders clamp them). The mask is one f32 0 / 1 per weight in
 * the module's persistent memory, so the forward op (`masked`) and the DKM kernels read it in place.
 *
 *   s(t) = s_f + (s_i - s_f) (1 - (t - t0) / (t1 - t0))^3     for t0 <= t <= t1 (s_i before, s_f after)
 *
 * At every update (every `every` steps in [t0, t1], and at t1) the floor(s(t) x blocks) blocks with
 * the smallest L2 norm are dropped; dropped blocks stay dropped (the mask only grows), and the
 * pruned weights are set to exactly 0 in the parameter (`enforce`, also after every optimizer step
 * so momentum cannot move them).
 */
import type { Engine, Tensor } from '../engine/tensor.js';
import { dkmKernels } from '../dkm/kernels.js';

/** [rows, cols] of a block; 'row' = [1, cols], 'col' = [rows, 1]. */
export type BlockSpec = [number, number] | 'row' | 'col';

/** Parses '1x4', '16x1', 'row', 'col' (or [R, C]). */
export function parseBlock(s: string | BlockSpec): BlockSpec {
  if (Array.isArray(s) || s === 'row' || s === 'col') return s;
  const m = /^(\d+)x(\d+)$/.exec(s.trim());
  if (!m || +m[1] < 1 || +m[2] < 1) throw new RangeError(`block ${JSON.stringify(s)}: expected RxC (e.g. 1x4, 4x4, 16x1), row or col`);
  return [+m[1], +m[2]];
}

export interface PruneOptions {
  block: BlockSpec | string;
  /** Final fraction of blocks dropped, in [0, 1). */
  sparsity: number;
  /** Sparsity at the start of the schedule (default 0). */
  initialSparsity?: number;
  /** Steps where the ramp starts and ends (default 0 and 0: prune to the final sparsity at once). */
  startStep?: number;
  endStep?: number;
  /** Mask update period in steps inside the ramp (default 1). */
  every?: number;
}

/** Sparsity of the cubic schedule at step t. */
export function cubicSparsity(t: number, si: number, sf: number, t0: number, t1: number): number {
  if (t <= t0) return t1 > t0 ? si : sf;
  if (t >= t1) return sf;
  const r = 1 - (t - t0) / (t1 - t0);
  return sf + (si - sf) * r * r * r;
}

export class BlockPruner {
  readonly rows: number;
  readonly cols: number;
  /** Block shape after clamping to the matrix. */
  readonly blockRows: number;
  readonly blockCols: number;
  readonly gridRows: number;
  readonly gridCols: number;
  /** f32 0 / 1 per weight, persistent in the module's memory. */
  readonly mask: number;
  /** 1 = block kept, per block (row-major over the grid). */
  readonly keep: Uint8Array;
  private lastUpdate = -1;

  constructor(private readonly e: Engine, readonly weight: Tensor, readonly opts: PruneOptions) {
    const s = opts.sparsity;
    if (!(s >= 0 && s < 1)) throw new RangeError(`prune ${weight.name}: sparsity must be in [0, 1), got ${s}`);
    this.rows = weight.shape[0];
    this.cols = weight.size / this.rows;
    const b = parseBlock(opts.block);
    const [R, C] = b === 'row' ? [1, this.cols] : b === 'col' ? [this.rows, 1] : b;
    this.blockRows = Math.min(R, this.rows);
    this.blockCols = Math.min(C, this.cols);
    this.gridRows = Math.ceil(this.rows / this.blockRows);
    this.gridCols = Math.ceil(this.cols / this.blockCols);
    this.keep = new Uint8Array(this.gridRows * this.gridCols).fill(1);
    this.mask = e.mod.persist(weight.size * 4);
    e.mod.f32.fill(1, this.mask >> 2, (this.mask >> 2) + weight.size);
  }

  get blocks(): number {
    return this.keep.length;
  }

  /** Blocks dropped now. */
  get dropped(): number {
    let d = 0;
    for (let i = 0; i < this.keep.length; i++) d += 1 - this.keep[i];
    return d;
  }

  /** Fraction of blocks dropped now. */
  get sparsity(): number {
    return this.dropped / this.blocks;
  }

  /** Target sparsity of the schedule at `step`. */
  target(step: number): number {
    const o = this.opts;
    return cubicSparsity(step, o.initialSparsity ?? 0, o.sparsity, o.startStep ?? 0, o.endStep ?? 0);
  }

  /** Updates the mask if `step` is an update step of the schedule; returns whether it changed. */
  step(step: number): boolean {
    const o = this.opts;
    const t0 = o.startStep ?? 0, t1 = o.endStep ?? 0, every = Math.max(1, o.every ?? 1);
    const due = this.lastUpdate < 0 || (step >= t0 && step <= t1 && ((step - t0) % every === 0 || step === t1)) || (step >= t1 && this.lastUpdate < t1);
    if (!due) return false;
    this.lastUpdate = step;
    return this.pruneTo(this.target(step));
  }

  /** Drops the smallest-L2 blocks (among the kept ones) until floor(sparsity x blocks) are dropped. */
  pruneTo(sparsity: number): boolean {
    const want = Math.floor(sparsity * this.blocks + 1e-9);
    const drop = want - this.dropped;
    if (drop <= 0) return false;
    const f = this.e.mod.f32;
    const base = this.weight.ptr >> 2;
    const { rows, cols, blockRows: R, blockCols: C, gridCols } = this;
    const norms = new Float64Array(this.blocks);
    for (let r = 0; r < rows; r++) {
      const br = Math.floor(r / R) * gridCols;
      for (let c = 0; c < cols; c++) {
        const v = f[base + r * cols + c];
        norms[br + Math.floor(c / C)] += v * v;
      }
    }
    const cand: number[] = [];
    for (let i = 0; i < this.blocks; i++) if (this.keep[i]) cand.push(i);
    cand.sort((a, b) => norms[a] - norms[b] || a - b);
    for (let i = 0; i < drop && i < cand.length; i++) this.keep[cand[i]] = 0;
    this.writeMask();
    this.enforce();
    return true;
  }

  /** Sets the mask from explicit keep flags (e.g. read from a file). */
  setKeep(keep: ArrayLike<number>): void {
    if (keep.length !== this.blocks) throw new RangeError(`setKeep: ${keep.length} flags for ${this.blocks} blocks`);
    for (let i = 0; i < keep.length; i++) this.keep[i] = keep[i] ? 1 : 0;
    this.writeMask();
    this.enforce();
  }

  private writeMask(): void {
    const f = this.e.mod.f32;
    const m = this.mask >> 2;
    const { rows, cols, blockRows: R, blockCols: C, gridCols } = this;
    for (let r = 0; r < rows; r++) {
      const br = Math.floor(r / R) * gridCols;
      for (let c = 0; c < cols; c++) f[m + r * cols + c] = this.keep[br + Math.floor(c / C)];
    }
  }

  /** w *= mask in place (pruned weights exactly 0). */
  enforce(): void {
    dkmKernels(this.e.mod).maskmul(this.weight.size, this.weight.ptr, this.mask, this.weight.ptr, 0);
  }

  /** The f32 mask values (a copy). */
  maskValues(): Float32Array {
    return this.e.mod.f32.slice(this.mask >> 2, (this.mask >> 2) + this.weight.size);
  }

  /**
   * The `sparse` setting of a .wpal compression config that reproduces this mask from the exported
   * weights: the writer drops floor(sparsity x blocks) blocks of smallest L2 norm, and the dropped
   * blocks are exactly the zero ones.
   */
  compression(): { block: [number, number]; sparsity: number } {
    const d = this.dropped;
    return { block: [this.blockRows, this.blockCols], sparsity: d === 0 ? 0 : d >= this.blocks ? 1 : (d + 0.5) / this.blocks };
  }
}

/** y = w * mask (pruned weights 0 in the forward pass; the gradient to w is masked too). */
export function masked(e: Engine, w: Tensor, p: BlockPruner): Tensor {
  const K = dkmKernels(e.mod);
  const y = e.tensor(w.shape, w.requiresGrad);
  K.maskmul(w.size, w.ptr, p.mask, y.ptr, 0);
  e.record(y, () => {
    K.maskmul(w.size, y.root.grad, p.mask, e.gradPtr(w), e.accum(w));
    e.wrote(w);
  });
  return y;
}
