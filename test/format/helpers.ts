/** Models and raw-file builders for the format tests. */
import { Builder, type Offset } from 'flatbuffers';
import { expect } from 'vitest';
import { decodeTensor, encodeBlockSparse, encodeDense, encodePalettized } from '../../src/encode/palette.js';
import {
  Attribute, BlockSparse, DenseValues, DType, Metadata, Model, Op, Palettized, Tensor, Weight,
} from '../../src/format/generated/wpal_generated.js';
import type { ModelInfo } from '../../src/format/types.js';
import { weightBlobs } from '../../src/encode/decode.js';
import { fileChecksum, sealChecksums } from '../../src/format/integrity.js';
import { WpalError } from '../../src/format/errors.js';
import { readModel } from '../../src/format/read.js';
import { peekHeader } from '../../src/format/verify-structure.js';
import { ModelWriter } from '../../src/format/write.js';
import { Rng } from '../util/rng.js';

/**
 * input[13] -> FC 9 (2-bit palettized + bias) -> Relu -> FC 5 (dense f16, 1x2 blocks) -> Reshape [5, -1] -> Sigmoid = "y".
 * Written in the writer's default layout (compact, format 1.4) unless `layout` says "tables" (format 1.2).
 */
export function smallModel(seed = 1, layout?: 'compact' | 'tables'): Uint8Array {
  const rng = new Rng(seed);
  const w = new ModelWriter({ name: 'small', task: 'test', properties: { seed: String(seed) }, outputLabels: ['a', 'b'], ...(layout ? { layout } : {}) });
  const x = w.input('x', [13]);
  const W1 = w.weight('fc1.weight', [9, 13], encodePalettized(rng.floats(9 * 13), 9, 13, { bits: 2, seed }));
  const b1 = w.weight('fc1.bias', [9], encodeDense(rng.floats(9)));
  const h = w.op('Relu', [w.op('FullyConnected', [x, W1, b1])]);
  const W2 = w.weight('fc2.weight', [5, 9], encodeBlockSparse(rng.floats(5 * 9), 5, 9, { blockRows: 1, blockCols: 2, sparsity: 0.5 }, { dtype: 'float16' }));
  const y = w.op('FullyConnected', [h, W2]);
  w.output(w.op('Sigmoid', [w.op('Reshape', [y], { attrs: { shape: [5, -1] } })], { output: 'y' }));
  return w.finish();
}

/** Offset (in the file) of the root table's field `slot`, or 0 when absent. */
export function rootFieldOffset(bytes: Uint8Array, slot: number): number {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const root = dv.getUint32(0, true);
  const vt = root - dv.getInt32(root, true);
  // A field past the end of the vtable (written by an older writer) is absent.
  const off = 4 + 2 * slot < dv.getUint16(vt, true) ? dv.getUint16(vt + 4 + 2 * slot, true) : 0;
  return off ? root + off : 0;
}

/**
 * Recomputes Model.file_checksum in place after a test edited the bytes on purpose (the file then
 * stands for one a writer made that way, not for a damaged one). Needs no valid structure.
 */
export function resealFile(bytes: Uint8Array): Uint8Array {
  const h = peekHeader(bytes);
  if (h.checksum) new DataView(bytes.buffer, bytes.byteOffset).setBigUint64(h.checksum.offset, fileChecksum(bytes, h.checksum.offset), true);
  return bytes;
}

/** A copy of `bytes` with format_major / format_minor replaced (both fields are always written), checksum recomputed. */
export function patchVersion(bytes: Uint8Array, major: number, minor: number): Uint8Array {
  const out = bytes.slice();
  const dv = new DataView(out.buffer);
  dv.setUint16(rootFieldOffset(out, 0), major, true);
  dv.setUint16(rootFieldOffset(out, 1), minor, true);
  return resealFile(out);
}

/** Every [ubyte] blob range of a read model. */
export function blobRanges(info: ModelInfo): { what: string; offset: number; length: number }[] {
  const out: { what: string; offset: number; length: number }[] = [];
  for (const t of info.tensors) {
    const w = t.weight;
    if (!w) continue;
    if (w.dense) out.push({ what: `${t.name}.data`, ...w.dense.data });
    if (w.palettized) out.push({ what: `${t.name}.entries`, ...w.palettized.entries }, { what: `${t.name}.indices`, ...w.palettized.indices });
    if (w.sparse) out.push({ what: `${t.name}.mask`, ...w.sparse.mask });
  }
  return out;
}

// ---- Raw files, bypassing ModelWriter's checks (to build invalid files on purpose). ----

export interface RawWeight {
  dense?: { dtype?: DType; data: Uint8Array };
  palettized?: { bits: number; groupRows?: number; entryType?: DType; entries: Uint8Array; entryScales?: number[]; channelScales?: number[]; indices: Uint8Array };
  sparse?: { blockRows: number; blockCols: number; mask: Uint8Array };
}
export interface RawTensor { name: string; shape: number[]; dtype?: DType; weight?: RawWeight }
export interface RawOp { type: string; inputs: number[]; outputs: number[]; attrs?: { name: string; i?: number; f?: number; ints?: number[] }[] }
export interface RawModel {
  major?: number;
  minor?: number;
  tensors: RawTensor[];
  ops: RawOp[];
  inputs: number[];
  outputs: number[];
  align?: number;
  /** Write and fill in the 1.2 checksums (default: when minor >= 2). */
  checksums?: boolean;
}

export function rawModel(m: RawModel): Uint8Array {
  const b = new Builder(1024);
  b.prep(16, 0); // files are padded to a multiple of 16, as ModelWriter does
  const align = m.align ?? 16;
  const checksums = m.checksums ?? (m.minor ?? 0) >= 2;
  const blob = (data: Uint8Array): Offset => {
    b.startVector(1, data.length, align);
    for (let i = data.length - 1; i >= 0; i--) b.addInt8(data[i]);
    return b.endVector();
  };
  const tensors = m.tensors.map((t) => {
    let weight = 0;
    if (t.weight) {
      const w = t.weight;
      const dense = w.dense ? DenseValues.createDenseValues(b, w.dense.dtype ?? DType.Float32, blob(w.dense.data)) : 0;
      let pal = 0;
      if (w.palettized) {
        const p = w.palettized;
        const entries = blob(p.entries);
        const indices = blob(p.indices);
        const es = p.entryScales ? Palettized.createEntryScalesVector(b, p.entryScales) : 0;
        const cs = p.channelScales ? Palettized.createChannelScalesVector(b, p.channelScales) : 0;
        pal = Palettized.createPalettized(b, p.bits, p.groupRows ?? 0, p.entryType ?? DType.Float32, entries, es, cs, indices);
      }
      const sparse = w.sparse ? BlockSparse.createBlockSparse(b, w.sparse.blockRows, w.sparse.blockCols, blob(w.sparse.mask)) : 0;
      Weight.startWeight(b);
      if (dense) Weight.addDense(b, dense);
      if (pal) Weight.addPalettized(b, pal);
      if (sparse) Weight.addSparse(b, sparse);
      if (checksums) {
        b.forceDefaults(true);
        Weight.addChecksum(b, 0);
        b.forceDefaults(false);
      }
      weight = Weight.endWeight(b);
    }
    const name = b.createString(t.name);
    const shape = Tensor.createShapeVector(b, t.shape);
    Tensor.startTensor(b);
    Tensor.addName(b, name);
    Tensor.addShape(b, shape);
    Tensor.addDtype(b, t.dtype ?? DType.Float32);
    if (weight) Tensor.addWeight(b, weight);
    return Tensor.endTensor(b);
  });
  const ops = m.ops.map((o) => {
    const attrs = (o.attrs ?? []).map((a) => {
      const name = b.createString(a.name);
      const ints = a.ints ? Attribute.createIntsVector(b, a.ints) : 0;
      Attribute.startAttribute(b);
      Attribute.addName(b, name);
      if (a.i !== undefined) Attribute.addI(b, a.i);
      if (a.f !== undefined) Attribute.addF(b, a.f);
      if (ints) Attribute.addInts(b, ints);
      return Attribute.endAttribute(b);
    });
    return Op.createOp(b, b.createString(o.type), Op.createInputsVector(b, o.inputs), Op.createOutputsVector(b, o.outputs), Op.createAttributesVector(b, attrs));
  });
  const tv = Model.createTensorsVector(b, tensors);
  const ov = Model.createOpsVector(b, ops);
  const iv = Model.createInputsVector(b, m.inputs);
  const outv = Model.createOutputsVector(b, m.outputs);
  Model.startModel(b);
  Model.addFormatMajor(b, m.major ?? 1);
  Model.addFormatMinor(b, m.minor ?? 0);
  Model.addTensors(b, tv);
  Model.addOps(b, ov);
  Model.addInputs(b, iv);
  Model.addOutputs(b, outv);
  if (checksums) {
    b.forceDefaults(true);
    Model.addFileChecksum(b, 0n);
    b.forceDefaults(false);
  }
  Model.finishModelBuffer(b, Model.endModel(b));
  const bytes = b.asUint8Array().slice();
  if (checksums) sealChecksums(bytes);
  return bytes;
}

export function f32Bytes(values: number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}

/** A valid raw model: x[4] -> FC(W [3,4] given) -> y[3]. */
export function rawFc(weight: RawWeight, opts: { wShape?: number[]; yShape?: number[]; attrs?: RawOp['attrs'] } = {}): RawModel {
  return {
    tensors: [
      { name: 'x', shape: [4] },
      { name: 'w', shape: opts.wShape ?? [3, 4], weight },
      { name: 'y', shape: opts.yShape ?? [3] },
    ],
    ops: [{ type: 'FullyConnected', inputs: [0, 1], outputs: [2], attrs: opts.attrs }],
    inputs: [0],
    outputs: [2],
  };
}

export const denseW = (): RawWeight => ({ dense: { data: f32Bytes(Array.from({ length: 12 }, (_, i) => i / 10)) } });

// ---- Raw compact (format 1.3) files: any graph stream and data, in a valid container. ----

export interface RawCompact {
  /** Model.graph's elements (any bytes). */
  graph: Uint8Array;
  /** Model.data's elements (default: none). */
  data?: Uint8Array;
  minor?: number;
  /** Model.meta's elements (1.4 compact metadata; default: none). */
  meta?: Uint8Array;
  /** Also write an (empty) Metadata table (never beside Model.meta in a valid file). */
  metadataTable?: boolean;
  /** The stub op in Model.ops (default true: "1.4" with meta, else "1.3"); a string gives another type. */
  stub?: boolean | string;
  /** Also write a Model.tensors vector (never in a valid compact file). */
  tensors?: boolean;
  /** Alignment of Model.data (default 16), and zero bytes written after it (to move it off 16). */
  dataAlign?: number;
  dataShift?: number;
}

/**
 * A compact file around the given graph stream and data, with a file checksum that matches (the
 * weight checksums inside the stream are not filled in: a reader verifies only the file checksum
 * when there is one). It stands for a file some writer made this way, not for a damaged one.
 */
export function rawCompact(m: RawCompact): Uint8Array {
  const b = new Builder(1024);
  b.prep(16, 0);
  let data = 0;
  for (let i = 0; i < (m.dataShift ?? 0); i++) b.addInt8(0);
  if (m.data) {
    b.startVector(1, m.data.length, m.dataAlign ?? 16);
    for (let i = m.data.length - 1; i >= 0; i--) b.addInt8(m.data[i]);
    data = b.endVector();
  }
  b.startVector(1, m.graph.length, 1);
  for (let i = m.graph.length - 1; i >= 0; i--) b.addInt8(m.graph[i]);
  const graph = b.endVector();
  let meta = 0;
  if (m.meta) {
    b.startVector(1, m.meta.length, 1);
    for (let i = m.meta.length - 1; i >= 0; i--) b.addInt8(m.meta[i]);
    meta = b.endVector();
  }
  let metadata = 0;
  if (m.metadataTable) {
    Metadata.startMetadata(b);
    metadata = Metadata.endMetadata(b);
  }
  let ops = 0;
  if (m.stub !== false) {
    const type = b.createString(typeof m.stub === 'string' ? m.stub : m.meta ? '1.4' : '1.3');
    Op.startOp(b);
    Op.addType(b, type);
    ops = Model.createOpsVector(b, [Op.endOp(b)]);
  }
  const tensors = m.tensors ? Model.createTensorsVector(b, []) : 0;
  Model.startModel(b);
  b.forceDefaults(true);
  Model.addFormatMajor(b, 1);
  Model.addFormatMinor(b, m.minor ?? (m.meta ? 4 : 3));
  Model.addFileChecksum(b, 0n);
  b.forceDefaults(false);
  if (tensors) Model.addTensors(b, tensors);
  if (ops) Model.addOps(b, ops);
  Model.addGraph(b, graph);
  if (data) Model.addData(b, data);
  if (meta) Model.addMeta(b, meta);
  if (metadata) Model.addMetadata(b, metadata);
  Model.finishModelBuffer(b, Model.endModel(b));
  return resealFile(b.asUint8Array().slice());
}

/** The elements of Model.graph / Model.data / Model.meta of a file (for tests that take a writer's stream apart). */
export function compactVectors(bytes: Uint8Array): { graph: Uint8Array; data: Uint8Array; meta: Uint8Array } {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const vec = (slot: number) => {
    const at = rootFieldOffset(bytes, slot);
    if (!at) return new Uint8Array(0);
    const v = at + dv.getUint32(at, true);
    return bytes.slice(v + 4, v + 4 + dv.getUint32(v, true));
  };
  return { graph: vec(8), data: vec(9), meta: vec(10) };
}

/** Everything readModel returns but where the bytes are: the weights' blobs by value, not by offset. */
export function comparable(info: ModelInfo) {
  return {
    tensors: info.tensors.map((t) => {
      const w = t.weight;
      return {
        index: t.index,
        name: t.name,
        shape: t.shape,
        dtype: t.dtype,
        weight: w && {
          rows: w.rows,
          cols: w.cols,
          dense: w.dense?.dtype,
          palettized: w.palettized && { bits: w.palettized.bits, groupRows: w.palettized.groupRows, numPalettes: w.palettized.numPalettes, entryType: w.palettized.entryType },
          sparse: w.sparse && { blockRows: w.sparse.blockRows, blockCols: w.sparse.blockCols, keptBlocks: w.sparse.keptBlocks },
          blobs: weightBlobs(info, t),
        },
      };
    }),
    ops: info.ops,
    inputs: info.inputs,
    outputs: info.outputs,
    metadata: info.metadata,
  };
}

/** The WpalError readModel throws on `bytes` (fails the test if it reads them or throws anything else). */
export function readError(bytes: Uint8Array): WpalError {
  try {
    readModel(bytes);
  } catch (e) {
    if (e instanceof WpalError) return e;
    throw e;
  }
  throw new Error('readModel accepted the file');
}

/**
 * For fuzzing: readModel must return a consistent ModelInfo (every blob range inside the file, every
 * weight decodes) or throw a WpalError, which is returned; anything else fails the test, naming `what`.
 */
export function readOrWpalError(bytes: Uint8Array, what = 'readModel'): ModelInfo | WpalError {
  try {
    const info = readModel(bytes);
    for (const b of blobRanges(info)) expect(b.offset + b.length, what).toBeLessThanOrEqual(bytes.length);
    for (const t of info.tensors) if (t.weight) decodeTensor(info, t.index);
    return info;
  } catch (e) {
    if (e instanceof WpalError) return e;
    throw new Error(`${what}: readModel threw a non-WpalError: ${String(e)}`, { cause: e });
  }
}

/** `bytes` with 1-4 random edits (a byte replaced, inserted or deleted), for fuzzing a stream. */
export function randomEdits(rng: Rng, bytes: Uint8Array): Uint8Array {
  const b = Array.from(bytes);
  for (let j = rng.int(1, 4); j > 0; j--) {
    const at = rng.int(0, b.length);
    const op = rng.int(0, 2);
    if (op === 0) b[Math.min(at, b.length - 1)] = rng.int(0, 255);
    else if (op === 1) b.splice(at, 0, rng.int(0, 255));
    else b.splice(at, 1);
  }
  return Uint8Array.from(b);
}
