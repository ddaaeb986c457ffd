/**
 * Layout rules of a stored weight (schemas/wpal.fbs), shared by the reader (which checks a file)
 * and the writer (which checks what it is about to write): exact lengths of every blob, bit widths,
 * palette groups, scales, block masks.
 */
import { blockGrid, countKept, maskBytes } from '../encode/blocksparse.js';
import { WpalFormatError } from './errors.js';
import { DENSE_ELEMENTS, ELEMENTS, ENTRY_ELEMENTS, elementOf } from './elements.js';
import { blobBytes } from './weight-bytes.js';


/** Lengths (and the few contents that matter) of a weight's blobs, wherever they live. */
export interface WeightLayout {
  dense?: { dtype: string; dataLength: number };
  palettized?: {
    bits: number;
    /** As stored: 0 = one palette for the tensor. */
    groupRows: number;
    entryType: string;
    entriesLength: number;
    /** undefined = field absent. */
    entryScales?: ArrayLike<number>;
    channelScales?: ArrayLike<number>;
    indicesLength: number;
  };
  sparse?: { blockRows: number; blockCols: number; mask: Uint8Array };
}

export interface CheckedLayout {
  /** Resolved rows per palette (palettized only). */
  groupRows: number;
  numPalettes: number;
  /** Kept blocks (sparse only). */
  keptBlocks: number;
}


/** Largest number of elements of one tensor (4 GiB of float32 would not fit in wasm32 memory anyway). */
export const MAX_ELEMENTS = 2 ** 30;

/**
 * Checks a weight seen as a [rows, cols] matrix. `where` prefixes messages, e.g.
 * `tensor 3 "fc1.weight"`. Throws WpalFormatError.
 */
/** The block-sparse part of a weight's stored encoding, once its mask was counted. */
function sparseOf(w: WeightLayout, c: CheckedLayout): { sparse?: { blockRows: number; blockCols: number; keptBlocks: number } } {
  return w.sparse ? { sparse: { blockRows: w.sparse.blockRows, blockCols: w.sparse.blockCols, keptBlocks: c.keptBlocks } } : {};
}

export function checkWeightLayout(rows: number, cols: number, w: WeightLayout, where: string): CheckedLayout {
  const bad = (msg: string): never => {
    throw new WpalFormatError(`${where}: ${msg}`);
  };
  const out: CheckedLayout = { groupRows: 0, numPalettes: 0, keptBlocks: 0 };
  if (!!w.dense === !!w.palettized) bad(`weight must have exactly one of dense / palettized, has ${w.dense ? 'both' : 'neither'}`);

  // How many values are stored: all of them, or the kept blocks' R*C values each.
  let storedWhat = `${rows} x ${cols} values`;
  if (w.sparse) {
    const { blockRows: R, blockCols: C, mask } = w.sparse;
    if (!(Number.isInteger(R) && R >= 1 && R <= rows)) bad(`block_rows ${R} must be 1..${rows} (rows)`);
    if (!(Number.isInteger(C) && C >= 1 && C <= cols)) bad(`block_cols ${C} must be 1..${cols} (cols)`);
    const g = blockGrid(rows, cols, R, C);
    const maskLen = maskBytes(g);
    if (mask.length !== maskLen) {
      bad(`mask is ${mask.length} bytes, expected ${maskLen} (${g.gridRows} block rows x ceil(${g.gridCols}/8))`);
    }
    const padBits = g.maskRowBytes * 8 - g.gridCols;
    if (padBits > 0) {
      const padMask = (0xff << (8 - padBits)) & 0xff;
      for (let br = 0; br < g.gridRows; br++) {
        if (mask[br * g.maskRowBytes + g.maskRowBytes - 1] & padMask) bad(`mask row ${br} has bits set beyond the ${g.gridCols} block columns`);
      }
    }
    out.keptBlocks = countKept(mask, g);
    storedWhat = `${out.keptBlocks} kept blocks x ${R}x${C}`;
  }

  if (w.dense) {
    const element = elementOf(w.dense.dtype);
    if (!element?.dense) bad(`dense dtype ${w.dense.dtype} is not one of ${DENSE_ELEMENTS.join(', ')}`);
    const want = blobBytes(rows, cols, { dense: element!.name, ...sparseOf(w, out) });
    if (w.dense.dataLength !== want.dense) {
      bad(`dense data is ${w.dense.dataLength} bytes, expected ${want.dense} (${storedWhat} x ${element!.bytes} bytes)`);
    }
  }

  if (w.palettized) {
    const p = w.palettized;
    if (!(Number.isInteger(p.bits) && p.bits >= 1 && p.bits <= 8)) bad(`bits ${p.bits} must be 1..8`);
    if (!(Number.isInteger(p.groupRows) && p.groupRows >= 0 && p.groupRows <= rows)) bad(`group_rows ${p.groupRows} must be 0 (per tensor) or 1..${rows} (rows)`);
    out.groupRows = p.groupRows === 0 ? rows : p.groupRows;
    out.numPalettes = Math.ceil(rows / out.groupRows);
    const element = elementOf(p.entryType);
    if (!element?.entry) bad(`palette entry type ${p.entryType} is not one of ${ENTRY_ELEMENTS.join(', ')}`);
    const want = blobBytes(rows, cols, { palettized: { bits: p.bits, groupRows: p.groupRows, entryType: element!.name }, ...sparseOf(w, out) });
    const k = 2 ** p.bits;
    if (p.entriesLength !== want.entries) {
      bad(`palette entries are ${p.entriesLength} bytes, expected ${want.entries} (${out.numPalettes} palettes x ${k} entries x ${element!.bytes} bytes)`);
    }
    if (element!.scaled) {
      const s = p.entryScales;
      if (!s) return bad(`${p.entryType} palette entries need entry_scales`);
      if (s.length !== out.numPalettes) bad(`entry_scales has ${s.length} values, expected ${out.numPalettes} (one per palette)`);
      for (let i = 0; i < s.length; i++) if (!Number.isFinite(s[i])) bad(`entry_scales[${i}] is not finite`);
    } else if (p.entryScales) bad(`entry_scales is only allowed with ${Object.values(ELEMENTS).filter((e) => e.scaled).map((e) => e.name).join(' or ')} entries (entries are ${p.entryType})`);
    if (p.channelScales) {
      if (p.channelScales.length !== rows) bad(`channel_scales has ${p.channelScales.length} values, expected ${rows} (one per row)`);
      for (let i = 0; i < p.channelScales.length; i++) if (!Number.isFinite(p.channelScales[i])) bad(`channel_scales[${i}] is not finite`);
    }
    if (p.indicesLength !== want.indices) {
      bad(`indices are ${p.indicesLength} bytes, expected ${want.indices} (${w.sparse ? `ceil(${storedWhat} x ${p.bits} bits / 8)` : `${rows} rows x ceil(${cols}*${p.bits}/8)`})`);
    }
  }
  return out;
}
