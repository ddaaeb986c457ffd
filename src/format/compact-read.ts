/**
 * Parser of a format 1.3 compact file's Model.graph and Model.data (layout in schemas/wpal.fbs,
 * "Compact files"). It checks what the layout itself needs (every read in bounds, counts capped,
 * record kinds and codes known, every blob inside Model.data at its implied place) and returns the
 * records; read.ts then checks them as it checks the tables (weight layouts, attributes, graph,
 * shapes), so both layouts give the same ModelInfo. Throws WpalFormatError or WpalUnsupportedOpError.
 */
import { WpalFormatError, WpalUnsupportedOpError } from './errors.js';
import { AttrCode, OpCode } from './generated/wpal_generated.js';
import { MAX_RANK, OP_TYPES, opSchema } from './ops.js';
import { StreamReader } from './stream.js';
import type { AttrValue, ByteRange, DTypeName, FilePart } from './types.js';
import { BLOB_ALIGNMENT, MAX_ATTR_LIST, MAX_OP_OPERANDS } from './limits.js';
import { MAX_ELEMENTS } from './validate-weight.js';
import { DTYPE_NAME } from './elements.js';
import { blobBytes, type StoredEncoding } from './weight-bytes.js';
import { LAYOUTS, SPARSITY_LAYOUTS, VALUE_LAYOUTS, type BlobName, type LayoutPart } from './layouts.js';

type LayoutRow = (typeof LAYOUTS)[number];

/** Record tags (the first uvar of a record); an op's tag is OP_TAG + its OpCode. */
export const INPUT_TAG = 0;
export const WEIGHT_TAG = 1;
export const OP_TAG = 2;

/**
 * Op record head: nIn << OP_HEAD_SHIFT | seq << 3 | min(nAttr, OP_HEAD_MORE). seq = 1: the inputs are
 * the last nIn tensors created, in order, and no `in` follows. nAttr = OP_HEAD_MORE: nAttr - 7 follows.
 */
export const OP_HEAD_SHIFT = 4;
export const OP_HEAD_SEQ = 8;
export const OP_HEAD_MORE = 7;

/** Attribute value kinds (the low 3 bits of an attribute key). */
export const ATTR_KINDS = ['int', 'float', 'string', 'ints', 'floats'] as const;
/** A weight's parts in Model.data order: the sparsity part's blobs first (its kept count sizes the others), then the values part's. */
export function dataOrder(w: { [K in LayoutPart]?: unknown }) {
  return [...SPARSITY_LAYOUTS, ...VALUE_LAYOUTS].filter((r) => w[r.part]);
}

export interface CompactWeight {
  tensor: number;
  shape: number[];
  /** The weight's encoding, as its record says (it sizes the blobs). */
  encoding: StoredEncoding;
  /** Each part's fields as WeightLayout holds them (compact-info.ts checks them as the tables' are). */
  fields: { [K in LayoutPart]?: Record<string, number | string> };
  /** File offset of the record's checksum (u32). */
  checksumAt: number;
  /** The blobs, as file ranges, by name (layouts.ts). */
  blobs: Partial<Record<BlobName, ByteRange>>;
}

export interface CompactTensor {
  kind: 'input' | 'weight' | 'output';
  dtype: DTypeName;
  /** Inputs and weights; op outputs are inferred. */
  shape: number[];
}

export interface CompactOp {
  type: string;
  inputs: number[];
  outputs: number[];
  /** Attributes as stored (defaults are filled in by resolveAttrs). */
  given: Record<string, AttrValue>;
  /** Where the op's record starts (for messages). */
  at: number;
}

export interface CompactGraph {
  tensors: CompactTensor[];
  weights: CompactWeight[];
  ops: CompactOp[];
  inputs: number[];
  outputs: number[];
  /** Stored names by tensor index. */
  names: Map<number, string>;
}

/** Reports which part of the format each byte of the stream is (size-parts.ts). */
export type SpanSink = (offset: number, length: number, part: FilePart) => void;

const ATTR_NAMES = new Map<number, string>(Object.entries(AttrCode).filter(([, v]) => typeof v === 'number' && v !== AttrCode.Custom).map(([k, v]) => [v as number, k]));
const OP_NAMES = new Map<number, string>(Object.entries(OpCode).filter(([, v]) => typeof v === 'number' && v !== OpCode.Custom).map(([k, v]) => [v as number, k]));

/** Parses Model.graph (`graph`: the vector's elements) and places the blobs in Model.data (`data`). */
export function parseCompactGraph(bytes: Uint8Array, graph: ByteRange, data: ByteRange, span: SpanSink = () => {}): CompactGraph {
  const r = new StreamReader(bytes, graph.offset, graph.offset + graph.length, 'Model.graph');
  // Every record and list entry takes at least one byte: the stream's length bounds the work.
  const cap = graph.length;
  const g: CompactGraph = { tensors: [], weights: [], ops: [], inputs: [], outputs: [], names: new Map() };
  let mark = r.pos;
  const claim = (part: FilePart) => {
    span(mark, r.pos - mark, part);
    mark = r.pos;
  };

  const nOut = r.count('graph output count', cap);
  for (let k = 0; k < nOut; k++) g.outputs.push(r.uvar(`graph output ${k}`));
  claim('header');
  const nNames = r.count('name count', cap);
  let last = -1;
  let prev = new Uint8Array(0);
  for (let k = 0; k < nNames; k++) {
    const t = r.uvar(`name ${k} tensor`);
    if (t <= last) r.fail(`name ${k}: tensor ${t} does not follow tensor ${last} (stored names are in increasing tensor order)`);
    last = t;
    // Front-coded: the first `shared` bytes of the previous name, then the rest.
    const shared = r.uvar(`name of tensor ${t}: shared bytes`);
    if (shared > prev.length) r.fail(`name of tensor ${t}: shares ${shared} bytes with the previous name, which has ${prev.length}`);
    const rest = r.raw(`name of tensor ${t}`);
    const bytes = new Uint8Array(shared + rest.length);
    bytes.set(prev.subarray(0, shared));
    bytes.set(rest, shared);
    prev = bytes;
    const name = r.utf8(bytes, `name of tensor ${t}`);
    if (name.length === 0) r.fail(`tensor ${t}: empty name`);
    g.names.set(t, name);
  }
  claim('names');

  let dataPos = data.offset;
  const dataEnd = data.offset + data.length;
  const blob = (length: number, what: string): ByteRange => {
    const aligned = Math.min(Math.ceil((dataPos - data.offset) / BLOB_ALIGNMENT) * BLOB_ALIGNMENT + data.offset, dataEnd);
    for (; dataPos < aligned; dataPos++) if (bytes[dataPos] !== 0) r.fail(`${what}: padding byte at Model.data offset ${dataPos - data.offset} is not zero`);
    dataPos = Math.ceil((dataPos - data.offset) / BLOB_ALIGNMENT) * BLOB_ALIGNMENT + data.offset;
    if (dataPos + length > dataEnd) r.fail(`${what}: its ${length} bytes at Model.data offset ${dataPos - data.offset} run past the end of Model.data (${data.length} bytes)`);
    const range = { offset: dataPos, length };
    dataPos += length;
    return range;
  };

  const shape = (what: string): number[] => {
    const rank = r.count(`${what} rank`, MAX_RANK);
    const dims: number[] = [];
    let elements = 1;
    for (let k = 0; k < rank; k++) {
      const d = r.uvar(`${what} dimension ${k}`);
      if (d < 1) r.fail(`${what}: shape [${[...dims, d].join(', ')}] has a dimension < 1`);
      dims.push(d);
      elements *= d;
      if (elements > MAX_ELEMENTS) r.fail(`${what}: more than ${MAX_ELEMENTS} elements`);
    }
    return dims;
  };

  while (!r.done) {
    const t = g.tensors.length;
    const tag = r.uvar('record tag');
    if (tag === INPUT_TAG) {
      const dtype = DTYPE_NAME[r.u8(`tensor ${t} dtype`)] ?? r.fail(`tensor ${t}: unknown element type ${bytes[r.pos - 1]}`);
      claim('tensors');
      const s = shape(`tensor ${t}`);
      claim('shapes');
      g.inputs.push(t);
      g.tensors.push({ kind: 'input', dtype, shape: s });
      continue;
    }
    if (tag === WEIGHT_TAG) {
      claim('tensors');
      const s = shape(`tensor ${t}`);
      claim('shapes');
      if (s.length < 1) r.fail(`tensor ${t}: a weight needs rank >= 1`);
      g.weights.push(weight(r, t, s, blob, claim));
      g.tensors.push({ kind: 'weight', dtype: 'float32', shape: s });
      continue;
    }
    op(r, g, tag - OP_TAG, claim);
  }
  if (dataPos !== dataEnd) r.fail(`Model.data is ${data.length} bytes, its blobs end at ${dataPos - data.offset}`);
  return g;
}

/** The enc bits some part uses (the rest are reserved) and each role's selector (its rows' marks). */
const ENC_USED = LAYOUTS.reduce((m, row) => m | row.compact.mark | row.compact.flags, 0);
const ROLES = [VALUE_LAYOUTS, SPARSITY_LAYOUTS].map((rows) => ({ rows, selector: rows.reduce((m, row) => m | row.compact.mark, 0) }));

/** The parts a record's enc byte says it has, in Weight.checksum order (their fields follow enc in this order). */
function partsOfEnc(r: StreamReader, enc: number, where: string): LayoutRow[] {
  if (enc & ~ENC_USED) r.fail(`${where}: encoding byte ${enc} has reserved bits set (the file may be newer than this reader: upgrade wasm-palette)`);
  const parts: LayoutRow[] = [];
  for (const { rows, selector } of ROLES) {
    const row = rows.find((x) => x.compact.mark === (enc & selector));
    if (row) parts.push(row);
    else if (enc & selector) r.fail(`${where}: encoding byte ${enc} marks no known ${rows[0].role} part`);
  }
  // flags of a part the record does not have
  const selectors = ROLES.reduce((m, x) => m | x.selector, 0);
  const foreign = enc & ~selectors & ~parts.reduce((m, row) => m | row.compact.flags, 0);
  const owner = foreign ? LAYOUTS.find((row) => row.compact.flags & foreign) : undefined;
  if (owner) r.fail(`${where}: ${owner.compact.flagsWhat} need a ${owner.part} weight`);
  return LAYOUTS.filter((row) => parts.includes(row));
}

function weight(r: StreamReader, t: number, shape: number[], blob: (n: number, what: string) => ByteRange, claim: (p: FilePart) => void): CompactWeight {
  const where = `tensor ${t}`;
  const rows = shape[0];
  const cols = shape.slice(1).reduce((a, b) => a * b, 1);
  const enc = r.u8(`${where} encoding`);
  const encoding: Record<string, unknown> = {};
  const fields: CompactWeight['fields'] = {};
  for (const row of partsOfEnc(r, enc, where)) {
    const part = row.compact.read(r, enc, rows, cols, where);
    encoding[row.part] = part.encoding;
    fields[row.part] = part.fields;
  }
  claim('tensors');
  const checksumAt = r.pos;
  r.u32(`${where} checksum`);
  claim('checksums');

  const want = blobBytes(rows, cols, encoding as StoredEncoding);
  const blobs: CompactWeight['blobs'] = {};
  const view = (name: BlobName) => r.bytes.subarray(blobs[name]!.offset, blobs[name]!.offset + blobs[name]!.length);
  for (const row of dataOrder(encoding)) {
    for (const b of row.blobs) if (!b.optional || want[b.name]) blobs[b.name] = blob(want[b.name], `${where} ${b.what}`);
    const bad = row.compact.checkBlobs?.(encoding[row.part] as never, view, rows, cols);
    if (bad) r.fail(`${where}: ${bad}`);
  }
  return { tensor: t, shape, encoding: encoding as StoredEncoding, fields, checksumAt, blobs };
}

function op(r: StreamReader, g: CompactGraph, code: number, claim: (p: FilePart) => void): void {
  const at = r.pos;
  const index = g.ops.length;
  let type: string;
  if (code === OpCode.Custom) type = r.str(`op ${index} type`);
  else {
    const known = OP_NAMES.get(code);
    // An op code newer than this reader: the same error as an op type it does not know.
    if (known === undefined) throw new WpalUnsupportedOpError(`OpCode ${code}`, index, OP_TYPES);
    type = known;
  }
  const schema = opSchema(type);
  if (!schema) throw new WpalUnsupportedOpError(type, index, OP_TYPES);
  const where = `op ${index} (${type})`;
  const created = g.tensors.length;
  const head = r.uvar(`${where} head`);
  const nIn = Math.floor(head / 2 ** OP_HEAD_SHIFT);
  if (nIn > MAX_OP_OPERANDS) r.fail(`${where} input count is ${nIn}, at most ${MAX_OP_OPERANDS}`);
  const inputs: number[] = [];
  if (head & OP_HEAD_SEQ) {
    if (nIn > created) r.fail(`${where}: takes the last ${nIn} tensors, only ${created} exist`);
    for (let k = 0; k < nIn; k++) inputs.push(created - nIn + k);
  } else {
    for (let k = 0; k < nIn; k++) {
      const back = r.uvar(`${where} input ${k}`);
      if (back > created) r.fail(`${where} input ${k}: refers ${back} tensors back, only ${created} exist`);
      inputs.push(back === 0 ? -1 : created - back);
    }
  }
  claim('ops');
  let nAttr = head & OP_HEAD_MORE;
  if (nAttr === OP_HEAD_MORE) nAttr += r.count(`${where} attribute count`, MAX_ATTR_LIST - OP_HEAD_MORE);
  const given: Record<string, AttrValue> = {};
  for (let k = 0; k < nAttr; k++) {
    const key = r.uvar(`${where} attribute ${k}`);
    const code = Math.floor(key / 8);
    const kind = ATTR_KINDS[key % 8] ?? r.fail(`${where} attribute ${k}: unknown value kind ${key % 8}`);
    const name = code === AttrCode.Custom ? r.str(`${where} attribute ${k} name`) : ATTR_NAMES.get(code) ?? r.fail(`${where} attribute ${k}: unknown attribute code ${code} (the file may be newer than this reader: upgrade wasm-palette)`);
    if (Object.prototype.hasOwnProperty.call(given, name)) r.fail(`${where}: attribute ${JSON.stringify(name)} appears twice`);
    const spec = schema.attrs.find((a) => a.name === name);
    if (spec && spec.kind !== kind) r.fail(`${where}: attribute ${name} is stored as ${kind}, the op takes ${spec.kind}`);
    const what = `${where} attribute ${name}`;
    const list = () => r.count(`${what} length`, MAX_ATTR_LIST);
    const value: AttrValue =
      kind === 'int' ? r.svar(what)
      : kind === 'float' ? r.f32(what)
      : kind === 'string' ? r.str(what)
      : kind === 'ints' ? Array.from({ length: list() }, () => r.svar(what))
      : Array.from({ length: list() }, () => r.f32(what));
    Object.defineProperty(given, name, { value, enumerable: true, writable: true, configurable: true });
  }
  claim('attrs');
  const outputs = Array.from({ length: schema.numOutputs }, (_, k) => created + k);
  for (let k = 0; k < schema.numOutputs; k++) g.tensors.push({ kind: 'output', dtype: 'float32', shape: [] });
  g.ops.push({ type, inputs, outputs, given, at });
}
