/**
 * Structural verifier of the FlatBuffers wire format for the .wpal schema (the TypeScript
 * FlatBuffers runtime has no verifier and does no bounds checking). Before any generated accessor
 * touches the file, this walks every table, vtable, vector and string the schema allows and checks
 * that it lies inside the buffer, is aligned, and that the walk stays within a work budget
 * proportional to the file size (a hostile file can point many offsets at one big object). After it
 * passes, every access the generated code makes is in bounds.
 */
import type { ByteBuffer } from 'flatbuffers';
import { WpalFormatError } from './errors.js';
import type { ByteRange } from './types.js';

export type Scalar = 'u8' | 'u16' | 'u32' | 'i32' | 'f32' | 'u64';
export type FieldType = Scalar | 'string' | `vec:${Scalar}` | 'vec:string' | `table:${string}` | `vec:table:${string}`;
export interface FieldSpec {
  name: string;
  type: FieldType;
  required?: boolean;
}

/** Fields of every table of schemas/wpal.fbs, in declaration order (field i sits at vtable slot i). */
export const TABLES: Readonly<Record<string, readonly FieldSpec[]>> = {
  DenseValues: [
    { name: 'dtype', type: 'u8' },
    { name: 'data', type: 'vec:u8' },
  ],
  Palettized: [
    { name: 'bits', type: 'u8' },
    { name: 'group_rows', type: 'u32' },
    { name: 'entry_type', type: 'u8' },
    { name: 'entries', type: 'vec:u8' },
    { name: 'entry_scales', type: 'vec:f32' },
    { name: 'channel_scales', type: 'vec:f32' },
    { name: 'indices', type: 'vec:u8' },
  ],
  BlockSparse: [
    { name: 'block_rows', type: 'u32' },
    { name: 'block_cols', type: 'u32' },
    { name: 'mask', type: 'vec:u8' },
  ],
  Weight: [
    { name: 'dense', type: 'table:DenseValues' },
    { name: 'palettized', type: 'table:Palettized' },
    { name: 'sparse', type: 'table:BlockSparse' },
    { name: 'checksum', type: 'u32' },
  ],
  Tensor: [
    { name: 'name', type: 'string' },
    { name: 'shape', type: 'vec:i32' },
    { name: 'dtype', type: 'u8' },
    { name: 'weight', type: 'table:Weight' },
  ],
  Attribute: [
    { name: 'name', type: 'string', required: true },
    { name: 'i', type: 'i32' },
    { name: 'f', type: 'f32' },
    { name: 's', type: 'string' },
    { name: 'ints', type: 'vec:i32' },
    { name: 'floats', type: 'vec:f32' },
  ],
  Op: [
    { name: 'type', type: 'string', required: true },
    { name: 'inputs', type: 'vec:i32' },
    { name: 'outputs', type: 'vec:i32' },
    { name: 'attributes', type: 'vec:table:Attribute' },
  ],
  KeyValue: [
    { name: 'key', type: 'string', required: true },
    { name: 'value', type: 'string' },
  ],
  Preprocessing: [
    { name: 'layout', type: 'string' },
    { name: 'scale', type: 'f32' },
    { name: 'mean', type: 'vec:f32' },
    { name: 'std', type: 'vec:f32' },
  ],
  Metadata: [
    { name: 'name', type: 'string' },
    { name: 'description', type: 'string' },
    { name: 'task', type: 'string' },
    { name: 'preprocessing', type: 'table:Preprocessing' },
    { name: 'output_labels', type: 'vec:string' },
    { name: 'properties', type: 'vec:table:KeyValue' },
  ],
  Model: [
    { name: 'format_major', type: 'u16' },
    { name: 'format_minor', type: 'u16' },
    { name: 'tensors', type: 'vec:table:Tensor' },
    { name: 'ops', type: 'vec:table:Op' },
    { name: 'inputs', type: 'vec:i32' },
    { name: 'outputs', type: 'vec:i32' },
    { name: 'metadata', type: 'table:Metadata' },
    { name: 'file_checksum', type: 'u64' },
    { name: 'graph', type: 'vec:u8' },
    { name: 'data', type: 'vec:u8' },
    { name: 'meta', type: 'vec:u8' },
  ],
};

/** A table as the generated code holds it. */
export interface TableRef {
  bb: ByteBuffer | null;
  bb_pos: number;
}

/**
 * The elements of vector field `field` ("Table.field", slot and element size from TABLES) of table
 * `t`, as a range of the buffer; undefined when the field is absent. Needs a verified structure.
 */
export function vectorRange(t: TableRef, field: string): ByteRange | undefined {
  const [table, name] = field.split('.');
  const slot = TABLES[table]?.findIndex((f) => f.name === name) ?? -1;
  const type = TABLES[table]?.[slot]?.type;
  if (!type?.startsWith('vec:')) throw new Error(`${field} is no vector of a scalar in the schema`);
  const bb = t.bb!;
  const o = bb.__offset(t.bb_pos, 4 + 2 * slot);
  if (!o) return undefined;
  return { offset: bb.__vector(t.bb_pos + o), length: bb.__vector_len(t.bb_pos + o) * SCALAR_SIZE[type.slice(4) as Scalar] };
}

export const SCALAR_SIZE: Record<Scalar, number> = { u8: 1, u16: 2, u32: 4, i32: 4, f32: 4, u64: 8 };

/** Smallest file that can hold a root offset, the identifier, a table and its vtable. */
export const MIN_FILE_SIZE = 16;

const utf8 = new TextDecoder('utf-8', { fatal: true });

class Verifier {
  private readonly dv: DataView;
  private readonly size: number;
  private budget: number;

  constructor(readonly bytes: Uint8Array) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.size = bytes.byteLength;
    // A file without shared objects visits at most one object per 4 bytes.
    this.budget = (this.size >>> 2) + 16;
  }

  fail(path: string, what: string): never {
    throw new WpalFormatError(`malformed file at ${path}: ${what}`);
  }

  private spend(path: string): void {
    if (--this.budget < 0) this.fail(path, 'too many objects for the file size (offsets shared or overlapping)');
  }

  private inBounds(pos: number, len: number, path: string, what: string): void {
    if (!(pos >= 0 && len >= 0 && pos + len <= this.size)) {
      this.fail(path, `${what} at offset ${pos} (${len} bytes) runs outside the file (${this.size} bytes)`);
    }
  }

  private aligned(pos: number, align: number, path: string, what: string): void {
    if (pos % align !== 0) this.fail(path, `${what} at offset ${pos} is not ${align}-byte aligned`);
  }

  /** Follows the uoffset stored at `pos`. */
  deref(pos: number, path: string): number {
    this.inBounds(pos, 4, path, 'offset');
    this.aligned(pos, 4, path, 'offset');
    const target = pos + this.dv.getUint32(pos, true);
    if (target >= this.size) this.fail(path, `offset at ${pos} points to ${target}, past the end of the file (${this.size} bytes)`);
    return target;
  }

  /** Checks a table header and vtable; returns a reader of field positions (0 = absent). */
  tableHeader(pos: number, path: string): { tableSize: number; field(slot: number): number } {
    this.spend(path);
    this.inBounds(pos, 4, path, 'table');
    this.aligned(pos, 4, path, 'table');
    const vt = pos - this.dv.getInt32(pos, true);
    this.inBounds(vt, 4, path, 'vtable');
    this.aligned(vt, 2, path, 'vtable');
    const vtSize = this.dv.getUint16(vt, true);
    const tableSize = this.dv.getUint16(vt + 2, true);
    // The TS runtime reads vtable entries as int16: keep them below 0x8000.
    if (vtSize < 4 || vtSize & 1 || vtSize >= 0x8000) this.fail(path, `bad vtable size ${vtSize}`);
    this.inBounds(vt, vtSize, path, 'vtable');
    if (tableSize < 4 || tableSize >= 0x8000) this.fail(path, `bad table size ${tableSize}`);
    this.inBounds(pos, tableSize, path, 'table');
    const dv = this.dv;
    return {
      tableSize,
      field: (slot: number) => (4 + 2 * slot < vtSize ? dv.getUint16(vt + 4 + 2 * slot, true) : 0),
    };
  }

  /** Checks a vector header and its elements' extent; returns its length. */
  vector(pos: number, elemSize: number, path: string): number {
    this.inBounds(pos, 4, path, 'vector length');
    this.aligned(pos, 4, path, 'vector');
    const n = this.dv.getUint32(pos, true);
    this.inBounds(pos + 4, n * elemSize, path, `vector of ${n} x ${elemSize} bytes`);
    if (elemSize === 8) this.aligned(pos + 4, 8, path, 'vector of 8-byte elements');
    return n;
  }

  string(pos: number, path: string): void {
    this.spend(path);
    const n = this.vector(pos, 1, path);
    this.inBounds(pos + 4 + n, 1, path, 'string terminator');
    if (this.bytes[pos + 4 + n] !== 0) this.fail(path, 'string is not zero-terminated');
    try {
      utf8.decode(this.bytes.subarray(pos + 4, pos + 4 + n));
    } catch {
      this.fail(path, 'string is not valid UTF-8');
    }
  }

  table(pos: number, type: string, path: string): void {
    const fields = TABLES[type];
    const h = this.tableHeader(pos, path);
    fields.forEach((f, slot) => {
      const off = h.field(slot);
      const fpath = `${path}.${f.name}`;
      if (off === 0) {
        if (f.required) this.fail(fpath, 'required field is missing');
        return;
      }
      const size = f.type in SCALAR_SIZE ? SCALAR_SIZE[f.type as Scalar] : 4;
      if (off < 4 || off + size > h.tableSize) this.fail(fpath, `field offset ${off} outside the table (${h.tableSize} bytes)`);
      const fpos = pos + off;
      this.aligned(fpos, Math.min(size, 8), fpath, 'field');
      if (f.type in SCALAR_SIZE) return;
      const target = this.deref(fpos, fpath);
      if (f.type === 'string') return this.string(target, fpath);
      if (f.type.startsWith('table:')) return this.table(target, f.type.slice(6), fpath);
      if (f.type === 'vec:string' || f.type.startsWith('vec:table:')) {
        const n = this.vector(target, 4, fpath);
        for (let i = 0; i < n; i++) {
          const epath = `${fpath}[${i}]`;
          this.spend(epath);
          const e = this.deref(target + 4 + 4 * i, epath);
          if (f.type === 'vec:string') this.string(e, epath);
          else this.table(e, f.type.slice(10), epath);
        }
        return;
      }
      this.vector(target, SCALAR_SIZE[f.type.slice(4) as Scalar], fpath);
    });
  }
}

/** Root table position after checking size and identifier. */
function rootOf(v: Verifier, bytes: Uint8Array): number {
  if (bytes.byteLength < MIN_FILE_SIZE) v.fail('file', `${bytes.byteLength} bytes is too small for a .wpal file`);
  const id = String.fromCharCode(bytes[4], bytes[5], bytes[6], bytes[7]);
  if (id !== 'WPAL') v.fail('file', `file identifier is ${JSON.stringify(id)}, expected "WPAL" (not a .wpal file?)`);
  return v.deref(0, 'root');
}

/** What every .wpal file has in the same place, whatever its version (schemas/wpal.fbs). */
export interface FileHeader {
  major: number;
  minor: number;
  /** Model.file_checksum (format 1.2 on): where it is in the file and the value stored there. */
  checksum?: { offset: number; stored: bigint };
}

/**
 * Reads format_major, format_minor and file_checksum with bounds checks only: they never move,
 * whatever the major, so the checksum can be verified before anything else is trusted.
 */
export function peekHeader(bytes: Uint8Array): FileHeader {
  const v = new Verifier(bytes);
  const root = rootOf(v, bytes);
  const h = v.tableHeader(root, 'Model');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const field = (slot: number, name: string, size: number) => {
    const off = h.field(slot);
    if (off === 0) return 0;
    if (off < 4 || off + size > h.tableSize) v.fail(`Model.${name}`, `field offset ${off} outside the table`);
    if ((root + off) % size !== 0) v.fail(`Model.${name}`, `field at offset ${root + off} is not ${size}-byte aligned`);
    return root + off;
  };
  const major = field(0, 'format_major', 2);
  const minor = field(1, 'format_minor', 2);
  const sum = field(7, 'file_checksum', 8);
  return {
    major: major ? dv.getUint16(major, true) : 0,
    minor: minor ? dv.getUint16(minor, true) : 0,
    ...(sum ? { checksum: { offset: sum, stored: dv.getBigUint64(sum, true) } } : {}),
  };
}

/** Verifies the whole buffer against the 1.x schema; returns the root table position. */
export function verifyStructure(bytes: Uint8Array): number {
  const v = new Verifier(bytes);
  const root = rootOf(v, bytes);
  v.table(root, 'Model', 'Model');
  return root;
}
