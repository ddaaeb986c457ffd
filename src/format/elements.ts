/**
 * The element types a weight's values or palette entries are stored as: one row per type, with
 * everything the format, the encoders, the decoders, the runtime and the allocator need to know
 * about it (ggml's type traits are the model). Adding an element type (say 4-bit float entries) is
 * one row here, a DType value in schemas/wpal.fbs, and kernels if it is to be read in place.
 *
 *   name     bytes  dense values  palette entries  entry_scales  the kernels read
 *   float32  4      yes           yes              no            f32 palettes, in place
 *   float16  2      yes           yes              no            f32 palettes converted at load
 *   int8     1      no            yes              one per       int8 entries in place (int8 path),
 *                                                  palette       or f32 palettes converted at load
 */
import { DType } from './generated/wpal_generated.js';
import { f16BitsToF32, f32ToF16Bits, roundToF16 } from '../encode/f16.js';

export type ElementName = 'float32' | 'float16' | 'int8';

/** A tensor's dtype: an element type, or int32 (token ids). */
export type DTypeName = ElementName | 'int32';

export interface ElementRow {
  name: ElementName;
  /** Bytes of one stored element. */
  bytes: number;
  /** The schema's DType value (the tables layout and the compact encoding byte). */
  dtype: DType;
  /** Can hold the values of a dense weight. */
  dense: boolean;
  /** Can hold palette entries. */
  entry: boolean;
  /** Palette entries need entry_scales: one float32 per palette, value = entry x scale (f32 arithmetic). */
  scaled: boolean;
  /** Index of the first stored element that is Inf or NaN (validation refuses them in weights), or -1. */
  firstNonFinite(bytes: Uint8Array): number;
  /** Palette entries an integer kernel can read in place ('i8'); otherwise kernels read f32 palettes. */
  kernelEntry: 'f32' | 'i8';
  /** The kernel-name token of dense values of this type (runtime/kernel-name.ts), for dense types. */
  denseWenc?: 'dense' | 'f16';
  /**
   * The values a palette (or dense values) becomes when stored: `values` as the decoder will read
   * them back, and the palette's scale (1 when unscaled).
   */
  round(values: ArrayLike<number>): { values: Float64Array; scale: number };
  /** The stored little-endian bytes of values already rounded by `round` (with its scale). */
  pack(values: ArrayLike<number>, scale: number): Uint8Array;
  /** Reads `out.length` elements from `bytes`; scaled types multiply by `scales[floor(i / per)]`. */
  read(bytes: Uint8Array, out: Float32Array, scales?: ArrayLike<number>, per?: number): void;
}

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

const float32 = {
  name: 'float32', bytes: 4, dtype: DType.Float32, dense: true, entry: true, scaled: false, kernelEntry: 'f32', denseWenc: 'dense',
  round: (v) => ({ values: Float64Array.from(v, Math.fround), scale: 1 }),
  // typed-array copies (the encoders check for a little-endian host); DataView where unaligned
  pack: (v) => new Uint8Array(Float32Array.from(v).buffer),
  firstNonFinite: (b) => {
    for (let i = 0, d = view(b); 4 * i < b.length; i++) if (!Number.isFinite(d.getFloat32(4 * i, true))) return i;
    return -1;
  },
  read: (b, out) => {
    if (b.byteOffset % 4 === 0) out.set(new Float32Array(b.buffer, b.byteOffset, out.length));
    else for (let i = 0, d = view(b); i < out.length; i++) out[i] = d.getFloat32(4 * i, true);
  },
} as const satisfies ElementRow;

const float16 = {
  name: 'float16', bytes: 2, dtype: DType.Float16, dense: true, entry: true, scaled: false, kernelEntry: 'f32', denseWenc: 'f16',
  round: (v) => ({ values: Float64Array.from(v, roundToF16), scale: 1 }),
  pack: (v) => new Uint8Array(Uint16Array.from(v, f32ToF16Bits).buffer),
  // exponent bits all ones = Inf or NaN
  firstNonFinite: (b) => {
    for (let i = 0, d = view(b); 2 * i < b.length; i++) if ((d.getUint16(2 * i, true) & 0x7c00) === 0x7c00) return i;
    return -1;
  },
  read: (b, out) => {
    const d = view(b);
    for (let i = 0; i < out.length; i++) out[i] = f16BitsToF32(d.getUint16(2 * i, true));
  },
} as const satisfies ElementRow;

/** Symmetric int8: scale = max |value| / 127, entries in [-127, 127]. */
const int8 = {
  name: 'int8', bytes: 1, dtype: DType.Int8, dense: false, entry: true, scaled: true, kernelEntry: 'i8',
  firstNonFinite: () => -1,
  round: (v) => {
    let maxAbs = 0;
    for (let i = 0; i < v.length; i++) maxAbs = Math.max(maxAbs, Math.abs(v[i]!));
    const scale = Math.fround(maxAbs / 127);
    // the decoder computes int8 x scale in f32
    const values = Float64Array.from(v, (x) => (scale > 0 ? Math.fround(Math.max(-127, Math.min(127, Math.round(x / scale))) * scale) : 0));
    return { values, scale };
  },
  pack: (v, scale) => {
    const q = new Int8Array(v.length);
    for (let i = 0; i < v.length; i++) q[i] = scale > 0 ? Math.round(v[i]! / scale) : 0;
    return new Uint8Array(q.buffer);
  },
  read: (b, out, scales, per = out.length) => {
    const q = new Int8Array(b.buffer, b.byteOffset, out.length);
    for (let i = 0; i < out.length; i++) out[i] = q[i]! * scales![Math.floor(i / per)]!;
  },
} as const satisfies ElementRow;

const ROWS = { float32, float16, int8 } as const;

export const ELEMENTS: Readonly<Record<ElementName, ElementRow>> = ROWS;

/** The element types that can hold dense values (the rows with `dense: true`). */
export type DenseElementName = { [K in ElementName]: (typeof ROWS)[K]['dense'] extends true ? K : never }[ElementName];

/** The row of `name`, or undefined for a name that is no element type. */
export function elementOf(name: string): ElementRow | undefined {
  return Object.prototype.hasOwnProperty.call(ELEMENTS, name) ? ELEMENTS[name as ElementName] : undefined;
}

/** Names of the types that can hold dense values / palette entries (for messages). */
export const DENSE_ELEMENTS = Object.values(ELEMENTS).filter((e) => e.dense).map((e) => e.name);
export const ENTRY_ELEMENTS = Object.values(ELEMENTS).filter((e) => e.entry).map((e) => e.name);

/** Tensor dtypes as the schema numbers them: the element types, and int32 (token ids). */
export const DTYPE_OF: Readonly<Record<DTypeName, DType>> = { ...Object.fromEntries(Object.values(ELEMENTS).map((e) => [e.name, e.dtype])), int32: DType.Int32 } as Record<DTypeName, DType>;

/** The dtype name of a schema value, or undefined. */
export const DTYPE_NAME: Readonly<Record<number, DTypeName>> = Object.fromEntries(Object.entries(DTYPE_OF).map(([n, v]) => [v, n as DTypeName]));
