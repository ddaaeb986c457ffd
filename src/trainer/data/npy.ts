/**
 * NumPy .npy files (format versions 1-3): the header dict (descr, fortran_order, shape) and the
 * little-endian data, as float32 or int32 values. Enough for arrays a user saves with np.save:
 * float32/float64/int8..int64/uint8..uint32/bool, C order.
 */
import { WpalDataError } from './errors.js';

export interface NpyArray {
  shape: number[];
  /** Floats as float32; integer and bool arrays as int32 when `ints` is requested, else float32. */
  data: Float32Array | Int32Array;
  descr: string;
}

export function parseNpy(bytes: Uint8Array, file = 'the .npy file', opts: { ints?: boolean } = {}): NpyArray {
  const bad = (why: string): never => {
    throw new WpalDataError('corrupt', `${file}: not a NumPy .npy array (${why})`, { file });
  };
  if (bytes.length < 10 || bytes[0] !== 0x93 || String.fromCharCode(...bytes.subarray(1, 6)) !== 'NUMPY') bad('no \\x93NUMPY magic');
  const major = bytes[6];
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? v.getUint16(8, true) : v.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (start + headerLen > bytes.length) bad('header runs past the end');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1] ?? bad('no descr');
  if (/'fortran_order'\s*:\s*True/.test(header)) bad('Fortran order is not supported; save it with np.ascontiguousarray');
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1] ?? bad('no shape');
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (shape.some((d) => !(Number.isSafeInteger(d) && d >= 0))) bad(`bad shape (${shapeText})`);
  const count = shape.reduce((a, b) => a * b, 1);
  const m = /^([<>|=])([fiub])(\d+)$/.exec(descr) ?? bad(`dtype ${descr} is not supported`);
  if (m[1] === '>') bad('big-endian arrays are not supported');
  const kind = m[2];
  const size = Number(m[3]);
  const body = start + headerLen;
  if (body + count * size > bytes.length) bad(`data holds ${bytes.length - body} bytes, shape (${shapeText}) needs ${count * size}`);
  const read = (i: number): number => {
    const o = body + i * size;
    if (kind === 'f') return size === 4 ? v.getFloat32(o, true) : size === 8 ? v.getFloat64(o, true) : bad(`float${8 * size} is not supported`);
    if (kind === 'b') return bytes[o] ? 1 : 0;
    if (kind === 'u') return size === 1 ? v.getUint8(o) : size === 2 ? v.getUint16(o, true) : size === 4 ? v.getUint32(o, true) : Number(v.getBigUint64(o, true));
    return size === 1 ? v.getInt8(o) : size === 2 ? v.getInt16(o, true) : size === 4 ? v.getInt32(o, true) : Number(v.getBigInt64(o, true));
  };
  const data = opts.ints && kind !== 'f' ? new Int32Array(count) : new Float32Array(count);
  for (let i = 0; i < count; i++) data[i] = read(i);
  return { shape, data, descr };
}
