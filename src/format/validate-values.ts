/**
 * Value checks the kernels rely on: every stored float (dense values, palette entries) is finite.
 * A NaN or infinity in a weight is never a trained model, and a non-finite palette entry would
 * poison outputs even where no weight uses it (kernels multiply padding lanes by 0, and
 * inf * 0 = NaN), so such a file is rejected here rather than answering wrongly later.
 */
import { WpalFormatError } from './errors.js';
import type { ByteRange, ModelInfo } from './types.js';
import { ELEMENTS, type ElementName } from './elements.js';
import { partsOf } from './layout-walk.js';

function checkFinite(bytes: Uint8Array, r: ByteRange, dtype: ElementName, where: string): void {
  const i = ELEMENTS[dtype].firstNonFinite(bytes.subarray(r.offset, r.offset + r.length));
  if (i >= 0) throw new WpalFormatError(`${where}: value ${i} is not finite; weights must be finite`);
}

export function validateValues(info: ModelInfo): void {
  for (const t of info.tensors) {
    const w = t.weight;
    if (!w) continue;
    const where = `tensor ${t.index} ${JSON.stringify(t.name)}`;
    for (const row of partsOf(w)) {
      const part = w[row.part] as unknown as Record<string, unknown>;
      for (const blob of row.blobs) {
        if (blob.element) checkFinite(info.bytes, part[blob.field] as ByteRange, part[blob.element] as ElementName, `${where} ${blob.what}`);
      }
    }
  }
}
