/**
 * readModel: parses a .wpal file and validates everything before returning, never trusting the
 * bytes. Order: size and identifier, the file checksum (format 1.2 on; a damaged file is rejected
 * before anything else is read, naming the damaged tensors: integrity.ts), version (an unknown major
 * is rejected before anything else is read), structure (verify-structure.ts: every offset, vector and string in bounds), then contents:
 * tensors and weight layouts (validate-weight.ts), ops and attributes (ops.ts), graph order and
 * shapes (validate-graph.ts), metadata. Any other exception on the way becomes a WpalFormatError.
 */
import { ByteBuffer } from 'flatbuffers';
import { WpalError, WpalFormatError, WpalUnsupportedOpError, WpalVersionError } from './errors.js';
import { Model, type Attribute, type Tensor, type Weight } from './generated/wpal_generated.js';
import { MAX_RANK, OP_TYPES, opSchema, resolveAttrs } from './ops.js';
import type { AttrValue, ByteRange, ChecksumStatus, DTypeName, MetadataInfo, ModelInfo, OpInfo, TensorInfo, WeightInfo } from './types.js';
import { checkWeightLayout, MAX_ELEMENTS } from './validate-weight.js';
import { validateGraph } from './validate-graph.js';
import { checksumMismatchError, fileChecksum, printable, weightChecksum, weightChecksumOffset } from './integrity.js';
import { peekHeader, vectorRange, verifyStructure } from './verify-structure.js';
import { checkCompactStub, compactInfo, compactRange, hasCompactGraph } from './compact-info.js';
import { parseCompactGraph } from './compact-read.js';
import { parseCompactMeta } from './compact-meta.js';
import { validateValues } from './validate-values.js';
import { CHECKSUM_MINOR, COMPACT_MINOR, FORMAT_MAJOR, FORMAT_MINOR, SUPPORTED_MAJORS } from './version.js';

import { BLOB_ALIGNMENT, MAX_ATTR_LIST, MAX_OP_OPERANDS, MAX_PREPROCESS_CHANNELS } from './limits.js';
import { DTYPE_NAME } from './elements.js';
import type { LayoutBlob, LayoutPart, WeightLayout } from './layouts.js';
import { partsOf, partTables, weightInfo } from './layout-walk.js';

export { BLOB_ALIGNMENT };



export interface ReadOptions {
  /**
   * Verify the file's checksum (default true). Pass false only when the bytes were already
   * verified another way, e.g. fetched with subresource integrity or checked against a digest you
   * trust: a damaged file then loads and can answer wrongly. Files of format 1.0 / 1.1 carry no
   * checksum either way (ModelInfo.checksum says "none").
   */
  verifyChecksums?: boolean;
}

/** Parses and validates a .wpal file. Throws WpalFormatError, WpalVersionError or WpalUnsupportedOpError. */
export function readModel(bytes: Uint8Array, options: ReadOptions = {}): ModelInfo {
  if (!(bytes instanceof Uint8Array)) throw new WpalFormatError('readModel expects the file as a Uint8Array');
  try {
    return read(bytes, options.verifyChecksums !== false);
  } catch (e) {
    if (e instanceof WpalError) throw e;
    throw new WpalFormatError(`malformed file: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

function read(bytes: Uint8Array, verifyChecksums: boolean): ModelInfo {
  if (bytes.byteLength >= 2 ** 31) throw new WpalFormatError(`file is ${bytes.byteLength} bytes; .wpal files are limited to 2 GiB`);
  // The writer pads every file to a multiple of 16 (its largest alignment), so a file cut short by
  // fewer than 16 bytes (the unreferenced tail padding) is still caught.
  if (bytes.byteLength % BLOB_ALIGNMENT !== 0 && bytes.byteLength >= 8) {
    throw new WpalFormatError(`file is ${bytes.byteLength} bytes, not a multiple of ${BLOB_ALIGNMENT}: it was truncated or has bytes appended`);
  }
  const version = peekHeader(bytes);
  // Integrity first: a damaged file is reported as damaged, not as whatever the damage looks like
  // (a flipped major would otherwise ask for an upgrade). Every checksum a file carries is checked,
  // whatever its version fields say, so a flip in format_minor cannot turn the check off.
  let checksum: ChecksumStatus = 'none';
  if (version.checksum) {
    checksum = 'unverified';
    if (verifyChecksums) {
      if (fileChecksum(bytes, version.checksum.offset) !== version.checksum.stored) throw checksumMismatchError(bytes);
      checksum = 'verified';
    }
  }
  if (!SUPPORTED_MAJORS.includes(version.major)) throw new WpalVersionError(version.major, version.minor);
  if (version.minor >= CHECKSUM_MINOR && !version.checksum) {
    throw new WpalFormatError(`the file says format ${version.major}.${version.minor} but has no file checksum, which ${version.major}.${CHECKSUM_MINOR} files always carry: it is damaged`);
  }
  verifyStructure(bytes);
  const model = Model.getRootAsModel(new ByteBuffer(bytes));
  // Without a file checksum, weight checksums (if any) are verified one by one.
  const ctx = new Context(bytes, version.major, version.minor, verifyChecksums && !version.checksum);
  const graph = hasCompactGraph(model) ? readCompact(bytes, model, version) : readTables(model, ctx);
  const { tensors, ops, inputs, outputs, omittedShapes } = graph;
  const names = new Map<string, number>();
  for (const t of tensors) {
    const prev = names.get(t.name);
    if (prev !== undefined) throw new WpalFormatError(`tensor ${t.index}: name ${JSON.stringify(t.name)} is already used by tensor ${prev}`);
    names.set(t.name, t.index);
  }
  for (const t of inputs) {
    if (omittedShapes.has(t)) throw new WpalFormatError(`graph input ${t} ${JSON.stringify(tensors[t]?.name)} has no shape; graph inputs must declare theirs`);
  }
  validateGraph({ tensors, ops, inputs, outputs }, omittedShapes);
  const meta = compactRange(model, 'meta');
  if (meta && !hasCompactGraph(model)) throw new WpalFormatError('Model.meta (compact metadata) is only read in a compact file (Model.graph)');
  const metadata = meta ? parseCompactMeta(bytes, meta) : ctx.metadata(model);
  const info: ModelInfo = { formatMajor: version.major, formatMinor: version.minor, checksum, tensors, ops, inputs, outputs, metadata, bytes };
  validateValues(info);
  return info;
}

/** The graph of either layout, before the checks both share (names, graph order, shapes). */
interface ReadGraph {
  tensors: TensorInfo[];
  ops: OpInfo[];
  inputs: number[];
  outputs: number[];
  /** Op outputs stored without a shape: the reader infers it. */
  omittedShapes: Set<number>;
}

/** The 1.0 layout: Model.tensors, ops, inputs and outputs as tables and vectors. */
function readTables(model: Model, ctx: Context): ReadGraph {
  const tensors: TensorInfo[] = [];
  for (let i = 0; i < model.tensorsLength(); i++) tensors.push(ctx.tensor(model.tensors(i)!, i));
  const ops: OpInfo[] = [];
  for (let i = 0; i < model.opsLength(); i++) {
    const op = model.ops(i)!;
    const type = op.type() ?? '';
    if (!opSchema(type)) throw new WpalUnsupportedOpError(type, i, OP_TYPES);
    const where = `op ${i} (${type})`;
    const inputs = ctx.ints(op.inputsLength(), (k) => op.inputs(k)!, `${where} inputs`, MAX_OP_OPERANDS);
    const outputs = ctx.ints(op.outputsLength(), (k) => op.outputs(k)!, `${where} outputs`, MAX_OP_OPERANDS);
    const given: Record<string, AttrValue> = {};
    for (let k = 0; k < op.attributesLength(); k++) {
      const a = op.attributes(k)!;
      const name = a.name() ?? '';
      if (Object.prototype.hasOwnProperty.call(given, name)) throw new WpalFormatError(`${where}: attribute ${JSON.stringify(name)} appears twice`);
      given[name] = ctx.attrValue(type, name, a, where);
    }
    ops.push({ index: i, type, inputs, outputs, attrs: resolveAttrs(type, i, given) });
  }
  const inputs = ctx.ints(model.inputsLength(), (k) => model.inputs(k)!, 'graph inputs', tensors.length);
  const outputs = ctx.ints(model.outputsLength(), (k) => model.outputs(k)!, 'graph outputs', tensors.length);
  const produced = new Set(ops.flatMap((o) => o.outputs));
  for (const t of ctx.unnamed) {
    if (!produced.has(t) || outputs.includes(t) || tensors[t].weight) {
      throw new WpalFormatError(`tensor ${t} has no name; only intermediate op outputs may leave it out`);
    }
  }
  return { tensors, ops, inputs, outputs, omittedShapes: ctx.omittedShapes };
}

/** The compact layout (1.3): Model.graph and Model.data (compact-read.ts), beside a stub for older readers. */
function readCompact(bytes: Uint8Array, model: Model, version: { major: number; minor: number }): ReadGraph {
  if (version.minor < COMPACT_MINOR) {
    throw new WpalFormatError(`the file says format ${version.major}.${version.minor} but has a compact graph (Model.graph), which is ${version.major}.${COMPACT_MINOR}: it is damaged`);
  }
  checkCompactStub(model, version);
  const graph = compactRange(model, 'graph');
  const data = compactRange(model, 'data') ?? { offset: 0, length: 0 };
  if (!graph) throw new WpalFormatError('Model.graph is missing');
  if (data.length && data.offset % BLOB_ALIGNMENT !== 0) throw new WpalFormatError(`Model.data at file offset ${data.offset} is not ${BLOB_ALIGNMENT}-byte aligned`);
  return compactInfo(bytes, parseCompactGraph(bytes, graph, data));
}

class Context {
  /**
   * Elements and weight blob bytes left to read. Without shared vectors a file holds at most one
   * element per byte, so this only runs out when a hostile file points many tables at one big vector.
   */
  private work: number;
  private readonly view: DataView;
  /** Tensors stored without a shape vector (op outputs; shapes come from inference). */
  readonly omittedShapes = new Set<number>();
  /** Tensors stored without a name (intermediate activations; read as "#<index>"). */
  readonly unnamed = new Set<number>();

  constructor(
    readonly bytes: Uint8Array,
    readonly major: number,
    readonly minor: number,
    /** Check each Weight.checksum (a file without a file checksum that has weight checksums). */
    private readonly verifyWeightChecksums: boolean,
  ) {
    this.work = bytes.byteLength + 4096;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private charge(n: number, where: string): void {
    if ((this.work -= n) < 0) throw new WpalFormatError(`${where}: the file reads more data than it holds (vectors shared between tables)`);
  }

  dtype(v: number, where: string): DTypeName {
    const name = DTYPE_NAME[v];
    if (name) return name;
    const newer = this.minor > FORMAT_MINOR ? ` (the file is format ${this.major}.${this.minor}, newer than ${FORMAT_MAJOR}.${FORMAT_MINOR}: upgrade wasm-palette)` : '';
    throw new WpalFormatError(`${where}: unknown element type ${v}${newer}`);
  }

  ints(n: number, get: (k: number) => number, where: string, max: number): number[] {
    if (n > max) throw new WpalFormatError(`${where}: ${n} entries, at most ${max} allowed`);
    this.charge(n, where);
    const out: number[] = [];
    for (let k = 0; k < n; k++) out.push(get(k));
    return out;
  }

  floats(n: number, get: (k: number) => number): number[] {
    this.charge(n, 'float vector');
    const out: number[] = [];
    for (let k = 0; k < n; k++) out.push(get(k));
    return out;
  }

  tensor(t: Tensor, index: number): TensorInfo {
    const stored = t.name();
    if (stored === null) this.unnamed.add(index);
    else if (stored.length === 0) throw new WpalFormatError(`tensor ${index}: empty name`);
    else if (stored.startsWith('#')) throw new WpalFormatError(`tensor ${index}: name ${JSON.stringify(stored)} starts with "#", which is kept for unnamed tensors`);
    const name = stored ?? `#${index}`;
    const where = `tensor ${index} ${JSON.stringify(name)}`;
    // No shape vector at all: an op output whose shape the reader infers (validateGraph).
    // (vtable slot 6 = Tensor.shape; 0 = field absent, which an empty vector is not)
    if (t.bb!.__offset(t.bb_pos, 6) === 0 && !t.weight()) this.omittedShapes.add(index);
    const rank = t.shapeLength();
    if (rank > MAX_RANK) throw new WpalFormatError(`${where}: rank ${rank} > ${MAX_RANK}`);
    const shape = this.ints(rank, (k) => t.shape(k)!, `${where} shape`, MAX_RANK);
    let elements = 1;
    for (const d of shape) {
      if (!(d >= 1)) throw new WpalFormatError(`${where}: shape [${shape.join(', ')}] has a dimension < 1`);
      elements *= d;
    }
    if (elements > MAX_ELEMENTS) throw new WpalFormatError(`${where}: ${elements} elements is more than ${MAX_ELEMENTS}`);
    const dtype = this.dtype(t.dtype(), where);
    const info: TensorInfo = { index, name, shape, dtype };
    const w = t.weight();
    if (w) {
      if (rank < 1) throw new WpalFormatError(`${where}: a weight needs rank >= 1`);
      if (dtype !== 'float32') throw new WpalFormatError(`${where}: a weight tensor has dtype float32 (its encoding says how it is stored), got ${dtype}`);
      info.weight = this.weight(w, shape, where);
      const at = weightChecksumOffset(w);
      if (!at && this.minor >= CHECKSUM_MINOR) throw new WpalFormatError(`${where}: no checksum, which format ${this.major}.${CHECKSUM_MINOR} weights always carry`);
      if (at && this.verifyWeightChecksums && this.view.getUint32(at, true) !== weightChecksum(w)) {
        throw new WpalFormatError(`tensor ${printable(name)} is damaged (checksum mismatch)`, { damagedTensors: [name] });
      }
    }
    return info;
  }

  weight(w: Weight, shape: number[], where: string): WeightInfo {
    const rows = shape[0];
    const cols = shape.slice(1).reduce((a, b) => a * b, 1);
    // Each part's blobs, by its row (layouts.ts): byte blobs as views, float vectors as values.
    // (Weight's fields are named as the parts.)
    const tables = partTables(w);
    const ranges = new Map<LayoutBlob, ByteRange>();
    const stored: Partial<Record<LayoutPart, Record<string, unknown>>> = {};
    for (const row of partsOf(tables)) {
      const part: Record<string, unknown> = (stored[row.part] = {});
      for (const blob of row.blobs) {
        const r = vectorRange(tables[row.part]!, blob.schema);
        if (!r) {
          if (!blob.optional) throw new WpalFormatError(`${where}: ${row.part} weight has no ${blob.what}`);
          continue;
        }
        // Each blob's bytes count once: vectors shared between tables run out of budget.
        this.charge(r.length, `${where} ${blob.what}`);
        part[blob.field] = blob.floats ? Array.from({ length: r.length / 4 }, (_, k) => this.view.getFloat32(r.offset + 4 * k, true)) : this.bytes.subarray(r.offset, r.offset + r.length);
        ranges.set(blob, r);
      }
    }
    // The parts' own fields, as their tables hold them; element types by name.
    for (const row of partsOf(tables)) {
      const fields: Record<string, number | string> = row.readTable(tables[row.part]!);
      for (const blob of row.blobs) if (blob.element) fields[blob.element] = this.dtype(fields[blob.element] as number, where);
      Object.assign(stored[row.part]!, fields);
    }
    const checked = checkWeightLayout(rows, cols, stored as WeightLayout, where);
    for (const [blob, r] of ranges) {
      // [float] vectors are 4-byte aligned by FlatBuffers; the blobs kernels read in place, 16
      if (!blob.floats && r.offset % BLOB_ALIGNMENT !== 0) throw new WpalFormatError(`${where} ${blob.what}: blob at file offset ${r.offset} is not ${BLOB_ALIGNMENT}-byte aligned`);
    }
    return weightInfo(rows, cols, checked, (b) => ranges.get(b));
  }

  attrValue(type: string, name: string, a: Attribute, where: string): AttrValue {
    const spec = opSchema(type)!.attrs.find((s) => s.name === name);
    switch (spec?.kind) {
      case undefined:
        return 0; // resolveAttrs rejects the unknown name with the list of known ones
      case 'int':
        return a.i();
      case 'float':
        return a.f();
      case 'string':
        return a.s() ?? '';
      case 'ints': {
        const n = a.intsLength();
        if (n > MAX_ATTR_LIST) throw new WpalFormatError(`${where}: attribute ${name} has ${n} values, at most ${MAX_ATTR_LIST}`);
        return Array.from({ length: n }, (_, k) => a.ints(k)!);
      }
      case 'floats': {
        const n = a.floatsLength();
        if (n > MAX_ATTR_LIST) throw new WpalFormatError(`${where}: attribute ${name} has ${n} values, at most ${MAX_ATTR_LIST}`);
        return this.floats(n, (k) => a.floats(k)!);
      }
    }
  }

  metadata(model: Model): MetadataInfo {
    const md = model.metadata();
    const info: MetadataInfo = { outputLabels: [], properties: {} };
    if (!md) return info;
    const opt = (s: string | null) => (s === null ? undefined : s);
    if (md.name() !== null) info.name = md.name()!;
    if (md.description() !== null) info.description = md.description()!;
    if (md.task() !== null) info.task = md.task()!;
    const p = md.preprocessing();
    if (p) {
      const cap = (n: number, what: string) => {
        if (n > MAX_PREPROCESS_CHANNELS) throw new WpalFormatError(`metadata.preprocessing.${what}: ${n} values, at most ${MAX_PREPROCESS_CHANNELS}`);
        return n;
      };
      info.preprocessing = {
        scale: p.scale(),
        mean: this.floats(cap(p.meanLength(), 'mean'), (k) => p.mean(k)!),
        std: this.floats(cap(p.stdLength(), 'std'), (k) => p.std(k)!),
      };
      const layout = opt(p.layout());
      if (layout !== undefined) info.preprocessing.layout = layout;
    }
    for (let i = 0; i < md.outputLabelsLength(); i++) info.outputLabels.push(md.outputLabels(i) ?? '');
    for (let i = 0; i < md.propertiesLength(); i++) {
      const kv = md.properties(i)!;
      const key = kv.key() ?? '';
      if (Object.prototype.hasOwnProperty.call(info.properties, key)) throw new WpalFormatError(`metadata.properties[${i}]: key ${JSON.stringify(key)} appears twice`);
      Object.defineProperty(info.properties, key, { value: kv.value() ?? '', enumerable: true, writable: true, configurable: true });
    }
    return info;
  }
}
