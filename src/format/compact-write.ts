/**
 * Encoder of a format 1.3 compact graph (schemas/wpal.fbs, "Compact files"): the records of
 * Model.graph and the blobs of Model.data, from what ModelWriter collected. Weight checksums are
 * written as zeros; integrity.ts fills them in (sealChecksums).
 */
import { WpalFormatError } from './errors.js';
import { AttrCode, OpCode } from './generated/wpal_generated.js';
import { ATTR_KINDS, dataOrder, INPUT_TAG, OP_HEAD_MORE, OP_HEAD_SEQ, OP_HEAD_SHIFT, OP_TAG, WEIGHT_TAG } from './compact-read.js';
import { BLOB_ALIGNMENT } from './limits.js';
import { DTYPE_OF } from './elements.js';
import type { WeightBlobs } from './layouts.js';
import { partsOf } from './layout-walk.js';
import { derivedNames } from './names.js';
import { opSchema } from './ops.js';
import { isDefaultAttr } from './op-schema.js';
import { StreamWriter, utf8 } from './stream.js';
import type { AttrValue, DTypeName } from './types.js';

export interface GraphToWrite {
  tensors: readonly { name: string; shape: readonly number[]; dtype: DTypeName; weight?: WeightBlobs }[];
  /** In topological order; every op's outputs are the tensors created right after its inputs. */
  ops: readonly { type: string; inputs: readonly number[]; outputs: readonly number[]; attrs: Readonly<Record<string, AttrValue>> }[];
  inputs: readonly number[];
  outputs: readonly number[];
  /** Store the names of intermediate activations (else they read as "#<index>"). */
  activationNames: boolean;
}

/** The value of `name` in a generated enum (OpCode, AttrCode), or undefined (then the record stores the name). */
function enumCode(e: object, name: string): number | undefined {
  const v = Object.prototype.hasOwnProperty.call(e, name) ? (e as Record<string, unknown>)[name] : undefined;
  return typeof v === 'number' && v !== 0 ? v : undefined;
}

function f32Bytes(v: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(4 * v.length);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < v.length; i++) dv.setFloat32(4 * i, v[i], true);
  return out;
}

/** A weight's blobs in Model.data order (dataOrder: the mask first, its kept blocks size the others). */
function blobsInDataOrder(w: WeightBlobs): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const row of dataOrder(w)) {
    const part = w[row.part] as unknown as Record<string, Uint8Array | Float32Array | undefined>;
    for (const b of row.blobs) {
      const v = part[b.field];
      if (v) out.push(b.floats ? f32Bytes(v) : (v as Uint8Array));
    }
  }
  return out;
}

/** The op's head (input count, attribute count), inputs and attributes. `created`: tensors before the op. */
function writeOp(s: StreamWriter, o: GraphToWrite['ops'][number], created: number): void {
  const schema = opSchema(o.type)!;
  const stored = schema.attrs.filter((a) => !isDefaultAttr(a.default, o.attrs[a.name]));
  const n = o.inputs.length;
  const seq = o.inputs.every((x, k) => x === created - n + k);
  s.uvar(n * 2 ** OP_HEAD_SHIFT + (seq ? OP_HEAD_SEQ : 0) + Math.min(stored.length, OP_HEAD_MORE));
  if (!seq) for (const x of o.inputs) s.uvar(x < 0 ? 0 : created - x);
  if (stored.length >= OP_HEAD_MORE) s.uvar(stored.length - OP_HEAD_MORE);
  const attrs = o.attrs;
  for (const a of stored) {
    const v = attrs[a.name];
    const code = enumCode(AttrCode, a.name);
    const kind = ATTR_KINDS.indexOf(a.kind);
    s.uvar((code ?? AttrCode.Custom) * 8 + kind);
    if (code === undefined) s.str(a.name);
    if (a.kind === 'int') s.svar(v as number);
    else if (a.kind === 'float') s.f32(v as number);
    else if (a.kind === 'string') s.str(v as string);
    else {
      const list = v as number[];
      s.uvar(list.length);
      for (const e of list) a.kind === 'ints' ? s.svar(e) : s.f32(e);
    }
  }
}

/** The record's enc byte (each part's mark and flags) and each part's fields, in Weight.checksum order. */
function writeWeight(s: StreamWriter, w: WeightBlobs, rows: number): void {
  const parts = partsOf(w);
  s.u8(parts.reduce((enc, row) => enc | row.compact.mark | row.compact.enc(w[row.part] as never, rows), 0));
  for (const row of parts) row.compact.write(s, w[row.part] as never, rows);
  s.u32(0); // checksum, filled in by sealChecksums
}

/** Model.graph and Model.data of a compact file. */
export function encodeCompactGraph(g: GraphToWrite): { graph: Uint8Array; data: Uint8Array } {
  const s = new StreamWriter();
  s.uvar(g.outputs.length);
  for (const t of g.outputs) s.uvar(t);
  const weights = new Set<number>();
  g.tensors.forEach((t, i) => t.weight && weights.add(i));
  const derived = derivedNames({ tensorCount: g.tensors.length, weights, ops: g.ops, inputs: g.inputs, outputs: g.outputs });
  const produced = new Set(g.ops.flatMap((o) => o.outputs));
  const graphIo = new Set([...g.inputs, ...g.outputs]);
  const names: [number, string][] = [];
  g.tensors.forEach((t, i) => {
    const intermediate = produced.has(i) && !graphIo.has(i);
    if (t.name !== derived[i] && (!intermediate || g.activationNames)) names.push([i, t.name]);
  });
  s.uvar(names.length);
  let prev = new Uint8Array(0);
  for (const [i, name] of names) {
    // Front-coded: bytes shared with the previous name, then the rest ("blocks.0.attn.q.weight", "...bias").
    const b = utf8.encode(name);
    let shared = 0;
    while (shared < b.length && shared < prev.length && b[shared] === prev[shared]) shared++;
    s.uvar(i);
    s.uvar(shared);
    s.raw(b.subarray(shared));
    prev = b;
  }

  const producer = new Map<number, number>();
  g.ops.forEach((o, k) => o.outputs.forEach((t) => producer.set(t, k)));
  const inputs = new Set(g.inputs);
  let nextOp = 0;
  const data: Uint8Array[] = [];
  let dataLength = 0;
  for (let i = 0; i < g.tensors.length; ) {
    const t = g.tensors[i];
    if (inputs.has(i)) {
      s.uvar(INPUT_TAG);
      s.u8(DTYPE_OF[t.dtype]);
      shape(s, t.shape);
      i++;
    } else if (t.weight) {
      s.uvar(WEIGHT_TAG);
      shape(s, t.shape);
      writeWeight(s, t.weight, t.shape[0]);
      for (const b of blobsInDataOrder(t.weight)) {
        const at = Math.ceil(dataLength / BLOB_ALIGNMENT) * BLOB_ALIGNMENT;
        data.push(b);
        dataLength = at + b.length;
      }
      i++;
    } else {
      const k = producer.get(i);
      const o = k === undefined ? undefined : g.ops[k];
      if (!o || k !== nextOp || o.outputs.some((out, j) => out !== i + j)) {
        throw new WpalFormatError(`compact graph: tensor ${i} is not the next op's output (ops must create their outputs in order)`);
      }
      const code = enumCode(OpCode, o.type);
      s.uvar(OP_TAG + (code ?? OpCode.Custom));
      if (code === undefined) s.str(o.type);
      writeOp(s, o, i);
      nextOp++;
      i += o.outputs.length;
    }
  }
  if (nextOp !== g.ops.length) throw new WpalFormatError(`compact graph: op ${nextOp} creates no tensor`);
  const out = new Uint8Array(dataLength);
  let at = 0;
  for (const b of data) {
    at = Math.ceil(at / BLOB_ALIGNMENT) * BLOB_ALIGNMENT;
    out.set(b, at);
    at += b.length;
  }
  return { graph: s.bytes(), data: out };
}

function shape(s: StreamWriter, dims: readonly number[]): void {
  s.uvar(dims.length);
  for (const d of dims) s.uvar(d);
}
