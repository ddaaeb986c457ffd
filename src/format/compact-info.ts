/**
 * From a parsed format 1.3 compact graph (compact-read.ts) to the reader's TensorInfo / OpInfo, with
 * the checks the tables get in read.ts: weight layouts (validate-weight.ts), attributes
 * (resolveAttrs), names (stored or derived, names.ts). Also the Model fields of a compact file: the
 * graph, data and meta vectors and the stub that makes older readers reject the file.
 */
import { WpalFormatError, WpalVersionError } from './errors.js';
import { COMPACT_META_MINOR, COMPACT_MINOR, FORMAT_MAJOR, FORMAT_MINOR, formatVersionString } from './version.js';
import type { Model } from './generated/wpal_generated.js';
import type { CompactGraph } from './compact-read.js';
import { derivedNames } from './names.js';
import { resolveAttrs } from './ops.js';
import type { ByteRange, OpInfo, TensorInfo } from './types.js';
import { checkWeightLayout, type WeightLayout } from './validate-weight.js';
import { partsOf, weightInfo } from './layout-walk.js';

/**
 * Type of the one op a compact file keeps in Model.ops: the least format version that reads the
 * file, "1.3" or, with compact metadata, "1.4". Readers of 1.0..1.2 do not know the op type and say
 * to upgrade; a 1.3 reader accepts only "1.3", so it rejects a file whose metadata it cannot read.
 */
export function compactStubOp(hasMeta: boolean): string {
  return formatVersionString(FORMAT_MAJOR, hasMeta ? COMPACT_META_MINOR : COMPACT_MINOR);
}

/** vtable slots of Model (schemas/wpal.fbs). */
const SLOT = { tensors: 2, ops: 3, inputs: 4, outputs: 5, metadata: 6, graph: 8, data: 9, meta: 10 } as const;

function fieldOffset(model: Model, slot: number): number {
  return model.bb!.__offset(model.bb_pos, 4 + 2 * slot);
}

/** True when the file uses the compact layout (Model.graph or Model.data present). */
export function hasCompactGraph(model: Model): boolean {
  return fieldOffset(model, SLOT.graph) !== 0 || fieldOffset(model, SLOT.data) !== 0;
}

/** The elements of the [ubyte] vector in Model field `slot` as a file range (undefined: absent). */
export function compactRange(model: Model, slot: 'graph' | 'data' | 'meta'): ByteRange | undefined {
  const o = fieldOffset(model, SLOT[slot]);
  if (!o) return undefined;
  const bb = model.bb!;
  return { offset: bb.__vector(model.bb_pos + o), length: bb.__vector_len(model.bb_pos + o) };
}


/**
 * A compact file holds no tensors, inputs or outputs tables, no Metadata table beside Model.meta, and
 * exactly the stub op, naming the least version that reads it. A stub naming a later minor version
 * than this reader's is a file this reader cannot read: WpalVersionError, which says to upgrade.
 */
export function checkCompactStub(model: Model, version: { major: number; minor: number }): void {
  for (const [name, slot] of [['tensors', SLOT.tensors], ['inputs', SLOT.inputs], ['outputs', SLOT.outputs]] as const) {
    if (fieldOffset(model, slot)) throw new WpalFormatError(`a compact file (Model.graph) has no Model.${name}`);
  }
  const hasMeta = fieldOffset(model, SLOT.meta) !== 0;
  const op = model.opsLength() === 1 ? model.ops(0)! : undefined;
  // The stub: one op with a type and nothing else.
  const type = op && !op.inputsLength() && !op.outputsLength() && !op.attributesLength() ? op.type() : null;
  const needs = type ? /^(\d{1,4})\.(\d{1,4})$/.exec(type) : null;
  if (needs && Number(needs[1]) === version.major && Number(needs[2]) > FORMAT_MINOR) {
    throw new WpalVersionError(version.major, version.minor, type!);
  }
  const want = compactStubOp(hasMeta);
  if (type !== want) {
    throw new WpalFormatError(`a compact file (Model.graph) ${hasMeta ? 'with' : 'without'} Model.meta keeps exactly one op in Model.ops, of type "${want}" with nothing else`);
  }
  if (hasMeta && version.minor < COMPACT_META_MINOR) {
    throw new WpalFormatError(`the file says format ${version.major}.${version.minor} but has compact metadata (Model.meta), which is ${version.major}.${COMPACT_META_MINOR}: it is damaged`);
  }
  if (hasMeta && fieldOffset(model, SLOT.metadata)) throw new WpalFormatError('a file with Model.meta has no Model.metadata (the metadata is stored once)');
}

/** TensorInfo / OpInfo of a parsed compact graph, checked as the tables are. */
export function compactInfo(
  bytes: Uint8Array,
  g: CompactGraph,
): { tensors: TensorInfo[]; ops: OpInfo[]; inputs: number[]; outputs: number[]; omittedShapes: Set<number> } {
  const n = g.tensors.length;
  for (const t of g.names.keys()) if (t >= n) throw new WpalFormatError(`Model.graph: a name is stored for tensor ${t}, the graph has ${n} tensors`);
  const derived = derivedNames({ tensorCount: n, weights: new Set(g.weights.map((w) => w.tensor)), ops: g.ops, inputs: g.inputs, outputs: g.outputs });
  const tensors: TensorInfo[] = g.tensors.map((t, index) => {
    const stored = g.names.get(index);
    if (stored?.startsWith('#')) throw new WpalFormatError(`tensor ${index}: name ${JSON.stringify(stored)} starts with "#", which is kept for unnamed tensors`);
    return { index, name: stored ?? derived[index], shape: [...t.shape], dtype: t.dtype };
  });
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const floats = (r: ByteRange) => Array.from({ length: r.length / 4 }, (_, k) => dv.getFloat32(r.offset + 4 * k, true));
  for (const w of g.weights) {
    const t = tensors[w.tensor];
    const rows = w.shape[0];
    const cols = w.shape.slice(1).reduce((a, b) => a * b, 1);
    const b = w.blobs;
    // Each part's fields and blobs, as the tables reader gives them to the validator: byte blobs
    // as views (it reads lengths, and the mask's bits), float vectors as values.
    const stored: Record<string, Record<string, unknown>> = {};
    for (const row of partsOf(w.encoding)) {
      const part: Record<string, unknown> = { ...w.fields[row.part] };
      for (const blob of row.blobs) {
        const r = b[blob.name];
        if (r) part[blob.field] = blob.floats ? floats(r) : bytes.subarray(r.offset, r.offset + r.length);
      }
      stored[row.part] = part;
    }
    const checked = checkWeightLayout(rows, cols, stored as WeightLayout, `tensor ${w.tensor} ${JSON.stringify(t.name)}`);
    t.weight = weightInfo(rows, cols, checked, (blob) => b[blob.name]);
  }
  const ops: OpInfo[] = g.ops.map((o, index) => ({ index, type: o.type, inputs: o.inputs, outputs: o.outputs, attrs: resolveAttrs(o.type, index, o.given) }));
  const omittedShapes = new Set(g.ops.flatMap((o) => o.outputs));
  return { tensors, ops, inputs: g.inputs, outputs: g.outputs, omittedShapes };
}
