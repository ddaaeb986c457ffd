/**
 * Walks over a weight's parts by the layout table (layouts.ts): which parts a weight has, its blobs
 * in Weight.checksum order, and what the reader, the writer, the size report and the runtime ask of
 * the parts together (a description, a kernel need, a thread split). Nothing here names a part.
 */
import type { Weight } from './generated/wpal_generated.js';
import type { ByteRange, WeightInfo } from './types.js';
import type { TableRef } from './verify-structure.js';
import {
  LAYOUTS, SPARSITY_LAYOUTS, VALUE_LAYOUTS,
  type CheckedLayout, type KernelAct, type KernelArgs, type KernelHost, type KernelTraits, type LayoutBlob, type LayoutPart,
  type SparsityPart, type SparsityRow, type SparsitySplit, type ValuesPart, type ValuesRow, type ValuesSplit, type WeightBlobs, type WeightNeed,
} from './layouts.js';

type Parts = { [K in LayoutPart]?: unknown };

/** The values part of a weight (read and written weights have exactly one). */
export function valuesOf(w: Parts): ValuesRow<ValuesPart> {
  const row = VALUE_LAYOUTS.find((r) => w[r.part]);
  if (!row) throw new RangeError('weight has no values part');
  return row;
}

/** The sparsity part of a weight, or undefined. */
export function sparsityOf(w: Parts): SparsityRow<SparsityPart> | undefined {
  return SPARSITY_LAYOUTS.find((r) => w[r.part]);
}

/** The parts a weight has, in Weight.checksum order. */
export function partsOf(w: Parts): (ValuesRow<ValuesPart> | SparsityRow<SparsityPart>)[] {
  return LAYOUTS.filter((r) => w[r.part]);
}

/** The blobs a weight has, each with the value its part holds (a ByteRange, bytes or float values), in Weight.checksum order. */
export function blobsOf<T>(w: Parts): { blob: LayoutBlob; value: T }[] {
  const out: { blob: LayoutBlob; value: T }[] = [];
  for (const row of partsOf(w)) {
    const part = w[row.part] as Record<string, T | undefined>;
    for (const blob of row.blobs) {
      const value = part[blob.field];
      if (value !== undefined) out.push({ blob, value });
    }
  }
  return out;
}

/** Only the parts of an object that holds a weight's parts (an EncodedWeight also holds its count and decode). */
export function partsOnly(w: WeightBlobs): WeightBlobs {
  return Object.fromEntries(partsOf(w).map((r) => [r.part, w[r.part]]));
}

/** Bytes of an encoded weight's blobs (float vectors as float32). */
export function encodedBytes(w: WeightBlobs): number {
  return blobsOf<ArrayLike<number>>(w).reduce((n, { blob, value }) => n + value.length * (blob.floats ? 4 : 1), 0);
}

/** A weight stored as plain float32 values, every one of them (biases, norms, element-wise constants). */
export function isPlainFloat32(w: { dense?: { dtype: string } } & Parts): boolean {
  return w.dense?.dtype === 'float32' && !sparsityOf(w);
}

/** How the size report names a read weight's encoding: its parts', in order ("palettized 4-bit float16, 1 palette, 1x4 blocks 50.0% dropped"). */
export function describeWeight(w: WeightInfo): string {
  return partsOf(w).map((row) => row.describe(w[row.part] as never, w.rows, w.cols)).join(', ');
}

/** Index bits of a read weight's palette-coded values part, or undefined (stored values). */
export function indexBitsOf(w: WeightInfo): number | undefined {
  const values = valuesOf(w);
  return values.indexBits?.(w[values.part] as never);
}

/** How the thread splitter may cut a read weight into row slices, part by part (`file`: the bytes its ranges point into). */
export function weightSplit(w: WeightInfo, file: Uint8Array): { values: ValuesSplit; sparsity?: SparsitySplit } {
  const values = valuesOf(w);
  const sparsity = sparsityOf(w);
  return {
    values: values.split(w[values.part] as never, w.cols),
    ...(sparsity ? { sparsity: sparsity.split(w[sparsity.part]!, w.rows, w.cols, file) } : {}),
  };
}

/** What a read weight asks of its kernel. */
export function weightNeed(w: WeightInfo): WeightNeed {
  let need: Partial<WeightNeed> = {};
  for (const row of partsOf(w)) need = { ...need, ...row.need(w[row.part] as never) };
  return need as WeightNeed;
}

/** What a kernel-name token says of the weights the kernel reads (the row whose token it is), or undefined when no row knows it. */
export function kernelTraits(token: string): KernelTraits | undefined {
  for (const row of LAYOUTS) {
    const t = row.kernel.token(token);
    if (t) return t;
  }
  return undefined;
}

/** Whether a kernel (its name's traits) reads a weight with this need, part by part, computing in `act`. */
export function kernelFits(k: KernelTraits, need: WeightNeed, act: KernelAct): boolean {
  return LAYOUTS.every((row) => row.kernel.fits(k, need, act));
}

/** Parts whose every field value the kernel takes (of two fitting kernels, the less general is picked). */
export function kernelGenerality(k: KernelTraits): number {
  return LAYOUTS.filter((row) => row.kernel.general?.(k)).length;
}

/** A read weight's kernel arguments, each part filling its own (assembly/kernels/README.md). */
export function kernelArgs(w: WeightInfo, host: KernelHost): KernelArgs & { params: Partial<Record<number, number>> } {
  const out: KernelArgs & { params: Partial<Record<number, number>> } = { params: {} };
  for (const row of partsOf(w)) {
    const { params, ...pointers } = row.kernel.args(w[row.part] as never, host);
    Object.assign(out, pointers);
    Object.assign(out.params, params);
  }
  return out;
}

/** Whether int8 kernels (an op's int8 = 1) may read the weight. */
export function takesInt8(w: WeightInfo): boolean {
  const row = valuesOf(w);
  return row.kernel.int8?.takes(w[row.part] as never) ?? false;
}

/** What int8 kernels need of a weight (for messages). */
export const INT8_WEIGHTS = VALUE_LAYOUTS.flatMap((r) => (r.kernel.int8 ? [r.kernel.int8.what] : [])).join(' or ');

/** The tables of a Weight's parts, by part (Weight's fields are named as the parts, schemas/wpal.fbs; a test checks it). */
export function partTables(w: Weight): { [K in LayoutPart]?: TableRef } {
  const fields = w as unknown as Record<LayoutPart, () => TableRef | null>;
  const out: { [K in LayoutPart]?: TableRef } = {};
  for (const row of LAYOUTS) {
    const t = fields[row.part]();
    if (t) out[row.part] = t;
  }
  return out;
}

/** WeightInfo of a checked weight: each part's resolved fields, and the file range of each of its blobs. */
export function weightInfo(rows: number, cols: number, checked: CheckedLayout, range: (blob: LayoutBlob) => ByteRange | undefined): WeightInfo {
  const info: Record<string, unknown> = { rows, cols };
  for (const row of partsOf(checked)) {
    const part: Record<string, unknown> = { ...checked[row.part] };
    for (const blob of row.blobs) {
      const r = range(blob);
      if (r) part[blob.field] = r;
    }
    info[row.part] = part;
  }
  return info as unknown as WeightInfo;
}
