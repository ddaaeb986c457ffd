/**
 * Alignment and the caps that keep a hostile file from making the reader work long (all far above
 * real models), shared by the readers of both layouts (read.ts, compact-read.ts) and the writer.
 */

/** Every weight blob starts on this boundary in the file; files are padded to a multiple of it. */
export const BLOB_ALIGNMENT = 16;
/** Inputs (or outputs) of one op. */
export const MAX_OP_OPERANDS = 64;
/** Values of one list attribute, and attributes of one op. */
export const MAX_ATTR_LIST = 64;
/** Values of preprocessing.mean / std. */
export const MAX_PREPROCESS_CHANNELS = 65536;
