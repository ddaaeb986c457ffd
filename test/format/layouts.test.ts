/**
 * The layout table (src/format/layouts.ts), row by row: every values part, alone and under every
 * sparsity part, on random weights of odd shapes. Each is encoded, checked, written in both file
 * layouts and read back; the blobs the reader finds hold the bytes the writer was given, at the
 * sizes blobBytes says; the decode equals the float64 oracle's (test/oracle/model.ts, written from
 * the schema and sharing no code with the table); the size report, the kernel need and the thread
 * split say what the rows say. And each row names schema tables and fields that exist.
 */
import { describe, expect, it } from 'vitest';
import { encodeBlockSparse, encodeDense, encodePalettized, type EncodedWeight, type PalettizeOptions } from '../../src/encode/palette.js';
import { decodeTensor } from '../../src/encode/decode.js';
import { blockGrid, countKept } from '../../src/encode/blocksparse.js';
import { BLOB_NAMES, LAYOUTS, SPARSITY_LAYOUTS, VALUE_LAYOUTS, type StoredEncoding } from '../../src/format/layouts.js';
import type { DenseElementName } from '../../src/format/elements.js';
import { blobsOf, weightNeed, weightSplit } from '../../src/format/layout-walk.js';
import { blobBytes, totalBytes } from '../../src/format/weight-bytes.js';
import { checkWeightLayout } from '../../src/format/validate-weight.js';
import { TABLES } from '../../src/format/verify-structure.js';
import { ModelWriter } from '../../src/format/write.js';
import { sizeReport } from '../../src/format/size.js';
import { readModel } from '../../src/format/read.js';
import { rewriteModel } from '../../src/format/rewrite.js';
import { readFileSync } from 'node:fs';
import type { ByteRange, ModelInfo } from '../../src/format/types.js';
import { decodeWeight as oracleDecode } from '../oracle/model.js';
import { Rng } from '../util/rng.js';

type DenseOpts = { dtype: DenseElementName };
type ValuesOpts = DenseOpts | PalettizeOptions;
type SparseOpts = { blockRows: number; blockCols: number; sparsity: number };

/** Settings of every values part the table has (a new row needs its cases here: the first test checks). */
const VALUE_CASES: Record<string, ValuesOpts[]> = {
  dense: [{ dtype: 'float32' }, { dtype: 'float16' }],
  palettized: [
    { bits: 1, iters: 3 },
    { bits: 3, groupRows: 2, entryType: 'float16', iters: 3 },
    { bits: 4, entryType: 'int8', channelScales: true, iters: 3 },
    { bits: 8, groupRows: 3, entryType: 'int8', iters: 3 },
  ],
};

/** Settings of every sparsity part; none = no sparsity part. */
const SPARSITY_CASES: Record<string, SparseOpts[]> = {
  sparse: [
    { blockRows: 1, blockCols: 4, sparsity: 0.5 },
    { blockRows: 3, blockCols: 2, sparsity: 0.3 },
    { blockRows: 2, blockCols: 1, sparsity: 1 },
    { blockRows: 4, blockCols: 4, sparsity: 0 },
  ],
};

function encode(v: Float32Array, rows: number, cols: number, values: ValuesOpts, sparse?: SparseOpts): EncodedWeight {
  if (sparse) return encodeBlockSparse(v, rows, cols, sparse, values);
  return 'bits' in values ? encodePalettized(v, rows, cols, values) : encodeDense(v, values.dtype);
}

/** What blobBytes takes, read off an encoded weight by the schema's field names (not by the table). */
function storedEncoding(w: EncodedWeight, rows: number, cols: number): StoredEncoding {
  const p = w.palettized;
  const s = w.sparse;
  return {
    ...(w.dense ? { dense: w.dense.dtype } : {}),
    ...(p ? { palettized: { bits: p.bits, groupRows: p.groupRows, entryType: p.entryType, channelScales: !!p.channelScales } } : {}),
    ...(s ? { sparse: { blockRows: s.blockRows, blockCols: s.blockCols, keptBlocks: countKept(s.mask, blockGrid(rows, cols, s.blockRows, s.blockCols)) } } : {}),
  };
}

/** x[cols] -> FullyConnected with the weight -> y. */
function model(w: EncodedWeight, rows: number, cols: number, layout: 'compact' | 'tables'): ModelInfo {
  const m = new ModelWriter({ layout });
  const x = m.input('x', [cols]);
  m.output(m.op('FullyConnected', [x, m.weight('w', [rows, cols], w)], { output: 'y' }));
  return m.finishWithInfo();
}

const bytesOf = (info: ModelInfo, r: ByteRange) => info.bytes.subarray(r.offset, r.offset + r.length);

describe('layout table', () => {
  it('every row has cases here, names a Weight field, its table and its vector fields, and blob names are unique', () => {
    for (const row of VALUE_LAYOUTS) expect(VALUE_CASES[row.part], row.part).toBeDefined();
    for (const row of SPARSITY_LAYOUTS) expect(SPARSITY_CASES[row.part], row.part).toBeDefined();
    expect(new Set(BLOB_NAMES).size).toBe(BLOB_NAMES.length);
    for (const row of LAYOUTS) {
      expect(TABLES.Weight.find((f) => f.name === row.part)?.type, row.part).toBe(`table:${row.table}`);
      for (const blob of row.blobs) {
        const [table, field] = blob.schema.split('.');
        expect(table).toBe(row.table);
        expect(TABLES[table].find((f) => f.name === field)?.type, blob.schema).toBe(blob.floats ? 'vec:f32' : 'vec:u8');
      }
    }
  });

  it('compact records: a role\'s marks are distinct and select one row each, and no bit is both a mark and another part\'s flag', () => {
    const marks = LAYOUTS.reduce((m, row) => m | row.compact.mark, 0);
    for (const role of [VALUE_LAYOUTS, SPARSITY_LAYOUTS]) {
      expect(new Set(role.map((r) => r.compact.mark)).size, role[0].role).toBe(role.length);
    }
    // without a sparsity part a record marks none: no sparsity row has mark 0
    for (const row of SPARSITY_LAYOUTS) expect(row.compact.mark, row.part).not.toBe(0);
    expect(VALUE_LAYOUTS.filter((r) => r.compact.mark === 0).length).toBe(1);
    for (const row of LAYOUTS) expect(row.compact.flags & marks, row.part).toBe(0);
    // bits 6-7 stay reserved (schemas/wpal.fbs)
    expect(LAYOUTS.reduce((m, row) => m | row.compact.mark | row.compact.flags, 0) & 0xc0).toBe(0);
  });

  it('the frozen 1.4 fixture (palette groups, channel scales, block-sparse f16 and int8-palettized), read and written again, is the same file byte for byte', () => {
    const bytes = new Uint8Array(readFileSync(new URL('../fixtures/format/v1.4/mlp.wpal', import.meta.url)));
    expect(rewriteModel(readModel(bytes))).toEqual(bytes);
  });

  const shapes: [number, number][] = [[7, 13], [6, 9], [1, 5]];
  for (const values of VALUE_LAYOUTS) {
    for (const sparsity of [undefined, ...SPARSITY_LAYOUTS]) {
      it(`${values.part}${sparsity ? ` + ${sparsity.part}` : ''}: encode, check, write, read, decode`, () => {
        const rng = new Rng(11);
        for (const [rows, cols] of shapes) {
          for (const vOpts of VALUE_CASES[values.part]) {
            for (const sOpts of sparsity ? SPARSITY_CASES[sparsity.part] : [undefined]) {
              if (sOpts && (sOpts.blockRows > rows || sOpts.blockCols > cols)) continue;
              if ('groupRows' in vOpts && (vOpts.groupRows ?? 0) > rows) continue;
              const what = `${rows}x${cols} ${JSON.stringify(vOpts)} ${JSON.stringify(sOpts)}`;
              const v = Float32Array.from({ length: rows * cols }, () => rng.normal());
              const w = encode(v, rows, cols, vOpts, sOpts);
              // the parts the encoder made are the ones under test
              expect(blobsOf(w).every(({ blob }) => values.blobs.includes(blob) || sparsity?.blobs.includes(blob)), what).toBe(true);
              const checked = checkWeightLayout(rows, cols, w, what);
              expect(Object.keys(checked).sort(), what).toEqual([values.part, ...(sparsity ? [sparsity.part] : [])].sort());

              // blob sizes: what blobBytes says is what the encoder wrote
              const want = blobBytes(rows, cols, storedEncoding(w, rows, cols));
              let sum = 0;
              for (const { blob, value } of blobsOf<ArrayLike<number>>(w)) {
                const bytes = value.length * (blob.floats ? 4 : 1);
                expect(bytes, `${what} ${blob.name}`).toBe(want[blob.name]);
                sum += bytes;
              }
              expect(totalBytes(want), what).toBe(sum);

              for (const layout of ['compact', 'tables'] as const) {
                const info = model(w, rows, cols, layout);
                const t = info.tensors.find((x) => x.name === 'w')!;
                const read = t.weight!;
                // every blob is where the reader says, with the writer's bytes
                const given = new Map(blobsOf<ArrayLike<number>>(w).map((b) => [b.blob.name, b]));
                const found = blobsOf<ByteRange>(read);
                expect(found.map((b) => b.blob.name), `${what} ${layout}`).toEqual([...given.keys()]);
                for (const { blob, value } of found) {
                  const g = given.get(blob.name)!.value;
                  const expected = blob.floats ? new Uint8Array(Float32Array.from(g).buffer) : Uint8Array.from(g);
                  expect([...bytesOf(info, value)], `${what} ${layout} ${blob.name}`).toEqual([...expected]);
                }
                // decode: the encoder's view, the reader's, and the float64 oracle from the schema agree
                // read and written again, in the same layout: the same file
                expect(rewriteModel(info, { layout }), `${what} ${layout}`).toEqual(info.bytes);
                const decoded = decodeTensor(info, t.index);
                expect(decoded, `${what} ${layout}`).toEqual(w.decode());
                const oracle = oracleDecode(info, read);
                for (let i = 0; i < oracle.length; i++) {
                  expect(Math.abs(decoded[i] - oracle[i]), `${what} ${layout} value ${i}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(oracle[i])));
                }
                // the size report counts every blob once
                const layer = sizeReport(info).layers.find((l) => l.name === 'w')!;
                expect(layer.bytes.total, what).toBe(sum);
                expect(layer.encoding.startsWith(values.describe(read[values.part] as never, rows, cols)), what).toBe(true);
                const dropped = sparsity ? sparsity.dropped(read[sparsity.part]!, rows, cols) : 0;
                expect(layer.sparsity, what).toBe(dropped);
                if (sOpts) {
                  // the encoder drops floor(sparsity x blocks) blocks
                  const g = blockGrid(rows, cols, sOpts.blockRows, sOpts.blockCols);
                  const blocks = g.gridRows * g.gridCols;
                  expect(dropped, what).toBeCloseTo(Math.floor(sOpts.sparsity * blocks) / blocks, 12);
                }

                // the kernel need and the thread split, from the schema's fields
                const p = read.palettized;
                const sp = read.sparse;
                expect(weightNeed(read), what).toEqual({
                  wenc: p ? 'palettized' : read.dense!.dtype === 'float16' ? 'f16' : 'dense',
                  ...(p ? { bits: p.bits } : {}),
                  ...(sp ? { sparse: [sp.blockRows, sp.blockCols] } : {}),
                });
                const cut = weightSplit(read, info.bytes);
                const valueBits = p ? p.bits : read.dense!.dtype === 'float16' ? 16 : 32;
                expect(cut.values.valueBits, what).toBe(valueBits);
                expect(cut.values.unit, what).toBe(p && p.numPalettes > 1 ? p.groupRows : 1);
                if (!sp) {
                  expect(cut.sparsity, what).toBeUndefined();
                  // rows start on bytes
                  expect(cut.values.rowBytes * rows, what).toBe(p ? p.indices.length : read.dense!.data.length);
                } else {
                  const s = cut.sparsity!;
                  expect(s.unit, what).toBe(sp.blockRows);
                  const rowsCut = Math.ceil(rows / sp.blockRows) * sp.blockRows;
                  // at the end of the last block row: every kept value, the whole mask
                  expect(s.storedBefore(rowsCut), what).toBe(sp.keptBlocks * sp.blockRows * sp.blockCols);
                  expect(s.maskBefore(rowsCut), what).toBe(sp.mask.length);
                  expect(s.work(rows), what).toBe(sp.keptBlocks);
                  expect(s.storedBefore(0) + s.maskBefore(0) + s.work(0), what).toBe(0);
                }
              }
            }
          }
        }
      });
    }
  }
});
