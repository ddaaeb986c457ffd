/**
 * Where every byte of a .wpal file goes, by part of the format: the fixed cost of a file (all but
 * the weight payload) split into header, tensor records, ops, names, shapes, attributes, metadata,
 * checksums and padding. sizeReport (size.ts) returns it as `parts`; `wpal inspect --bytes` prints it.
 *
 * The walk follows the schema tables of verify-structure.ts (a file that readModel accepted is
 * structurally sound) and, in a format 1.3 compact file, the spans the graph decoder reports.
 * Every byte is counted once: a vtable or string shared by several objects counts for the first
 * object that reaches it, and bytes no object holds (alignment gaps, the file's tail) are padding.
 */
import { ByteBuffer } from 'flatbuffers';
import { compactRange, hasCompactGraph } from './compact-info.js';
import { parseCompactGraph } from './compact-read.js';
import { Model } from './generated/wpal_generated.js';
import { SCALAR_SIZE, TABLES, type FieldSpec, type Scalar } from './verify-structure.js';
import type { ByteRange, FilePart, FileParts, ModelInfo } from './types.js';
import { LAYOUTS } from './layouts.js';
import { blobsOf } from './layout-walk.js';

export type { FilePart, FileParts } from './types.js';





export const FILE_PARTS: readonly FilePart[] = ['header', 'tensors', 'ops', 'names', 'shapes', 'attrs', 'metadata', 'checksums', 'padding', 'weights'];

/** A span of the file and the part it belongs to. */
export interface PartSpan {
  offset: number;
  length: number;
  part: FilePart;
}

/** Children of `<table>.<field>` that belong to another part than their parent table. */
const FIELD_PART: Readonly<Record<string, FilePart>> = {
  'Model.tensors': 'tensors',
  'Model.ops': 'ops',
  'Model.metadata': 'metadata',
  'Model.meta': 'metadata',
  'Model.file_checksum': 'checksums',
  'Tensor.name': 'names',
  'Tensor.shape': 'shapes',
  'Op.attributes': 'attrs',
  'Weight.checksum': 'checksums',
};

/** Vectors whose elements are weight payload (claimed from the ModelInfo's ranges); the walk claims only their length prefix. */
const PAYLOAD = new Set(LAYOUTS.flatMap((row) => row.blobs.map((b) => b.schema)));

/** The weight payload of a read model: every ByteRange its weights point to. */
export function payloadRanges(info: ModelInfo): ByteRange[] {
  return info.tensors.flatMap((t) => (t.weight ? blobsOf<ByteRange>(t.weight).map((b) => b.value) : []));
}

class PartWalk {
  readonly spans: PartSpan[] = [];
  readonly fieldPart: Record<string, FilePart> = { ...FIELD_PART };
  private readonly dv: DataView;

  constructor(readonly bytes: Uint8Array) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  claim(offset: number, length: number, part: FilePart): void {
    if (length > 0) this.spans.push({ offset, length, part });
  }

  u32(pos: number): number {
    return this.dv.getUint32(pos, true);
  }

  /** A table, its vtable, and what it points to; `visit` may claim a child itself (returns true). */
  table(pos: number, type: string, part: FilePart, visit: (type: string, field: FieldSpec, target: number, part: FilePart) => boolean): void {
    const vt = pos - this.dv.getInt32(pos, true);
    const vtSize = this.dv.getUint16(vt, true);
    const tableSize = this.dv.getUint16(vt + 2, true);
    this.claim(vt, vtSize, part);
    // The table's bytes, minus scalar fields of another part (carved out and claimed as theirs).
    let from = pos;
    TABLES[type].forEach((f, slot) => {
      const off = 4 + 2 * slot < vtSize ? this.dv.getUint16(vt + 4 + 2 * slot, true) : 0;
      if (!off) return;
      const fpart = this.fieldPart[`${type}.${f.name}`] ?? part;
      if (f.type in SCALAR_SIZE) {
        if (fpart === part) return;
        const size = SCALAR_SIZE[f.type as Scalar];
        this.claim(from, pos + off - from, part);
        this.claim(pos + off, size, fpart);
        from = pos + off + size;
        return;
      }
      const target = pos + off + this.u32(pos + off);
      if (visit(type, f, target, fpart)) return;
      this.child(target, f, fpart, `${type}.${f.name}`, visit);
    });
    this.claim(from, pos + tableSize - from, part);
  }

  private child(target: number, f: FieldSpec, part: FilePart, key: string, visit: (type: string, field: FieldSpec, target: number, part: FilePart) => boolean): void {
    if (f.type === 'string') return this.claim(target, 4 + this.u32(target) + 1, part);
    if (f.type.startsWith('table:')) return this.table(target, f.type.slice(6), part, visit);
    const n = this.u32(target);
    if (f.type === 'vec:string' || f.type.startsWith('vec:table:')) {
      this.claim(target, 4 + 4 * n, part);
      for (let i = 0; i < n; i++) {
        const e = target + 4 + 4 * i + this.u32(target + 4 + 4 * i);
        if (f.type === 'vec:string') this.claim(e, 4 + this.u32(e) + 1, part);
        else this.table(e, f.type.slice(10), part, visit);
      }
      return;
    }
    this.claim(target, 4, part);
    if (!PAYLOAD.has(key)) this.claim(target + 4, n * SCALAR_SIZE[f.type.slice(4) as Scalar], part);
  }
}

/** Bytes of a read model's file by part. */
export function fileParts(info: ModelInfo): FileParts {
  const bytes = info.bytes;
  const w = new PartWalk(bytes);
  w.claim(0, 8, 'header'); // root offset + file identifier
  for (const r of payloadRanges(info)) w.claim(r.offset, r.length, 'weights');
  const model = Model.getRootAsModel(new ByteBuffer(bytes));
  const compact = hasCompactGraph(model);
  // A compact file's Model.ops is the stub for older readers: overhead, not the graph's ops.
  if (compact) w.fieldPart['Model.ops'] = 'header';
  w.table(w.u32(0), 'Model', 'header', (type, field, target) => {
    if (type !== 'Model' || (field.name !== 'graph' && field.name !== 'data')) return false;
    w.claim(target, 4, 'header'); // the vector's length prefix; the graph's bytes are claimed below, the data's are the payload
    return true;
  });
  if (compact) {
    const none = { offset: 0, length: 0 };
    parseCompactGraph(bytes, compactRange(model, 'graph') ?? none, compactRange(model, 'data') ?? none, (offset, length, part) => w.claim(offset, length, part));
  }
  return sumSpans(w.spans, bytes.byteLength);
}

/** Sums spans by part, each byte once (earliest span by position wins), the rest as padding. */
function sumSpans(spans: PartSpan[], size: number): FileParts {
  const parts = Object.fromEntries(FILE_PARTS.map((p) => [p, 0])) as FileParts;
  const sorted = [...spans].sort((a, b) => a.offset - b.offset || b.length - a.length);
  let end = 0;
  for (const s of sorted) {
    const start = Math.max(s.offset, end);
    const stop = Math.min(s.offset + s.length, size);
    if (stop > start) {
      parts[s.part] += stop - start;
      end = stop;
    }
  }
  let claimed = 0;
  for (const p of FILE_PARTS) claimed += parts[p];
  parts.padding += size - claimed;
  return parts;
}
