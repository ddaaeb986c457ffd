/**
 * Lossless detection: the stored form of an imported weight matrix that holds exactly its values,
 * in the fewest bytes. A tensor with at most 2^k distinct values (per tensor or per group of
 * rows) becomes a k-bit palette of exactly those values; blocks that are all zero become a block
 * mask; an int8 QDQ weight becomes an 8-bit palette of its integer levels with per-row scales; a
 * weight folded with a per-channel scale (BatchNorm) keeps its palette and stores the scale per
 * row. Every candidate is decoded and compared bit for bit before it is chosen; dense float32 is
 * the fallback.
 */
import { packRows, packStream } from '../../encode/bitpack.js';
import { blockGrid, gatherKept, packMask, type BlockGrid } from '../../encode/blocksparse.js';
import { decodeWeight, type EncodedPalettized, type WeightBlobs } from '../../encode/decode.js';
import { encodedBytes } from '../../format/layout-walk.js';
import { encodeDense, type EncodedWeight } from '../../encode/palette.js';
import { f16BitsToF32, f32ToF16Bits } from '../../encode/f16.js';
import type { WeightOrigin } from './ir.js';

export interface WeightReport {
  name: string;
  shape: number[];
  /** Distinct float32 values in the whole tensor (bit patterns; at most 257 counted). */
  distinct: number;
  /** Index bits of the stored palette, 0 when stored dense. */
  bits: number;
  /** Rows per palette, when palettized. */
  groupRows?: number;
  /** Fraction of blocks stored as absent, and the block shape. */
  sparsity: number;
  block?: [number, number];
  /** What was found: 'dense', 'palette', 'palette+sparse', 'sparse', 'qdq-int8', 'palette+scale'. */
  found: string;
  bytesBefore: number;
  bytesAfter: number;
}

const MAX_COUNT = 257;

/** Distinct float32 bit patterns of values[from..to) (stops counting at `limit`). */
function distinctBits(bits: Uint32Array, from: number, to: number, limit = MAX_COUNT): Set<number> {
  const s = new Set<number>();
  for (let i = from; i < to && s.size < limit; i++) s.add(bits[i]);
  return s;
}

const bitsFor = (n: number) => Math.max(1, Math.ceil(Math.log2(Math.max(n, 1))));

function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

interface Candidate {
  blobs: WeightBlobs;
  bits: number;
  groupRows?: number;
  sparsity: number;
  block?: [number, number];
  found: string;
}

/**
 * Palettes of exactly the values present: per group of `groupRows` rows, entries are the group's
 * distinct bit patterns (float32), padded to 2^bits. `skip(r, c)` leaves values out (dropped blocks).
 */
function exactPalette(values: Float32Array, rows: number, cols: number, groupRows: number, bits: number, skip?: (i: number) => boolean): { p: EncodedPalettized; idx: Uint8Array } | undefined {
  const k = 1 << bits;
  const u = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const groups = Math.ceil(rows / groupRows);
  const entries = new Uint32Array(groups * k);
  const idx = new Uint8Array(values.length);
  for (let g = 0; g < groups; g++) {
    const map = new Map<number, number>();
    const end = Math.min(rows, (g + 1) * groupRows) * cols;
    for (let i = g * groupRows * cols; i < end; i++) {
      if (skip?.(i)) continue;
      let e = map.get(u[i]);
      if (e === undefined) {
        if (map.size === k) return undefined;
        e = map.size;
        map.set(u[i], e);
        entries[g * k + e] = u[i];
      }
      idx[i] = e;
    }
  }
  return { p: { bits, groupRows: groupRows === rows ? 0 : groupRows, entryType: 'float32', entries: new Uint8Array(entries.buffer), indices: new Uint8Array(0) }, idx };
}

/** Fewest bits per group size that holds every group's distinct values; undefined above 8 bits. */
function bitsPerGroup(bits: Uint32Array, rows: number, cols: number, groupRows: number, skip?: (i: number) => boolean): number | undefined {
  let most = 0;
  for (let g = 0; g * groupRows < rows; g++) {
    const s = new Set<number>();
    const end = Math.min(rows, (g + 1) * groupRows) * cols;
    for (let i = g * groupRows * cols; i < end && s.size <= 256; i++) if (!skip?.(i)) s.add(bits[i]);
    if (s.size > 256) return undefined;
    most = Math.max(most, s.size);
  }
  return bitsFor(most);
}

/** Largest fraction of kept blocks for which a block-sparse encoding is considered. */
const MAX_KEPT = 0.5;

const GROUPS = (rows: number) => [rows, ...[64, 32, 16, 8, 4, 2, 1].filter((g) => g < rows)];
// Blocks of at least 4 values: 1x1 "blocks" are unstructured sparsity, a mask bit per value that
// saves little and sends the layer to a slow kernel (measured: the openWakeWord STFT conv, 16% exact
// zeros, ran 5x slower for 13% fewer bytes).
const BLOCKS: [number, number][] = [[16, 1], [4, 4], [8, 1], [4, 1], [1, 4], [1, 16], [2, 2]];

function paletteCandidates(values: Float32Array, rows: number, cols: number, found: string, sparse?: { grid: BlockGrid; mask: Uint8Array; keep: Uint8Array }): Candidate[] {
  const u = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const skip = sparse ? (i: number) => !sparse.keep[Math.floor(Math.floor(i / cols) / sparse.grid.blockRows) * sparse.grid.gridCols + Math.floor((i % cols) / sparse.grid.blockCols)] : undefined;
  const out: Candidate[] = [];
  let prevBits = 9;
  for (const g of GROUPS(rows)) {
    const bits = bitsPerGroup(u, rows, cols, g, skip);
    // Smaller groups only pay when they need fewer bits.
    if (bits === undefined || bits >= prevBits) continue;
    prevBits = bits;
    const made = exactPalette(values, rows, cols, g, bits, skip);
    if (!made) continue;
    const p = made.p;
    if (sparse) p.indices = packStream(gatherKept(made.idx, sparse.mask, sparse.grid), bits);
    else p.indices = packRows(made.idx, rows, cols, bits);
    const blobs: WeightBlobs = { palettized: p, ...(sparse ? { sparse: { blockRows: sparse.grid.blockRows, blockCols: sparse.grid.blockCols, mask: sparse.mask } } : {}) };
    const dropped = sparse ? 1 - sparse.keep.reduce((a, b) => a + b, 0) / sparse.keep.length : 0;
    narrowEntries(p);
    out.push({ blobs, bits, groupRows: g, sparsity: dropped, block: sparse ? [sparse.grid.blockRows, sparse.grid.blockCols] : undefined, found: sparse ? `${found}+sparse` : found });
  }
  return out;
}

/** Zero blocks of each candidate shape (a block is dropped only when all its values are +0 or -0... exactly +0). */
function zeroBlockMasks(values: Float32Array, rows: number, cols: number): { grid: BlockGrid; mask: Uint8Array; keep: Uint8Array }[] {
  const u = new Uint32Array(values.buffer, values.byteOffset, values.length);
  let zeros = 0;
  for (let i = 0; i < u.length; i++) if (u[i] === 0) zeros++;
  if (zeros < u.length / 8) return [];
  const out: { grid: BlockGrid; mask: Uint8Array; keep: Uint8Array }[] = [];
  for (const [R, C] of BLOCKS) {
    if (R > rows || C > cols) continue;
    const grid = blockGrid(rows, cols, R, C);
    const keep = new Uint8Array(grid.gridRows * grid.gridCols);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) if (u[r * cols + c] !== 0) keep[Math.floor(r / R) * grid.gridCols + Math.floor(c / C)] = 1;
    }
    const kept = keep.reduce((a, b) => a + b, 0);
    // At least half the blocks must go: below that, block-sparse kernels are slower than dense
    // ones for a small saving (13% zero blocks in the openWakeWord STFT conv: 2.0 vs 0.5 ms).
    if (kept > keep.length * MAX_KEPT) continue;
    out.push({ grid, mask: packMask(keep, grid), keep });
  }
  return out;
}

/**
 * The smallest exact encoding of a [rows, cols] weight matrix. `allowSparse` is false for
 * tensors whose kernels have no block-sparse path (Embedding tables).
 */
export function encodeLossless(name: string, shape: number[], values: Float32Array, origin: WeightOrigin | undefined, allowSparse: boolean): { encoded: EncodedWeight; report: WeightReport } {
  const rows = shape[0];
  const cols = values.length / rows;
  const u = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const distinct = distinctBits(u, 0, u.length).size;
  const hasNaN = values.some((v) => Number.isNaN(v));
  const dense = encodeDense(values);
  let best: Candidate = { blobs: dense, bits: 0, sparsity: 0, found: 'dense' };
  let bestBytes = encodedBytes(dense);
  const consider = (c: Candidate) => {
    const bytes = encodedBytes(c.blobs);
    if (bytes >= bestBytes) return;
    // Never trust a candidate: it must decode to exactly the same bits.
    if (!sameBits(decodeWeight(c.blobs, rows, cols), values)) return;
    best = c;
    bestBytes = bytes;
  };
  if (!hasNaN) {
    if (distinct <= 256) for (const c of paletteCandidates(values, rows, cols, 'palette')) consider(c);
    if (allowSparse) {
      for (const s of zeroBlockMasks(values, rows, cols)) {
        consider({ blobs: { dense: { dtype: 'float32', data: new Uint8Array(gatherKept(values, s.mask, s.grid).buffer) }, sparse: { blockRows: s.grid.blockRows, blockCols: s.grid.blockCols, mask: s.mask } }, bits: 0, sparsity: 1 - s.keep.reduce((a, b) => a + b, 0) / s.keep.length, block: [s.grid.blockRows, s.grid.blockCols], found: 'sparse' });
        for (const c of paletteCandidates(values, rows, cols, 'palette', s)) consider(c);
      }
    }
    if (origin) for (const c of originCandidates(origin, rows, cols)) consider(c);
  }
  const encoded: EncodedWeight = { ...best.blobs, count: values.length, rows, cols, decode: () => decodeWeight(best.blobs, rows, cols) };
  return {
    encoded,
    report: { name, shape, distinct: Math.min(distinct, 256 + 1), bits: best.bits, groupRows: best.groupRows, sparsity: best.sparsity, block: best.block, found: best.found, bytesBefore: values.length * 4, bytesAfter: bestBytes },
  };
}

/** Candidates from how the values were made: QDQ levels times row scales, or a palette times row scales. */
function originCandidates(origin: WeightOrigin, rows: number, cols: number): Candidate[] {
  const rowScale = origin.rowScale;
  const base = origin.kind === 'qdq' ? Float32Array.from(origin.levels) : origin.base;
  const out: Candidate[] = [];
  for (const c of paletteCandidates(base, rows, cols, origin.kind === 'qdq' ? 'qdq-int8' : 'palette+scale')) {
    c.blobs.palettized!.channelScales = rowScale;
    out.push(c);
  }
  return out;
}

/**
 * Palette entries in the narrowest type that holds them exactly: int8 (integers in range, scale
 * 1: e.g. QDQ levels), float16 (e.g. levels with a zero point, or values that are f16 already),
 * else float32. The runtime widens them to f32 once at load, so this only shrinks the file.
 */
function narrowEntries(p: EncodedPalettized): void {
  if (p.entryType !== 'float32') return;
  const e = new Float32Array(Uint8Array.prototype.slice.call(p.entries).buffer);
  const numPalettes = e.length >> p.bits;
  if (e.every((v) => Number.isInteger(v) && v >= -128 && v <= 127 && !Object.is(v, -0))) {
    p.entries = new Uint8Array(Int8Array.from(e).buffer);
    p.entryType = 'int8';
    p.entryScales = new Float32Array(numPalettes).fill(1);
    return;
  }
  const h = Uint16Array.from(e, (v) => f32ToF16Bits(v));
  if (h.every((bits, i) => Object.is(f16BitsToF32(bits), e[i]) || (e[i] === 0 && f16BitsToF32(bits) === 0 && Object.is(e[i], 0)))) {
    p.entries = new Uint8Array(h.buffer);
    p.entryType = 'float16';
  }
}
