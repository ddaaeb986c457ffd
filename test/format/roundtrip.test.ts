import { describe, expect, it } from 'vitest';
import { decodeTensor, encodeBlockSparse, encodeDense, encodePalettized, type EncodedWeight } from '../../src/encode/palette.js';
import { WpalFormatError, WpalUnsupportedOpError } from '../../src/format/errors.js';
import { inferShapes } from '../../src/format/ops.js';
import { readModel } from '../../src/format/read.js';
import { ModelWriter } from '../../src/format/write.js';
import { FORMAT_MAJOR, FORMAT_MINOR } from '../../src/format/version.js';
import { Rng } from '../util/rng.js';
import { blobRanges, smallModel } from './helpers.js';

/** Writes one FC layer per encoding, reads it back, and compares every weight with the encoder's decode(). */
function roundTrip(encodings: Record<string, (rows: number, cols: number, v: Float32Array) => EncodedWeight>, rows = 19, cols = 37) {
  const rng = new Rng(rows * cols);
  const w = new ModelWriter({ name: 'rt' });
  const x = w.input('x', [cols]);
  const encoded: [string, EncodedWeight][] = [];
  for (const [name, enc] of Object.entries(encodings)) {
    const e = enc(rows, cols, rng.floats(rows * cols));
    encoded.push([name, e]);
    const W = w.weight(name, [rows, cols], e);
    w.output(w.op('FullyConnected', [x, W], { output: `${name}.out` }));
  }
  const info = readModel(w.finish());
  for (const [name, e] of encoded) {
    const t = info.tensors.find((t) => t.name === name)!;
    expect(decodeTensor(info, t.index)).toEqual(e.decode());
  }
  for (const b of blobRanges(info)) expect(b.offset % 16, b.what).toBe(0);
  return info;
}

describe('write -> read round trip', () => {
  it('dense float32 and float16', () => {
    roundTrip({ f32: (r, c, v) => encodeDense(v), f16: (r, c, v) => encodeDense(v, 'float16') });
  });
  it('palettized: every bit width, per-tensor and grouped palettes, all entry types, channel scales', () => {
    const encs: Record<string, (r: number, c: number, v: Float32Array) => EncodedWeight> = {};
    for (let bits = 1; bits <= 8; bits++) {
      for (const entryType of ['float32', 'float16', 'int8'] as const) {
        encs[`p${bits}.${entryType}`] = (r, c, v) => encodePalettized(v, r, c, { bits, entryType });
        encs[`p${bits}.${entryType}.g4.cs`] = (r, c, v) => encodePalettized(v, r, c, { bits, entryType, groupRows: 4, channelScales: true });
      }
    }
    const info = roundTrip(encs);
    const t = info.tensors.find((t) => t.name === 'p3.int8.g4.cs')!;
    expect(t.weight!.palettized).toMatchObject({ bits: 3, groupRows: 4, numPalettes: 5, entryType: 'int8' });
    expect(t.weight!.palettized!.entryScales!.length).toBe(5 * 4);
    expect(t.weight!.palettized!.channelScales!.length).toBe(19 * 4);
  });
  it('block-sparse: dense and palettized kept values, several block shapes', () => {
    const encs: Record<string, (r: number, c: number, v: Float32Array) => EncodedWeight> = {};
    for (const [R, C] of [[1, 4], [4, 1], [4, 4], [8, 1], [16, 1], [19, 37], [3, 5]]) {
      encs[`s${R}x${C}.f32`] = (r, c, v) => encodeBlockSparse(v, r, c, { blockRows: R, blockCols: C, sparsity: 0.5 });
      encs[`s${R}x${C}.f16`] = (r, c, v) => encodeBlockSparse(v, r, c, { blockRows: R, blockCols: C, sparsity: 0.3 }, { dtype: 'float16' });
      encs[`s${R}x${C}.p5`] = (r, c, v) => encodeBlockSparse(v, r, c, { blockRows: R, blockCols: C, sparsity: 0.7 }, { bits: 5, groupRows: 3, entryType: 'int8' });
    }
    const info = roundTrip(encs);
    const t = info.tensors.find((t) => t.name === 's4x1.p5')!;
    expect(t.weight!.sparse).toMatchObject({ blockRows: 4, blockCols: 1 });
    expect(t.weight!.sparse!.keptBlocks).toBe(5 * 37 - Math.floor(0.7 * 5 * 37));
  });
  it('every blob is 16-byte aligned in a large model too, and reads from an unaligned buffer', () => {
    const rng = new Rng(3);
    const w = new ModelWriter();
    const x = w.input('x', [1000]);
    // Odd blob lengths so a missing alignment would show.
    const W1 = w.weight('w1', [333, 1000], encodePalettized(rng.floats(333 * 1000), 333, 1000, { bits: 3, groupRows: 7, entryType: 'float16', channelScales: true }));
    const b1 = w.weight('b1', [333], encodeDense(rng.floats(333)));
    const W2 = w.weight('w2', [7, 333], encodeBlockSparse(rng.floats(7 * 333), 7, 333, { blockRows: 1, blockCols: 3, sparsity: 0.4 }, { bits: 1 }));
    w.output(w.op('FullyConnected', [w.op('Gelu', [w.op('FullyConnected', [x, W1, b1])]), W2]));
    const bytes = w.finish();
    expect(bytes.length % 16).toBe(0);
    const info = readModel(bytes);
    const blobs = blobRanges(info);
    expect(blobs.length).toBe(6);
    for (const b of blobs) expect(b.offset % 16, b.what).toBe(0);
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    const again = readModel(shifted.subarray(3));
    expect(again.tensors.map((t) => t.weight)).toEqual(info.tensors.map((t) => t.weight));
    expect(decodeTensor(again, 1)).toEqual(decodeTensor(info, 1));
  });
  it('metadata round trip', () => {
    const meta = {
      name: 'mnist-mlp',
      description: 'a model — with ünïcödé ✓',
      task: 'image-classification',
      preprocessing: { layout: 'HW', scale: 1 / 255, mean: [0.1307], std: [0.3081] },
      outputLabels: Array.from({ length: 10 }, (_, i) => `digit ${i}`),
      properties: { accuracy: '0.981', 'trainer.epochs': '12', ['__proto__']: 'not a prototype', empty: '' },
    };
    const w = new ModelWriter(meta);
    w.setProperty('measured.size', '123');
    w.setProperty('__proto__', 'not a prototype');
    w.output(w.op('Relu', [w.input('x', [28, 28])]));
    const info = readModel(w.finish());
    expect(info.formatMajor).toBe(FORMAT_MAJOR);
    expect(info.formatMinor).toBe(FORMAT_MINOR);
    expect(info.metadata.name).toBe(meta.name);
    expect(info.metadata.description).toBe(meta.description);
    expect(info.metadata.task).toBe(meta.task);
    expect(info.metadata.preprocessing).toEqual({ layout: 'HW', scale: Math.fround(1 / 255), mean: [Math.fround(0.1307)], std: [Math.fround(0.3081)] });
    expect(info.metadata.outputLabels).toEqual(meta.outputLabels);
    expect(Object.keys(info.metadata.properties).sort()).toEqual(['__proto__', 'accuracy', 'empty', 'measured.size', 'trainer.epochs']);
    expect(info.metadata.properties['__proto__']).toBe('not a prototype');
    expect(info.metadata.properties['measured.size']).toBe('123');
    expect(Object.getPrototypeOf(info.metadata.properties)).toBe(Object.prototype);
  });
  it('empty metadata', () => {
    const w = new ModelWriter();
    w.output(w.op('Tanh', [w.input('x', [3])]));
    const info = readModel(w.finish());
    expect(info.metadata).toEqual({ outputLabels: [], properties: {} });
  });
  it('ops, attributes, graph inputs/outputs and inferred shapes', () => {
    const info = readModel(smallModel(4));
    expect(info.ops.map((o) => o.type)).toEqual(['FullyConnected', 'Relu', 'FullyConnected', 'Reshape', 'Sigmoid']);
    expect(info.ops[0].attrs).toEqual({ int8: 0 });
    expect(info.ops[3].attrs).toEqual({ shape: [5, -1] });
    expect(info.ops[0].inputs).toEqual([0, 1, 2]);
    expect(info.ops[2].inputs).toEqual([4, 5]);
    expect(info.inputs).toEqual([0]);
    expect(info.tensors[info.outputs[0]]).toMatchObject({ name: 'y', shape: [5, 1], dtype: 'float32' });
    const shapes = inferShapes(info);
    expect(shapes[info.outputs[0]]).toEqual([5, 1]);
  });
  it('every op type of 1.0', () => {
    const rng = new Rng(9);
    const w = new ModelWriter();
    const x = w.input('x', [2, 6]);
    const W = w.weight('w', [4, 6], encodePalettized(rng.floats(24), 4, 6, { bits: 2, entryType: 'int8' }));
    let h = w.op('FullyConnected', [x, W, null], { attrs: { int8: 1 } });
    expect(h.shape).toEqual([2, 4]);
    for (const t of ['Relu', 'Relu6', 'Sigmoid', 'Tanh', 'Gelu', 'Silu']) h = w.op(t, [h]);
    h = w.op('Add', [h, w.op('Mul', [h, h])]);
    h = w.op('Softmax', [h], { attrs: { axis: -1 } });
    h = w.op('Reshape', [h], { attrs: { shape: [-1] } });
    expect(h.shape).toEqual([8]);
    w.output(h);
    const info = readModel(w.finish());
    expect(info.ops.map((o) => o.type)).toEqual(['FullyConnected', 'Relu', 'Relu6', 'Sigmoid', 'Tanh', 'Gelu', 'Silu', 'Mul', 'Add', 'Softmax', 'Reshape']);
    expect(info.ops[0].inputs).toEqual([0, 1, -1]);
    expect(info.ops[0].attrs).toEqual({ int8: 1 });
  });
});

describe('ModelWriter rejects invalid models early', () => {
  const rng = new Rng(1);
  const setup = () => {
    const w = new ModelWriter();
    return { w, x: w.input('x', [6]) };
  };
  it('duplicate names, bad shapes, encoding size mismatch', () => {
    const { w } = setup();
    expect(() => w.input('x', [3])).toThrow(/already used/);
    expect(() => w.input('z', [0])).toThrow(WpalFormatError);
    expect(() => w.weight('w', [4, 5], encodePalettized(rng.floats(24), 4, 6, { bits: 2 }))).toThrow(/encod/);
    expect(() => w.weight('w', [4, 6], encodeDense(rng.floats(23)))).toThrow(/23 values/);
  });
  it('op checks: unknown type, K mismatch, int8 without int8 entries, bias encoding, attributes', () => {
    const { w, x } = setup();
    const W = w.weight('w', [4, 6], encodePalettized(rng.floats(24), 4, 6, { bits: 2 }));
    const W5 = w.weight('w5', [4, 5], encodeDense(rng.floats(20)));
    const bp = w.weight('bp', [4], encodePalettized(rng.floats(4), 4, 1, { bits: 1 }));
    expect(() => w.op('Conv3D', [x])).toThrow(WpalUnsupportedOpError);
    expect(() => w.op('Conv3D', [x])).toThrow(/Conv3D/);
    expect(() => w.op('FullyConnected', [x, W5])).toThrow(/does not end in K = 5/);
    expect(() => w.op('FullyConnected', [x, W], { attrs: { int8: 1 } })).toThrow(/int8 palette entries/);
    expect(() => w.op('FullyConnected', [x, W, bp])).toThrow(/bias must be stored dense float32/);
    expect(() => w.op('FullyConnected', [x, x])).toThrow(/must be a constant weight/);
    expect(() => w.op('Relu', [W])).toThrow(/must be an activation/);
    expect(() => w.op('Relu', [x], { attrs: { alpha: 1 } })).toThrow(/unknown attribute "alpha"/);
    expect(() => w.op('Softmax', [x], { attrs: { axis: 0 } })).toThrow(/not allowed/);
    expect(() => w.op('Reshape', [x])).toThrow(/missing required attribute "shape"/);
    expect(() => w.op('Reshape', [x], { attrs: { shape: [4, -1] } })).toThrow(/cannot reshape/);
    expect(() => w.op('Reshape', [x], { attrs: { shape: [-1, -1] } })).toThrow(/more than one -1/);
    expect(() => w.op('Add', [x, w.op('Reshape', [x], { attrs: { shape: [2, 3] } })])).toThrow(/\[6\] and \[2, 3\] do not broadcast/);
    expect(() => w.op('Relu', [])).toThrow(/expected 1/);
  });
  it('handles from another writer are rejected', () => {
    const a = setup();
    const b = setup();
    expect(() => a.w.op('Relu', [b.w.op('Relu', [b.x])])).toThrow(/not a tensor of this writer/);
  });
});
