/**
 * How many bytes each blob of a stored weight takes (schemas/wpal.fbs), summed from the layout rows
 * (layouts.ts, where each part says its own sizes): the validator checks a file's blobs against
 * them, the compact reader cuts the blobs by them, and the allocator predicts file sizes with them.
 *
 *   dense values     stored x element bytes            (stored = rows x cols, or kept blocks x R x C)
 *   palette entries  palettes x 2^bits x entry bytes   (palettes = ceil(rows / groupRows))
 *   entry scales     4 x palettes, scaled entry types only
 *   channel scales   4 x rows, when present
 *   indices          rows x ceil(cols x bits / 8)       (no sparsity part: every row starts on a byte)
 *                    ceil(stored x bits / 8)           (block-sparse: one stream of the kept values)
 *   mask             ceil(rows / R) x ceil(ceil(cols / C) / 8)
 */
import { BLOB_NAMES, SPARSITY_LAYOUTS, VALUE_LAYOUTS, type BlobBytes, type StoredEncoding } from './layouts.js';

export type { BlobBytes, StoredEncoding } from './layouts.js';

/** The bytes of every blob of a [rows, cols] weight stored as `e` (see the header). */
export function blobBytes(rows: number, cols: number, e: StoredEncoding): BlobBytes {
  const out: BlobBytes = { dense: 0, entries: 0, entryScales: 0, channelScales: 0, indices: 0, mask: 0, numPalettes: 0, stored: rows * cols };
  // the sparsity part says how many values the values part stores
  let stored: number | undefined;
  for (const row of SPARSITY_LAYOUTS) {
    const s = e[row.part];
    if (!s) continue;
    stored = out.stored = row.stored(s);
    Object.assign(out, row.bytes(rows, cols, s));
  }
  for (const row of VALUE_LAYOUTS) {
    const v = e[row.part];
    if (v) Object.assign(out, row.bytes(rows, cols, v, stored));
  }
  return out;
}

/** The sum of a weight's blobs. */
export function totalBytes(b: BlobBytes): number {
  return BLOB_NAMES.reduce((sum, name) => sum + b[name], 0);
}
