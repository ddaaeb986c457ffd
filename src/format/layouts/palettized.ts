/** The palettized values part (table Palettized): packed indices into per-tensor or per-group palettes. */
import { packedRowBytes, unpackRows, unpackStream } from '../../encode/bitpack.js';
import { DTYPE_OF, ELEMENTS, ENTRY_ELEMENTS, elementOf } from '../elements.js';
import { Palettized } from '../generated/wpal_generated.js';
import { ENC_ELEMENT, elementOfEnc, encElement } from './enc.js';
import type { BlobBytes, EncodedPalettized, StoredEncoding, ValuesRow } from './types.js';

/** enc bits (compact records): the part, channel scales, palette groups (group_rows follows; clear: one palette for the tensor). */
const ENC_PALETTIZED = 1;
const ENC_CHANNEL_SCALES = 16;
const ENC_GROUPED = 32;

/** A group of all rows is one palette for the tensor, as group_rows 0 is: the same weight, stored without group_rows. */
const grouped = (p: EncodedPalettized, rows: number) => p.groupRows !== 0 && p.groupRows < rows;

/** Kernel-name token p{bits}{entry}: the palette entry type the kernels read (elements.ts kernelEntry). */
const TOKEN = new RegExp(`^p(\\d)(${[...new Set(Object.values(ELEMENTS).map((e) => e.kernelEntry))].join('|')})$`);

/** Decoded palettes, [numPalettes][2^bits] as f32 values. */
export function paletteValues(p: Pick<EncodedPalettized, 'bits' | 'entryType' | 'entries' | 'entryScales'>, numPalettes: number): Float32Array {
  const out = new Float32Array(numPalettes << p.bits);
  ELEMENTS[p.entryType].read(p.entries, out, p.entryScales, 1 << p.bits);
  return out;
}

function palettizedBytes(rows: number, cols: number, p: NonNullable<StoredEncoding['palettized']>, stored: number | undefined): Partial<BlobBytes> {
  const entry = ELEMENTS[p.entryType];
  const numPalettes = Math.ceil(rows / (p.groupRows === 0 ? rows : p.groupRows));
  return {
    numPalettes,
    entries: numPalettes * 2 ** p.bits * entry.bytes,
    entryScales: entry.scaled ? 4 * numPalettes : 0,
    channelScales: p.channelScales ? 4 * rows : 0,
    indices: stored === undefined ? rows * packedRowBytes(cols, p.bits) : Math.ceil((stored * p.bits) / 8),
  };
}

export const palettized: ValuesRow<'palettized'> = {
  part: 'palettized',
  role: 'values',
  table: 'Palettized',
  fields: ['bits', 'groupRows', 'entryType'],
  blobs: [
    { name: 'entries', field: 'entries', schema: 'Palettized.entries', what: 'palette entries', kind: 'palettes', element: 'entryType' },
    { name: 'entryScales', field: 'entryScales', schema: 'Palettized.entry_scales', what: 'entry scales', kind: 'scales', floats: true, optional: true },
    { name: 'channelScales', field: 'channelScales', schema: 'Palettized.channel_scales', what: 'channel scales', kind: 'scales', floats: true, optional: true },
    { name: 'indices', field: 'indices', schema: 'Palettized.indices', what: 'indices', kind: 'indices' },
  ],
  bytes: palettizedBytes,
  check(rows, cols, p, kept, bad) {
    if (!(Number.isInteger(p.bits) && p.bits >= 1 && p.bits <= 8)) bad(`bits ${p.bits} must be 1..8`);
    if (!(Number.isInteger(p.groupRows) && p.groupRows >= 0 && p.groupRows <= rows)) bad(`group_rows ${p.groupRows} must be 0 (per tensor) or 1..${rows} (rows)`);
    const groupRows = p.groupRows === 0 ? rows : p.groupRows;
    const numPalettes = Math.ceil(rows / groupRows);
    const element = elementOf(p.entryType);
    if (!element?.entry) return bad(`palette entry type ${p.entryType} is not one of ${ENTRY_ELEMENTS.join(', ')}`);
    const want = palettizedBytes(rows, cols, { bits: p.bits, groupRows: p.groupRows, entryType: element.name }, kept?.stored);
    if (p.entries.length !== want.entries) {
      bad(`palette entries are ${p.entries.length} bytes, expected ${want.entries} (${numPalettes} palettes x ${2 ** p.bits} entries x ${element.bytes} bytes)`);
    }
    const finite = (v: ArrayLike<number>, name: string) => {
      for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) bad(`${name}[${i}] is not finite`);
    };
    if (element.scaled) {
      const s = p.entryScales;
      if (!s) return bad(`${p.entryType} palette entries need entry_scales`);
      if (s.length !== numPalettes) bad(`entry_scales has ${s.length} values, expected ${numPalettes} (one per palette)`);
      finite(s, 'entry_scales');
    } else if (p.entryScales) {
      bad(`entry_scales is only allowed with ${Object.values(ELEMENTS).filter((e) => e.scaled).map((e) => e.name).join(' or ')} entries (entries are ${p.entryType})`);
    }
    if (p.channelScales) {
      if (p.channelScales.length !== rows) bad(`channel_scales has ${p.channelScales.length} values, expected ${rows} (one per row)`);
      finite(p.channelScales, 'channel_scales');
    }
    if (p.indices.length !== want.indices) {
      bad(`indices are ${p.indices.length} bytes, expected ${want.indices} (${kept ? `ceil(${kept.what} x ${p.bits} bits / 8)` : `${rows} rows x ceil(${cols}*${p.bits}/8)`})`);
    }
    return { bits: p.bits, groupRows, numPalettes, entryType: element.name };
  },
  decode(p, rows, cols, out, at) {
    const k = 1 << p.bits;
    const perPalette = p.groupRows === 0 ? rows : p.groupRows;
    const pal = paletteValues(p, Math.ceil(rows / perPalette));
    const cs = p.channelScales;
    // f32 arithmetic, as the kernels: entry (x entry scale, in paletteValues), then x channel scale
    const value = (r: number, idx: number) => {
      const e = pal[Math.floor(r / perPalette) * k + idx];
      return cs ? Math.fround(e * cs[r]) : e;
    };
    if (!at) {
      const idx = unpackRows(p.indices, rows, cols, p.bits);
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = value(r, idx[r * cols + c]);
      return;
    }
    const idx = unpackStream(p.indices, at.length, p.bits);
    for (let i = 0; i < at.length; i++) if (at[i] >= 0) out[at[i]] = value(Math.floor(at[i] / cols), idx[i]);
  },
  describe: (p) =>
    `palettized ${p.bits}-bit ${p.entryType}, ${p.numPalettes === 1 ? '1 palette' : `${p.numPalettes} palettes of ${p.groupRows} rows`}` +
    (p.channelScales ? ', channel scales' : ''),
  need: (p) => ({ wenc: 'palettized', bits: p.bits }),
  kernel: {
    token(t) {
      const m = t.match(TOKEN);
      return m ? { wenc: t, maxBits: Number(m[1]), paletteEntry: m[2] as 'f32' | 'i8' } : undefined;
    },
    fits(k, need, act) {
      if (need.wenc !== 'palettized') return k.maxBits === undefined;
      const bits = need.bits ?? 0;
      if (k.maxBits === undefined || bits > k.maxBits || bits < (k.minBits ?? 1)) return false;
      // f32 kernels read f32 palettes (converted at load), i8 kernels int8 entries
      return k.paletteEntry === act;
    },
    args(p, host) {
      const i8 = host.act === 'i8';
      const f32Palettes = () => {
        const file = new DataView(host.bytes.buffer, host.bytes.byteOffset, host.bytes.byteLength);
        const es = p.entryScales;
        const entryScales = es && Float32Array.from({ length: p.numPalettes }, (_, i) => file.getFloat32(es.offset + 4 * i, true));
        return host.keep(paletteValues({ ...p, entries: host.bytes.subarray(p.entries.offset, p.entries.offset + p.entries.length), entryScales }, p.numPalettes));
      };
      return {
        weights: host.at(p.indices),
        // in place when the kernel reads the stored entries, else f32 palettes converted once (palette-sized)
        palette: i8 || ELEMENTS[p.entryType].name === 'float32' ? host.at(p.entries) : f32Palettes(),
        params: { 0: p.bits, 1: p.groupRows, 4: p.channelScales ? host.at(p.channelScales) : 0, 6: i8 && p.entryScales ? host.at(p.entryScales) : 0 },
      };
    },
    int8: { what: 'palettized weights with int8 entries', takes: (p) => ELEMENTS[p.entryType].kernelEntry === 'i8' },
  },
  // a slice's palettes start at its first row's group
  split: (p, cols) => ({
    unit: p.numPalettes > 1 ? p.groupRows : 1, valueBits: p.bits, rowBytes: packedRowBytes(cols, p.bits),
    palettesBefore: (b) => (p.numPalettes > 1 ? b / p.groupRows : 0), paletteEntries: 1 << p.bits,
  }),
  indexBits: (p) => p.bits,
  readTable: (t) => ({ bits: (t as Palettized).bits(), groupRows: (t as Palettized).groupRows(), entryType: (t as Palettized).entryType() }),
  writeTable(b, p, blob) {
    // the order files have always had: entries, indices, then the scale vectors
    const entries = blob(p.entries);
    const indices = blob(p.indices);
    const es = p.entryScales ? Palettized.createEntryScalesVector(b, p.entryScales) : 0;
    const cs = p.channelScales ? Palettized.createChannelScalesVector(b, p.channelScales) : 0;
    return Palettized.createPalettized(b, p.bits, p.groupRows, DTYPE_OF[p.entryType], entries, es, cs, indices);
  },
  // enc holds the entry type and two flags; bits:u8 [group_rows:uvar] follow
  compact: {
    mark: ENC_PALETTIZED,
    flags: ENC_ELEMENT | ENC_CHANNEL_SCALES | ENC_GROUPED,
    flagsWhat: 'channel scales and palette groups',
    enc: (p, rows) => encElement(p.entryType) | (p.channelScales ? ENC_CHANNEL_SCALES : 0) | (grouped(p, rows) ? ENC_GROUPED : 0),
    write(s, p, rows) {
      s.u8(p.bits);
      if (grouped(p, rows)) s.uvar(p.groupRows);
    },
    read(r, enc, rows, _cols, where) {
      const { dtype, element } = elementOfEnc(enc);
      if (!element?.entry) return r.fail(`${where}: palette entries cannot be ${dtype}`);
      const bits = r.u8(`${where} bits`);
      if (!(bits >= 1 && bits <= 8)) r.fail(`${where}: bits ${bits} must be 1..8`);
      const groupRows = enc & ENC_GROUPED ? r.uvar(`${where} group_rows`) : 0;
      if (enc & ENC_GROUPED && !(groupRows >= 1 && groupRows < rows)) r.fail(`${where}: group_rows ${groupRows} must be 1..${rows - 1} (a palette per group of rows; one for the tensor is bit 5 clear)`);
      const fields = { bits, groupRows, entryType: element.name };
      return { encoding: { ...fields, channelScales: (enc & ENC_CHANNEL_SCALES) !== 0 }, fields };
    },
  },
};
