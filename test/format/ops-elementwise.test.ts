/**
 * The op schemas of format 1.1 (src/format/ops-elementwise.ts): shape inference for unary ops,
 * NumPy broadcasting of the binary ops and reductions, the rejections with their messages, and
 * attributes through the writer, the FlatBuffers Attribute table and the reader (+-Infinity kept,
 * defaults left out by the writer and accepted when stored).
 */
import { ByteBuffer } from 'flatbuffers';
import { describe, expect, it } from 'vitest';
import { encodeBlockSparse, encodeDense, encodePalettized } from '../../src/encode/palette.js';
import { WpalFormatError } from '../../src/format/errors.js';
import { Model } from '../../src/format/generated/wpal_generated.js';
import { compactGraphOf } from '../../src/format/integrity.js';
import { readModel } from '../../src/format/read.js';
import { FORMAT_MAJOR, FORMAT_MINOR } from '../../src/format/version.js';
import { ModelWriter } from '../../src/format/write.js';
import { f32Bytes, rawModel } from './helpers.js';
import { Rng } from '../util/rng.js';

const rng = new Rng(7);
const dense = (shape: number[]) => encodeDense(rng.floats(shape.reduce((a, b) => a * b, 1)));

/** Attributes stored in the file for op k (the writer leaves defaults out), in either layout. */
function storedAttrs(bytes: Uint8Array, k: number): string[] {
  const compact = compactGraphOf(bytes);
  if (compact) return Object.keys(compact.ops[k].given);
  const op = Model.getRootAsModel(new ByteBuffer(bytes)).ops(k)!;
  return Array.from({ length: op.attributesLength() }, (_, i) => op.attributes(i)!.name()!);
}

describe('format 1.1 ops: shape inference', () => {
  it('the writer writes format 1.1 or later (these ops are 1.1)', () => {
    expect(FORMAT_MAJOR).toBe(1);
    expect(FORMAT_MINOR).toBeGreaterThanOrEqual(1);
    const w = new ModelWriter();
    w.output(w.op('Exp', [w.input('x', [2])]));
    const info = readModel(w.finish());
    expect([info.formatMajor, info.formatMinor]).toEqual([FORMAT_MAJOR, FORMAT_MINOR]);
  });

  it('unary ops keep the shape, rank 0 included', () => {
    const w = new ModelWriter();
    const x = w.input('x', [3, 1, 4]);
    const s = w.input('s', []);
    for (const t of ['LeakyRelu', 'HardSigmoid', 'HardSwish', 'Clip', 'Sqrt', 'Log', 'Exp', 'Neg', 'Abs']) {
      expect(w.op(t, [x]).shape).toEqual([3, 1, 4]);
      expect(w.op(t, [s]).shape).toEqual([]);
    }
    expect(() => w.op('Exp', [w.weight('c', [2], dense([2]))])).toThrow(/input 0 \(x\) must be an activation/);
  });

  it('binary ops broadcast per-example shapes NumPy-style; constants on either side', () => {
    const w = new ModelWriter();
    const x = w.input('x', [4, 5, 6]);
    const s = w.input('s', []);
    const cases: Array<[number[], number[], number[]]> = [
      [[4, 5, 6], [6], [4, 5, 6]],
      [[4, 5, 6], [5, 1], [4, 5, 6]],
      [[4, 1, 6], [1, 5, 1], [4, 5, 6]],
      [[3, 1], [1, 7], [3, 7]],
      [[2], [3, 1, 1], [3, 1, 2]],
      [[], [2, 3], [2, 3]],
      [[], [], []],
    ];
    for (const type of ['Add', 'Sub', 'Mul', 'Div', 'Max', 'Min', 'Pow']) {
      for (const [sa, sb, out] of cases) {
        expect(w.op(type, [w.input(`${type}a${sa}|${sb}`, sa), w.input(`${type}b${sa}|${sb}`, sb)]).shape).toEqual(out);
      }
      expect(w.op(type, [x, w.weight(`${type}.c`, [6], dense([6]))]).shape).toEqual([4, 5, 6]);
      expect(w.op(type, [w.weight(`${type}.d`, [5, 6], dense([30])), x]).shape).toEqual([4, 5, 6]);
      expect(w.op(type, [s, w.weight(`${type}.e`, [1], dense([1]))]).shape).toEqual([1]);
      expect(w.op(type, [x, s]).shape).toEqual([4, 5, 6]);
    }
  });

  it('binary ops reject shapes that do not broadcast, two constants, and constants not stored dense float32', () => {
    const w = new ModelWriter();
    const x = w.input('x', [4, 5, 6]);
    expect(() => w.op('Sub', [x, w.input('y', [5])])).toThrow(/op \d+ \(Sub\): inputs \[4, 5, 6\] and \[5\] do not broadcast/);
    expect(() => w.op('Add', [x, w.input('z', [4, 2, 6])])).toThrow(/do not broadcast/);
    const c = w.weight('c', [6], dense([6]));
    expect(() => w.op('Mul', [c, c])).toThrow(/at least one input must be an activation/);
    const pal = w.weight('pal', [6], encodePalettized(rng.floats(6), 6, 1, { bits: 2 }));
    expect(() => w.op('Div', [x, pal])).toThrow(/constant b must be stored dense float32/);
    const half = w.weight('half', [6], encodeDense(rng.floats(6), 'float16'));
    expect(() => w.op('Pow', [half, x])).toThrow(/constant a must be stored dense float32/);
    const sparse = w.weight('sp', [6, 2], encodeBlockSparse(rng.floats(12), 6, 2, { blockRows: 2, blockCols: 1, sparsity: 0.5 }));
    expect(() => w.op('Max', [w.input('w', [6, 2]), sparse])).toThrow(/must be stored dense float32/);
    const ids = w.input('ids', [6], 'int32');
    expect(() => w.op('Min', [x, ids])).toThrow(/input 1 \(b\) must be float32, got int32/);
    expect(() => w.op('Add', [x])).toThrow(/has 1 inputs, expected 2/);
  });

  it('reductions: axes (negative, any order, [] = all), keepdims, rank 0; bad axes rejected', () => {
    const w = new ModelWriter();
    const x = w.input('x', [4, 5, 6]);
    for (const type of ['ReduceMean', 'ReduceMax']) {
      const r = (attrs: Record<string, number | number[]>) => w.op(type, [x], { attrs }).shape;
      expect(r({})).toEqual([1, 1, 1]);
      expect(r({ keepdims: 0 })).toEqual([]);
      expect(r({ axes: [-1] })).toEqual([4, 5, 1]);
      expect(r({ axes: [2, 0], keepdims: 0 })).toEqual([5]);
      expect(r({ axes: [0, 1], keepdims: 0 })).toEqual([6]);
      expect(w.op(type, [w.op(type, [x], { attrs: { keepdims: 0 } })]).shape).toEqual([]);
      expect(() => r({ axes: [3] })).toThrow(/axis 3 is out of range for a rank-3 input .*batch axis is never reduced/);
      expect(() => r({ axes: [-4] })).toThrow(/out of range/);
      expect(() => r({ axes: [1, -2] })).toThrow(/name axis 1 twice/);
      expect(() => r({ keepdims: 2 })).toThrow(/keepdims = 2 is not allowed/);
    }
  });
});

describe('format 1.1 ops: attributes through the file', () => {
  for (const layout of ['compact', 'tables'] as const) it(`float attributes (${layout}): values survive as float32, +-Infinity included; NaN and non-finite alpha/beta rejected`, () => {
    const w = new ModelWriter({ layout });
    const x = w.input('x', [3]);
    const ops = [
      w.op('Clip', [x], { attrs: { min: Infinity, max: -Infinity } }),
      w.op('Clip', [x], { attrs: { min: -Infinity, max: 3.5 } }),
      w.op('Clip', [x], { attrs: { min: 0 } }),
      w.op('LeakyRelu', [x], { attrs: { alpha: 0.3 } }),
      w.op('HardSigmoid', [x], { attrs: { alpha: 1 / 6, beta: -2 } }),
    ];
    ops.forEach((o) => w.output(o));
    const bytes = w.finish();
    const info = readModel(bytes);
    expect(info.ops.map((o) => o.attrs)).toEqual([
      { min: Infinity, max: -Infinity },
      { min: -Infinity, max: 3.5 },
      { min: 0, max: Infinity },
      { alpha: Math.fround(0.3) },
      { alpha: Math.fround(1 / 6), beta: -2 },
    ]);
    // Defaults are left out: -Infinity for min is not stored, an infinite max of the wrong sign is.
    expect(storedAttrs(bytes, 0).sort()).toEqual(['max', 'min']);
    expect(storedAttrs(bytes, 1)).toEqual(['max']);
    expect(storedAttrs(bytes, 2)).toEqual(['min']);
    for (const [type, attrs, msg] of [
      ['Clip', { min: NaN }, /min must be a number, not NaN/],
      ['Clip', { max: NaN }, /max must be a number, not NaN/],
      ['LeakyRelu', { alpha: Infinity }, /alpha must be finite/],
      ['HardSigmoid', { beta: -Infinity }, /beta must be finite/],
      ['HardSigmoid', { gamma: 1 }, /unknown attribute "gamma"/],
      ['HardSwish', { alpha: 1 }, /unknown attribute "alpha"/],
    ] as const) {
      expect(() => w.op(type, [x], { attrs })).toThrow(msg);
    }
  });

  it('defaults: left out by the writer, filled by the reader, and the same when a file stores them', () => {
    const w = new ModelWriter();
    const x = w.input('x', [2, 3]);
    w.output(w.op('Clip', [x], { attrs: { min: -Infinity, max: Infinity } }));
    w.output(w.op('LeakyRelu', [x], { attrs: { alpha: 0.01 } }));
    w.output(w.op('ReduceMean', [x], { attrs: { axes: [], keepdims: 1 } }));
    const bytes = w.finish();
    expect([0, 1, 2].map((k) => storedAttrs(bytes, k))).toEqual([[], [], []]);
    const info = readModel(bytes);
    expect(info.ops.map((o) => o.attrs)).toEqual([{ min: -Infinity, max: Infinity }, { alpha: 0.01 }, { axes: [], keepdims: 1 }]);
    // A file written by another writer may store the defaults; it means the same.
    const raw = rawModel({
      minor: 1,
      tensors: [{ name: 'x', shape: [2, 3] }, { name: 'y', shape: [2, 3] }, { name: 'z', shape: [2, 1] }],
      ops: [
        { type: 'Clip', inputs: [0], outputs: [1], attrs: [{ name: 'min', f: -Infinity }, { name: 'max', f: Infinity }] },
        { type: 'ReduceMax', inputs: [1], outputs: [2], attrs: [{ name: 'axes', ints: [-1] }, { name: 'keepdims', i: 1 }] },
      ],
      inputs: [0],
      outputs: [2],
    });
    expect(readModel(raw).ops.map((o) => o.attrs)).toEqual([{ min: -Infinity, max: Infinity }, { axes: [-1], keepdims: 1 }]);
  });

  it('a file with a broadcast shape declared wrong is rejected with the inferred shape', () => {
    const raw = rawModel({
      minor: 1,
      tensors: [
        { name: 'x', shape: [2, 3] },
        { name: 'c', shape: [3], weight: { dense: { data: f32Bytes([1, 2, 3]) } } },
        { name: 'y', shape: [3, 3] },
      ],
      ops: [{ type: 'Add', inputs: [0, 1], outputs: [2] }],
      inputs: [0],
      outputs: [2],
    });
    expect(() => readModel(raw)).toThrow(WpalFormatError);
    expect(() => readModel(raw)).toThrow(/declared \[3, 3\], inferred \[2, 3\]/);
  });
});
