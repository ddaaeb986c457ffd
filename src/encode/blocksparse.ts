/**
 * Block-sparse layout (schemas/wpal.fbs): a [rows, cols] matrix cut into R x C blocks, one mask bit
 * per block (mask rows padded to bytes, LSB first), kept blocks' values gathered in row-major block
 * order with each block row-major inside; edge positions outside the matrix are stored as 0.
 */

export interface BlockGrid {
  rows: number;
  cols: number;
  blockRows: number;
  blockCols: number;
  /** Block grid size. */
  gridRows: number;
  gridCols: number;
  /** Bytes per mask row. */
  maskRowBytes: number;
}

export function blockGrid(rows: number, cols: number, blockRows: number, blockCols: number): BlockGrid {
  for (const [k, v] of Object.entries({ rows, cols, blockRows, blockCols })) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${k} must be a positive integer, got ${v}`);
  }
  const gridRows = Math.ceil(rows / blockRows);
  const gridCols = Math.ceil(cols / blockCols);
  return { rows, cols, blockRows, blockCols, gridRows, gridCols, maskRowBytes: Math.ceil(gridCols / 8) };
}

export function maskBytes(g: BlockGrid): number {
  return g.gridRows * g.maskRowBytes;
}

export function isKept(mask: Uint8Array, g: BlockGrid, br: number, bc: number): boolean {
  return ((mask[br * g.maskRowBytes + (bc >> 3)] >> (bc & 7)) & 1) === 1;
}

/** Packs a keep[gridRows * gridCols] boolean-ish array into the mask layout. */
export function packMask(keep: ArrayLike<number | boolean>, g: BlockGrid): Uint8Array {
  if (keep.length !== g.gridRows * g.gridCols) throw new RangeError(`packMask: ${keep.length} flags for a ${g.gridRows}x${g.gridCols} grid`);
  const mask = new Uint8Array(maskBytes(g));
  for (let br = 0; br < g.gridRows; br++) {
    for (let bc = 0; bc < g.gridCols; bc++) {
      if (keep[br * g.gridCols + bc]) mask[br * g.maskRowBytes + (bc >> 3)] |= 1 << (bc & 7);
    }
  }
  return mask;
}

export function countKept(mask: Uint8Array, g: BlockGrid): number {
  let n = 0;
  for (let br = 0; br < g.gridRows; br++) for (let bc = 0; bc < g.gridCols; bc++) if (isKept(mask, g, br, bc)) n++;
  return n;
}

/**
 * Where each kept value is stored: the kept blocks in row-major block order, each block row-major
 * inside; entry i is the flat position r * cols + c of stored value i, or -1 for a position of an
 * edge block outside the matrix (stored as 0). The one definition of the order the gathers, the
 * decoder and the kernels share.
 */
export function keptOrder(mask: Uint8Array, g: BlockGrid): Int32Array {
  const R = g.blockRows;
  const C = g.blockCols;
  const at = new Int32Array(countKept(mask, g) * R * C);
  let o = 0;
  for (let br = 0; br < g.gridRows; br++) {
    for (let bc = 0; bc < g.gridCols; bc++) {
      if (!isKept(mask, g, br, bc)) continue;
      for (let r = br * R; r < br * R + R; r++) {
        for (let c = bc * C; c < bc * C + C; c++) at[o++] = r < g.rows && c < g.cols ? r * g.cols + c : -1;
      }
    }
  }
  return at;
}

/**
 * Gathers the kept blocks' values of a row-major [rows, cols] matrix (any element type, e.g.
 * palette indices or floats) in the stored order; positions outside the matrix become 0.
 */
export function gatherKept<T extends Float32Array | Uint8Array>(values: T, mask: Uint8Array, g: BlockGrid): T {
  const at = keptOrder(mask, g);
  const out = new (values.constructor as { new (n: number): T })(at.length);
  for (let i = 0; i < at.length; i++) if (at[i] >= 0) out[i] = values[at[i]];
  return out;
}

/** Inverse of gatherKept: the dense row-major matrix with dropped blocks as 0. */
export function scatterKept<T extends Float32Array | Uint8Array>(kept: T, mask: Uint8Array, g: BlockGrid): T {
  const at = keptOrder(mask, g);
  const out = new (kept.constructor as { new (n: number): T })(g.rows * g.cols);
  for (let i = 0; i < at.length; i++) if (at[i] >= 0) out[at[i]] = kept[i];
  return out;
}
