/**
 * Size model of a compressed .wpal: bytes of every weight blob from the layer shape and its (bits,
 * sparsity) choice, by the format's own blob sizes (format/weight-bytes.ts: float32 or float16 palettes, or
 * float32 values at 0 bits; kept = blocks - floor(s x blocks)); biases stay dense float32; plus the
 * file's structural overhead calibrated by building.
 *
 * The overhead (FlatBuffers tables, names, graph, metadata, 16-byte blob alignment) is
 * file - blobs of calibration builds: one with every layer float32, one per storage kind (palettized,
 * palettized + sparse, float32 + sparse) with every layer in that kind; a layer's kind adds
 * (overhead_kind - overhead_float32) / layers. What is left is blob alignment padding (0..15 bytes
 * per blob), which `exactBytes` removes by building the real file (the size does not depend on the
 * values, so the calibration builds use one Lloyd iteration).
 */
import { readModel } from '../../format/read.js';
import { sizeReport } from '../../format/size.js';
import type { CompressionConfig, LayerDesc, WeightCompression } from '../../models/common.js';
import { buildDenseModel, compressibleLayers, type DenseModel } from '../dense-model.js';
import { blobBytes, totalBytes, type StoredEncoding } from '../../format/weight-bytes.js';
import { parseBlock, type BlockSpec } from '../prune/prune.js';

/** One compressible layer: its weight as the [rows, cols] matrix of the .wpal layouts. */
export interface LayerShape {
  /** Tensor name of the weight ("fc1.weight"). */
  name: string;
  rows: number;
  cols: number;
  /** Whether the runtime can run it block-sparse (not an embedding table). */
  canBeSparse: boolean;
}

/** Storage of one layer: index bits (0 = float32 values) and fraction of blocks pruned. */
export interface Choice {
  bits: number;
  sparsity: number;
}

export interface StorageOptions {
  /** Pruning block (default 1x4; clamped to the matrix). */
  block?: BlockSpec | string;
  /** Rows per palette (0 = one palette per tensor). */
  groupRows?: number;
  /** Element type of the palette entries (default float32). */
  entryType?: PaletteEntryType;
}

/** Palette entry types a compress run may write without changing how layers compute (int8 entries come with --int8). */
export type PaletteEntryType = 'float32' | 'float16';

/** The compressible layers of a dense model, in order. */
export function layerShapes(m: DenseModel): LayerShape[] {
  return compressibleLayers(m).map((l) => ({
    name: l.name, rows: l.shape[0], cols: l.shape.slice(1).reduce((a, b) => a * b, 1),
    // embedding tables stay unpruned: the runtime has no block-sparse Embedding kernel
    canBeSparse: l.kind !== 'embedding',
  }));
}

/** Block shape of a layer after clamping, and the block grid. */
export function blockOf(l: LayerShape, block: BlockSpec | string = '1x4'): { R: number; C: number; blocks: number; gridRows: number; gridCols: number } {
  const b = parseBlock(block);
  const [r, c] = b === 'row' ? [1, l.cols] : b === 'col' ? [l.rows, 1] : b;
  const R = Math.min(r, l.rows), C = Math.min(c, l.cols);
  const gridRows = Math.ceil(l.rows / R), gridCols = Math.ceil(l.cols / C);
  return { R, C, blocks: gridRows * gridCols, gridRows, gridCols };
}

/** Blocks dropped for a sparsity (the pruner's and the writer's rule). */
export function droppedBlocks(blocks: number, sparsity: number): number {
  return Math.min(blocks, Math.floor(sparsity * blocks + 1e-9));
}

/** Storage kind (which FlatBuffers tables the weight has). */
export type StorageKind = 'float32' | 'palettized' | 'palettized-sparse' | 'float32-sparse';

export function kindOf(l: LayerShape, c: Choice, opts: StorageOptions = {}): StorageKind {
  const sparse = c.sparsity > 0 && droppedBlocks(blockOf(l, opts.block).blocks, c.sparsity) > 0;
  if (c.bits > 0) return sparse ? 'palettized-sparse' : 'palettized';
  return sparse ? 'float32-sparse' : 'float32';
}

/** Bytes of the blobs of one weight stored as `c` (palettes, indices, mask or float32 values). */
export function weightBlobBytes(l: LayerShape, c: Choice, opts: StorageOptions = {}): number {
  const g = blockOf(l, opts.block);
  const kind = kindOf(l, c, opts);
  const sparse = kind.endsWith('-sparse');
  const kept = g.blocks - (sparse ? droppedBlocks(g.blocks, c.sparsity) : 0);
  const groupRows = opts.groupRows && opts.groupRows > 0 ? Math.min(opts.groupRows, l.rows) : 0;
  const values: StoredEncoding = c.bits === 0 ? { dense: 'float32' } : { palettized: { bits: c.bits, groupRows, entryType: opts.entryType ?? 'float32' } };
  return totalBytes(blobBytes(l.rows, l.cols, { ...values, ...(sparse ? { sparse: { blockRows: g.R, blockCols: g.C, keptBlocks: kept } } : {}) }));
}

/** The .wpal compression setting of a choice (iters: Lloyd iterations of the writer's k-means). */
export function compressionOf(l: LayerShape, c: Choice, opts: StorageOptions = {}, iters?: number): WeightCompression | undefined {
  const g = blockOf(l, opts.block);
  const d = c.sparsity > 0 ? droppedBlocks(g.blocks, c.sparsity) : 0;
  const w: WeightCompression = {};
  if (c.bits > 0) w.palette = { bits: c.bits, groupRows: opts.groupRows ?? 0, ...(opts.entryType ? { entryType: opts.entryType } : {}), ...(iters !== undefined ? { iters } : {}) };
  // (d + 0.5) / blocks: the writer drops floor(that x blocks) = d blocks, as the pruner does.
  if (d > 0) w.sparse = { block: [g.R, g.C], sparsity: (d + 0.5) / g.blocks };
  return w.palette || w.sparse ? w : undefined;
}

/** A CompressionConfig from per-layer choices (by weight name). */
export function configOf(layers: readonly LayerShape[], choices: readonly Choice[], opts: StorageOptions = {}, iters?: number): CompressionConfig {
  const byName = new Map(layers.map((l, i) => [l.name, compressionOf(l, choices[i], opts, iters)]));
  return (d: LayerDesc) => byName.get(d.name);
}

/** Builds the file for these choices (k-means with one Lloyd iteration: the size does not depend on it). */
export function exactBytes(m: DenseModel, choices: readonly Choice[], opts: StorageOptions = {}, extra: { name?: string; properties?: Record<string, string> } = {}): number {
  return buildDenseModel(m, configOf(layerShapes(m), choices, opts, 1), extra).bytes.length;
}

export class SizeModel {
  constructor(
    readonly layers: LayerShape[],
    readonly opts: StorageOptions,
    /** File bytes minus every blob with every layer float32 (biases are blobs too: counted in `fixed`). */
    readonly base: number,
    /** Bias blob bytes (float32), constant. */
    readonly fixed: number,
    /** Extra overhead of one layer stored in a kind, relative to float32. */
    readonly kindOverhead: Record<StorageKind, number>,
  ) {}

  /** Bytes one layer adds to the file: blobs + its kind's table overhead. */
  layerBytes(i: number, c: Choice): number {
    const l = this.layers[i];
    return weightBlobBytes(l, c, this.opts) + this.kindOverhead[kindOf(l, c, this.opts)];
  }

  /** Bytes every layer-independent part takes: graph, metadata, biases. */
  get constantBytes(): number {
    return this.base + this.fixed;
  }

  predict(choices: readonly Choice[]): number {
    return this.constantBytes + choices.reduce((a, c, i) => a + this.layerBytes(i, c), 0);
  }
}

/** Calibrates the overhead terms of the size model with 2-4 builds of the model. */
export function calibrateSizeModel(m: DenseModel, opts: StorageOptions = {}): SizeModel {
  const layers = layerShapes(m);
  const L = layers.length;
  const weightNames = new Set(layers.map((l) => l.name));
  const fixed = Object.entries(m.weights).reduce((a, [n, v]) => a + (weightNames.has(n) ? 0 : v.length * 4), 0);
  const overhead = (choices: Choice[]): number => {
    const bytes = buildDenseModel(m, configOf(layers, choices, opts, 1)).bytes;
    const r = sizeReport(readModel(bytes));
    return r.fileBytes - layers.reduce((a, l, i) => a + weightBlobBytes(l, choices[i], opts), 0) - fixed;
  };
  const all = (c: Choice) => layers.map(() => c);
  const base = overhead(all({ bits: 0, sparsity: 0 }));
  const kindOverhead: Record<StorageKind, number> = { float32: 0, palettized: 0, 'palettized-sparse': 0, 'float32-sparse': 0 };
  kindOverhead.palettized = (overhead(all({ bits: 4, sparsity: 0 })) - base) / L;
  kindOverhead['palettized-sparse'] = (overhead(all({ bits: 4, sparsity: 0.5 })) - base) / L;
  kindOverhead['float32-sparse'] = (overhead(all({ bits: 0, sparsity: 0.5 })) - base) / L;
  return new SizeModel(layers, opts, base, fixed, kindOverhead);
}
