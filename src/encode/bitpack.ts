/**
 * Bit-packing of palette indices, exactly as documented at the top of schemas/wpal.fbs:
 * least-significant bit first; index k of a packed stream sits at bit k*bits.
 */

function checkBits(bits: number): void {
  if (!Number.isInteger(bits) || bits < 1 || bits > 8) throw new RangeError(`bits must be 1..8, got ${bits}`);
}

/** Bytes one row of `cols` indices takes (rows start on byte boundaries). */
export function packedRowBytes(cols: number, bits: number): number {
  return Math.ceil((cols * bits) / 8);
}

/** Packs `values` (each < 2^bits) into `out` starting at bit `bitOffset`. Bits already set in `out` are kept. */
function packInto(out: Uint8Array, byteOffset: number, values: ArrayLike<number>, start: number, count: number, bits: number): void {
  const limit = 1 << bits;
  let bit = 0;
  for (let i = 0; i < count; i++) {
    const v = values[start + i];
    if (!(v >= 0 && v < limit) || !Number.isInteger(v)) throw new RangeError(`index ${v} at ${start + i} does not fit in ${bits} bits`);
    const byte = byteOffset + (bit >> 3);
    const shift = bit & 7;
    out[byte] |= (v << shift) & 0xff;
    if (shift + bits > 8) out[byte + 1] |= v >> (8 - shift);
    bit += bits;
  }
}

/** One continuous LSB-first stream (used for the kept values of block-sparse tensors). */
export function packStream(values: ArrayLike<number>, bits: number): Uint8Array {
  checkBits(bits);
  const out = new Uint8Array(Math.ceil((values.length * bits) / 8));
  packInto(out, 0, values, 0, values.length, bits);
  return out;
}

/** Row-major [rows, cols] indices, each row starting on a byte boundary. */
export function packRows(values: ArrayLike<number>, rows: number, cols: number, bits: number): Uint8Array {
  checkBits(bits);
  if (values.length !== rows * cols) throw new RangeError(`packRows: ${values.length} values for ${rows}x${cols}`);
  const rowBytes = packedRowBytes(cols, bits);
  const out = new Uint8Array(rows * rowBytes);
  for (let r = 0; r < rows; r++) packInto(out, r * rowBytes, values, r * cols, cols, bits);
  return out;
}

function unpackFrom(src: Uint8Array, byteOffset: number, out: Uint8Array, start: number, count: number, bits: number): void {
  const mask = (1 << bits) - 1;
  let bit = 0;
  for (let i = 0; i < count; i++) {
    const byte = byteOffset + (bit >> 3);
    const shift = bit & 7;
    let v = src[byte] >> shift;
    if (shift + bits > 8) v |= src[byte + 1] << (8 - shift);
    out[start + i] = v & mask;
    bit += bits;
  }
}

export function unpackStream(src: Uint8Array, count: number, bits: number): Uint8Array {
  checkBits(bits);
  if (src.length < Math.ceil((count * bits) / 8)) throw new RangeError(`unpackStream: ${src.length} bytes hold fewer than ${count} indices`);
  const out = new Uint8Array(count);
  unpackFrom(src, 0, out, 0, count, bits);
  return out;
}

export function unpackRows(src: Uint8Array, rows: number, cols: number, bits: number): Uint8Array {
  checkBits(bits);
  const rowBytes = packedRowBytes(cols, bits);
  if (src.length < rows * rowBytes) throw new RangeError(`unpackRows: ${src.length} bytes hold fewer than ${rows} rows`);
  const out = new Uint8Array(rows * cols);
  for (let r = 0; r < rows; r++) unpackFrom(src, r * rowBytes, out, r * cols, cols, bits);
  return out;
}
