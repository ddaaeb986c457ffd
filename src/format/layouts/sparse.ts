/** The block-sparse sparsity part (table BlockSparse): a mask of kept R x C blocks. */
import { blockGrid, countKept, isKept, keptOrder, maskBytes } from '../../encode/blocksparse.js';
import { BlockSparse } from '../generated/wpal_generated.js';
import type { SparsityRow } from './types.js';

/** enc bit (compact records): the part; block_rows:uvar block_cols:uvar kept:uvar follow. */
const ENC_SPARSE = 8;

function popcount(b: number): number {
  let n = 0;
  for (let v = b; v; v &= v - 1) n++;
  return n;
}

export const blockSparse: SparsityRow<'sparse'> = {
  part: 'sparse',
  role: 'sparsity',
  table: 'BlockSparse',
  fields: ['blockRows', 'blockCols'],
  blobs: [{ name: 'mask', field: 'mask', schema: 'BlockSparse.mask', what: 'mask', kind: 'masks' }],
  bytes: (rows, cols, s) => ({ mask: maskBytes(blockGrid(rows, cols, s.blockRows, s.blockCols)) }),
  stored: (s) => s.keptBlocks * s.blockRows * s.blockCols,
  check(rows, cols, s, bad) {
    const { blockRows: R, blockCols: C, mask } = s;
    if (!(Number.isInteger(R) && R >= 1 && R <= rows)) bad(`block_rows ${R} must be 1..${rows} (rows)`);
    if (!(Number.isInteger(C) && C >= 1 && C <= cols)) bad(`block_cols ${C} must be 1..${cols} (cols)`);
    const g = blockGrid(rows, cols, R, C);
    const maskLen = maskBytes(g);
    if (mask.length !== maskLen) bad(`mask is ${mask.length} bytes, expected ${maskLen} (${g.gridRows} block rows x ceil(${g.gridCols}/8))`);
    // the kernels and the compact layout's kept count read whole mask bytes
    const padBits = g.maskRowBytes * 8 - g.gridCols;
    if (padBits > 0) {
      const padMask = (0xff << (8 - padBits)) & 0xff;
      for (let br = 0; br < g.gridRows; br++) {
        if (mask[br * g.maskRowBytes + g.maskRowBytes - 1] & padMask) bad(`mask row ${br} has bits set beyond the ${g.gridCols} block columns`);
      }
    }
    const keptBlocks = countKept(mask, g);
    return { fields: { blockRows: R, blockCols: C, keptBlocks }, kept: { stored: keptBlocks * R * C, what: `${keptBlocks} kept blocks x ${R}x${C}` } };
  },
  order: (s, rows, cols) => keptOrder(s.mask, blockGrid(rows, cols, s.blockRows, s.blockCols)),
  dropped(s, rows, cols) {
    const blocks = Math.ceil(rows / s.blockRows) * Math.ceil(cols / s.blockCols);
    return blocks ? 1 - s.keptBlocks / blocks : 0;
  },
  describe(s, rows, cols) {
    return `${s.blockRows}x${s.blockCols} blocks ${(blockSparse.dropped(s, rows, cols) * 100).toFixed(1)}% dropped`;
  },
  need: (s) => ({ sparse: [s.blockRows, s.blockCols] }),
  kernel: {
    token(t) {
      if (t === 'bs') return { sparse: 'any' };
      const m = t.match(/^bs(\d+)x(\d+)$/);
      return m ? { sparse: [Number(m[1]), Number(m[2])] } : undefined;
    },
    fits(k, need) {
      if (!need.sparse) return k.sparse === undefined;
      if (k.sparse === undefined) return false;
      return k.sparse === 'any' || (k.sparse[0] === need.sparse[0] && k.sparse[1] === need.sparse[1]);
    },
    general: (k) => k.sparse === 'any',
    args: (s, host) => ({ mask: host.at(s.mask), params: { 2: s.blockRows, 3: s.blockCols } }),
  },
  readTable: (t) => ({ blockRows: (t as BlockSparse).blockRows(), blockCols: (t as BlockSparse).blockCols() }),
  writeTable: (b, s, blob) => BlockSparse.createBlockSparse(b, s.blockRows, s.blockCols, blob(s.mask)),
  compact: {
    mark: ENC_SPARSE,
    flags: 0,
    enc: () => 0,
    write(w, s) {
      w.uvar(s.blockRows);
      w.uvar(s.blockCols);
      // cols is not at hand here: the mask's kept bits are counted over its whole bytes, which the
      // layout check (reader and writer) requires to be zero past the grid's columns.
      w.uvar(s.mask.reduce((n, b) => n + popcount(b), 0));
    },
    read(r, _enc, rows, cols, where) {
      const blockRows = r.uvar(`${where} block_rows`);
      const blockCols = r.uvar(`${where} block_cols`);
      if (!(blockRows >= 1 && blockRows <= rows)) r.fail(`${where}: block_rows ${blockRows} must be 1..${rows} (rows)`);
      if (!(blockCols >= 1 && blockCols <= cols)) r.fail(`${where}: block_cols ${blockCols} must be 1..${cols} (cols)`);
      const g = blockGrid(rows, cols, blockRows, blockCols);
      const kept = r.uvar(`${where} kept blocks`);
      if (kept > g.gridRows * g.gridCols) r.fail(`${where}: ${kept} kept blocks, the grid has ${g.gridRows * g.gridCols}`);
      return { encoding: { blockRows, blockCols, keptBlocks: kept }, fields: { blockRows, blockCols } };
    },
    // the mask is placed first: its kept blocks size the values part's blobs
    checkBlobs(s, blob, rows, cols) {
      const kept = countKept(blob('mask'), blockGrid(rows, cols, s.blockRows, s.blockCols));
      return kept !== s.keptBlocks ? `the mask keeps ${kept} blocks, the record says ${s.keptBlocks}` : undefined;
    },
  },
  split(s, rows, cols, file) {
    const g = blockGrid(rows, cols, s.blockRows, s.blockCols);
    const mask = file.subarray(s.mask.offset, s.mask.offset + s.mask.length);
    // kept blocks before each block row
    const before = [0];
    for (let br = 0; br < g.gridRows; br++) {
      let n = 0;
      for (let bc = 0; bc < g.gridCols; bc++) if (isKept(mask, g, br, bc)) n++;
      before.push(before[br] + n);
    }
    const R = s.blockRows;
    return {
      unit: R,
      storedBefore: (b) => before[b / R] * R * s.blockCols,
      // a boundary inside a block row counts that block row's work
      work: (b) => before[Math.ceil(b / R)],
      maskBefore: (b) => (b / R) * g.maskRowBytes,
    };
  },
};
