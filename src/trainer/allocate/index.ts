/**
 * Automatic per-layer allocation: given only a target file size, choose every layer's index bits
 * and block sparsity so the written .wpal is <= the target and >= 97% of it, minimizing the summed
 * per-layer sensitivity. No per-layer hand tuning.
 *
 * 1. Size model (size.ts): a layer's bytes are computed from its shape and (bits, sparsity, block,
 *    groupRows): packed indices (rows byte-aligned when dense, one stream of the kept blocks when
 *    sparse) + palettes + mask, plus a per-storage-kind table overhead; biases, graph and metadata
 *    are a constant calibrated by 4 builds. Predictions are within the blobs' 16-byte alignment
 *    padding of real builds (tens of bytes); the final choice is then built for real (`exactBytes`,
 *    the size does not depend on the values) and, if over budget, the budget is lowered by the excess
 *    and the choice re-solved.
 * 2. Sensitivity (sensitivity.ts): for every layer and (bits in `bits`, sparsity in `sparsities`),
 *    the calibration loss increase of the dense model with only that layer pruned + hard-clustered
 *    (default: the first 1,000 training examples); made monotone; linear in sparsity between the
 *    measured points. Layers are assumed additive.
 * 3. Choice (solve.ts): a multiple-choice knapsack over, per layer, every bits value x sparsity on a
 *    fine grid (measured points + steps of `step`, default 0.01), exact Pareto-front DP.
 * 4. Fill: the knapsack grid can leave a few % unused, so the rest of the budget is spent greedily:
 *    repeatedly the move (one layer to >= its bits, the lowest block sparsity that still fits) with
 *    the largest loss decrease, or, at equal loss, the largest byte increase, until nothing fits.
 *    When no such move exists but more than 2% of the target is still unused (large targets: e.g.
 *    every layer already at a loss-free width and the next width only fits with some pruning), the
 *    move with the smallest predicted loss increase per byte is taken, so the file always lands in
 *    [97%, 100%] of the target (the predicted loss of one-shot pruning is pessimistic: fine-tuning
 *    recovers most of it, and the extra bits are kept).
 *
 * Infeasible targets (below the smallest file any choice gives, or above the largest) throw
 * InfeasibleTargetError naming the achievable range. `reserveBytes` keeps room for metadata added
 * when the file is finally written (properties of the CLI).
 */
import type { Examples } from '../engine/loop.js';
import type { KernelIsa, TrainBuild } from '../engine/module.js';
import type { DenseModel, LayerSetting } from '../dense-model.js';
import { parseBlock, type BlockSpec } from '../prune/prune.js';
import { blockOf, calibrateSizeModel, exactBytes, type Choice, type SizeModel, type StorageOptions } from './size.js';
import { lossAt, measureSensitivity, sortBits, type SensitivityTable } from './sensitivity.js';
import { solveKnapsack } from './solve.js';

export * from './size.js';
export * from './sensitivity.js';
export * from './solve.js';

export const DEFAULT_ALLOCATION_BITS = [1, 2, 3, 4, 6, 8];
export const DEFAULT_ALLOCATION_SPARSITIES = [0, 0.5, 0.75, 0.9, 0.95];
/** Examples of the training set used for calibration when none are given. */
export const DEFAULT_CALIBRATION = 1000;

export interface AllocateOptions extends StorageOptions {
  /** The file size to meet: the written file is <= this and (when feasible) >= 97% of it. */
  targetBytes: number;
  /** Bytes kept free for metadata added when the file is written (default 0). */
  reserveBytes?: number;
  /** Candidate index bits (default 1, 2, 3, 4, 6, 8; 0 = float32 values). */
  bits?: number[];
  /** Measured sparsities (default 0, 0.5, 0.75, 0.9, 0.95); the allocator also uses values in between, up to the largest. */
  sparsities?: number[];
  /** Calibration examples, or how many of the first examples of `calibrationFrom` (default 1,000). */
  calibration?: Examples | number;
  /** Where a calibration count takes its examples from (default: the data given, the training set); the pipeline passes its validation split. */
  calibrationFrom?: Examples;
  /** A sensitivity table measured before (skips the measurement; its bits and sparsities are the candidates). */
  sensitivity?: SensitivityTable;
  /** Sparsity grid step of the knapsack candidates (default 0.01). */
  step?: number;
  /** Lloyd iterations of the sensitivity k-means (default 30) and its seed (default 1). */
  iters?: number;
  seed?: number;
  build?: TrainBuild;
  isa?: KernelIsa;
}

export interface LayerAllocation {
  /** Weight tensor name. */
  name: string;
  /** Index bits (0 = float32). */
  bits: number;
  /** Fraction of blocks pruned (dropped / blocks), 0 = not pruned. */
  sparsity: number;
  block: [number, number];
  /** Bytes the layer takes in the file (size model: blobs + table overhead). */
  bytes: number;
  /** Predicted calibration loss increase of this layer's choice. */
  lossIncrease: number;
}

export interface Allocation {
  targetBytes: number;
  /** targetBytes - reserveBytes: what the built file (without the reserved metadata) may take. */
  budgetBytes: number;
  /** Size model prediction and the size of the real build of the choice (without reserved metadata). */
  predictedBytes: number;
  fileBytes: number;
  /** Smallest and largest files the candidates allow (real builds). */
  minBytes: number;
  maxBytes: number;
  layers: LayerAllocation[];
  /** compressModel per-layer settings (by layer name, e.g. "fc1"). */
  settings: Record<string, LayerSetting>;
  /** Summed predicted loss increase (additive model). */
  lossIncrease: number;
  sensitivity: SensitivityTable;
}

export class InfeasibleTargetError extends RangeError {
  constructor(
    message: string,
    readonly targetBytes: number,
    readonly minBytes: number,
    readonly maxBytes: number,
  ) {
    super(message);
    this.name = 'InfeasibleTargetError';
  }
}

/** Bytes of every weight (and bias) as dense float32: the numerator of the compression ratio (sizeReport). */
export function denseF32Bytes(m: DenseModel): number {
  return Object.values(m.weights).reduce((a, v) => a + v.length * 4, 0);
}

/** Target file size for a compression ratio: dense float32 bytes / ratio, rounded down. */
export function targetForRatio(m: DenseModel, ratio: number): number {
  if (!(ratio > 0 && Number.isFinite(ratio))) throw new RangeError(`ratio must be a positive number, got ${ratio}`);
  return Math.floor(denseF32Bytes(m) / ratio);
}

const fmt = (n: number) => `${Math.round(n).toLocaleString('en-US')} B`;

interface Cand extends Choice {
  bi: number;
  bytes: number;
  loss: number;
}

/**
 * Chooses every layer's bits and sparsity for a target file size (see the header). `data` is the
 * training set (the calibration subset is taken from its start); it may be omitted when
 * `opts.sensitivity` is given.
 */
export function allocate(m: DenseModel, data: Examples | undefined, opts: AllocateOptions): Allocation {
  const target = opts.targetBytes;
  if (!(Number.isInteger(target) && target > 0)) throw new RangeError(`targetBytes must be a positive whole number of bytes, got ${target}`);
  const reserve = opts.reserveBytes ?? 0;
  const storage: StorageOptions = { block: parseBlock(opts.block ?? '1x4') as BlockSpec, groupRows: opts.groupRows ?? 0, ...(opts.entryType ? { entryType: opts.entryType } : {}) };
  const size = calibrateSizeModel(m, storage);
  const L = size.layers.length;

  let table = opts.sensitivity;
  if (!table) {
    let calib = opts.calibration ?? DEFAULT_CALIBRATION;
    if (typeof calib === 'number') {
      const pool = opts.calibrationFrom ?? data;
      if (!pool) throw new RangeError('allocate: calibration data (or a sensitivity table) is needed');
      const n = Math.min(calib, pool.count);
      const F = pool.x.length / pool.count;
      calib = { x: pool.x.subarray(0, n * F), y: Array.from({ length: n }, (_, k) => pool.y[k]), count: n };
    }
    table = measureSensitivity(m, {
      ...storage, bits: sortBits(opts.bits ?? DEFAULT_ALLOCATION_BITS), sparsities: opts.sparsities ?? DEFAULT_ALLOCATION_SPARSITIES,
      calibration: calib, iters: opts.iters, seed: opts.seed, build: opts.build, isa: opts.isa,
    });
  }
  const t = table;
  if (t.layers.length !== L || t.layers.some((n, i) => n !== size.layers[i].name)) {
    throw new RangeError(`allocate: the sensitivity table is for layers ${t.layers.join(', ')}, the model has ${size.layers.map((l) => l.name).join(', ')}`);
  }
  for (const b of t.bits) if (!(Number.isInteger(b) && b >= 0 && b <= 8)) throw new RangeError(`allocate: bits must be 0..8, got ${b}`);
  const maxS = t.sparsities[t.sparsities.length - 1];
  if (!(maxS < 1)) throw new RangeError(`allocate: sparsities must be < 1, got ${maxS}`);

  // knapsack candidates: every bits x (measured sparsities + a fine grid), deduplicated by dropped blocks
  const step = opts.step ?? 0.01;
  const cands: Cand[][] = size.layers.map((l, i) => {
    const { blocks } = blockOf(l, storage.block);
    const out: Cand[] = [];
    t.bits.forEach((bits, bi) => {
      const seen = new Set<number>();
      const grid = l.canBeSparse ? [...t.sparsities] : [0];
      if (l.canBeSparse) for (let s = step; s < maxS; s += step) grid.push(Math.round(s * 1e6) / 1e6);
      for (const s of grid.sort((a, b) => a - b)) {
        const d = Math.min(blocks, Math.floor(s * blocks + 1e-9));
        if (seen.has(d)) continue;
        seen.add(d);
        const c: Choice = { bits, sparsity: d / blocks };
        out.push({ ...c, bi, bytes: size.layerBytes(i, c), loss: lossAt(t, i, bi, c.sparsity) });
      }
    });
    return out;
  });

  const extreme = (pick: (cs: Cand[]) => Cand) => {
    const choices = cands.map(pick);
    return { choices, bytes: exactBytes(m, choices, storage) };
  };
  const smallest = extreme((cs) => cs.reduce((a, c) => (c.bytes < a.bytes ? c : a)));
  const largest = extreme((cs) => cs.reduce((a, c) => (c.bytes > a.bytes ? c : a)));
  const minBytes = smallest.bytes + reserve, maxBytes = largest.bytes + reserve;
  const describe = (cs: Choice[]) => cs.map((c, i) => `${layerName(size.layers[i].name)} ${c.bits ? `${c.bits}-bit` : 'float32'}${c.sparsity ? ` ${(c.sparsity * 100).toFixed(1)}% pruned` : ''}`).join(', ');
  if (target < minBytes) {
    throw new InfeasibleTargetError(
      `target ${fmt(target)} is below the smallest achievable file, ${fmt(minBytes)} (${describe(smallest.choices)}${reserve ? `, ${fmt(reserve)} of metadata` : ''}); ` +
        `raise the target, or allow fewer bits / more sparsity / larger blocks`,
      target, minBytes, maxBytes,
    );
  }
  if (maxBytes < 0.97 * target) {
    throw new InfeasibleTargetError(
      `target ${fmt(target)} is above the largest file these choices make, ${fmt(maxBytes)} (${describe(largest.choices)}); ` +
        `lower the target${t.bits.includes(0) ? '' : ', or allow bits 0 (float32 values)'}`,
      target, minBytes, maxBytes,
    );
  }

  const budget0 = target - reserve;
  let budget = budget0;
  let choices: Cand[] = largest.choices;
  let predicted = 0, fileBytes = largest.bytes;
  if (largest.bytes > budget0) {
    // The built file can exceed the prediction by a few bytes (blob alignment): lower the budget and
    // solve again, by the excess and at least 16 B x 2^attempt, so a file whose size moves in 16-byte
    // steps cannot stall the search (it did: seven 2-byte steps, then every layer at its smallest).
    for (let attempt = 0; ; attempt++) {
      const picks = solveKnapsack(cands, budget - size.constantBytes);
      choices = picks ? picks.map((p, i) => cands[i][p]) : smallest.choices;
      choices = fill(size, t, choices, budget, storage, maxS, budget - 0.02 * target);
      predicted = size.predict(choices);
      fileBytes = exactBytes(m, choices, storage);
      if (fileBytes <= budget0 || attempt >= 12) break;
      budget -= Math.max(fileBytes - budget0, 16 * 2 ** attempt);
    }
    if (fileBytes > budget0) {
      // unreachable in practice (the smallest file fits, checked above); never a silent degradation
      throw new InfeasibleTargetError(`target ${fmt(target)}: no allocation found that fits in 13 tries (last: ${fmt(fileBytes + reserve)}, ${describe(choices)})`, target, minBytes, maxBytes);
    }
  }
  predicted = size.predict(choices);

  const layers: LayerAllocation[] = choices.map((c, i) => {
    const g = blockOf(size.layers[i], storage.block);
    return { name: size.layers[i].name, bits: c.bits, sparsity: c.sparsity, block: [g.R, g.C], bytes: size.layerBytes(i, c), lossIncrease: c.loss };
  });
  const settings: Record<string, LayerSetting> = {};
  for (const l of layers) {
    const g = blockOf(size.layers[layers.indexOf(l)], storage.block);
    const d = Math.round(l.sparsity * g.blocks);
    // (d + 0.5) / blocks: the pruner drops floor(that x blocks) = d blocks
    settings[layerName(l.name)] = { bits: l.bits, sparsity: d > 0 ? (d + 0.5) / g.blocks : 0, block: l.block, groupRows: storage.groupRows ?? 0 };
  }
  return {
    targetBytes: target, budgetBytes: budget0, predictedBytes: predicted, fileBytes, minBytes, maxBytes, layers, settings,
    lossIncrease: layers.reduce((a, l) => a + l.lossIncrease, 0), sensitivity: t,
  };
}

function layerName(weight: string): string {
  return weight.endsWith('.weight') ? weight.slice(0, -'.weight'.length) : weight;
}

/**
 * Spends what the knapsack left: repeatedly the best move of one layer to bits >= its own with the
 * fewest dropped blocks that still fit (largest loss decrease; at equal loss, most bytes).
 */
function fill(size: SizeModel, t: SensitivityTable, start: Cand[], budget: number, storage: StorageOptions, maxS: number, minTotal: number): Cand[] {
  const cur = start.map((c) => ({ ...c }));
  for (let iter = 0; iter < 1000; iter++) {
    const total = size.predict(cur);
    const slack = budget - total;
    if (slack <= 0) break;
    let best: { i: number; c: Cand; gain: number; extra: number } | null = null;
    // below minTotal: the cheapest loss increase per byte when no move lowers (or keeps) the loss
    let spend: { i: number; c: Cand; cost: number } | null = null;
    for (let i = 0; i < cur.length; i++) {
      const l = size.layers[i];
      const { blocks } = blockOf(l, storage.block);
      const maxD = l.canBeSparse ? Math.min(blocks, Math.floor(maxS * blocks + 1e-9)) : 0;
      const cap = cur[i].bytes + slack;
      for (let bi = cur[i].bi; bi < t.bits.length; bi++) {
        const bits = t.bits[bi];
        const bytesAt = (d: number) => size.layerBytes(i, { bits, sparsity: d / blocks });
        let d = -1;
        if (bytesAt(0) <= cap) d = 0;
        else if (maxD >= 1 && bytesAt(maxD) <= cap) {
          let lo = 1, hi = maxD; // smallest d >= 1 that fits (bytes non-increasing in d)
          while (lo < hi) {
            const mid = (lo + hi) >> 1;
            if (bytesAt(mid) <= cap) hi = mid;
            else lo = mid + 1;
          }
          d = lo;
        }
        if (d < 0) continue;
        const c: Cand = { bits, sparsity: d / blocks, bi, bytes: bytesAt(d), loss: lossAt(t, i, bi, d / blocks) };
        const gain = cur[i].loss - c.loss, extra = c.bytes - cur[i].bytes;
        if (extra <= 0) continue;
        if (gain < -1e-15) {
          const cost = -gain / extra;
          if (!spend || cost < spend.cost) spend = { i, c, cost };
          continue;
        }
        if (!best || gain > best.gain + 1e-15 || (Math.abs(gain - best.gain) <= 1e-15 && extra > best.extra)) best = { i, c, gain, extra };
      }
    }
    if (best) cur[best.i] = best.c;
    else if (spend && total < minTotal) cur[spend.i] = spend.c;
    else break;
  }
  return cur;
}
