/**
 * Value checks the kernels rely on: every stored float (dense values, palette entries) is finite.
 * A NaN or infinity in a weight is never a trained model, and a non-finite palette entry would
 * poison outputs even where no weight uses it (kernels multiply padding lanes by 0, and
 * inf * 0 = NaN), so such a file is rejected here rather than answering wrongly later.
 */
import { WpalFormatError } from './errors.js';
import type { ByteRange, ModelInfo } from './types.js';

function checkFinite(bytes: Uint8Array, r: ByteRange, dtype: 'float32' | 'float16', where: string): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset + r.offset, r.length);
  if (dtype === 'float32') {
    for (let i = 0; i < r.length; i += 4) {
      const v = view.getFloat32(i, true);
      if (v - v !== 0) throw new WpalFormatError(`${where}: value ${i / 4} is ${v}; weights must be finite`);
    }
  } else {
    for (let i = 0; i < r.length; i += 2) {
      // f16 exponent bits all ones = inf or NaN
      if ((view.getUint16(i, true) & 0x7c00) === 0x7c00) throw new WpalFormatError(`${where}: value ${i / 2} is not finite; weights must be finite`);
    }
  }
}

export function validateValues(info: ModelInfo): void {
  for (const t of info.tensors) {
    const w = t.weight;
    if (!w) continue;
    const where = `tensor ${t.index} ${JSON.stringify(t.name)}`;
    if (w.dense) checkFinite(info.bytes, w.dense.data, w.dense.dtype, `${where} dense data`);
    const p = w.palettized;
    if (p && p.entryType !== 'int8') checkFinite(info.bytes, p.entries, p.entryType, `${where} palette entries`);
  }
}
