/**
 * The tables layout of a .wpal file (formats 1.0 to 1.2, and ModelWriter's layout "tables"): one
 * FlatBuffers table per tensor, weight, op and attribute. ModelWriter (write.ts) writes the compact
 * layout of 1.3 by default; this one is for readers older than 1.3.
 */
import type { Builder, ByteBuffer, Offset } from 'flatbuffers';
import { Attribute, Model, Op, Tensor, Weight } from './generated/wpal_generated.js';
import { BLOB_ALIGNMENT } from './limits.js';
import { opSchema } from './ops.js';
import { isDefaultAttr } from './op-schema.js';
import { type GraphToWrite } from './compact-write.js';
import { DTYPE_OF } from './elements.js';
import type { WeightBlobs } from './layouts.js';
import { partsOf } from './layout-walk.js';
import { TABLES } from './verify-structure.js';


/** Model.tensors, ops, inputs and outputs of the tables layout. */
export function writeTables(b: Builder, g: GraphToWrite): { tensorsVec: Offset; opsVec: Offset; inputsVec: Offset; outputsVec: Offset } {
  const produced = new Set(g.ops.flatMap((o) => o.outputs));
  const tensors = g.tensors.map((_, i) => writeTensor(b, g, i, produced));
  const ops = g.ops.map((o) => writeOp(b, o));
  return {
    tensorsVec: Model.createTensorsVector(b, tensors),
    opsVec: Model.createOpsVector(b, ops),
    inputsVec: Model.createInputsVector(b, [...g.inputs]),
    outputsVec: Model.createOutputsVector(b, [...g.outputs]),
  };
}

function writeTensor(b: Builder, g: GraphToWrite, i: number, produced: ReadonlySet<number>): Offset {
  const t = g.tensors[i];
  const weight = t.weight ? writeWeight(b, t.weight) : 0;
  const intermediate = produced.has(i) && !g.outputs.includes(i);
  const name = intermediate && !g.activationNames ? 0 : b.createString(t.name);
  // Op outputs carry no shape: the reader infers it (and that inference is the check anyway).
  const shape = produced.has(i) ? 0 : Tensor.createShapeVector(b, [...t.shape]);
  Tensor.startTensor(b);
  if (name) Tensor.addName(b, name);
  if (shape) Tensor.addShape(b, shape);
  Tensor.addDtype(b, DTYPE_OF[t.dtype]);
  if (weight) Tensor.addWeight(b, weight);
  return Tensor.endTensor(b);
}

function writeOp(b: Builder, o: GraphToWrite['ops'][number]): Offset {
  const schema = opSchema(o.type)!;
  // Only attributes that differ from their default are stored: the reader fills defaults in, and
  // small models would otherwise spend more bytes on attributes than on weights. Names and op
  // types are shared strings, written once per file.
  // Compared with Object.is, element by element (isDefaultAttr): JSON would call -Infinity,
  // +Infinity and NaN all "null" (Clip's max = -inf would be dropped and read back as +inf).
  const attrs = schema.attrs.filter((spec) => !isDefaultAttr(spec.default, o.attrs[spec.name])).map((spec) => {
    const v = o.attrs[spec.name];
    const name = b.createSharedString(spec.name);
    const s = spec.kind === 'string' ? b.createString(v as string) : 0;
    const ints = spec.kind === 'ints' ? Attribute.createIntsVector(b, v as number[]) : 0;
    const floats = spec.kind === 'floats' ? Attribute.createFloatsVector(b, v as number[]) : 0;
    Attribute.startAttribute(b);
    Attribute.addName(b, name);
    if (spec.kind === 'int') Attribute.addI(b, v as number);
    if (spec.kind === 'float') {
      // FlatBuffers leaves out a value equal to the field default 0, and -0 == 0: force it, or it reads back as +0.
      b.forceDefaults(Object.is(v, -0));
      Attribute.addF(b, v as number);
      b.forceDefaults(false);
    }
    if (s) Attribute.addS(b, s);
    if (ints) Attribute.addInts(b, ints);
    if (floats) Attribute.addFloats(b, floats);
    return Attribute.endAttribute(b);
  });
  const type = b.createSharedString(o.type);
  const inputs = Op.createInputsVector(b, [...o.inputs]);
  const outputs = Op.createOutputsVector(b, [...o.outputs]);
  const attrsVec = attrs.length ? Op.createAttributesVector(b, attrs) : 0;
  return Op.createOp(b, type, inputs, outputs, attrsVec);
}

/**
 * A [ubyte] vector whose data starts on a 16-byte boundary of the finished file (the builder
 * aligns from the end, and finish() pads the whole buffer to the largest alignment used, 16), or
 * on the given `alignment`.
 * The bytes are copied in one `set` instead of one addInt8 per byte.
 */
export function writeBlob(b: Builder, data: Uint8Array, alignment = BLOB_ALIGNMENT): Offset {
  b.startVector(1, data.length, alignment);
  // Builder keeps `space` and `bb` private in its typings; this is the documented back-to-front fill.
  const raw = b as unknown as { space: number; bb: ByteBuffer };
  raw.space -= data.length;
  raw.bb.bytes().set(data, raw.space);
  return b.endVector();
}

function writeWeight(b: Builder, w: WeightBlobs): Offset {
  // each part's table (its row writes it, layouts.ts), then Weight, whose fields are named as the parts
  const parts = partsOf(w).map((row) => [row, row.writeTable(b, w[row.part] as never, (data) => writeBlob(b, data))] as const);
  Weight.startWeight(b);
  for (const [row, table] of parts) b.addFieldOffset(TABLES.Weight.findIndex((f) => f.name === row.part), table, 0);
  b.forceDefaults(true); // a placeholder: sealChecksums fills it in
  Weight.addChecksum(b, 0);
  b.forceDefaults(false);
  return Weight.endWeight(b);
}
