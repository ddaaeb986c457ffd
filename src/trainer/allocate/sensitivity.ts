/**
 * Per-layer sensitivity: the calibration loss increase of the dense model when only one layer is
 * magnitude-pruned (the writer's rule: the floor(s x blocks) blocks of smallest L2 norm) and
 * hard-clustered (k-means, src/encode/kmeans.ts, on the kept weights, 2^bits entries per palette
 * group), every other layer left dense. No training: one forward pass over the calibration set per
 * (layer, bits, sparsity).
 *
 * The raw table is made monotone (fewer bits or more sparsity never hurts less:
 * S[b][s] = max(raw[b][s], S[b+1][s], S[b][s-1]), clamped at 0) so measurement noise cannot make
 * the allocator prefer a smaller choice for a lower loss; `lossAt` interpolates linearly in sparsity
 * between the measured points.
 */
import { kmeans1d, nearestIndices } from '../../encode/kmeans.js';
import { Engine } from '../engine/tensor.js';
import { TrainModule, type KernelIsa, type TrainBuild } from '../engine/module.js';
import { evaluate, type Examples } from '../engine/loop.js';
import { netOf, type DenseModel } from '../dense-model.js';
import { blockOf, droppedBlocks, layerShapes, type Choice, type LayerShape, type StorageOptions } from './size.js';

export interface SensitivityTable {
  /** Weight tensor names, in order. */
  layers: string[];
  /** Measured bits (ascending precision: 1..8, then 0 = float32) and sparsities (ascending, starting at 0). */
  bits: number[];
  sparsities: number[];
  /** Calibration loss / accuracy of the dense model. */
  baseLoss: number;
  baseAccuracy: number;
  /** [layer][bits index][sparsity index]: loss increase (monotone, >= 0). */
  loss: number[][][];
  /** [layer][bits index][sparsity index]: accuracy measured (raw). */
  accuracy: number[][][];
  /** Examples the table was measured on. */
  examples: number;
  seconds: number;
}

export interface SensitivityOptions extends StorageOptions {
  bits: number[];
  sparsities: number[];
  calibration: Examples;
  /** Lloyd iterations of the k-means (default 30). */
  iters?: number;
  seed?: number;
  build?: TrainBuild;
  isa?: KernelIsa;
}

/** Bits by precision: 1, 2, ..., 8, then 0 (float32, the most precise). */
export function sortBits(bits: readonly number[]): number[] {
  const rank = (b: number) => (b === 0 ? 99 : b);
  return [...new Set(bits)].sort((a, b) => rank(a) - rank(b));
}

/** Magnitude-prunes (block L2, writer's order) and hard-clusters a [rows, cols] weight. */
export function quantizeLayer(values: Float32Array, l: LayerShape, c: Choice, opts: StorageOptions & { iters?: number; seed?: number } = {}): Float32Array {
  const out = Float32Array.from(values);
  const g = blockOf(l, opts.block);
  const { rows, cols } = l;
  const drop = c.sparsity > 0 ? droppedBlocks(g.blocks, c.sparsity) : 0;
  let keep: Uint8Array | null = null;
  if (drop > 0) {
    const norms = new Float64Array(g.blocks);
    for (let r = 0; r < rows; r++) {
      const br = Math.floor(r / g.R) * g.gridCols;
      for (let k = 0; k < cols; k++) norms[br + Math.floor(k / g.C)] += values[r * cols + k] ** 2;
    }
    const order = Array.from({ length: g.blocks }, (_, i) => i).sort((a, b) => norms[a] - norms[b] || a - b);
    keep = new Uint8Array(g.blocks).fill(1);
    for (let i = 0; i < drop; i++) keep[order[i]] = 0;
    for (let r = 0; r < rows; r++) {
      const br = Math.floor(r / g.R) * g.gridCols;
      for (let k = 0; k < cols; k++) if (!keep[br + Math.floor(k / g.C)]) out[r * cols + k] = 0;
    }
  }
  if (c.bits === 0) return out;
  const groupRows = opts.groupRows && opts.groupRows > 0 ? Math.min(opts.groupRows, rows) : rows;
  for (let r0 = 0, p = 0; r0 < rows; r0 += groupRows, p++) {
    const r1 = Math.min(rows, r0 + groupRows);
    const kept: number[] = [];
    const isKept = (r: number, k: number) => !keep || keep[Math.floor(r / g.R) * g.gridCols + Math.floor(k / g.C)] === 1;
    for (let r = r0; r < r1; r++) for (let k = 0; k < cols; k++) if (isKept(r, k)) kept.push(values[r * cols + k]);
    if (!kept.length) continue;
    const cent = kmeans1d(kept, 1 << c.bits, { seed: ((opts.seed ?? 1) + Math.imul(p, 0x9e3779b1)) >>> 0, iters: opts.iters ?? 30 });
    const entries = Float64Array.from(cent, (v) => Math.fround(v));
    const seg = values.subarray(r0 * cols, r1 * cols);
    const idx = nearestIndices(seg, entries);
    for (let r = r0; r < r1; r++) for (let k = 0; k < cols; k++) if (isKept(r, k)) out[r * cols + k] = entries[idx[(r - r0) * cols + k]];
  }
  return out;
}

/** Measures the table (layers x bits x sparsities forward passes over the calibration set). */
export function measureSensitivity(m: DenseModel, opts: SensitivityOptions): SensitivityTable {
  const t0 = performance.now();
  const bits = sortBits(opts.bits);
  const sparsities = [...new Set([0, ...opts.sparsities])].sort((a, b) => a - b);
  const layers = layerShapes(m);
  const e = new Engine(new TrainModule({ build: opts.build, isa: opts.isa }));
  const net = netOf(e, m);
  const base = evaluate(e, net, opts.calibration);
  const loss: number[][][] = [];
  const accuracy: number[][][] = [];
  for (const l of layers) {
    const p = net.params.find((q) => q.name === l.name)!;
    const orig = m.weights[l.name];
    const L: number[][] = [], A: number[][] = [];
    for (const b of bits) {
      const rowL: number[] = [], rowA: number[] = [];
      for (const s of sparsities) {
        if (b === 0 && s === 0) {
          rowL.push(0), rowA.push(base.accuracy);
          continue;
        }
        e.write(p, quantizeLayer(orig, l, { bits: b, sparsity: s }, { ...opts, seed: opts.seed ?? 1 }));
        const r = evaluate(e, net, opts.calibration);
        rowL.push(r.loss - base.loss), rowA.push(r.accuracy);
      }
      L.push(rowL), A.push(rowA);
    }
    e.write(p, orig);
    loss.push(monotone(L)), accuracy.push(A);
  }
  return {
    layers: layers.map((l) => l.name), bits, sparsities, baseLoss: base.loss, baseAccuracy: base.accuracy, loss, accuracy,
    examples: opts.calibration.count, seconds: (performance.now() - t0) / 1000,
  };
}

/** S[b][s] = max(raw, S[b+1][s], S[b][s-1], 0) over bits ascending / sparsities ascending. */
export function monotone(raw: number[][]): number[][] {
  const nb = raw.length;
  const S = raw.map((r) => r.map((v) => Math.max(0, Number.isFinite(v) ? v : 1e9)));
  for (let bi = nb - 1; bi >= 0; bi--) {
    for (let si = 0; si < S[bi].length; si++) {
      if (bi + 1 < nb) S[bi][si] = Math.max(S[bi][si], S[bi + 1][si]);
      if (si > 0) S[bi][si] = Math.max(S[bi][si], S[bi][si - 1]);
    }
  }
  return S;
}

/** Loss increase of layer i at bits index bi and any sparsity in [0, max measured] (linear between measured points). */
export function lossAt(t: SensitivityTable, i: number, bi: number, s: number): number {
  const sp = t.sparsities;
  const row = t.loss[i][bi];
  if (s <= sp[0]) return row[0];
  for (let k = 1; k < sp.length; k++) {
    if (s <= sp[k] + 1e-12) {
      const f = (s - sp[k - 1]) / (sp[k] - sp[k - 1]);
      return row[k - 1] + f * (row[k] - row[k - 1]);
    }
  }
  return row[row.length - 1];
}
