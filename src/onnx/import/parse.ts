/**
 * ONNX bytes -> the importer's view of the graph. Decoding is done by `onnx-proto` (the official
 * onnx.proto compiled to static protobufjs code); this file only turns its messages into plain
 * typed arrays and checks that what the lowering relies on is really there: every tensor's data
 * has the length its dims say, external data stays inside its folder, nodes name their values.
 */
import onnxProto from 'onnx-proto';
import { f16BitsToF32 } from '../../encode/f16.js';
import { WpalImportError } from './errors.js';

const { onnx } = onnxProto;
type TensorProto = onnxProto.onnx.ITensorProto;
type AttributeProto = onnxProto.onnx.IAttributeProto;
type ValueInfoProto = onnxProto.onnx.IValueInfoProto;

export type ElemType =
  | 'float32' | 'float16' | 'bfloat16' | 'float64'
  | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'bool' | 'string';

const ELEM_TYPES: Record<number, ElemType> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string',
  9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 16: 'bfloat16',
};

export const isFloatType = (t: ElemType) => t === 'float32' || t === 'float16' || t === 'bfloat16' || t === 'float64';

/**
 * A constant: an initializer, a Constant node's value, or a folded result. Float types hold
 * Float32Array values (float16/bfloat16/float64 converted once, exactly for f16/bf16); integer and
 * bool types hold Float64Array values (exact below 2^53; int64 sentinels such as INT64_MAX become
 * +-2^63 as doubles, which every clamp treats the same way).
 */
export interface ConstTensor {
  dtype: ElemType;
  dims: number[];
  data: Float32Array | Float64Array;
  /**
   * Set by DequantizeLinear of a constant: data[i] = fround(levels[i] * scale[i]), with the
   * integer levels (q - zero point) and the scale of each element. Kept through transposes so a
   * weight matrix can be stored as its integer levels and per-row scales, exactly.
   */
  quant?: { levels: Float64Array; scale: Float32Array };
}

export type AttrValue = number | string | number[] | string[] | ConstTensor | { graph: true };

export interface OnnxNode {
  /** Position in the file's node list (names may be empty or repeat). */
  index: number;
  name: string;
  opType: string;
  /** '' and 'ai.onnx' are the default domain. */
  domain: string;
  /** '' = optional input left out. */
  inputs: string[];
  outputs: string[];
  attrs: Map<string, AttrValue>;
}

export interface ValueInfo {
  name: string;
  elemType?: ElemType;
  /** A number, a symbolic name (string), or undefined for an unknown dimension; undefined dims = unknown rank. */
  dims?: (number | string | undefined)[];
}

export interface OnnxGraph {
  producer: string;
  /** Opset of the default domain. */
  opset: number;
  irVersion: number;
  nodes: OnnxNode[];
  /** Graph inputs that are not initializers. */
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  initializers: Map<string, ConstTensor>;
  /** Declared types/shapes of intermediate values (value_info), when the file has them. */
  valueInfo: Map<string, ValueInfo>;
  docString: string;
}

export interface ParseOptions {
  /**
   * Bytes of an external-data file named by a tensor's `location` (relative to the .onnx file's
   * folder). Needed for `.onnx` + `.data` pairs; the CLI reads them from disk.
   */
  externalData?: (location: string) => Uint8Array;
}

/** Largest tensor the importer decodes (elements), far above the models it is for; a hostile dims list cannot make it allocate more. */
const MAX_ELEMENTS = 2 ** 29;

export function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v && typeof v === 'object' && 'toNumber' in v) return (v as { toNumber(): number }).toNumber();
  return Number(v);
}

/** Parses an ONNX model. Throws WpalImportError for anything that is not a readable ONNX model. */
export function parseOnnx(bytes: Uint8Array, opts: ParseOptions = {}): OnnxGraph {
  if (!(bytes instanceof Uint8Array)) throw new WpalImportError('importOnnx expects the .onnx file as a Uint8Array');
  if (bytes.length === 0) throw new WpalImportError('the ONNX file is empty');
  let model: onnxProto.onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new WpalImportError(`not a valid ONNX file (truncated or corrupt protobuf): ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  const g = model.graph;
  if (!g || !Array.isArray(g.node) || g.node.length === 0) {
    throw new WpalImportError('not a valid ONNX model: it has no graph (or an empty one); is this an .onnx file?');
  }
  const opsetEntry = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  const opset = opsetEntry ? toNumber(opsetEntry.version) : 0;
  if (!(opset >= 1)) throw new WpalImportError('the ONNX model declares no opset for the default domain (opset_import)');
  const ctx = new TensorReader(opts);
  const initializers = new Map<string, ConstTensor>();
  for (const t of g.initializer ?? []) initializers.set(t.name ?? '', ctx.tensor(t, `initializer ${JSON.stringify(t.name)}`));
  for (const s of g.sparseInitializer ?? []) {
    throw new WpalImportError(`sparse initializer ${JSON.stringify(s.values?.name ?? '')} is not supported; store it dense`);
  }
  const nodes: OnnxNode[] = g.node.map((n, index) => {
    if (typeof n.opType !== 'string' || n.opType.length === 0) throw new WpalImportError(`node ${index} has no op type: the file is corrupt`);
    const attrs = new Map<string, AttrValue>();
    for (const a of n.attribute ?? []) attrs.set(a.name ?? '', ctx.attribute(a, `node ${index} (${n.opType} ${JSON.stringify(n.name)}) attribute ${a.name}`));
    return { index, name: n.name || `${n.opType}_${index}`, opType: n.opType, domain: n.domain ?? '', inputs: [...(n.input ?? [])], outputs: [...(n.output ?? [])], attrs };
  });
  const valueInfo = new Map<string, ValueInfo>();
  for (const v of g.valueInfo ?? []) valueInfo.set(v.name ?? '', valueInfoOf(v));
  return {
    producer: [model.producerName, model.producerVersion].filter(Boolean).join(' '),
    opset,
    irVersion: toNumber(model.irVersion),
    nodes,
    inputs: (g.input ?? []).filter((i) => !initializers.has(i.name ?? '')).map(valueInfoOf),
    outputs: (g.output ?? []).map(valueInfoOf),
    initializers,
    valueInfo,
    docString: model.docString ?? '',
  };
}

function valueInfoOf(v: ValueInfoProto): ValueInfo {
  const tt = v.type?.tensorType;
  const name = v.name ?? '';
  if (!tt) return { name };
  const elemType = ELEM_TYPES[tt.elemType ?? 0];
  const dims = tt.shape ? (tt.shape.dim ?? []).map((d) => (d.dimParam ? d.dimParam : d.dimValue !== undefined && d.dimValue !== null && toNumber(d.dimValue) > 0 ? toNumber(d.dimValue) : undefined)) : undefined;
  return { name, elemType, dims };
}

class TensorReader {
  constructor(private readonly opts: ParseOptions) {}

  attribute(a: AttributeProto, where: string): AttrValue {
    switch (a.type) {
      case onnx.AttributeProto.AttributeType.FLOAT: return a.f ?? 0;
      case onnx.AttributeProto.AttributeType.INT: return toNumber(a.i);
      case onnx.AttributeProto.AttributeType.STRING: return new TextDecoder().decode(a.s ?? new Uint8Array(0));
      case onnx.AttributeProto.AttributeType.FLOATS: return [...(a.floats ?? [])];
      case onnx.AttributeProto.AttributeType.INTS: return (a.ints ?? []).map(toNumber);
      case onnx.AttributeProto.AttributeType.STRINGS: return (a.strings ?? []).map((s) => new TextDecoder().decode(s));
      case onnx.AttributeProto.AttributeType.TENSOR: return this.tensor(a.t!, where);
      case onnx.AttributeProto.AttributeType.GRAPH: return { graph: true };
      default:
        // Files from old exporters leave `type` out; infer it from the field that is set.
        if (a.ints?.length) return a.ints.map(toNumber);
        if (a.floats?.length) return [...a.floats];
        if (a.t) return this.tensor(a.t, where);
        if (a.s?.length) return new TextDecoder().decode(a.s);
        if (a.g) return { graph: true };
        if (a.f) return a.f;
        if (a.strings?.length) return a.strings.map((x) => new TextDecoder().decode(x));
        return toNumber(a.i);
    }
  }

  tensor(t: TensorProto, where: string): ConstTensor {
    const dtype = ELEM_TYPES[t.dataType ?? 0];
    if (!dtype) throw new WpalImportError(`${where}: unsupported tensor element type ${t.dataType}`);
    const dims = (t.dims ?? []).map(toNumber);
    if (!dims.every((d) => Number.isInteger(d) && d >= 0)) throw new WpalImportError(`${where}: bad dims [${dims.join(', ')}]`);
    const count = dims.reduce((a, b) => a * b, 1);
    if (count > MAX_ELEMENTS) throw new WpalImportError(`${where}: ${count} elements is more than this importer handles (${MAX_ELEMENTS})`);
    if (t.segment) throw new WpalImportError(`${where}: segmented tensors are not supported`);
    if (dtype === 'string') throw new WpalImportError(`${where}: string tensors are not supported`);
    let raw: Uint8Array | undefined;
    if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) raw = this.external(t, where);
    else if (t.rawData && t.rawData.length > 0) raw = t.rawData;
    const data = raw ? fromRaw(raw, dtype, count, where) : fromFields(t, dtype, count, where);
    return { dtype, dims, data };
  }

  private external(t: TensorProto, where: string): Uint8Array {
    const kv = new Map((t.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
    const location = kv.get('location');
    if (!location) throw new WpalImportError(`${where}: external data without a location`);
    // The location is relative to the model's folder; never let a file reach outside it.
    if (location.startsWith('/') || location.startsWith('\\') || /^[a-zA-Z]:/.test(location) || location.split(/[\\/]/).includes('..')) {
      throw new WpalImportError(`${where}: external data location ${JSON.stringify(location)} must be a path inside the model's folder`);
    }
    if (!this.opts.externalData) {
      throw new WpalImportError(`${where}: the weights are in the external file ${JSON.stringify(location)}; pass it (the CLI reads it from the .onnx file's folder; the library takes options.externalData)`);
    }
    let file: Uint8Array;
    try {
      file = this.opts.externalData(location);
    } catch (e) {
      throw new WpalImportError(`${where}: cannot read external data file ${JSON.stringify(location)}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    const offset = Number(kv.get('offset') ?? 0);
    const length = kv.has('length') ? Number(kv.get('length')) : file.length - offset;
    if (!(Number.isSafeInteger(offset) && offset >= 0 && Number.isSafeInteger(length) && length >= 0 && offset + length <= file.length)) {
      throw new WpalImportError(`${where}: external data range offset ${kv.get('offset')} length ${kv.get('length')} lies outside ${JSON.stringify(location)} (${file.length} bytes)`);
    }
    return file.subarray(offset, offset + length);
  }
}

const BYTES: Record<string, number> = {
  float32: 4, float16: 2, bfloat16: 2, float64: 8, int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, int64: 8, uint64: 8, bool: 1,
};

function fromRaw(raw: Uint8Array, dtype: ElemType, count: number, where: string): Float32Array | Float64Array {
  const size = BYTES[dtype];
  if (raw.length !== count * size) throw new WpalImportError(`${where}: raw data holds ${raw.length} bytes, dims say ${count} x ${size}`);
  const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (isFloatType(dtype)) {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      out[i] =
        dtype === 'float32' ? v.getFloat32(4 * i, true) :
        dtype === 'float64' ? v.getFloat64(8 * i, true) :
        dtype === 'float16' ? f16BitsToF32(v.getUint16(2 * i, true)) :
        bf16(v.getUint16(2 * i, true));
    }
    return out;
  }
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    switch (dtype) {
      case 'int8': out[i] = v.getInt8(i); break;
      case 'uint8': out[i] = v.getUint8(i); break;
      case 'bool': out[i] = v.getUint8(i) ? 1 : 0; break;
      case 'int16': out[i] = v.getInt16(2 * i, true); break;
      case 'uint16': out[i] = v.getUint16(2 * i, true); break;
      case 'int32': out[i] = v.getInt32(4 * i, true); break;
      case 'uint32': out[i] = v.getUint32(4 * i, true); break;
      case 'int64': out[i] = Number(v.getBigInt64(8 * i, true)); break;
      default: out[i] = Number(v.getBigUint64(8 * i, true));
    }
  }
  return out;
}

function fromFields(t: TensorProto, dtype: ElemType, count: number, where: string): Float32Array | Float64Array {
  // Typed fields: float_data (float), int32_data (int8..int32, bool, and float16/bfloat16 bits),
  // int64_data, double_data, uint64_data (uint32, uint64).
  let src: ArrayLike<unknown> | null | undefined;
  if (dtype === 'float32') src = t.floatData;
  else if (dtype === 'float64') src = t.doubleData;
  else if (dtype === 'int64') src = t.int64Data;
  else if (dtype === 'uint32' || dtype === 'uint64') src = t.uint64Data;
  else src = t.int32Data;
  src ??= [];
  if (src.length !== count) throw new WpalImportError(`${where}: holds ${src.length} values, dims say ${count}`);
  if (isFloatType(dtype)) {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      const x = toNumber(src[i]);
      out[i] = dtype === 'float16' ? f16BitsToF32(x & 0xffff) : dtype === 'bfloat16' ? bf16(x & 0xffff) : x;
    }
    return out;
  }
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = toNumber(src[i]);
  return out;
}

function bf16(h: number): number {
  const v = new DataView(new ArrayBuffer(4));
  v.setUint32(0, h << 16, true);
  return v.getFloat32(0, true);
}
