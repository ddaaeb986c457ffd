/**
 * The layouts a weight is stored in: one row per part, with what the format, the encoders, the
 * decoder, the size report and the runtime need to know about it (ggml's type traits are the model,
 * as elements.ts is for element types). A stored weight is exactly one *values* part and at most
 * one *sparsity* part (schemas/wpal.fbs, table Weight):
 *
 *   part        role      table        blobs, in Weight.checksum order           compact enc bits   kernel-name token
 *   dense       values    DenseValues  data                                      0 clear, 1-2 dtype dense, f16 (elements.ts)
 *   palettized  values    Palettized   entries, entry_scales?, channel_scales?,  0, 1-2 entry,      p{bits}{entry}
 *                                      indices                                   4 scales, 5 groups
 *   sparse      sparsity  BlockSparse  mask                                      3                  bs{R}x{C}
 *
 * Without a sparsity part a weight stores all rows x cols values row by row (packed indices start
 * every row on a byte). A sparsity part keeps some positions and says in which order (`order`);
 * the values part then stores only those, as one stream. So a part's rows compose: sparse +
 * palettized is one tensor. Each row reads and writes its own table (tables layout) and its own
 * bits and fields of a compact weight record, reads its own kernel-name tokens, says which kernels
 * fit it and fills its own kernel arguments; the codecs and the runtime walk the rows
 * (layout-walk.ts). A new part (2:4 sparsity, vector palettes) is one file in layouts/, its place
 * in the lists below and its shapes in layouts/types.ts and types.ts; then its table in the
 * schema, an encoder, and kernels.
 */
import { dense } from './layouts/dense.js';
import { palettized } from './layouts/palettized.js';
import { blockSparse } from './layouts/sparse.js';
import type { BlobName, SparsityPart, SparsityRow, ValuesPart, ValuesRow } from './layouts/types.js';

export type * from './layouts/types.js';
export { paletteValues } from './layouts/palettized.js';

/** The values parts, in Weight.checksum order. */
export const VALUE_LAYOUTS: readonly ValuesRow<ValuesPart>[] = [dense, palettized];
/** The sparsity parts, in Weight.checksum order. */
export const SPARSITY_LAYOUTS: readonly SparsityRow<SparsityPart>[] = [blockSparse];
/** Every part, in Weight.checksum order (the values parts, then the sparsity parts). */
export const LAYOUTS: readonly (ValuesRow<ValuesPart> | SparsityRow<SparsityPart>)[] = [...VALUE_LAYOUTS, ...SPARSITY_LAYOUTS];

/** Every blob name, in Weight.checksum order. */
export const BLOB_NAMES: readonly BlobName[] = LAYOUTS.flatMap((r) => r.blobs.map((b) => b.name));
