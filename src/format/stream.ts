/**
 * The integers and strings of the format 1.3 graph stream (schemas/wpal.fbs, "Compact files"):
 * uvar (unsigned LEB128, < 2^32, at most 5 bytes), svar (zigzag int32), f32, u32, str. StreamWriter
 * builds a stream; StreamReader reads one with a bounds check on every read and throws
 * WpalFormatError naming what it was reading.
 */
import { WpalFormatError } from './errors.js';

export const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

export class StreamWriter {
  private buf = new Uint8Array(256);
  private n = 0;

  get length(): number {
    return this.n;
  }

  private room(k: number): void {
    if (this.n + k <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.n + k));
    next.set(this.buf.subarray(0, this.n));
    this.buf = next;
  }

  u8(v: number): void {
    this.room(1);
    this.buf[this.n++] = v;
  }

  uvar(v: number): void {
    if (!(Number.isInteger(v) && v >= 0 && v < 2 ** 32)) throw new WpalFormatError(`cannot store ${v} as an unsigned varint (0 .. 2^32 - 1)`);
    do {
      const low = v % 128;
      v = Math.floor(v / 128);
      this.u8(v ? low | 0x80 : low);
    } while (v);
  }

  svar(v: number): void {
    if (!(Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31)) throw new WpalFormatError(`cannot store ${v} as an int32`);
    this.uvar(((v << 1) ^ (v >> 31)) >>> 0);
  }

  f32(v: number): void {
    this.room(4);
    new DataView(this.buf.buffer).setFloat32(this.n, v, true);
    this.n += 4;
  }

  u32(v: number): void {
    this.room(4);
    new DataView(this.buf.buffer).setUint32(this.n, v, true);
    this.n += 4;
  }

  str(s: string): void {
    this.raw(utf8.encode(s));
  }

  /** uvar length + the bytes. */
  raw(b: Uint8Array): void {
    this.uvar(b.length);
    this.room(b.length);
    this.buf.set(b, this.n);
    this.n += b.length;
  }

  bytes(): Uint8Array {
    return this.buf.slice(0, this.n);
  }
}

export class StreamReader {
  /** Position in `bytes` (file offsets when `bytes` is the file). */
  pos: number;
  private readonly dv: DataView;

  constructor(
    readonly bytes: Uint8Array,
    start: number,
    /** End of the stream (exclusive). */
    readonly end: number,
    /** Prefixes error messages. */
    readonly where: string,
  ) {
    this.pos = start;
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  fail(what: string): never {
    throw new WpalFormatError(`${this.where}: ${what}`);
  }

  private need(k: number, what: string): void {
    if (this.pos + k > this.end) this.fail(`${what} runs past the end of the stream (byte ${this.pos}, ${this.end - this.pos} left)`);
  }

  u8(what: string): number {
    this.need(1, what);
    return this.bytes[this.pos++];
  }

  uvar(what: string): number {
    let v = 0;
    for (let shift = 0; ; shift += 7) {
      const b = this.u8(what);
      if (shift === 28 && b > 0x0f) this.fail(`${what}: varint does not fit 32 bits`);
      v += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return v;
    }
  }

  /**
   * A uvar that must be <= max (a count or a size: the message says which). With `entryBytes`, a
   * count of entries of at least that many bytes each, which must also fit in the bytes left.
   */
  count(what: string, max: number, entryBytes = 0): number {
    const n = this.uvar(what);
    if (n > max) this.fail(`${what} is ${n}, at most ${max}`);
    if (n * entryBytes > this.end - this.pos) this.fail(`${what} is ${n}, more than the ${this.end - this.pos} bytes left hold`);
    return n;
  }

  svar(what: string): number {
    const z = this.uvar(what);
    return z % 2 ? -(z + 1) / 2 : z / 2;
  }

  f32(what: string): number {
    this.need(4, what);
    const v = this.dv.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  u32(what: string): number {
    this.need(4, what);
    const v = this.dv.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  str(what: string): string {
    return this.utf8(this.raw(what), what);
  }

  /** uvar length + that many bytes (a view of the stream). */
  raw(what: string): Uint8Array {
    const n = this.uvar(`${what} length`);
    this.need(n, what);
    const b = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  utf8(b: Uint8Array, what: string): string {
    try {
      return utf8Strict.decode(b);
    } catch {
      return this.fail(`${what} is not valid UTF-8`);
    }
  }
}
