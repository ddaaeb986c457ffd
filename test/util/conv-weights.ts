/**
 * Random [O, K] weights in the encoding a conv2d / dwconv2d / deconv2d kernel row reads (dense f32,
 * f16, palettized, block-sparse dense or palettized), together with their float64 values decoded
 * from the documented layout by test/oracle/gemm.ts's decoders. Shared by test/kernels/conv.test.ts
 * and test/kernels/deconv.test.ts; `t` (the case number) chooses bits, palette groups, block shapes
 * and density, as the sweep of each test describes.
 */
import type { KernelRow } from '../../src/runtime/kernel-types.js';
import { packRows, packStream } from '../../src/encode/bitpack.js';
import { blockGrid, gatherKept, packMask } from '../../src/encode/blocksparse.js';
import { f32ToF16Bits } from '../../src/encode/f16.js';
import { bitField, decodeBlockSparse, decodeRows, f16Value } from '../oracle/gemm.js';
import type { Rng } from './rng.js';

export interface ConvWeights {
  bits: number;
  groupRows: number;
  R: number;
  Cb: number;
  /** The bytes the kernel reads at `w`. */
  w: Uint8Array;
  pal?: Float32Array;
  mask?: Uint8Array;
  bias?: Float32Array;
  chscale?: Float32Array;
  /** [O, K] float64 values, as the layout defines them. */
  W: Float64Array;
}

export const isPal = (r: KernelRow) => r.wenc !== undefined && r.wenc !== 'dense' && r.wenc !== 'f16';

const SHAPES_ANY: Array<[number, number]> = [[1, 1], [2, 3], [4, 4], [1, 4], [4, 1], [8, 1], [3, 5], [16, 1]];

/** `sparse` overrides the block shape and density the case number would choose. */
export function makeConvWeights(
  r: KernelRow, rng: Rng, t: number, O: number, K: number, sparse?: { R: number; Cb: number; density: number },
): ConvWeights {
  const pal = isPal(r);
  const bits = pal ? 1 + (t % 8) : 0;
  const groupRows = [O, 1, rng.int(1, O), Math.max(1, O - 1)][(t >> 3) % 4];
  const bias = t % 2 === 0 ? rng.floats(O) : undefined;
  const chscale = t % 4 < 2 ? rng.floats(O, 0.5, 2) : undefined;
  let palette: Float32Array | undefined;
  let vals: Float32Array | Uint8Array;
  if (pal) {
    palette = rng.floats(Math.ceil(O / groupRows) << bits);
    vals = new Uint8Array(O * K);
    for (let i = 0; i < vals.length; i++) vals[i] = rng.int(0, (1 << bits) - 1);
  } else {
    vals = rng.floats(O * K);
  }
  // palette value of index idx in output row j, as the layout defines it
  const palValue = (j: number, idx: number) => palette![(Math.floor(j / groupRows) << bits) + idx];
  let w: Uint8Array;
  let W: Float64Array = new Float64Array(O * K);
  let mask: Uint8Array | undefined;
  let [R, Cb] = [0, 0];
  if (r.sparse !== undefined) {
    [R, Cb] = sparse ? [sparse.R, sparse.Cb] : t % 11 === 10 ? [O, K] : SHAPES_ANY[t % SHAPES_ANY.length];
    const grid = blockGrid(O, K, R, Cb);
    const density = sparse ? sparse.density : [1, 0.5, 0][t % 3];
    const keep = new Uint8Array(grid.gridRows * grid.gridCols);
    for (let i = 0; i < keep.length; i++) keep[i] = rng.next() < density ? 1 : 0;
    if (density === 0.5 && grid.gridRows > 1) keep.fill(0, 0, grid.gridCols); // an empty block row
    if (sparse && grid.gridRows > 2) keep.fill(1, grid.gridCols, 2 * grid.gridCols); // a full one
    mask = packMask(keep, grid);
    const kept01 = decodeBlockSparse(O, K, R, Cb, mask, () => 1);
    if (pal) {
      w = packStream(gatherKept(vals as Uint8Array, mask, grid), bits);
      const stream = w;
      const idx = decodeBlockSparse(O, K, R, Cb, mask, (v) => bitField(stream, 0, v, bits));
      for (let i = 0; i < O * K; i++) if (kept01[i]) W[i] = palValue(Math.floor(i / K), idx[i]);
    } else {
      const kept = gatherKept(vals as Float32Array, mask, grid);
      w = new Uint8Array(kept.buffer);
      W = decodeBlockSparse(O, K, R, Cb, mask, (v) => kept[v]);
    }
  } else if (pal) {
    w = packRows(vals, O, K, bits);
    const idx = decodeRows(w, O, K, bits);
    for (let i = 0; i < O * K; i++) W[i] = palValue(Math.floor(i / K), idx[i]);
  } else if (r.wenc === 'f16') {
    const h = Uint16Array.from(vals as Float32Array, (v) => f32ToF16Bits(v));
    w = new Uint8Array(h.buffer);
    W = Float64Array.from(h, f16Value);
  } else {
    w = new Uint8Array(vals.buffer);
    W = Float64Array.from(vals);
  }
  return { bits, groupRows, R, Cb, w, pal: palette, mask, bias, chscale, W };
}
