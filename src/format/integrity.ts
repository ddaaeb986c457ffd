/**
 * The checksums of a .wpal file (format 1.2, layout in schemas/wpal.fbs):
 *
 *   Model.file_checksum  XXH64 of every byte of the file, with its own 8 bytes read as zeros. It
 *                        covers everything: offsets, vtables, padding, names, metadata, the version
 *                        fields and the per-weight checksums. Verifying it is the integrity check.
 *   Weight.checksum      low 32 bits of XXH64 of one weight's data vectors. When file_checksum
 *                        does not match, these say which tensors were damaged.
 *
 * The writer fills both in place after building the file (sealChecksums); the reader verifies
 * file_checksum before it trusts anything else (readModel), and explains a mismatch here.
 */
import { ByteBuffer } from 'flatbuffers';
import { xxh64, xxh64Low32 } from './checksum.js';
import { WpalFormatError } from './errors.js';
import { Model, type Weight } from './generated/wpal_generated.js';
import { peekHeader, vectorRange, verifyStructure } from './verify-structure.js';
import { BLOB_NAMES } from './layouts.js';
import { partsOf, partTables } from './layout-walk.js';
import { compactRange, hasCompactGraph } from './compact-info.js';
import { parseCompactGraph, type CompactGraph, type CompactWeight } from './compact-read.js';
import { derivedNames } from './names.js';

/** vtable offset of Weight.checksum (field 3) and Model.file_checksum (field 7). */
const WEIGHT_CHECKSUM_VT = 4 + 2 * 3;
const FILE_CHECKSUM_VT = 4 + 2 * 7;

const ZERO8 = new Uint8Array(8);

/** A weight's data vectors, in the order Weight.checksum hashes them (its parts' blobs, layouts.ts). */
export function weightDataParts(w: Weight): Uint8Array[] {
  const bytes = w.bb!.bytes();
  const tables = partTables(w);
  const out: Uint8Array[] = [];
  for (const row of partsOf(tables)) {
    for (const blob of row.blobs) {
      const r = vectorRange(tables[row.part]!, blob.schema);
      if (r) out.push(bytes.subarray(r.offset, r.offset + r.length));
    }
  }
  return out;
}

/** Weight.checksum as it should be for the weight's current data. */
export function weightChecksum(w: Weight): number {
  return xxh64Low32(weightDataParts(w));
}

/** The parsed graph of a compact (1.3) file, or undefined for a file in the tables layout. Needs a valid structure. */
export function compactGraphOf(bytes: Uint8Array): CompactGraph | undefined {
  const model = Model.getRootAsModel(new ByteBuffer(bytes));
  if (!hasCompactGraph(model)) return undefined;
  const none = { offset: 0, length: 0 };
  return parseCompactGraph(bytes, compactRange(model, 'graph') ?? none, compactRange(model, 'data') ?? none);
}

/** Weight.checksum of a compact weight: its blobs in 1.2's order (Model.data stores the mask first). */
export function compactWeightChecksum(bytes: Uint8Array, w: CompactWeight): number {
  const parts = BLOB_NAMES.map((name) => w.blobs[name]).filter((r) => r !== undefined);
  return xxh64Low32(parts.map((r) => bytes.subarray(r.offset, r.offset + r.length)));
}

/** Position of Weight.checksum in the file, 0 when the field is absent. */
export function weightChecksumOffset(w: Weight): number {
  const o = w.bb!.__offset(w.bb_pos, WEIGHT_CHECKSUM_VT);
  return o ? w.bb_pos + o : 0;
}

/** Model.file_checksum as it should be: XXH64 of the file with the 8 bytes at `offset` read as zeros. */
export function fileChecksum(bytes: Uint8Array, offset: number): bigint {
  return xxh64([bytes.subarray(0, offset), ZERO8, bytes.subarray(offset + 8)]);
}

/**
 * Fills in every Weight.checksum and then Model.file_checksum, in place. The file must already
 * hold both fields (the writer writes them as zeros first) and be structurally valid.
 */
export function sealChecksums(bytes: Uint8Array): void {
  verifyStructure(bytes);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const model = Model.getRootAsModel(new ByteBuffer(bytes));
  for (const w of compactGraphOf(bytes)?.weights ?? []) dv.setUint32(w.checksumAt, compactWeightChecksum(bytes, w), true);
  for (let i = 0; i < model.tensorsLength(); i++) {
    const w = model.tensors(i)!.weight();
    if (!w) continue;
    const at = weightChecksumOffset(w);
    if (!at) throw new WpalFormatError(`sealChecksums: tensor ${i} has no checksum field`);
    dv.setUint32(at, weightChecksum(w), true);
  }
  const o = model.bb!.__offset(model.bb_pos, FILE_CHECKSUM_VT);
  if (!o) throw new WpalFormatError('sealChecksums: the file has no file_checksum field');
  const at = model.bb_pos + o;
  dv.setBigUint64(at, 0n, true);
  dv.setBigUint64(at, fileChecksum(bytes, at), true);
}

/**
 * Why a file's checksum does not match: the weight tensors whose own checksum no longer matches,
 * or, when none does (or the damage is in the structure), the header, graph or metadata.
 */
export function checksumMismatchError(bytes: Uint8Array): WpalFormatError {
  const damaged: string[] = [];
  try {
    verifyStructure(bytes);
    const compact = compactGraphOf(bytes);
    if (compact) damaged.push(...damagedCompactWeights(bytes, compact));
    const model = Model.getRootAsModel(new ByteBuffer(bytes));
    for (let i = 0; i < model.tensorsLength(); i++) {
      const t = model.tensors(i)!;
      const w = t.weight();
      if (!w) continue;
      const at = weightChecksumOffset(w);
      if (at && new DataView(bytes.buffer, bytes.byteOffset).getUint32(at, true) !== weightChecksum(w)) damaged.push(t.name() ?? `#${i}`);
    }
  } catch {
    // The damage broke the structure itself: no tensor can be named.
  }
  const names = damaged.map((n) => printable(n));
  const message =
    damaged.length === 1 ? `tensor ${names[0]} is damaged (checksum mismatch)`
    : damaged.length > 1 ? `tensors ${names.join(', ')} are damaged (checksum mismatch)`
    : 'the file is damaged (checksum mismatch): its header, graph or metadata is not what was written';
  return new WpalFormatError(message, { damagedTensors: damaged });
}

/** The names of the compact weights whose checksum does not match (stored, else derived: as the reader names them). */
function damagedCompactWeights(bytes: Uint8Array, g: CompactGraph): string[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = g.weights.filter((w) => dv.getUint32(w.checksumAt, true) !== compactWeightChecksum(bytes, w));
  const derived = derivedNames({ tensorCount: g.tensors.length, weights: new Set(g.weights.map((w) => w.tensor)), ops: g.ops, inputs: g.inputs, outputs: g.outputs });
  return bad.map((w) => g.names.get(w.tensor) ?? derived[w.tensor]);
}

/** A name as it can be shown in a message or a terminal: control characters escaped (\x1b, \n, ...). */
export function printable(name: string): string {
  // eslint-disable-next-line no-control-regex
  return name.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\\]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The header of a file, and whether its file checksum matches (undefined: it carries none). */
export function checkFileChecksum(bytes: Uint8Array): boolean | undefined {
  const h = peekHeader(bytes);
  if (!h.checksum) return undefined;
  return fileChecksum(bytes, h.checksum.offset) === h.checksum.stored;
}
