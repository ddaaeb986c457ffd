/**
 * blobBytes (src/format/weight-bytes.ts) against what the encoders really write: dense float32 /
 * float16, palettes of 1..8 bits with every entry type, per tensor and per group of rows, channel
 * scales, block-sparse with dense or palettized kept values, odd shapes.
 */
import { describe, expect, it } from 'vitest';
import { encodeBlockSparse, encodeDense, encodePalettized, type EncodedWeight } from '../../src/encode/palette.js';
import { blobBytes, totalBytes, type StoredEncoding } from '../../src/format/weight-bytes.js';
import { countKept, blockGrid } from '../../src/encode/blocksparse.js';

const values = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898) * 3);

function actual(w: EncodedWeight) {
  const p = w.palettized;
  return {
    dense: w.dense?.data.length ?? 0,
    entries: p?.entries.length ?? 0,
    entryScales: 4 * (p?.entryScales?.length ?? 0),
    channelScales: 4 * (p?.channelScales?.length ?? 0),
    indices: p?.indices.length ?? 0,
    mask: w.sparse?.mask.length ?? 0,
  };
}

describe('blob sizes', () => {
  for (const [rows, cols] of [[1, 1], [7, 13], [16, 33], [5, 64]] as const) {
    it(`${rows}x${cols}: every encoding's blobs are the sizes blobBytes says`, () => {
      const v = values(rows * cols);
      const cases: [StoredEncoding, EncodedWeight][] = [];
      for (const dtype of ['float32', 'float16'] as const) cases.push([{ dense: dtype }, encodeDense(v, dtype)]);
      for (const bits of [1, 2, 3, 4, 5, 8]) {
        for (const entryType of ['float32', 'float16', 'int8'] as const) {
          for (const groupRows of [0, Math.max(1, rows >> 1)]) {
            const channelScales = bits === 3;
            cases.push([{ palettized: { bits, groupRows, entryType, channelScales } }, encodePalettized(v, rows, cols, { bits, groupRows, entryType, channelScales, iters: 3 })]);
          }
        }
      }
      for (const [R, C] of [[1, 4], [4, 1], [2, 3]] as const) {
        if (R > rows || C > cols) continue;
        const blocks = { blockRows: R, blockCols: C, sparsity: 0.5 };
        for (const inner of [{ dtype: 'float32' as const }, { bits: 2, entryType: 'int8' as const, iters: 3 }]) {
          const w = encodeBlockSparse(v, rows, cols, blocks, inner);
          const keptBlocks = countKept(w.sparse!.mask, blockGrid(rows, cols, R, C));
          const e: StoredEncoding = 'bits' in inner ? { palettized: { bits: 2, groupRows: 0, entryType: 'int8' } } : { dense: 'float32' };
          cases.push([{ ...e, sparse: { blockRows: R, blockCols: C, keptBlocks } }, w]);
        }
      }
      for (const [e, w] of cases) {
        const want = blobBytes(rows, cols, e);
        const got = actual(w);
        expect({ dense: want.dense, entries: want.entries, entryScales: want.entryScales, channelScales: want.channelScales, indices: want.indices, mask: want.mask }, JSON.stringify(e)).toEqual(got);
        expect(totalBytes(want)).toBe(Object.values(got).reduce((a, b) => a + b, 0));
      }
    });
  }
});
