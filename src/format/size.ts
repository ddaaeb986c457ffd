/**
 * Where the bytes of a model file go: per weight tensor and per kind. The kinds add up to the
 * file size exactly: graph+metadata is the file size minus every weight blob (so it also counts
 * FlatBuffers tables, vtables, length prefixes and alignment padding).
 */
import { fileParts, type FileParts } from './size-parts.js';
import type { ByteRange, ModelInfo } from './types.js';
import type { SizeKind } from './layouts.js';
import { blobsOf, describeWeight, indexBitsOf, sparsityOf } from './layout-walk.js';

export type { FilePart, FileParts } from './size-parts.js';

/** Bytes by kind of blob (each blob's kind is in its layout row). */
export interface SizeBytes extends Record<SizeKind, number> {
  /** Palette entries. */
  palettes: number;
  /** Packed indices (of dense or block-sparse palettized tensors). */
  indices: number;
  /** Block masks. */
  masks: number;
  /** Dense values (of dense tensors or of the kept blocks). */
  dense: number;
  /** entry_scales and channel_scales. */
  scales: number;
}

export interface LayerSize {
  tensor: number;
  name: string;
  shape: number[];
  /** e.g. "palettized 4-bit float16 x1 palette", "dense float32, 8x1 blocks 60% dropped". */
  encoding: string;
  /** Index bits (palettized), else undefined. */
  bits?: number;
  /** Fraction of blocks dropped (0 when not block-sparse). */
  sparsity: number;
  bytes: SizeBytes & { total: number };
  /** What the tensor would take as dense float32. */
  denseF32Bytes: number;
  /** denseF32Bytes / bytes.total. */
  ratio: number;
}

export interface SizeReport {
  fileBytes: number;
  layers: LayerSize[];
  /** Sums to fileBytes. */
  byKind: SizeBytes & { graphAndMetadata: number };
  /** Dense float32 bytes of every weight, and that divided by the file size. */
  denseF32Bytes: number;
  ratio: number;
  /**
   * The file by part of the format (header, tensor records, ops, names, shapes, attributes,
   * metadata, checksums, padding, weights); sums to fileBytes. `weights` is the payload (the sum of
   * byKind's palettes, indices, masks, dense and scales); everything else is the file's fixed cost.
   */
  parts: FileParts;
  /** fileBytes - parts.weights: graph, metadata, checksums, FlatBuffers overhead and padding. */
  fixedBytes: number;
}

export function sizeReport(info: ModelInfo): SizeReport {
  const byKind = { palettes: 0, indices: 0, masks: 0, dense: 0, scales: 0, graphAndMetadata: 0 };
  const layers: LayerSize[] = [];
  let denseF32Total = 0;
  for (const t of info.tensors) {
    const w = t.weight;
    if (!w) continue;
    const b: SizeBytes = { palettes: 0, indices: 0, masks: 0, dense: 0, scales: 0 };
    for (const { blob, value } of blobsOf<ByteRange>(w)) b[blob.kind] += value.length;
    const encoding = describeWeight(w);
    const bits = indexBitsOf(w);
    const sparsity = sparsityOf(w);
    const dropped = sparsity ? sparsity.dropped(w[sparsity.part]!, w.rows, w.cols) : 0;
    const total = b.palettes + b.indices + b.masks + b.dense + b.scales;
    const denseF32Bytes = w.rows * w.cols * 4;
    denseF32Total += denseF32Bytes;
    for (const k of Object.keys(b) as (keyof SizeBytes)[]) byKind[k] += b[k];
    layers.push({
      tensor: t.index,
      name: t.name,
      shape: [...t.shape],
      encoding,
      ...(bits !== undefined ? { bits } : {}),
      sparsity: dropped,
      bytes: { ...b, total },
      denseF32Bytes,
      ratio: total ? denseF32Bytes / total : Infinity,
    });
  }
  const fileBytes = info.bytes.byteLength;
  byKind.graphAndMetadata = fileBytes - (byKind.palettes + byKind.indices + byKind.masks + byKind.dense + byKind.scales);
  const parts = fileParts(info);
  return { fileBytes, layers, byKind, denseF32Bytes: denseF32Total, ratio: denseF32Total / fileBytes, parts, fixedBytes: fileBytes - parts.weights };
}
