/**
 * A minimal protobuf writer for the ONNX messages the exporter needs (varint and length-delimited
 * fields, fixed32 floats). A message is kept as a list of chunks and its length, so nesting a
 * large initializer costs no copy until `toBytes`.
 *
 * Field numbers are those of onnx/onnx.proto (proto2; repeated scalars are written unpacked,
 * which every parser accepts).
 */

export class Message {
  readonly chunks: Uint8Array[] = [];
  length = 0;
  private scratch: number[] = [];

  private flush(): void {
    if (this.scratch.length === 0) return;
    const b = Uint8Array.from(this.scratch);
    this.scratch = [];
    this.chunks.push(b);
    this.length += b.length;
  }

  private varintRaw(v: number | bigint): void {
    let x = BigInt.asUintN(64, BigInt(v));
    if (typeof v === 'number' && v >= 0 && v < 2 ** 31) {
      let n = v;
      while (n >= 0x80) {
        this.scratch.push((n & 0x7f) | 0x80);
        n >>>= 7;
      }
      this.scratch.push(n);
      return;
    }
    while (x >= 0x80n) {
      this.scratch.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.scratch.push(Number(x));
  }

  private tag(field: number, wire: number): void {
    this.varintRaw((field << 3) | wire);
  }

  /** int32 / int64 / enum / bool (negative values as 64-bit two's complement, as protobuf does). */
  varint(field: number, v: number | bigint): this {
    this.tag(field, 0);
    this.varintRaw(v);
    return this;
  }

  float(field: number, v: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.scratch.push(...b);
    return this;
  }

  bytes(field: number, data: Uint8Array): this {
    this.tag(field, 2);
    this.varintRaw(data.length);
    this.flush();
    if (data.length) {
      this.chunks.push(data);
      this.length += data.length;
    }
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  message(field: number, m: Message): this {
    m.flush();
    this.tag(field, 2);
    this.varintRaw(m.length);
    this.flush();
    this.chunks.push(...m.chunks);
    this.length += m.length;
    return this;
  }

  toBytes(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.length);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

/** onnx.TensorProto.DataType values used here. */
export const OnnxDType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7 } as const;

/** onnx.AttributeProto.AttributeType values used here. */
const ATTR_TYPE = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

export type OnnxAttr = number | string | number[] | { float: number } | { floats: number[] };

/** An attribute: integers (and integer lists) are INT(S), `{ float }` / `{ floats }` are FLOAT(S). */
export function attribute(name: string, v: OnnxAttr): Message {
  const m = new Message().string(1, name);
  if (typeof v === 'number') return m.varint(3, v).varint(20, ATTR_TYPE.INT);
  if (typeof v === 'string') return m.string(4, v).varint(20, ATTR_TYPE.STRING);
  if (Array.isArray(v)) {
    for (const x of v) m.varint(8, x);
    return m.varint(20, ATTR_TYPE.INTS);
  }
  if ('float' in v) return m.float(2, v.float).varint(20, ATTR_TYPE.FLOAT);
  for (const x of v.floats) m.float(7, x);
  return m.varint(20, ATTR_TYPE.FLOATS);
}

export function node(opType: string, inputs: string[], outputs: string[], name: string, attrs: Record<string, OnnxAttr> = {}, domain = ''): Message {
  const m = new Message();
  for (const i of inputs) m.string(1, i);
  for (const o of outputs) m.string(2, o);
  m.string(3, name).string(4, opType);
  for (const [k, v] of Object.entries(attrs)) m.message(5, attribute(k, v));
  if (domain) m.string(7, domain);
  return m;
}

/** A TensorProto with raw little-endian data. */
export function tensor(name: string, dims: readonly number[], dtype: number, raw: Uint8Array): Message {
  const m = new Message();
  for (const d of dims) m.varint(1, d);
  return m.varint(2, dtype).string(8, name).bytes(9, raw);
}

export function floatTensor(name: string, dims: readonly number[], values: Float32Array): Message {
  return tensor(name, dims, OnnxDType.FLOAT, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
}

export function int64Tensor(name: string, dims: readonly number[], values: readonly number[]): Message {
  const a = BigInt64Array.from(values.map((v) => BigInt(v)));
  return tensor(name, dims, OnnxDType.INT64, new Uint8Array(a.buffer));
}

/** ValueInfoProto of a tensor; a string dimension is symbolic (dim_param). */
export function valueInfo(name: string, dtype: number, dims: readonly (number | string)[]): Message {
  const shape = new Message();
  for (const d of dims) shape.message(1, typeof d === 'string' ? new Message().string(2, d) : new Message().varint(1, d));
  const tensorType = new Message().varint(1, dtype).message(2, shape);
  const type = new Message().message(1, tensorType);
  return new Message().string(1, name).message(2, type);
}
