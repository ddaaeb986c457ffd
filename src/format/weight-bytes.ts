/**
 * How many bytes each blob of a stored weight takes (schemas/wpal.fbs), in one place: the validator
 * checks a file's blobs against it, the compact reader cuts the blobs by it, and the allocator
 * predicts file sizes with it.
 *
 *   dense values     stored x element bytes            (stored = rows x cols, or kept blocks x R x C)
 *   palette entries  palettes x 2^bits x entry bytes   (palettes = ceil(rows / groupRows))
 *   entry scales     4 x palettes, scaled entry types only
 *   channel scales   4 x rows, when present
 *   indices          rows x ceil(cols x bits / 8)       (dense layout: every row starts on a byte)
 *                    ceil(stored x bits / 8)           (block-sparse: one stream of the kept values)
 *   mask             ceil(rows / R) x ceil(ceil(cols / C) / 8)
 */
import { blockGrid, maskBytes } from '../encode/blocksparse.js';
import { ELEMENTS, type ElementName } from './elements.js';

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

export interface BlobBytes {
  dense: number;
  entries: number;
  entryScales: number;
  channelScales: number;
  indices: number;
  mask: number;
  /** Palettes (palettized), values stored (all or the kept blocks'). */
  numPalettes: number;
  stored: number;
}

/** The bytes of every blob of a [rows, cols] weight stored as `e` (see the header). */
export function blobBytes(rows: number, cols: number, e: StoredEncoding): BlobBytes {
  const s = e.sparse;
  const stored = s ? s.keptBlocks * s.blockRows * s.blockCols : rows * cols;
  const mask = s ? maskBytes(blockGrid(rows, cols, s.blockRows, s.blockCols)) : 0;
  const out: BlobBytes = { dense: 0, entries: 0, entryScales: 0, channelScales: 0, indices: 0, mask, numPalettes: 0, stored };
  if (e.dense) out.dense = stored * ELEMENTS[e.dense].bytes;
  const p = e.palettized;
  if (p) {
    const entry = ELEMENTS[p.entryType];
    out.numPalettes = Math.ceil(rows / (p.groupRows === 0 ? rows : p.groupRows));
    out.entries = out.numPalettes * 2 ** p.bits * entry.bytes;
    out.entryScales = entry.scaled ? 4 * out.numPalettes : 0;
    out.channelScales = p.channelScales ? 4 * rows : 0;
    out.indices = s ? Math.ceil((stored * p.bits) / 8) : rows * Math.ceil((cols * p.bits) / 8);
  }
  return out;
}

/** The sum of a weight's blobs. */
export function totalBytes(b: BlobBytes): number {
  return b.dense + b.entries + b.entryScales + b.channelScales + b.indices + b.mask;
}
