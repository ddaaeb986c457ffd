import { describe, expect, it } from 'vitest';
import { encodeBlockSparse, encodeDense, encodePalettized } from '../../src/encode/palette.js';
import { readFileSync } from 'node:fs';
import { readModel } from '../../src/format/read.js';
import { rewriteModel } from '../../src/format/rewrite.js';
import { sizeReport } from '../../src/format/size.js';
import { ModelWriter } from '../../src/format/write.js';
import { Rng } from '../util/rng.js';
import { smallModel } from './helpers.js';

describe('sizeReport', () => {
  function model() {
    const rng = new Rng(8);
    const w = new ModelWriter({ name: 'size', description: 'x'.repeat(100) });
    const x = w.input('x', [64]);
    const W1 = w.weight('w1', [32, 64], encodePalettized(rng.floats(32 * 64), 32, 64, { bits: 4, groupRows: 8, entryType: 'int8', channelScales: true }));
    const b1 = w.weight('b1', [32], encodeDense(rng.floats(32)));
    const W2 = w.weight('w2', [16, 32], encodeBlockSparse(rng.floats(16 * 32), 16, 32, { blockRows: 4, blockCols: 4, sparsity: 0.75 }, { bits: 2 }));
    const W3 = w.weight('w3', [8, 16], encodeBlockSparse(rng.floats(8 * 16), 8, 16, { blockRows: 1, blockCols: 4, sparsity: 0.5 }, { dtype: 'float16' }));
    w.output(w.op('FullyConnected', [w.op('FullyConnected', [w.op('FullyConnected', [x, W1, b1]), W2]), W3]));
    return readModel(w.finish());
  }

  it('per-layer bytes match the encodings', () => {
    const r = sizeReport(model());
    expect(r.layers.map((l) => l.name)).toEqual(['w1', 'b1', 'w2', 'w3']);
    const [w1, b1, w2, w3] = r.layers;
    expect(w1.bytes).toEqual({ palettes: 4 * 16, indices: 32 * 32, masks: 0, dense: 0, scales: 4 * 4 + 32 * 4, total: 64 + 1024 + 16 + 128 });
    expect(w1.bits).toBe(4);
    expect(w1.sparsity).toBe(0);
    expect(w1.encoding).toMatch(/palettized 4-bit int8, 4 palettes of 8 rows, channel scales/);
    expect(b1.bytes.dense).toBe(128);
    expect(b1.encoding).toBe('dense float32');
    // 4x8 grid, 24 dropped: 8 kept blocks x 16 values x 2 bits = 32 bytes; mask 4 rows x 1 byte.
    expect(w2.bytes).toMatchObject({ palettes: 16, indices: 32, masks: 4, dense: 0 });
    expect(w2.sparsity).toBe(0.75);
    expect(w3.bytes).toMatchObject({ dense: 16 * 4 * 2, masks: 8 });
    expect(w3.encoding).toMatch(/dense float16, 1x4 blocks 50.0% dropped/);
    for (const l of r.layers) expect(l.ratio).toBeCloseTo(l.denseF32Bytes / l.bytes.total, 10);
  });

  for (const [name, info] of [
    ['mixed', () => model()],
    ['small', () => readModel(smallModel(3))],
    ['small, tables layout', () => readModel(smallModel(3, 'tables'))],
    ['published LeNet-5', () => readModel(new Uint8Array(readFileSync(new URL('../../models/lenet5-mnist-400x.wpal', import.meta.url))))],
  ] as const) {
    it(`kinds add up to the file size exactly (${name})`, () => {
      const i = info();
      const r = sizeReport(i);
      const k = r.byKind;
      expect(k.palettes + k.indices + k.masks + k.dense + k.scales + k.graphAndMetadata).toBe(i.bytes.length);
      expect(r.fileBytes).toBe(i.bytes.length);
      expect(k.graphAndMetadata).toBeGreaterThan(0);
      const sum = (key: 'palettes' | 'indices' | 'masks' | 'dense' | 'scales') => r.layers.reduce((a, l) => a + l.bytes[key], 0);
      for (const key of ['palettes', 'indices', 'masks', 'dense', 'scales'] as const) expect(k[key]).toBe(sum(key));
      expect(r.denseF32Bytes).toBe(r.layers.reduce((a, l) => a + l.denseF32Bytes, 0));
    });

    it(`parts add up to the file size, and their weights are the payload (${name})`, () => {
      const i = info();
      const r = sizeReport(i);
      const total = Object.values(r.parts).reduce((a, b) => a + b, 0);
      expect(total).toBe(i.bytes.length);
      const k = r.byKind;
      expect(r.parts.weights).toBe(k.palettes + k.indices + k.masks + k.dense + k.scales);
      expect(r.fixedBytes).toBe(i.bytes.length - r.parts.weights);
      for (const v of Object.values(r.parts)) expect(v).toBeGreaterThanOrEqual(0);
    });
  }

  it('the published LeNet-5: fixed cost (all but the weights) at most 400 B; its parts as the stream holds them', () => {
    const info = readModel(new Uint8Array(readFileSync(new URL('../../models/lenet5-mnist-400x.wpal', import.meta.url))));
    expect(info.formatMinor).toBe(3);
    const r = sizeReport(info);
    expect(r.fixedBytes).toBeLessThanOrEqual(400);
    // Weight payload: 4 palettes (3 x 16 x 4 B + 4 x 4 B), packed indices, 4 float32 biases (57 values).
    expect(r.parts.weights).toBe(3 * 64 + 16 + (65 + 630 + 1280 + 160) + 4 * 57);
    // Checksums: the file's 8 bytes and 4 per weight (8 weights).
    expect(r.parts.checksums).toBe(8 + 4 * 8);
    // The one stored name, "logits": its tensor index, shared-prefix length, length and 6 bytes, plus the count.
    expect(r.parts.names).toBe(1 + 1 + 1 + 1 + 6);
    // The same model in the tables layout (format 1.2) costs more than 1.3 KB more.
    const tables = sizeReport(readModel(rewriteModel(info, { layout: 'tables' })));
    expect(tables.parts.weights).toBe(r.parts.weights);
    expect(tables.fixedBytes - r.fixedBytes).toBeGreaterThan(1300);
  });

  it('the published LeNet-5 600x file, with its accuracy claim (format 1.4): fixed cost at most 400 B, metadata under 50 B', () => {
    const info = readModel(new Uint8Array(readFileSync(new URL('../../models/lenet5-mnist-600x.wpal', import.meta.url))));
    expect(info.formatMinor).toBe(4);
    // What `wpal verify` reads: the claim, its data set and the preprocessing.
    expect(Object.keys(info.metadata.properties).sort()).toEqual(['accuracy', 'accuracy_dataset', 'accuracy_examples', 'dataset']);
    expect(info.metadata.preprocessing?.scale).toBe(Math.fround(1 / 255));
    const r = sizeReport(info);
    expect(r.fixedBytes).toBeLessThanOrEqual(400);
    // Model.meta: its length, Layout "HWC", Scale, four properties (code, length, value); no padding of its own.
    const p = info.metadata.properties;
    const values = ['dataset', 'accuracy', 'accuracy_examples', 'accuracy_dataset'].reduce((n, k) => n + 2 + p[k]!.length, 0);
    expect(r.parts.metadata).toBe(4 + (2 + 3) + (1 + 4) + values);
    expect(r.parts.metadata).toBeLessThan(50);
  });

  it('parts: each name, shape and metadata string is counted in its part', () => {
    const i = model();
    const r = sizeReport(i);
    // Model.meta: "size" (name) and 100 x "x" (description), each with its code and length byte,
    // and the vector's 4-byte length. The same in the tables layout: two strings (length prefix and
    // terminator each) and the Metadata table.
    expect(r.parts.metadata).toBe(4 + (1 + 1 + 4) + (1 + 1 + 100));
    expect(sizeReport(readModel(rewriteModel(i, { layout: 'tables' }))).parts.metadata).toBeGreaterThanOrEqual(4 + 5 + 4 + 101);
    expect(r.parts.header).toBeGreaterThanOrEqual(8 + 4 + 4); // root offset, identifier, version fields
    expect(r.parts.checksums).toBeGreaterThanOrEqual(8 + 4 * 4); // file checksum + one per weight
  });
});
