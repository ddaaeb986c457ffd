/**
 * Encoded-weight types shared by the encoders and the writer, and the reference decoder: the
 * values a stored weight stands for, computed from its blobs exactly as the layout in
 * schemas/wpal.fbs says (f32 arithmetic: entry * entry_scale, then * channel_scale).
 */
import type { ModelInfo, TensorInfo } from '../format/types.js';
import { unpackRows, unpackStream } from './bitpack.js';
import { blockGrid, isKept, scatterKept } from './blocksparse.js';
import { ELEMENTS, type DenseElementName, type ElementName } from '../format/elements.js';

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('wasm-palette encoders need a little-endian host');

export interface EncodedDense {
  dtype: DenseElementName;
  /** Little-endian elements. */
  data: Uint8Array;
}

export interface EncodedPalettized {
  bits: number;
  /** Rows per palette; 0 = one palette for the tensor. */
  groupRows: number;
  entryType: ElementName;
  /** [numPalettes][2^bits] entries of entryType. */
  entries: Uint8Array;
  /** int8 entries only: one scale per palette. */
  entryScales?: Float32Array;
  /** Optional: one multiplier per row. */
  channelScales?: Float32Array;
  /** Packed indices: per-row layout when dense, one stream of the kept values when block-sparse. */
  indices: Uint8Array;
}

export interface EncodedSparse {
  blockRows: number;
  blockCols: number;
  mask: Uint8Array;
}

/** The blobs of a stored weight (what the writer puts in a Weight table). */
export interface WeightBlobs {
  dense?: EncodedDense;
  palettized?: EncodedPalettized;
  sparse?: EncodedSparse;
}

/** What the encoders return and ModelWriter.weight takes. */
export interface EncodedWeight extends WeightBlobs {
  /** Number of values encoded (rows * cols). */
  count: number;
  /** [rows, cols] view, when the encoder knows it (palettized and block-sparse encodings do). */
  rows?: number;
  cols?: number;
  /** The values the runtime computes with (row-major), decoded from the blobs. */
  decode(): Float32Array;
}

/**
 * An aligned copy of the bytes. Uint8Array.prototype.slice copies even for a Node Buffer, whose own
 * slice() is a view into a shared pool (bytes.slice().buffer would then start at the pool's start).
 */
function copyOf(bytes: Uint8Array): ArrayBuffer {
  return Uint8Array.prototype.slice.call(bytes).buffer as ArrayBuffer;
}

function f32View(bytes: Uint8Array): Float32Array {
  return new Float32Array(copyOf(bytes), 0, bytes.length >>> 2);
}

function denseValues(d: EncodedDense): Float32Array {
  const row = ELEMENTS[d.dtype];
  const out = new Float32Array(d.data.length / row.bytes);
  row.read(d.data, out);
  return out;
}

/** Decoded palettes, [numPalettes][2^bits] as f32 values. */
export function paletteValues(p: EncodedPalettized, numPalettes: number): Float32Array {
  const out = new Float32Array(numPalettes << p.bits);
  ELEMENTS[p.entryType].read(p.entries, out, p.entryScales, 1 << p.bits);
  return out;
}

/** The [rows, cols] row-major values a weight stands for (dropped blocks are 0). */
export function decodeWeight(w: WeightBlobs, rows: number, cols: number): Float32Array {
  if (w.dense && !w.sparse) return denseValues(w.dense);
  if (w.dense && w.sparse) {
    const g = blockGrid(rows, cols, w.sparse.blockRows, w.sparse.blockCols);
    return scatterKept(denseValues(w.dense), w.sparse.mask, g);
  }
  const p = w.palettized!;
  const k = 1 << p.bits;
  const perPalette = p.groupRows === 0 ? rows : p.groupRows;
  const pal = paletteValues(p, Math.ceil(rows / perPalette));
  const cs = p.channelScales;
  const out = new Float32Array(rows * cols);
  const value = (r: number, idx: number) => {
    const e = pal[Math.floor(r / perPalette) * k + idx];
    return cs ? Math.fround(e * cs[r]) : e;
  };
  if (!w.sparse) {
    const idx = unpackRows(p.indices, rows, cols, p.bits);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = value(r, idx[r * cols + c]);
    return out;
  }
  const { blockRows: R, blockCols: C, mask } = w.sparse;
  const g = blockGrid(rows, cols, R, C);
  let kept = 0;
  for (let br = 0; br < g.gridRows; br++) for (let bc = 0; bc < g.gridCols; bc++) if (isKept(mask, g, br, bc)) kept++;
  const idx = unpackStream(p.indices, kept * R * C, p.bits);
  let o = 0;
  for (let br = 0; br < g.gridRows; br++) {
    for (let bc = 0; bc < g.gridCols; bc++) {
      if (!isKept(mask, g, br, bc)) continue;
      for (let r = br * R; r < br * R + R; r++) {
        for (let c = bc * C; c < bc * C + C; c++, o++) if (r < rows && c < cols) out[r * cols + c] = value(r, idx[o]);
      }
    }
  }
  return out;
}

/** The blobs of a weight tensor of a read model, as views into `info.bytes`. */
export function weightBlobs(info: ModelInfo, t: TensorInfo): WeightBlobs {
  const w = t.weight;
  if (!w) throw new RangeError(`tensor ${t.index} ${JSON.stringify(t.name)} is not a weight`);
  const b = info.bytes;
  const view = (r: { offset: number; length: number }) => b.subarray(r.offset, r.offset + r.length);
  const floats = (r: { offset: number; length: number }) => f32View(view(r));
  const out: WeightBlobs = {};
  if (w.dense) out.dense = { dtype: w.dense.dtype, data: view(w.dense.data) };
  if (w.palettized) {
    const p = w.palettized;
    out.palettized = {
      bits: p.bits,
      groupRows: p.groupRows,
      entryType: p.entryType,
      entries: view(p.entries),
      indices: view(p.indices),
      ...(p.entryScales ? { entryScales: floats(p.entryScales) } : {}),
      ...(p.channelScales ? { channelScales: floats(p.channelScales) } : {}),
    };
  }
  if (w.sparse) out.sparse = { blockRows: w.sparse.blockRows, blockCols: w.sparse.blockCols, mask: view(w.sparse.mask) };
  return out;
}

/** Decoded values of weight tensor `index` of a read model. */
export function decodeTensor(info: ModelInfo, index: number): Float32Array {
  const t = info.tensors[index];
  return decodeWeight(weightBlobs(info, t), t.weight!.rows, t.weight!.cols);
}
