/**
 * The types of the layout table (../layouts.ts): what a row of each role says, and the shapes a
 * weight's parts take (as encoded, as stored, resolved). One file per part beside this one.
 */
import type { Builder, Offset } from 'flatbuffers';
import type { DenseElementName, ElementName } from '../elements.js';
import type { StreamReader, StreamWriter } from '../stream.js';
import type { TableRef } from '../verify-structure.js';
import type { BlockSparseInfo, ByteRange, DenseValuesInfo, PalettizedInfo, WeightInfo } from '../types.js';


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
  /** Palettes before row b (a slice's palettes and palette scales start after them); 0 without palettes. */
  palettesBefore(b: number): number;
  /** Entries of one palette (its values; the runtime's element size multiplies them); 0 without palettes. */
  paletteEntries: number;
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

export type Bad = (msg: string) => never;

/** What a kernel's name says of the weights it reads (runtime/kernel-name.ts reads each token with the rows). */
export interface KernelTraits {
  /** The values part's token (dense, f16, p4f32, p8i8, ...), undefined for ops without weights. */
  wenc?: string;
  /** Palettized: the largest bit width the kernel handles. */
  maxBits?: number;
  /** Palettized kernels that handle only part of 1..maxBits: the smallest (a kernel table field, not in the name). */
  minBits?: number;
  /** Palette entry type the kernel reads. */
  paletteEntry?: 'f32' | 'i8';
  /** 'any' for a kernel that handles every block shape, [R, C] for one shape. */
  sparse?: 'any' | [number, number];
}

/** The activation type a kernel computes in. */
export type KernelAct = 'f32' | 'i8';

/** What a part needs of the runtime to fill its kernel arguments. */
export interface KernelHost {
  act: KernelAct;
  /** The address of a blob, read in place. */
  at(r: ByteRange): number;
  /** The file the ranges point into. */
  bytes: Uint8Array;
  /** Copies values into memory kept while the model lives; returns their address. */
  keep(values: Float32Array): number;
}

/** A weighted kernel's arguments (assembly/kernels/README.md, the gemm ABI): w, pal, mask and params slots 0..7. */
export interface KernelArgs {
  weights?: number;
  palette?: number;
  mask?: number;
  /** Values of params slots, by slot. */
  params?: Partial<Record<number, number>>;
}

/** The part and the runtime's kernels. */
export interface KernelSpec<K extends LayoutPart> {
  /** What a kernel-name token of this part says, or undefined when the token is none of the part's. */
  token(t: string): KernelTraits | undefined;
  /**
   * Whether a kernel fits this part of a need: when the need has the part, the kernel reads it with
   * the need's fields; when not, the kernel does not read the part.
   */
  fits(k: KernelTraits, need: WeightNeed, act: KernelAct): boolean;
  /** A kernel that takes any value of the part's fields (one written for the need's is preferred). */
  general?(k: KernelTraits): boolean;
  /** The arguments the part fills. */
  args(p: NonNullable<WeightInfo[K]>, host: KernelHost): KernelArgs;
  /** What int8 kernels (an op's int8 = 1) need of the weight, and whether this part gives it; absent: they never read it. */
  int8?: { what: string; takes(p: NonNullable<WeightInfo[K]>): boolean };
}

/**
 * A part in the compact layout (format 1.3, schemas/wpal.fbs "Compact files"): its bits of a weight
 * record's `enc` byte and its fields after it (the parts' fields follow enc in Weight.checksum order).
 * The marks of one role's rows form a selector: the record has the row whose mark is enc's bits
 * under that selector (a mark of 0, dense, is the values part of a record that marks no other; no
 * sparsity part is 0). Bits no row uses are reserved (0).
 */
export interface CompactRecord<K extends LayoutPart> {
  /** The enc bits that say the record has this part. */
  mark: number;
  /** The other enc bits the part's fields use. */
  flags: number;
  /** How messages name flags the part alone uses, when they are set on a weight without it. */
  flagsWhat?: string;
  /** The part's flags in enc (the walk adds the mark). */
  enc(p: NonNullable<WeightBlobs[K]>, rows: number): number;
  /** Writes the part's fields after enc. */
  write(s: StreamWriter, p: NonNullable<WeightBlobs[K]>, rows: number): void;
  /**
   * Reads them, checking what cutting the blobs needs (the rest is checked as the tables are):
   * the part's encoding (its blobs' sizes) and its fields as WeightLayout holds them.
   */
  read(r: StreamReader, enc: number, rows: number, cols: number, where: string): { encoding: NonNullable<StoredEncoding[K]>; fields: Record<string, number | string> };
  /** Checks the record against the part's blobs once placed in Model.data: a message, or undefined. */
  checkBlobs?(e: NonNullable<StoredEncoding[K]>, blob: (name: BlobName) => Uint8Array, rows: number, cols: number): string | undefined;
}

export interface PartRow<K extends LayoutPart> {
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
  /** How the runtime picks and calls a kernel for the part. */
  kernel: KernelSpec<K>;
  /** The tables layout (read.ts): the scalar fields of the part's table, element types as schema numbers. */
  readTable(t: TableRef): Record<string, number>;
  /** The tables layout (write-tables.ts): the part's table, its blobs first (`blob` writes a 16-byte aligned [ubyte] vector). */
  writeTable(b: Builder, p: NonNullable<WeightBlobs[K]>, blob: (data: Uint8Array) => Offset): Offset;
  /** The compact layout (compact-read.ts, compact-write.ts): the part in a weight record. */
  compact: CompactRecord<K>;
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
  /** Index bits of a palette-coded part (the size report's bits column); undefined for stored values. */
  indexBits?(p: Fields[K]): number;
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
