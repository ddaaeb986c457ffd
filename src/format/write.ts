/**
 * ModelWriter: the one writer of .wpal files (tests, benchmark and trainer all use it).
 *
 *   const w = new ModelWriter({ name: 'mlp', task: 'image-classification' });
 *   const x = w.input('input', [784]);
 *   const W1 = w.weight('fc1.weight', [300, 784], encodePalettized(values, 300, 784, { bits: 2 }));
 *   const h = w.op('FullyConnected', [x, W1], { output: 'fc1' });
 *   w.output(w.op('Relu', [h]));
 *   const bytes = w.finish();   // validated with readModel before it is returned
 *
 * The file is format 1.4, compact (the graph as one stream, compact-write.ts; the metadata as
 * another, compact-meta.ts) unless the layout "tables" is asked for (format 1.2, write-tables.ts).
 * Every weight blob is 16-byte aligned in the file (the generated createXxxVector helpers align to
 * 1). Every file carries its checksums: written as zeros, then filled in by sealChecksums.
 */
import { Builder, type Offset } from 'flatbuffers';
import type { EncodedWeight } from '../encode/decode.js';
import { WpalError, WpalFormatError } from './errors.js';
import { KeyValue, Metadata, Model, Op, Preprocessing } from './generated/wpal_generated.js';
import { checkOp, MAX_RANK, resolveAttrs, type OperandInfo } from './ops.js';
import { sealChecksums } from './integrity.js';
import { readModel, BLOB_ALIGNMENT } from './read.js';
import { compactStubOp } from './compact-info.js';
import { encodeCompactMeta } from './compact-meta.js';
import { encodeCompactGraph } from './compact-write.js';
import { writeBlob, writeTables } from './write-tables.js';
import { DTYPE_OF } from './elements.js';
import type { WeightBlobs } from './layouts.js';
import { blobsOf, partsOnly } from './layout-walk.js';
import { stripMetadata } from './metadata.js';
import type { AttrValue, DTypeName, ModelInfo, PreprocessingInfo } from './types.js';
import { checkWeightLayout, MAX_ELEMENTS } from './validate-weight.js';
import { FORMAT_MAJOR, FORMAT_MINOR, TABLES_MINOR } from './version.js';

export interface ModelWriterOptions {
  name?: string;
  description?: string;
  task?: string;
  preprocessing?: Partial<PreprocessingInfo>;
  outputLabels?: string[];
  /** Free key/values: provenance, training settings, measured accuracy, ... */
  properties?: Record<string, string>;
  /**
   * Store the names of intermediate activations (op outputs that are not graph outputs).
   * Default false: the reader calls them "#<index>", and small models save ~20 bytes per op.
   */
  activationNames?: boolean;
  /**
   * How the graph is stored. "compact" (default): format 1.4, the graph as one byte stream, the
   * weights in one vector and the metadata in another (schemas/wpal.fbs, "Compact files",
   * "Compact metadata"; a file without metadata reads in 1.3 readers too). "tables": format 1.2,
   * one FlatBuffers table per tensor, op, attribute and property, for readers older than 1.3 (about
   * 1.5 KB more for a LeNet-5). Both read back as the same ModelInfo.
   */
  layout?: 'compact' | 'tables';
  /**
   * Keep only the metadata a model needs to be measured again (stripMetadata, metadata.ts):
   * preprocessing, output labels and the properties of ESSENTIAL_PROPERTIES (true) or of the
   * given list. Default false.
   */
  stripMetadata?: boolean | readonly string[];
}

/** A tensor of the model being written. */
export interface TensorHandle {
  readonly index: number;
  readonly name: string;
  readonly shape: readonly number[];
}

export interface OpOptions {
  attrs?: Record<string, AttrValue>;
  /** Name of the output tensor (default: `<type>_<op index>`). */
  output?: string;
}

interface TensorEntry {
  name: string;
  shape: number[];
  dtype: DTypeName;
  weight?: WeightBlobs;
  handle: TensorHandle;
}


export class ModelWriter {
  private readonly tensors: TensorEntry[] = [];
  private readonly names = new Set<string>();
  /** Graph inputs and op outputs so far (weights are always defined). */
  private readonly defined = new Set<number>();
  private readonly ops: { type: string; inputs: number[]; outputs: number[]; attrs: Record<string, AttrValue> }[] = [];
  private readonly inputs: number[] = [];
  private readonly outputs: number[] = [];
  private readonly meta: ModelWriterOptions;

  constructor(meta: ModelWriterOptions = {}) {
    this.meta = { ...meta, properties: { ...meta.properties } };
  }

  /** Adds or replaces a metadata property (e.g. accuracy measured after the graph was built). */
  setProperty(key: string, value: string): void {
    Object.defineProperty(this.meta.properties!, key, { value, enumerable: true, writable: true, configurable: true });
  }

  private add(name: string, shape: readonly number[], dtype: DTypeName, weight?: WeightBlobs): TensorHandle {
    if (typeof name !== 'string' || name.length === 0) throw new WpalFormatError('tensor name must be a non-empty string');
    if (this.names.has(name)) throw new WpalFormatError(`tensor name ${JSON.stringify(name)} is already used`);
    if (name.startsWith('#')) throw new WpalFormatError(`tensor name ${JSON.stringify(name)}: names starting with "#" are kept for unnamed tensors`);
    if (shape.length > MAX_RANK) throw new WpalFormatError(`tensor ${JSON.stringify(name)}: rank ${shape.length} > ${MAX_RANK}`);
    if (!shape.every((d) => Number.isInteger(d) && d >= 1 && d <= 0x7fffffff)) throw new WpalFormatError(`tensor ${JSON.stringify(name)}: bad shape [${shape.join(', ')}]`);
    if (shape.reduce((a, b) => a * b, 1) > MAX_ELEMENTS) throw new WpalFormatError(`tensor ${JSON.stringify(name)}: more than ${MAX_ELEMENTS} elements`);
    if (!(dtype in DTYPE_OF)) throw new WpalFormatError(`tensor ${JSON.stringify(name)}: unknown dtype ${dtype}`);
    const handle: TensorHandle = Object.freeze({ index: this.tensors.length, name, shape: Object.freeze([...shape]) });
    this.tensors.push({ name, shape: [...shape], dtype, weight, handle });
    this.names.add(name);
    return handle;
  }

  /** A graph input (shape per example, without the batch dimension). */
  input(name: string, shape: readonly number[], dtype: DTypeName = 'float32'): TensorHandle {
    const h = this.add(name, shape, dtype);
    this.inputs.push(h.index);
    this.defined.add(h.index);
    return h;
  }

  /** A constant weight; its [rows, cols] view is [shape[0], product of the rest]. */
  weight(name: string, shape: readonly number[], enc: EncodedWeight | WeightBlobs): TensorHandle {
    if (shape.length < 1) throw new WpalFormatError(`weight ${JSON.stringify(name)}: needs rank >= 1`);
    const rows = shape[0];
    const cols = shape.slice(1).reduce((a, b) => a * b, 1);
    const e = enc as Partial<EncodedWeight>;
    if (e.count !== undefined && e.count !== rows * cols) {
      throw new WpalFormatError(`weight ${JSON.stringify(name)}: encoding holds ${e.count} values, shape [${shape.join(', ')}] has ${rows * cols}`);
    }
    if (e.rows !== undefined && (e.rows !== rows || e.cols !== cols)) {
      throw new WpalFormatError(`weight ${JSON.stringify(name)}: encoded as ${e.rows}x${e.cols}, shape [${shape.join(', ')}] is viewed as ${rows}x${cols}`);
    }
    const blobs = partsOnly(enc);
    checkWeightLayout(rows, cols, blobs, `weight ${JSON.stringify(name)}`);
    return this.add(name, shape, 'float32', blobs);
  }

  private entry(h: TensorHandle | null | undefined, what: string): TensorEntry | undefined {
    if (h === null || h === undefined) return undefined;
    const t = this.tensors[h.index];
    if (!t || t.handle !== h) throw new WpalFormatError(`${what}: not a tensor of this writer`);
    return t;
  }

  /** Adds an op; returns its output tensor, whose shape is inferred (ops.ts). null = optional input left out. */
  op(type: string, inputs: readonly (TensorHandle | null | undefined)[], opts: OpOptions = {}): TensorHandle {
    const index = this.ops.length;
    const attrs = resolveAttrs(type, index, opts.attrs ?? {});
    const operands: (OperandInfo | undefined)[] = inputs.map((h, k) => {
      const t = this.entry(h, `op ${index} (${type}) input ${k}`);
      if (!t) return undefined;
      if (!t.weight && !this.defined.has(t.handle.index)) {
        throw new WpalFormatError(`op ${index} (${type}) input ${k}: tensor ${JSON.stringify(t.name)} is not defined yet`);
      }
      const w = t.weight;
      return {
        shape: t.shape,
        dtype: t.dtype,
        weight: w,
      };
    });
    const [shape] = checkOp(type, index, operands, attrs);
    let name = opts.output;
    if (name === undefined) {
      name = `${type}_${index}`;
      for (let k = 1; this.names.has(name); k++) name = `${type}_${index}_${k}`;
    }
    const out = this.add(name, shape, 'float32');
    this.defined.add(out.index);
    this.ops.push({ type, inputs: inputs.map((h) => (h ? h.index : -1)), outputs: [out.index], attrs });
    return out;
  }

  /** Marks a tensor as a graph output (in call order). */
  output(h: TensorHandle): void {
    const t = this.entry(h, 'output');
    if (!t) throw new WpalFormatError('output: missing tensor');
    if (this.outputs.includes(h.index)) throw new WpalFormatError(`output: ${JSON.stringify(t.name)} is already an output`);
    this.outputs.push(h.index);
  }

  /** Serializes the model and checks the result with readModel. */
  finish(): Uint8Array {
    const compact = (this.meta.layout ?? 'compact') === 'compact';
    let blobBytes = 0;
    for (const t of this.tensors) {
      for (const { blob, value } of blobsOf<ArrayLike<number>>(t.weight ?? {})) blobBytes += value.length * (blob.floats ? 4 : 1) + BLOB_ALIGNMENT + 4;
    }
    const b = new Builder(Math.min(2 ** 30, 2 ** Math.ceil(Math.log2(blobBytes + 65536 + this.tensors.length * 256))));
    // Pad the file to a multiple of 16 even without blobs: readers use the size to catch truncation.
    b.prep(BLOB_ALIGNMENT, 0);
    let tensorsVec = 0;
    let inputsVec = 0;
    let outputsVec = 0;
    let graphVec = 0;
    let dataVec = 0;
    let metaVec = 0;
    let opsVec: Offset;
    if (compact) {
      const { graph, data } = encodeCompactGraph({ tensors: this.tensors, ops: this.ops, inputs: this.inputs, outputs: this.outputs, activationNames: !!this.meta.activationNames });
      // Data first: it ends the file, and its 16-byte aligned start is the first blob's.
      if (data.length) dataVec = writeBlob(b, data);
      graphVec = writeBlob(b, graph, 1);
      // Metadata as the 1.4 stream (compact-meta.ts); none at all keeps the file readable by 1.3.
      const meta = encodeCompactMeta(this.keptMetadata());
      if (meta.length) metaVec = writeBlob(b, meta, 1);
      const stub = b.createString(compactStubOp(meta.length > 0));
      Op.startOp(b);
      Op.addType(b, stub);
      opsVec = Model.createOpsVector(b, [Op.endOp(b)]);
    } else {
      ({ tensorsVec, opsVec, inputsVec, outputsVec } = writeTables(b, { tensors: this.tensors, ops: this.ops, inputs: this.inputs, outputs: this.outputs, activationNames: !!this.meta.activationNames }));
    }
    const metadata = compact ? 0 : this.writeMetadata(b);
    Model.startModel(b);
    // The compact layout adds the 8-byte checksum first and the 2-byte versions last: the table
    // then needs no alignment padding (the builder lays fields out from the end, in call order).
    if (compact) addFileChecksumPlaceholder(b);
    b.forceDefaults(true); // keep both version fields in the file even when 0
    if (!compact) {
      Model.addFormatMajor(b, FORMAT_MAJOR);
      Model.addFormatMinor(b, TABLES_MINOR);
    }
    b.forceDefaults(false);
    if (tensorsVec) Model.addTensors(b, tensorsVec);
    Model.addOps(b, opsVec);
    if (inputsVec) Model.addInputs(b, inputsVec);
    if (outputsVec) Model.addOutputs(b, outputsVec);
    if (metadata) Model.addMetadata(b, metadata);
    if (graphVec) Model.addGraph(b, graphVec);
    if (dataVec) Model.addData(b, dataVec);
    if (metaVec) Model.addMeta(b, metaVec);
    if (!compact) addFileChecksumPlaceholder(b);
    else {
      b.forceDefaults(true);
      Model.addFormatMinor(b, FORMAT_MINOR);
      Model.addFormatMajor(b, FORMAT_MAJOR);
      b.forceDefaults(false);
    }
    Model.finishModelBuffer(b, Model.endModel(b));
    const bytes = b.asUint8Array().slice();
    try {
      sealChecksums(bytes);
      readModel(bytes);
    } catch (e) {
      if (e instanceof WpalError) throw new WpalFormatError(`ModelWriter: the file does not pass readModel: ${e.message}`, { cause: e });
      throw e;
    }
    return bytes;
  }

  /** finish() and the parsed result. */
  finishWithInfo(): ModelInfo {
    return readModel(this.finish());
  }

  /** The metadata to store: all of it, or what stripMetadata keeps when asked. */
  private keptMetadata(): ModelWriterOptions {
    const strip = this.meta.stripMetadata;
    return strip ? stripMetadata(this.meta, strip === true ? undefined : strip) : this.meta;
  }

  /** The Metadata table of the tables layout (1.2), written as 1.2 wrote it. */
  private writeMetadata(b: Builder): Offset {
    const m = this.keptMetadata();
    const str = (s: string | undefined) => (s === undefined ? 0 : b.createString(s));
    const labelList = m.outputLabels ?? [];
    const propList = Object.entries(m.properties ?? {});
    const p = m.preprocessing;
    const name = str(m.name);
    const description = str(m.description);
    const task = str(m.task);
    let pre = 0;
    if (p) {
      const layout = str(p.layout);
      const mean = Preprocessing.createMeanVector(b, p.mean ?? []);
      const std = Preprocessing.createStdVector(b, p.std ?? []);
      Preprocessing.startPreprocessing(b);
      if (layout) Preprocessing.addLayout(b, layout);
      Preprocessing.addScale(b, p.scale ?? 1);
      Preprocessing.addMean(b, mean);
      Preprocessing.addStd(b, std);
      pre = Preprocessing.endPreprocessing(b);
    }
    const labels = Metadata.createOutputLabelsVector(b, labelList.map((l) => b.createString(l)));
    const props = Metadata.createPropertiesVector(b, propList.map(([k, v]) => KeyValue.createKeyValue(b, b.createString(k), b.createString(v))));
    Metadata.startMetadata(b);
    if (name) Metadata.addName(b, name);
    if (description) Metadata.addDescription(b, description);
    if (task) Metadata.addTask(b, task);
    if (pre) Metadata.addPreprocessing(b, pre);
    Metadata.addOutputLabels(b, labels);
    Metadata.addProperties(b, props);
    return Metadata.endMetadata(b);
  }
}

/** Model.file_checksum as zeros (forced: it equals the default); sealChecksums fills it in. */
function addFileChecksumPlaceholder(b: Builder): void {
  b.forceDefaults(true);
  Model.addFileChecksum(b, 0n);
  b.forceDefaults(false);
}
