/** The dense values part (table DenseValues): every value stored as an element type (elements.ts). */
import { DENSE_ELEMENTS, DTYPE_OF, ELEMENTS, elementOf, type DenseElementName } from '../elements.js';
import { DenseValues } from '../generated/wpal_generated.js';
import { ENC_ELEMENT, elementOfEnc, encElement } from './enc.js';
import type { ValuesRow } from './types.js';

/** Kernel-name tokens of dense values: one per element type that holds them. */
const TOKENS: ReadonlySet<string> = new Set(Object.values(ELEMENTS).flatMap((e) => (e.denseWenc ? [e.denseWenc] : [])));

export const dense: ValuesRow<'dense'> = {
  part: 'dense',
  role: 'values',
  table: 'DenseValues',
  fields: ['dtype'],
  blobs: [{ name: 'dense', field: 'data', schema: 'DenseValues.data', what: 'dense data', kind: 'dense', element: 'dtype' }],
  bytes: (rows, cols, dtype, stored) => ({ dense: (stored ?? rows * cols) * ELEMENTS[dtype].bytes }),
  check(rows, cols, d, kept, bad) {
    const element = elementOf(d.dtype);
    if (!element?.dense) return bad(`dense dtype ${d.dtype} is not one of ${DENSE_ELEMENTS.join(', ')}`);
    const want = (kept?.stored ?? rows * cols) * element.bytes;
    if (d.data.length !== want) bad(`dense data is ${d.data.length} bytes, expected ${want} (${kept?.what ?? `${rows} x ${cols} values`} x ${element.bytes} bytes)`);
    return { dtype: element.name as DenseElementName };
  },
  decode(d, rows, cols, out, at) {
    const element = ELEMENTS[d.dtype];
    if (!at) return element.read(d.data, out);
    const values = new Float32Array(at.length);
    element.read(d.data, values);
    for (let i = 0; i < at.length; i++) if (at[i] >= 0) out[at[i]] = values[i];
  },
  describe: (d) => `dense ${d.dtype}`,
  need: (d) => ({ wenc: ELEMENTS[d.dtype].denseWenc! }),
  kernel: {
    token: (t) => (TOKENS.has(t) ? { wenc: t } : undefined),
    fits: (k, need) => (TOKENS.has(need.wenc) ? k.wenc === need.wenc : !TOKENS.has(k.wenc ?? '')),
    args: (d, host) => ({ weights: host.at(d.data) }),
  },
  split: (d, cols) => ({ unit: 1, valueBits: 8 * ELEMENTS[d.dtype].bytes, rowBytes: cols * ELEMENTS[d.dtype].bytes, palettesBefore: () => 0, paletteEntries: 0 }),
  readTable: (t) => ({ dtype: (t as DenseValues).dtype() }),
  writeTable: (b, d, blob) => DenseValues.createDenseValues(b, DTYPE_OF[d.dtype], blob(d.data)),
  // the values part of a record that marks no other: enc holds its element type, no field follows
  compact: {
    mark: 0,
    flags: ENC_ELEMENT,
    enc: (d) => encElement(d.dtype),
    write: () => {},
    read(r, enc, _rows, _cols, where) {
      const { dtype, element } = elementOfEnc(enc);
      if (!element?.dense) return r.fail(`${where}: dense values cannot be ${dtype}`);
      return { encoding: element.name as DenseElementName, fields: { dtype: element.name } };
    },
  },
};
