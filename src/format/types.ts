/**
 * What the reader hands to the runtime: a fully validated description of a .wpal file.
 * Every ByteRange has been checked to lie inside the file, with the alignment and exact length its
 * encoding requires, before any of these objects is returned.
 */
import type { DenseElementName, DTypeName, ElementName } from './elements.js';

export type { DTypeName };

/** A slice of the model file: `offset` bytes from the start of the file, `length` bytes long. */
export interface ByteRange {
  offset: number;
  length: number;
}

export interface DenseValuesInfo {
  dtype: DenseElementName;
  /** Little-endian elements; 16-byte aligned in the file. */
  data: ByteRange;
}

export interface PalettizedInfo {
  /** 1..8 */
  bits: number;
  /** Output channels (rows) per palette, resolved: a per-tensor palette has groupRows = rows. */
  groupRows: number;
  numPalettes: number;
  entryType: ElementName;
  /** [numPalettes][2^bits] entries of entryType. */
  entries: ByteRange;
  /** Scaled entry types only (ELEMENTS[entryType].scaled): f32 [numPalettes]. */
  entryScales?: ByteRange;
  /** Optional f32 [rows]. */
  channelScales?: ByteRange;
  /** Packed indices (layout documented in schemas/wpal.fbs). */
  indices: ByteRange;
}

export interface BlockSparseInfo {
  blockRows: number;
  blockCols: number;
  /** ceil(rows/R) mask rows of ceil(ceil(cols/C)/8) bytes. */
  mask: ByteRange;
  /** Number of 1 bits in the mask (the kept values hold keptBlocks * R * C values). */
  keptBlocks: number;
}

/** Stored values of a constant tensor, seen as a [rows, cols] matrix (rows = shape[0]). */
export interface WeightInfo {
  rows: number;
  cols: number;
  /** Exactly one of dense / palettized is set. */
  dense?: DenseValuesInfo;
  palettized?: PalettizedInfo;
  sparse?: BlockSparseInfo;
}

export interface TensorInfo {
  index: number;
  name: string;
  /** Activations: per example, without the batch dimension. Weights: the full shape. */
  shape: number[];
  dtype: DTypeName;
  weight?: WeightInfo;
}

export type AttrValue = number | string | number[] | string[];

export interface OpInfo {
  index: number;
  type: string;
  /** Tensor indices; -1 = optional input left out. */
  inputs: number[];
  outputs: number[];
  /** Attribute name -> value (ints as number, floats as number, strings, int/float lists). */
  attrs: Record<string, AttrValue>;
}

export interface PreprocessingInfo {
  layout?: string;
  scale: number;
  mean: number[];
  std: number[];
}

export interface MetadataInfo {
  name?: string;
  description?: string;
  task?: string;
  preprocessing?: PreprocessingInfo;
  outputLabels: string[];
  properties: Record<string, string>;
}

/**
 * The file's checksum (format 1.2 on): 'verified' (it matches), 'unverified' (present, but
 * readModel was told not to check it), 'none' (a 1.0 / 1.1 file: nothing to check).
 */
export type ChecksumStatus = 'verified' | 'unverified' | 'none';

export interface ModelInfo {
  formatMajor: number;
  formatMinor: number;
  checksum: ChecksumStatus;
  tensors: TensorInfo[];
  /** In topological order (checked: every input is a graph input, a weight or an earlier output). */
  ops: OpInfo[];
  inputs: number[];
  outputs: number[];
  metadata: MetadataInfo;
  /** The file bytes the ByteRanges point into. */
  bytes: Uint8Array;
}

/** A part of a .wpal file, for the byte breakdown (size-parts.ts). */
export type FilePart = 'header' | 'tensors' | 'ops' | 'names' | 'shapes' | 'attrs' | 'metadata' | 'checksums' | 'padding' | 'weights';

/** Bytes of a file by part; the parts add up to the file size. */
export type FileParts = Record<FilePart, number>;
