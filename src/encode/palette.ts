/**
 * Weight encoders: palettized (k-means clustering), dense, block-sparse (kept blocks dense or
 * palettized). Each returns an EncodedWeight that ModelWriter.weight takes, with a decode() giving
 * the values the runtime will compute with, for error measurement.
 */
import { packRows, packStream } from './bitpack.js';
import { blockGrid, gatherKept, isKept, packMask, type BlockGrid } from './blocksparse.js';
import { decodeWeight, type EncodedDense, type EncodedPalettized, type EncodedWeight, type WeightBlobs } from './decode.js';
import { DENSE_ELEMENTS, ELEMENTS, ENTRY_ELEMENTS, elementOf, type DenseElementName, type ElementName } from '../format/elements.js';
import { kmeans1d, nearestIndices } from './kmeans.js';

export type { EncodedDense, EncodedPalettized, EncodedSparse, EncodedWeight, WeightBlobs } from './decode.js';
export { decodeWeight, decodeTensor, weightBlobs } from './decode.js';
export { paletteValues } from '../format/layouts.js';
export { kmeans1d, nearestIndices } from './kmeans.js';

export interface PalettizeOptions {
  /** Index width, 1..8 (2^bits palette entries). */
  bits: number;
  /** Rows sharing one palette; 0 (default) = one palette for the whole tensor. */
  groupRows?: number;
  /** How palette entries are stored (default float32). int8 entries get a scale per palette = max|entry| / 127. */
  entryType?: ElementName;
  /** Normalize each row by its max |value| before clustering and store that as channel_scales. */
  channelScales?: boolean;
  /** Seed of the k-means++ init (default 1). */
  seed?: number;
  /** Lloyd iterations at most (default 100). */
  iters?: number;
  /**
   * Importance of each weight (rows x cols, >= 0) for sensitivity-weighted k-means: centroids
   * minimize the importance-weighted squared error (e.g. E[x^2] of the input column the weight
   * multiplies, from calibration data). Default: all equal.
   */
  importance?: Float32Array;
}

export type DenseOptions = { dtype: DenseElementName };

export interface BlockSparseOptions {
  blockRows: number;
  blockCols: number;
  /** Fraction of blocks dropped, those with the smallest L2 norm (ties: later blocks first kept). */
  sparsity?: number;
  /** Or an explicit keep flag per block, row-major over the block grid. */
  keep?: ArrayLike<number | boolean>;
}

function withDecode(blobs: WeightBlobs, count: number, rows?: number, cols?: number): EncodedWeight {
  let cached: Float32Array | undefined;
  const view = rows ?? count;
  const decode = () => (cached ??= decodeWeight(blobs, view, cols ?? 1));
  return { ...blobs, count, ...(rows !== undefined ? { rows, cols } : {}), decode };
}

function toF32(values: ArrayLike<number>): Float32Array {
  return values instanceof Float32Array ? values : Float32Array.from(values);
}

function denseBlob(values: Float32Array, dtype: DenseElementName): EncodedDense {
  return { dtype, data: ELEMENTS[dtype].pack(values, 1) };
}

/** Plain values, stored as float32 (exact) or float16. */
export function encodeDense(values: ArrayLike<number>, dtype: DenseElementName = 'float32'): EncodedWeight {
  if (!elementOf(dtype)?.dense) throw new RangeError(`encodeDense: dtype must be one of ${DENSE_ELEMENTS.join(', ')}, got ${dtype}`);
  return withDecode({ dense: denseBlob(toF32(values), dtype) }, values.length);
}

function checkMatrix(fn: string, values: ArrayLike<number>, rows: number, cols: number): void {
  if (!(Number.isInteger(rows) && rows >= 1 && Number.isInteger(cols) && cols >= 1)) throw new RangeError(`${fn}: bad matrix ${rows}x${cols}`);
  if (values.length !== rows * cols) throw new RangeError(`${fn}: ${values.length} values for a ${rows}x${cols} matrix`);
}

/**
 * Palette indices for every position of a [rows, cols] matrix (0 where `kept` says dropped),
 * the palettes' stored bytes, and the scales.
 */
function palettize(values: Float32Array, rows: number, cols: number, opts: PalettizeOptions, kept?: (r: number, c: number) => boolean): EncodedPalettized & { all: Uint8Array } {
  const { bits, groupRows = 0, entryType = 'float32', seed = 1, iters = 100 } = opts;
  if (!(Number.isInteger(bits) && bits >= 1 && bits <= 8)) throw new RangeError(`palettize: bits must be 1..8, got ${bits}`);
  if (!(Number.isInteger(groupRows) && groupRows >= 0 && groupRows <= rows)) throw new RangeError(`palettize: groupRows must be 0 or 1..${rows}, got ${groupRows}`);
  if (!elementOf(entryType)?.entry) throw new RangeError(`palettize: entryType ${entryType} is not one of ${ENTRY_ELEMENTS.join(', ')}`);
  const k = 1 << bits;
  const perPalette = groupRows === 0 ? rows : groupRows;
  const numPalettes = Math.ceil(rows / perPalette);

  let channelScales: Float32Array | undefined;
  let norm = values;
  if (opts.channelScales) {
    channelScales = new Float32Array(rows);
    norm = new Float32Array(values.length);
    for (let r = 0; r < rows; r++) {
      let m = 0;
      for (let c = 0; c < cols; c++) if (!kept || kept(r, c)) m = Math.max(m, Math.abs(values[r * cols + c]));
      channelScales[r] = m;
      const s = channelScales[r];
      for (let c = 0; c < cols; c++) norm[r * cols + c] = s > 0 ? values[r * cols + c] / s : 0;
    }
  }

  const all = new Uint8Array(rows * cols);
  const entries = new Float64Array(numPalettes * k);
  const entryScales = ELEMENTS[entryType].scaled ? new Float32Array(numPalettes) : undefined;
  for (let p = 0; p < numPalettes; p++) {
    const r0 = p * perPalette;
    const r1 = Math.min(rows, r0 + perPalette);
    let group: Float32Array;
    let weights: Float32Array | undefined;
    if (!kept) {
      group = norm.subarray(r0 * cols, r1 * cols);
      weights = opts.importance?.subarray(r0 * cols, r1 * cols);
    } else {
      const tmp: number[] = [];
      const wtmp: number[] = [];
      for (let r = r0; r < r1; r++) for (let c = 0; c < cols; c++) if (kept(r, c)) tmp.push(norm[r * cols + c]), wtmp.push(opts.importance?.[r * cols + c] ?? 1);
      group = Float32Array.from(tmp);
      if (opts.importance) weights = Float32Array.from(wtmp);
    }
    // A different, still deterministic, seed per palette.
    const centroids = kmeans1d(group, k, { seed: (seed + Math.imul(p, 0x9e3779b1)) >>> 0, iters, weights });
    const q = ELEMENTS[entryType].round(centroids);
    entries.set(q.values, p * k);
    if (entryScales) entryScales[p] = q.scale;
    const idx = nearestIndices(norm.subarray(r0 * cols, r1 * cols), q.values);
    if (kept) for (let r = r0; r < r1; r++) for (let c = 0; c < cols; c++) if (!kept(r, c)) idx[(r - r0) * cols + c] = 0;
    all.set(idx, r0 * cols);
  }

  // every palette has its own scale (scaled element types), so pack palette by palette
  const entryBytes = new Uint8Array(entries.length * ELEMENTS[entryType].bytes);
  for (let p = 0; p < numPalettes; p++) entryBytes.set(ELEMENTS[entryType].pack(entries.subarray(p * k, (p + 1) * k), entryScales?.[p] ?? 1), p * k * ELEMENTS[entryType].bytes);
  return {
    bits,
    groupRows,
    entryType,
    entries: entryBytes,
    ...(entryScales ? { entryScales } : {}),
    ...(channelScales ? { channelScales } : {}),
    indices: new Uint8Array(0),
    all,
  };
}

/** Clusters a [rows, cols] weight into 2^bits-entry palettes (per tensor or per group of rows). */
export function encodePalettized(values: ArrayLike<number>, rows: number, cols: number, opts: PalettizeOptions): EncodedWeight {
  checkMatrix('encodePalettized', values, rows, cols);
  const { all, ...p } = palettize(toF32(values), rows, cols, opts);
  p.indices = packRows(all, rows, cols, p.bits);
  return withDecode({ palettized: p }, rows * cols, rows, cols);
}

function keepFlags(values: Float32Array, g: BlockGrid, o: BlockSparseOptions): Uint8Array {
  const n = g.gridRows * g.gridCols;
  const flags = new Uint8Array(n);
  if (o.keep) {
    if (o.keep.length !== n) throw new RangeError(`encodeBlockSparse: keep has ${o.keep.length} flags for a ${g.gridRows}x${g.gridCols} block grid`);
    for (let i = 0; i < n; i++) flags[i] = o.keep[i] ? 1 : 0;
    return flags;
  }
  const sparsity = o.sparsity ?? 0;
  if (!(sparsity >= 0 && sparsity <= 1)) throw new RangeError(`encodeBlockSparse: sparsity must be in [0, 1], got ${sparsity}`);
  const norms = new Float64Array(n);
  for (let r = 0; r < g.rows; r++) {
    for (let c = 0; c < g.cols; c++) norms[Math.floor(r / g.blockRows) * g.gridCols + Math.floor(c / g.blockCols)] += values[r * g.cols + c] ** 2;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => norms[a] - norms[b] || a - b);
  flags.fill(1);
  const drop = Math.floor(sparsity * n);
  for (let i = 0; i < drop; i++) flags[order[i]] = 0;
  return flags;
}

/**
 * Block-sparse weight: R x C blocks, the `sparsity` fraction with the smallest L2 norm dropped (or
 * `keep` flags given); kept values stored dense ({ dtype }) or palettized (clustering only the
 * kept weights).
 */
export function encodeBlockSparse(
  values: ArrayLike<number>,
  rows: number,
  cols: number,
  blocks: BlockSparseOptions,
  inner: DenseOptions | PalettizeOptions = { dtype: 'float32' },
): EncodedWeight {
  checkMatrix('encodeBlockSparse', values, rows, cols);
  const v = toF32(values);
  const g = blockGrid(rows, cols, blocks.blockRows, blocks.blockCols);
  if (g.blockRows > rows || g.blockCols > cols) throw new RangeError(`encodeBlockSparse: block ${g.blockRows}x${g.blockCols} is larger than the ${rows}x${cols} matrix`);
  const mask = packMask(keepFlags(v, g, blocks), g);
  const sparse = { blockRows: g.blockRows, blockCols: g.blockCols, mask };
  if (!('bits' in inner)) return withDecode({ dense: denseBlob(gatherKept(v, mask, g), inner.dtype ?? 'float32'), sparse }, rows * cols, rows, cols);
  const kept = (r: number, c: number) => isKept(mask, g, Math.floor(r / g.blockRows), Math.floor(c / g.blockCols));
  const { all, ...p } = palettize(v, rows, cols, inner, kept);
  p.indices = packStream(gatherKept(all, mask, g), p.bits);
  return withDecode({ palettized: p, sparse }, rows * cols, rows, cols);
}
