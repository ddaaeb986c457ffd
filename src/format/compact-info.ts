/**
 * From a parsed format 1.3 compact graph (compact-read.ts) to the reader's TensorInfo / OpInfo, with
 * the checks the tables get in read.ts: weight layouts (validate-weight.ts), attributes
 * (resolveAttrs), names (stored or derived, names.ts). Also the Model fields of a compact file: the
 * graph and data vectors and the stub that makes readers of 1.0..1.2 reject the file.
 */
import { WpalFormatError } from './errors.js';
import type { Model } from './generated/wpal_generated.js';
import type { CompactGraph } from './compact-read.js';
import { derivedNames } from './names.js';
import { resolveAttrs } from './ops.js';
import type { ByteRange, OpInfo, TensorInfo } from './types.js';
import { checkWeightLayout, type WeightLayout } from './validate-weight.js';
import { partsOf, weightInfo } from './layout-walk.js';

/** Type of the one op a compact file keeps in Model.ops: unknown to readers of 1.0..1.2, which then say to upgrade. */
export const COMPACT_STUB_OP = '1.3';

/** vtable slots of Model (schemas/wpal.fbs). */
const SLOT = { tensors: 2, ops: 3, inputs: 4, outputs: 5, graph: 8, data: 9 } as const;

function fieldOffset(model: Model, slot: number): number {
  return model.bb!.__offset(model.bb_pos, 4 + 2 * slot);
}

/** True when the file uses the compact layout (Model.graph or Model.data present). */
export function hasCompactGraph(model: Model): boolean {
  return fieldOffset(model, SLOT.graph) !== 0 || fieldOffset(model, SLOT.data) !== 0;
}

/** The elements of the [ubyte] vector in Model field `slot` as a file range (undefined: absent). */
export function compactRange(model: Model, slot: 'graph' | 'data'): ByteRange | undefined {
  const o = fieldOffset(model, SLOT[slot]);
  if (!o) return undefined;
  const bb = model.bb!;
  return { offset: bb.__vector(model.bb_pos + o), length: bb.__vector_len(model.bb_pos + o) };
}


/** A compact file holds no tensors, inputs or outputs tables, and exactly the stub op. */
export function checkCompactStub(model: Model): void {
  for (const [name, slot] of [['tensors', SLOT.tensors], ['inputs', SLOT.inputs], ['outputs', SLOT.outputs]] as const) {
    if (fieldOffset(model, slot)) throw new WpalFormatError(`a compact file (Model.graph) has no Model.${name}`);
  }
  const op = model.opsLength() === 1 ? model.ops(0)! : undefined;
  if (!op || op.type() !== COMPACT_STUB_OP || op.inputsLength() || op.outputsLength() || op.attributesLength()) {
    throw new WpalFormatError(`a compact file (Model.graph) keeps exactly one op in Model.ops, of type "${COMPACT_STUB_OP}" with nothing else`);
  }
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
