/**
 * Encoded-weight types shared by the encoders and the writer, and the reference decoder: the
 * values a stored weight stands for, computed from its blobs exactly as the layout in
 * schemas/wpal.fbs says (f32 arithmetic: entry * entry_scale, then * channel_scale).
 */
import type { ByteRange, ModelInfo, TensorInfo } from '../format/types.js';
import type { WeightBlobs } from '../format/layouts.js';
import { partsOf, sparsityOf, valuesOf } from '../format/layout-walk.js';

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('wasm-palette encoders need a little-endian host');

export type { EncodedDense, EncodedPalettized, EncodedSparse, WeightBlobs } from '../format/layouts.js';

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

/** The [rows, cols] row-major values a weight stands for (dropped positions are 0): its values part's decode, in its sparsity part's order. */
export function decodeWeight(w: WeightBlobs, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  const sparsity = sparsityOf(w);
  const at = sparsity?.order(w[sparsity.part]!, rows, cols);
  const values = valuesOf(w);
  values.decode(w[values.part]!, rows, cols, out, at);
  return out;
}

/** The blobs of a weight tensor of a read model, as views into `info.bytes` (float vectors as aligned copies). */
export function weightBlobs(info: ModelInfo, t: TensorInfo): WeightBlobs {
  const w = t.weight;
  if (!w) throw new RangeError(`tensor ${t.index} ${JSON.stringify(t.name)} is not a weight`);
  const b = info.bytes;
  const out: Record<string, Record<string, unknown>> = {};
  for (const row of partsOf(w)) {
    const info = w[row.part] as unknown as Record<string, unknown>;
    const part: Record<string, unknown> = {};
    for (const f of row.fields) part[f] = info[f];
    for (const blob of row.blobs) {
      const r = info[blob.field] as ByteRange | undefined;
      if (!r) continue;
      const view = b.subarray(r.offset, r.offset + r.length);
      part[blob.field] = blob.floats ? new Float32Array(copyOf(view), 0, view.length >>> 2) : view;
    }
    out[row.part] = part;
  }
  return out as WeightBlobs;
}

/** Decoded values of weight tensor `index` of a read model. */
export function decodeTensor(info: ModelInfo, index: number): Float32Array {
  const t = info.tensors[index];
  return decodeWeight(weightBlobs(info, t), t.weight!.rows, t.weight!.cols);
}
