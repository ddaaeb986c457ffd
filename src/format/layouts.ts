/**
 * The layouts a weight is stored in: one row per part, with what the format, the encoders, the
 * decoder, the size report and the runtime need to know about it (ggml's type traits are the model,
 * as elements.ts is for element types). A stored weight is exactly one *values* part and at most
 * one *sparsity* part (schemas/wpal.fbs, table Weight):
 *
 *   part        role      table        blobs, in Weight.checksum order              kernel-name token
 *   dense       values    DenseValues  data                                         dense, f16 (elements.ts)
 *   palettized  values    Palettized   entries, entry_scales?, channel_scales?,     p{bits}{entry}
 *                                      indices
 *   sparse      sparsity  BlockSparse  mask                                         bs{R}x{C}
 *
 * Without a sparsity part a weight stores all rows x cols values row by row (packed indices start
 * every row on a byte). A sparsity part keeps some positions and says in which order (`order`);
 * the values part then stores only those, as one stream. So a part's rows compose: sparse +
 * palettized is one tensor, and a new part (2:4 sparsity, vector palettes) is one row here, its
 * table in the schema and its fields in the two schema codecs (read.ts / write-tables.ts and
 * compact-read.ts / compact-write.ts), and kernels.
 */
import { packedRowBytes, unpackRows, unpackStream } from '../encode/bitpack.js';
import { blockGrid, countKept, isKept, keptOrder, maskBytes } from '../encode/blocksparse.js';
import type { Builder, Offset } from 'flatbuffers';
import { DENSE_ELEMENTS, DTYPE_OF, ELEMENTS, ENTRY_ELEMENTS, elementOf, type DenseElementName, type ElementName } from './elements.js';
import { BlockSparse, DenseValues, Palettized } from './generated/wpal_generated.js';
import type { TableRef } from './verify-structure.js';
import type { BlockSparseInfo, DenseValuesInfo, PalettizedInfo, WeightInfo } from './types.js';

export type ValuesPart = 'dense' | 'palettized';
export type SparsityPart = 'sparse';
/** A part's name is its field in Weight (the schema), WeightInfo, WeightBlobs and WeightLayout. */
export type LayoutPart = ValuesPart | SparsityPart;

/** The blobs of every part, by a name unique over the table (BlobBytes' keys). */
export type BlobName = 'dense' | 'entries' | 'entryScales' | 'channelScales' | 'indices' | 'mask';

/** Where the size report counts a blob (SizeBytes, size.ts). */
export type SizeKind = 'palettes' | 'indices' | 'masks' | 'dense' | 'scales';

export interface LayoutBlob {
  name: BlobName;
  /** The part's property holding it: a ByteRange in WeightInfo, the bytes in WeightBlobs (values when `floats`). */
  field: string;
  /** Table.field in the schema (the tables layout reads and hashes it there: verify-structure.ts). */
  schema: string;
  /** How messages name it. */
  what: string;
  kind: SizeKind;
  /** A [float] vector in the tables layout and a Float32Array in WeightBlobs; the others are [ubyte] blobs. */
  floats?: true;
  /** Present only when the part's fields ask for it (its size is then not 0); the others always are. */
  optional?: true;
  /** The part's field naming the element type of the blob's values (validate-values.ts checks they are finite). */
  element?: string;
}

// ---- the part's shapes: as encoded (WeightBlobs), as stored before any check (WeightLayout), resolved (Fields)

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
  /** Scaled entry types only (int8): one scale per palette. */
  entryScales?: Float32Array;
  /** Optional: one multiplier per row. */
  channelScales?: Float32Array;
  /** Packed indices: per-row layout without a sparsity part, one stream of the kept values with one. */
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

/**
 * A weight's parts as a file or the writer holds them, before any check: fields as stored, byte
 * blobs as anything with a length (only the mask's bits are read), float vectors as their values.
 * WeightBlobs is one.
 */
export interface WeightLayout {
  dense?: { dtype: string; data: { length: number } };
  palettized?: {
    bits: number;
    /** As stored: 0 = one palette for the tensor. */
    groupRows: number;
    entryType: string;
    entries: { length: number };
    entryScales?: ArrayLike<number>;
    channelScales?: ArrayLike<number>;
    indices: { length: number };
  };
  sparse?: { blockRows: number; blockCols: number; mask: Uint8Array };
}

/** A part's fields once checked: WeightInfo's parts without their blobs. */
export interface Fields {
  dense: Omit<DenseValuesInfo, 'data'>;
  palettized: Omit<PalettizedInfo, 'entries' | 'entryScales' | 'channelScales' | 'indices'>;
  sparse: Omit<BlockSparseInfo, 'mask'>;
}

/** The resolved fields of each part a weight has. */
export type CheckedLayout = { [K in LayoutPart]?: Fields[K] };

/** A weight's encoding without its values: enough to size its blobs (the allocator plans with it). */
export interface StoredEncoding {
  /** Dense values of this element type (exactly one of dense / palettized). */
  dense?: ElementName;
  palettized?: {
    bits: number;
    /** Rows per palette; 0 = one palette for the tensor. */
    groupRows: number;
    entryType: ElementName;
    channelScales?: boolean;
  };
  /** Block-sparse: the block shape and how many blocks the mask keeps. */
  sparse?: { blockRows: number; blockCols: number; keptBlocks: number };
}

export interface BlobBytes extends Record<BlobName, number> {
  /** Palettes (palettized), values stored (all or the kept ones). */
  numPalettes: number;
  stored: number;
}

/** What a weight asks of its kernel (runtime/kernels.ts matches kernel rows against it). */
export interface WeightNeed {
  wenc: 'dense' | 'f16' | 'palettized';
  bits?: number;
  sparse?: [number, number];
}

/** What a sparsity part keeps: how many values are stored, and how messages say it. */
export interface Kept {
  stored: number;
  what: string;
}

/**
 * How the thread splitter (runtime/ops/parallel.ts) cuts a weight into slices of output rows: each
 * part says which row boundaries b it allows and where its blobs stand at b.
 */
export interface ValuesSplit {
  /** Boundaries are multiples of this (a slice's palettes start at a group's first row). */
  unit: number;
  /** Bits of one stored value. */
  valueBits: number;
  /** Bytes of one row, without a sparsity part (rows start on bytes). */
  rowBytes: number;
}

export interface SparsitySplit {
  /** Boundaries are multiples of this. */
  unit: number;
  /** Values stored before row b (the values part's stream is cut there). */
  storedBefore(b: number): number;
  /** Work before row b: rows carry unequal work, slices get equal work. */
  work(b: number): number;
  /** Bytes of the part's own blob (the mask) before row b. */
  maskBefore(b: number): number;
}

type Bad = (msg: string) => never;

interface PartRow<K extends LayoutPart> {
  part: K;
  /** The schema table. */
  table: string;
  /** The part's own fields, as encoded (WeightBlobs); the resolved ones (Fields) add derived counts. */
  fields: readonly string[];
  blobs: readonly LayoutBlob[];
  /** How the size report names the part ("palettized 4-bit float16, 1 palette"). */
  describe(p: NonNullable<WeightInfo[K]>, rows: number, cols: number): string;
  /** What the part asks of a kernel. */
  need(p: Fields[K]): Partial<WeightNeed>;
  /** The tables layout (read.ts): the scalar fields of the part's table, element types as schema numbers. */
  readTable(t: TableRef): Record<string, number>;
  /** The tables layout (write-tables.ts): the part's table, its blobs first (`blob` writes a 16-byte aligned [ubyte] vector). */
  writeTable(b: Builder, p: NonNullable<WeightBlobs[K]>, blob: (data: Uint8Array) => Offset): Offset;
}

export interface ValuesRow<K extends ValuesPart> extends PartRow<K> {
  role: 'values';
  /** Blob sizes; `stored` = values a sparsity part keeps (one stream), undefined = all rows x cols. */
  bytes(rows: number, cols: number, e: NonNullable<StoredEncoding[K]>, stored: number | undefined): Partial<BlobBytes>;
  /** Checks the part's fields and blobs against the matrix (and what the sparsity part keeps). */
  check(rows: number, cols: number, p: NonNullable<WeightLayout[K]>, kept: Kept | undefined, bad: Bad): Fields[K];
  /** Writes the values into the row-major `out`: stored value i at at[i] (skipped at -1), or all of them row by row. */
  decode(p: NonNullable<WeightBlobs[K]>, rows: number, cols: number, out: Float32Array, at?: Int32Array): void;
  split(p: Fields[K], cols: number): ValuesSplit;
}

export interface SparsityRow<K extends SparsityPart> extends PartRow<K> {
  role: 'sparsity';
  bytes(rows: number, cols: number, e: NonNullable<StoredEncoding[K]>): Partial<BlobBytes>;
  /** Values the part keeps. */
  stored(e: NonNullable<StoredEncoding[K]>): number;
  check(rows: number, cols: number, p: NonNullable<WeightLayout[K]>, bad: Bad): { fields: Fields[K]; kept: Kept };
  /** Where each stored value goes: r * cols + c, or -1 for a stored position outside the matrix (stored as 0). */
  order(p: NonNullable<WeightBlobs[K]>, rows: number, cols: number): Int32Array;
  /** Fraction of the weight's positions it drops. */
  dropped(p: Fields[K], rows: number, cols: number): number;
  /** `file`: the bytes the part's ranges point into. */
  split(p: NonNullable<WeightInfo[K]>, rows: number, cols: number, file: Uint8Array): SparsitySplit;
}

// ---- values parts

const dense: ValuesRow<'dense'> = {
  part: 'dense',
  role: 'values',
  table: 'DenseValues',
  fields: ['dtype'],
  blobs: [{ name: 'dense', field: 'data', schema: 'DenseValues.data', what: 'dense data', kind: 'dense', element: 'dtype' }],
  bytes: (rows, cols, dtype, stored) => ({ dense: (stored ?? rows * cols) * ELEMENTS[dtype].bytes }),
  check(rows, cols, d, kept, bad) {
    const element = elementOf(d.dtype);
    if (!element?.dense) return bad(`dense dtype ${d.dtype} is not one of ${DENSE_ELEMENTS.join(', ')}`);
    const want = (kept?.stored ?? rows * cols) * element.bytes;
    if (d.data.length !== want) bad(`dense data is ${d.data.length} bytes, expected ${want} (${kept?.what ?? `${rows} x ${cols} values`} x ${element.bytes} bytes)`);
    return { dtype: element.name as DenseElementName };
  },
  decode(d, rows, cols, out, at) {
    const element = ELEMENTS[d.dtype];
    if (!at) return element.read(d.data, out);
    const values = new Float32Array(at.length);
    element.read(d.data, values);
    for (let i = 0; i < at.length; i++) if (at[i] >= 0) out[at[i]] = values[i];
  },
  describe: (d) => `dense ${d.dtype}`,
  need: (d) => ({ wenc: ELEMENTS[d.dtype].denseWenc! }),
  split: (d, cols) => ({ unit: 1, valueBits: 8 * ELEMENTS[d.dtype].bytes, rowBytes: cols * ELEMENTS[d.dtype].bytes }),
  readTable: (t) => ({ dtype: (t as DenseValues).dtype() }),
  writeTable: (b, d, blob) => DenseValues.createDenseValues(b, DTYPE_OF[d.dtype], blob(d.data)),
};

/** Decoded palettes, [numPalettes][2^bits] as f32 values. */
export function paletteValues(p: EncodedPalettized, numPalettes: number): Float32Array {
  const out = new Float32Array(numPalettes << p.bits);
  ELEMENTS[p.entryType].read(p.entries, out, p.entryScales, 1 << p.bits);
  return out;
}

function palettizedBytes(rows: number, cols: number, p: NonNullable<StoredEncoding['palettized']>, stored: number | undefined): Partial<BlobBytes> {
  const entry = ELEMENTS[p.entryType];
  const numPalettes = Math.ceil(rows / (p.groupRows === 0 ? rows : p.groupRows));
  return {
    numPalettes,
    entries: numPalettes * 2 ** p.bits * entry.bytes,
    entryScales: entry.scaled ? 4 * numPalettes : 0,
    channelScales: p.channelScales ? 4 * rows : 0,
    indices: stored === undefined ? rows * packedRowBytes(cols, p.bits) : Math.ceil((stored * p.bits) / 8),
  };
}

const palettized: ValuesRow<'palettized'> = {
  part: 'palettized',
  role: 'values',
  table: 'Palettized',
  fields: ['bits', 'groupRows', 'entryType'],
  blobs: [
    { name: 'entries', field: 'entries', schema: 'Palettized.entries', what: 'palette entries', kind: 'palettes', element: 'entryType' },
    { name: 'entryScales', field: 'entryScales', schema: 'Palettized.entry_scales', what: 'entry scales', kind: 'scales', floats: true, optional: true },
    { name: 'channelScales', field: 'channelScales', schema: 'Palettized.channel_scales', what: 'channel scales', kind: 'scales', floats: true, optional: true },
    { name: 'indices', field: 'indices', schema: 'Palettized.indices', what: 'indices', kind: 'indices' },
  ],
  bytes: palettizedBytes,
  check(rows, cols, p, kept, bad) {
    if (!(Number.isInteger(p.bits) && p.bits >= 1 && p.bits <= 8)) bad(`bits ${p.bits} must be 1..8`);
    if (!(Number.isInteger(p.groupRows) && p.groupRows >= 0 && p.groupRows <= rows)) bad(`group_rows ${p.groupRows} must be 0 (per tensor) or 1..${rows} (rows)`);
    const groupRows = p.groupRows === 0 ? rows : p.groupRows;
    const numPalettes = Math.ceil(rows / groupRows);
    const element = elementOf(p.entryType);
    if (!element?.entry) return bad(`palette entry type ${p.entryType} is not one of ${ENTRY_ELEMENTS.join(', ')}`);
    const want = palettizedBytes(rows, cols, { bits: p.bits, groupRows: p.groupRows, entryType: element.name }, kept?.stored);
    if (p.entries.length !== want.entries) {
      bad(`palette entries are ${p.entries.length} bytes, expected ${want.entries} (${numPalettes} palettes x ${2 ** p.bits} entries x ${element.bytes} bytes)`);
    }
    const finite = (v: ArrayLike<number>, name: string) => {
      for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) bad(`${name}[${i}] is not finite`);
    };
    if (element.scaled) {
      const s = p.entryScales;
      if (!s) return bad(`${p.entryType} palette entries need entry_scales`);
      if (s.length !== numPalettes) bad(`entry_scales has ${s.length} values, expected ${numPalettes} (one per palette)`);
      finite(s, 'entry_scales');
    } else if (p.entryScales) {
      bad(`entry_scales is only allowed with ${Object.values(ELEMENTS).filter((e) => e.scaled).map((e) => e.name).join(' or ')} entries (entries are ${p.entryType})`);
    }
    if (p.channelScales) {
      if (p.channelScales.length !== rows) bad(`channel_scales has ${p.channelScales.length} values, expected ${rows} (one per row)`);
      finite(p.channelScales, 'channel_scales');
    }
    if (p.indices.length !== want.indices) {
      bad(`indices are ${p.indices.length} bytes, expected ${want.indices} (${kept ? `ceil(${kept.what} x ${p.bits} bits / 8)` : `${rows} rows x ceil(${cols}*${p.bits}/8)`})`);
    }
    return { bits: p.bits, groupRows, numPalettes, entryType: element.name };
  },
  decode(p, rows, cols, out, at) {
    const k = 1 << p.bits;
    const perPalette = p.groupRows === 0 ? rows : p.groupRows;
    const pal = paletteValues(p, Math.ceil(rows / perPalette));
    const cs = p.channelScales;
    // f32 arithmetic, as the kernels: entry (x entry scale, in paletteValues), then x channel scale
    const value = (r: number, idx: number) => {
      const e = pal[Math.floor(r / perPalette) * k + idx];
      return cs ? Math.fround(e * cs[r]) : e;
    };
    if (!at) {
      const idx = unpackRows(p.indices, rows, cols, p.bits);
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = value(r, idx[r * cols + c]);
      return;
    }
    const idx = unpackStream(p.indices, at.length, p.bits);
    for (let i = 0; i < at.length; i++) if (at[i] >= 0) out[at[i]] = value(Math.floor(at[i] / cols), idx[i]);
  },
  describe: (p) =>
    `palettized ${p.bits}-bit ${p.entryType}, ${p.numPalettes === 1 ? '1 palette' : `${p.numPalettes} palettes of ${p.groupRows} rows`}` +
    (p.channelScales ? ', channel scales' : ''),
  need: (p) => ({ wenc: 'palettized', bits: p.bits }),
  // a slice's palettes start at its first row's group
  split: (p, cols) => ({ unit: p.numPalettes > 1 ? p.groupRows : 1, valueBits: p.bits, rowBytes: packedRowBytes(cols, p.bits) }),
  readTable: (t) => ({ bits: (t as Palettized).bits(), groupRows: (t as Palettized).groupRows(), entryType: (t as Palettized).entryType() }),
  writeTable(b, p, blob) {
    // the order files have always had: entries, indices, then the scale vectors
    const entries = blob(p.entries);
    const indices = blob(p.indices);
    const es = p.entryScales ? Palettized.createEntryScalesVector(b, p.entryScales) : 0;
    const cs = p.channelScales ? Palettized.createChannelScalesVector(b, p.channelScales) : 0;
    return Palettized.createPalettized(b, p.bits, p.groupRows, DTYPE_OF[p.entryType], entries, es, cs, indices);
  },
};

// ---- sparsity parts

const blockSparse: SparsityRow<'sparse'> = {
  part: 'sparse',
  role: 'sparsity',
  table: 'BlockSparse',
  fields: ['blockRows', 'blockCols'],
  blobs: [{ name: 'mask', field: 'mask', schema: 'BlockSparse.mask', what: 'mask', kind: 'masks' }],
  bytes: (rows, cols, s) => ({ mask: maskBytes(blockGrid(rows, cols, s.blockRows, s.blockCols)) }),
  stored: (s) => s.keptBlocks * s.blockRows * s.blockCols,
  check(rows, cols, s, bad) {
    const { blockRows: R, blockCols: C, mask } = s;
    if (!(Number.isInteger(R) && R >= 1 && R <= rows)) bad(`block_rows ${R} must be 1..${rows} (rows)`);
    if (!(Number.isInteger(C) && C >= 1 && C <= cols)) bad(`block_cols ${C} must be 1..${cols} (cols)`);
    const g = blockGrid(rows, cols, R, C);
    const maskLen = maskBytes(g);
    if (mask.length !== maskLen) bad(`mask is ${mask.length} bytes, expected ${maskLen} (${g.gridRows} block rows x ceil(${g.gridCols}/8))`);
    // the kernels and the compact layout's kept count read whole mask bytes
    const padBits = g.maskRowBytes * 8 - g.gridCols;
    if (padBits > 0) {
      const padMask = (0xff << (8 - padBits)) & 0xff;
      for (let br = 0; br < g.gridRows; br++) {
        if (mask[br * g.maskRowBytes + g.maskRowBytes - 1] & padMask) bad(`mask row ${br} has bits set beyond the ${g.gridCols} block columns`);
      }
    }
    const keptBlocks = countKept(mask, g);
    return { fields: { blockRows: R, blockCols: C, keptBlocks }, kept: { stored: keptBlocks * R * C, what: `${keptBlocks} kept blocks x ${R}x${C}` } };
  },
  order: (s, rows, cols) => keptOrder(s.mask, blockGrid(rows, cols, s.blockRows, s.blockCols)),
  dropped(s, rows, cols) {
    const blocks = Math.ceil(rows / s.blockRows) * Math.ceil(cols / s.blockCols);
    return blocks ? 1 - s.keptBlocks / blocks : 0;
  },
  describe(s, rows, cols) {
    return `${s.blockRows}x${s.blockCols} blocks ${(blockSparse.dropped(s, rows, cols) * 100).toFixed(1)}% dropped`;
  },
  need: (s) => ({ sparse: [s.blockRows, s.blockCols] }),
  readTable: (t) => ({ blockRows: (t as BlockSparse).blockRows(), blockCols: (t as BlockSparse).blockCols() }),
  writeTable: (b, s, blob) => BlockSparse.createBlockSparse(b, s.blockRows, s.blockCols, blob(s.mask)),
  split(s, rows, cols, file) {
    const g = blockGrid(rows, cols, s.blockRows, s.blockCols);
    const mask = file.subarray(s.mask.offset, s.mask.offset + s.mask.length);
    // kept blocks before each block row
    const before = [0];
    for (let br = 0; br < g.gridRows; br++) {
      let n = 0;
      for (let bc = 0; bc < g.gridCols; bc++) if (isKept(mask, g, br, bc)) n++;
      before.push(before[br] + n);
    }
    const R = s.blockRows;
    return {
      unit: R,
      storedBefore: (b) => before[b / R] * R * s.blockCols,
      // a boundary inside a block row counts that block row's work
      work: (b) => before[Math.ceil(b / R)],
      maskBefore: (b) => (b / R) * g.maskRowBytes,
    };
  },
};

/** The values parts, in Weight.checksum order. */
export const VALUE_LAYOUTS: readonly ValuesRow<ValuesPart>[] = [dense, palettized];
/** The sparsity parts, in Weight.checksum order. */
export const SPARSITY_LAYOUTS: readonly SparsityRow<SparsityPart>[] = [blockSparse];
/** Every part, in Weight.checksum order (the values parts, then the sparsity parts). */
export const LAYOUTS: readonly (ValuesRow<ValuesPart> | SparsityRow<SparsityPart>)[] = [...VALUE_LAYOUTS, ...SPARSITY_LAYOUTS];

/** Every blob name, in Weight.checksum order. */
export const BLOB_NAMES: readonly BlobName[] = LAYOUTS.flatMap((r) => r.blobs.map((b) => b.name));
