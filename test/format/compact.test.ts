/**
 * Format 1.3 compact files (schemas/wpal.fbs, "Compact files"): the stream's integers against the
 * LEB128 / zigzag definitions, the same model written in both layouts reading back as the same
 * ModelInfo and computing the same outputs, names the reader derives, and hand-made streams that break each rule, each with its typed error.
 */
import { describe, expect, it } from 'vitest';
import { encodeBlockSparse, encodeDense, encodePalettized } from '../../src/encode/palette.js';
import { WpalError, WpalFormatError, WpalUnsupportedOpError } from '../../src/format/errors.js';
import { compactGraphOf } from '../../src/format/integrity.js';
import { readModel } from '../../src/format/read.js';
import { rewriteModel } from '../../src/format/rewrite.js';
import { StreamReader, StreamWriter } from '../../src/format/stream.js';
import { ModelWriter } from '../../src/format/write.js';
import { FORMAT_MAJOR, FORMAT_MINOR } from '../../src/format/version.js';
import { buildLeNet300100, buildLeNet5 } from '../../src/models/lenet.js';
import { buildTextClassifier } from '../../src/models/text.js';
import { loadModel } from '../../src/runtime/load.js';
import { Rng } from '../util/rng.js';
import { comparable, compactVectors, randomEdits, rawCompact, readError, readOrWpalError, resealFile, rootFieldOffset, smallModel } from './helpers.js';

/** A graph with an attribute of every kind, values at the edges of their ranges. */
function attributeModel(layout?: 'compact' | 'tables'): Uint8Array {
  const rng = new Rng(4);
  const w = new ModelWriter({ name: 'attrs', ...(layout ? { layout } : {}) });
  const x = w.input('x', [6, 5, 4]);
  const conv = w.op('Conv2D', [x, w.weight('c.w', [4, 3, 3, 2], encodeDense(rng.floats(72))), null], { attrs: { strides: [2, 1], pads: [1, 0, 1, 2], groups: 2 } });
  const up = w.op('Resize', [conv], { attrs: { sizes: [6, 12], mode: 'linear', coordinate_transformation_mode: 'align_corners' } });
  const sl = w.op('Slice', [up], { attrs: { starts: [-2147483648, 1], ends: [2147483647, -1], axes: [0, -2], steps: [1, 2] } });
  const clip = w.op('Clip', [sl], { attrs: { min: layout === 'tables' ? -1.5 : -0, max: Infinity } });
  const hs = w.op('HardSigmoid', [clip], { attrs: { alpha: 1 / 3, beta: -2.5 } });
  const red = w.op('ReduceMean', [hs], { attrs: { axes: [-1, 0], keepdims: 0 } });
  w.output(w.op('Softmax', [red], { output: 'probs' }));
  return w.finish();
}

const lenet5 = () => buildLeNet5({ widths: [5, 10, 32], compression: { palette: { bits: 4 } } }).bytes;

const MODELS: Record<string, () => Uint8Array> = {
  small: () => smallModel(5),
  attributes: () => attributeModel(),
  'lenet-5 4-bit': () => lenet5(),
  'lenet-300-100 block-sparse': () => buildLeNet300100({ hidden: [30, 10], compression: (l) => (l.name === 'fc3.weight' ? undefined : { palette: { bits: 2 }, sparse: { block: [1, 4], sparsity: 0.5 } }) }).bytes,
  'text classifier': () => buildTextClassifier({ seq: 6, buckets: 50, dim: 8, heads: 2, ffn: 12, layers: 1, compression: { palette: { bits: 3, groupRows: 4, entryType: 'float16' } } }).bytes,
};

describe('stream integers', () => {
  it('uvar is LEB128 and svar is zigzag, byte for byte', () => {
    const cases: [number, number[]][] = [[0, [0]], [1, [1]], [127, [0x7f]], [128, [0x80, 0x01]], [300, [0xac, 0x02]], [2 ** 32 - 1, [0xff, 0xff, 0xff, 0xff, 0x0f]]];
    for (const [v, want] of cases) {
      const s = new StreamWriter();
      s.uvar(v);
      expect([...s.bytes()], String(v)).toEqual(want);
      expect(new StreamReader(Uint8Array.from(want), 0, want.length, 't').uvar('v')).toBe(v);
    }
    // zigzag: 0 -> 0, -1 -> 1, 1 -> 2, -2 -> 3, ..., -2^31 -> 2^32 - 1, 2^31 - 1 -> 2^32 - 2
    const signed: [number, number][] = [[0, 0], [-1, 1], [1, 2], [-2, 3], [-(2 ** 31), 2 ** 32 - 1], [2 ** 31 - 1, 2 ** 32 - 2]];
    for (const [v, z] of signed) {
      const s = new StreamWriter();
      s.svar(v);
      const u = new StreamWriter();
      u.uvar(z);
      expect([...s.bytes()], String(v)).toEqual([...u.bytes()]);
      expect(new StreamReader(s.bytes(), 0, s.length, 't').svar('v')).toBe(v);
    }
  });

  it('a varint past 32 bits, a cut varint and a cut string are WpalFormatErrors', () => {
    const read = (b: number[], f: (r: StreamReader) => unknown) => () => f(new StreamReader(Uint8Array.from(b), 0, b.length, 'Model.graph'));
    expect(read([0xff, 0xff, 0xff, 0xff, 0x1f], (r) => r.uvar('x'))).toThrow(/does not fit 32 bits/);
    expect(read([0x80], (r) => r.uvar('x'))).toThrow(WpalFormatError);
    expect(read([3, 0x61], (r) => r.str('name'))).toThrow(/name runs past the end of the stream/);
    expect(read([1, 0xff], (r) => r.str('name'))).toThrow(/not valid UTF-8/);
    expect(() => new StreamWriter().uvar(-1)).toThrow(WpalFormatError);
    expect(() => new StreamWriter().svar(2 ** 31)).toThrow(WpalFormatError);
  });
});

describe('both layouts hold the same model', () => {
  for (const [name, make] of Object.entries(MODELS)) {
    it(`${name}: compact (${FORMAT_MAJOR}.${FORMAT_MINOR}) and tables (1.2) read back the same, and the compact file is smaller`, async () => {
      const info = readModel(make());
      const compact = rewriteModel(info);
      const tables = rewriteModel(info, { layout: 'tables' });
      const c = readModel(compact);
      const t = readModel(tables);
      expect([c.formatMinor, t.formatMinor]).toEqual([FORMAT_MINOR, 2]);
      expect(comparable(c)).toEqual(comparable(info));
      expect(comparable(t)).toEqual(comparable(info));
      expect(compact.length).toBeLessThan(tables.length);
      for (const i of [c, t]) for (const x of i.tensors) if (x.weight) for (const r of [x.weight.dense?.data, x.weight.palettized?.entries, x.weight.palettized?.indices, x.weight.sparse?.mask]) if (r) expect(r.offset % 16).toBe(0);
      // Same outputs, bit for bit (or the same runtime gap: no kernel for one of its layers).
      const loaded = await Promise.allSettled([loadModel(compact), loadModel(tables)]);
      if (loaded[0].status === 'rejected' || loaded[1].status === 'rejected') {
        const [a, b] = loaded.map((l) => (l.status === 'rejected' ? String(l.reason) : 'loaded'));
        expect(a).toMatch(/WpalEngineError: .*has no \w+ kernel/);
        expect(b).toBe(a);
        return;
      }
      const [mc, mt] = [loaded[0].value, loaded[1].value];
      const rng = new Rng(9);
      const batch = 3;
      const inputs = Object.fromEntries(mc.inputs.map((s) => {
        const n = batch * s.shape.reduce((a, b) => a * b, 1);
        return [s.name, s.dtype === 'int32' ? Int32Array.from({ length: n }, () => rng.int(0, 40)) : rng.floats(n)];
      }));
      const yc = mc.run(inputs);
      const yt = mt.run(inputs);
      for (const o of mc.outputs) expect(Buffer.from(yc[o.name].data.buffer).equals(Buffer.from(yt[o.name].data.buffer)), o.name).toBe(true);
      mc.dispose();
      mt.dispose();
    });
  }

  it('attributes of every kind keep their values (int32 edges, -0, +inf, strings, negative lists)', () => {
    const ops = readModel(attributeModel()).ops;
    expect(ops.find((o) => o.type === 'Slice')!.attrs).toEqual({ starts: [-2147483648, 1], ends: [2147483647, -1], axes: [0, -2], steps: [1, 2] });
    const clip = ops.find((o) => o.type === 'Clip')!.attrs;
    expect(Object.is(clip.min, -0)).toBe(true);
    expect(clip.max).toBe(Infinity);
    expect(ops.find((o) => o.type === 'Resize')!.attrs).toMatchObject({ mode: 'linear', coordinate_transformation_mode: 'align_corners', nearest_mode: 'round_prefer_floor', sizes: [6, 12] });
    expect(ops.find((o) => o.type === 'HardSigmoid')!.attrs).toEqual({ alpha: Math.fround(1 / 3), beta: -2.5 });
    // The tables layout stores Attribute.f with FlatBuffers' default 0 left out, which loses -0
    // (read back as +0): the writer forces it. The compact stream stores every float as it is.
    const w = new ModelWriter({ layout: 'tables' });
    w.output(w.op('Clip', [w.input('x', [2])], { attrs: { min: -0 } }));
    expect(Object.is(readModel(w.finish()).ops[0].attrs.min, -0)).toBe(true);
  });
});

describe('names', () => {
  it('LeNet-5 stores one name ("logits"); the reader derives the others, as the builder named them', () => {
    const bytes = lenet5();
    const g = compactGraphOf(bytes)!;
    expect([...g.names.values()]).toEqual(['logits']);
    const names = readModel(bytes).tensors.filter((t) => t.weight || t.name === 'input' || t.name === 'logits').map((t) => t.name);
    expect(names).toEqual(['input', 'conv1.weight', 'conv1.bias', 'conv2.weight', 'conv2.bias', 'fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias', 'logits']);
  });

  it('names that differ from the derived ones are stored; activation names on request', () => {
    const rng = new Rng(2);
    for (const activationNames of [false, true]) {
      const w = new ModelWriter({ activationNames });
      const x = w.input('input', [3]);
      const a = w.op('FullyConnected', [x, w.weight('fc1.weight', [4, 3], encodeDense(rng.floats(12))), w.weight('my bias', [4], encodeDense(rng.floats(4)))], { output: 'hidden' });
      const b = w.op('FullyConnected', [a, w.weight('fc1.bias', [2, 4], encodeDense(rng.floats(8)))]);
      w.output(w.op('Relu', [b], { output: 'output' }));
      const bytes = w.finish();
      // fc2's weight is called "fc1.bias": stored, and so is the first bias, whose derived name it takes.
      expect([...compactGraphOf(bytes)!.names.values()]).toEqual(activationNames ? ['my bias', 'hidden', 'fc1.bias', 'FullyConnected_1'] : ['my bias', 'fc1.bias']);
      expect(readModel(bytes).tensors.map((t) => t.name)).toEqual(
        ['input', 'fc1.weight', 'my bias', activationNames ? 'hidden' : '#3', 'fc1.bias', activationNames ? 'FullyConnected_1' : '#5', 'output'],
      );
    }
  });

  it('stored names are front-coded, byte-wise (a shared prefix may end inside a UTF-8 character)', () => {
    const names = ['layer.0.attention.q.weight', 'layer.0.attention.q.bias', 'layer.0.attention.k.weight', '\u00e9t\u00e9', '\u00e8re', '\u{1F600}x', '\u{1F600}y'];
    const rng = new Rng(8);
    const w = new ModelWriter();
    let h = w.input('input', [2]);
    for (let i = 0; i < names.length; i++) h = w.op('FullyConnected', [h, w.weight(names[i], [2, 2], encodeDense(rng.floats(4)))]);
    w.output(h);
    const bytes = w.finish();
    expect(readModel(bytes).tensors.filter((t) => t.weight).map((t) => t.name)).toEqual(names);
    const { graph } = compactVectors(bytes);
    // "layer.0.attention.q." is stored once; "bias" and "k.weight" follow it as suffixes.
    expect(Buffer.from(graph).indexOf(Buffer.from('layer.0.attention.'))).toBe(Buffer.from(graph).lastIndexOf(Buffer.from('layer.0.attention.')));
    expect(Buffer.from(graph).indexOf(Buffer.from('\u00e8re'))).toBe(-1); // shares its first byte with "\u00e9t\u00e9"
  });

  it('a derived name that meets a stored one is an error, as two stored names are', () => {
    const s = new StreamWriter();
    s.uvar(1); s.uvar(3); // outputs: tensor 3
    s.uvar(1); s.uvar(0); s.uvar(0); s.str('fc1.weight'); // tensor 0 (the input) stored as "fc1.weight"
    s.uvar(0); s.u8(0); s.uvar(1); s.uvar(2); // Input [2]
    s.uvar(1); s.uvar(2); s.uvar(3); s.uvar(2); s.u8(0); s.u32(0); // Weight [3, 2] dense f32
    s.uvar(2 + 1); s.uvar((2 << 4) | 8); // FullyConnected, the last 2 tensors, no attributes
    const bytes = rawCompact({ graph: s.bytes(), data: new Uint8Array(24) });
    expect(() => readModel(bytes)).toThrow(/tensor 1: name "fc1.weight" is already used by tensor 0/);
  });
});

// Readers of 1.0..1.3 and the stub op: compact-meta.test.ts ("older readers and newer files").

/** Records of a one-layer model x[4] -> FullyConnected(W [3, 4]) -> y, with hooks to break it. */
function fcStream(o: { names?: (s: StreamWriter) => void; enc?: number; weightTail?: (s: StreamWriter) => void; op?: (s: StreamWriter) => void; outputs?: number[] } = {}): Uint8Array {
  const s = new StreamWriter();
  const outs = o.outputs ?? [2];
  s.uvar(outs.length);
  for (const t of outs) s.uvar(t);
  if (o.names) o.names(s);
  else s.uvar(0);
  s.uvar(0); s.u8(0); s.uvar(1); s.uvar(4); // Input x [4]
  s.uvar(1); s.uvar(2); s.uvar(3); s.uvar(4); // Weight [3, 4]
  s.u8(o.enc ?? 0);
  if (o.weightTail) o.weightTail(s);
  s.u32(0);
  if (o.op) o.op(s);
  else {
    s.uvar(2 + 1); // FullyConnected
    s.uvar((2 << 4) | 8); // x and the weight, in order; no attributes
  }
  return s.bytes();
}
const fcData = () => new Uint8Array(48);

describe('hostile compact files: typed errors', () => {
  it('the plain one-layer stream reads (the cases below each break one rule of it)', () => {
    const info = readModel(rawCompact({ graph: fcStream(), data: fcData() }));
    expect(info.tensors.map((t) => [t.name, t.shape])).toEqual([['input', [4]], ['fc1.weight', [3, 4]], ['output', [3]]]);
  });

  const cases: [string, () => Uint8Array, RegExp, (new (...a: never[]) => WpalError)?][] = [
    ['unknown op code', () => rawCompact({ graph: fcStream({ op: (s) => { s.uvar(2 + 250); s.uvar(0); } }), data: fcData() }), /unsupported op type "OpCode 250"/, WpalUnsupportedOpError],
    ['custom op of an unknown type', () => rawCompact({ graph: fcStream({ op: (s) => { s.uvar(2); s.str('MyOp'); s.uvar(0); } }), data: fcData() }), /unsupported op type "MyOp"/, WpalUnsupportedOpError],
    ['custom op of a known type reads', () => rawCompact({ graph: fcStream({ op: (s) => { s.uvar(2); s.str('FullyConnected'); s.uvar((2 << 4) | 8); } }), data: fcData() }), /^$/],
    ['unknown attribute code', () => rawCompact({ graph: fcStream({ op: (s) => { s.uvar(3); s.uvar((2 << 4) | 8 | 1); s.uvar(200 * 8); s.svar(0); } }), data: fcData() }), /unknown attribute code 200/],
    ['attribute of the wrong kind', () => rawCompact({ graph: fcStream({ op: (s) => { s.uvar(3); s.uvar((2 << 4) | 8 | 1); s.uvar(1 * 8 + 1); s.f32(1); } }), data: fcData() }), /attribute int8 is stored as float, the op takes int/],
    ['attribute of another op', () => rawCompact({ graph: fcStream({ op: (s) => { s.uvar(3); s.uvar((2 << 4) | 8 | 1); s.uvar(4 * 8 + 3); s.uvar(2); s.svar(1); s.svar(1); } }), data: fcData() }), /unknown attribute "strides"/],
    ['attribute twice', () => rawCompact({ graph: fcStream({ op: (s) => { s.uvar(3); s.uvar((2 << 4) | 8 | 2); s.uvar(8); s.svar(0); s.uvar(8); s.svar(0); } }), data: fcData() }), /attribute "int8" appears twice/],
    ['attribute value not allowed', () => rawCompact({ graph: fcStream({ op: (s) => { s.uvar(3); s.uvar((2 << 4) | 8 | 1); s.uvar(8); s.svar(7); } }), data: fcData() }), /int8 = 7 is not allowed/],
    ['unknown value kind', () => rawCompact({ graph: fcStream({ op: (s) => { s.uvar(3); s.uvar((2 << 4) | 8 | 1); s.uvar(8 + 6); } }), data: fcData() }), /unknown value kind 6/],
    ['reserved encoding bits', () => rawCompact({ graph: fcStream({ enc: 0x40 }), data: fcData() }), /reserved bits set.*upgrade/],
    ['dense int8 values', () => rawCompact({ graph: fcStream({ enc: 2 << 1 }), data: fcData() }), /dense values cannot be int8/],
    ['channel scales on a dense weight', () => rawCompact({ graph: fcStream({ enc: 16 }), data: fcData() }), /need a palettized weight/],
    ['bits 0', () => rawCompact({ graph: fcStream({ enc: 1, weightTail: (s) => s.u8(0) }), data: fcData() }), /bits 0 must be 1\.\.8/],
    ['group of every row stored as groups', () => rawCompact({ graph: fcStream({ enc: 1 | 32, weightTail: (s) => { s.u8(2); s.uvar(3); } }), data: fcData() }), /group_rows 3 must be 1\.\.2/],
    ['block larger than the tensor', () => rawCompact({ graph: fcStream({ enc: 8, weightTail: (s) => { s.uvar(4); s.uvar(1); s.uvar(1); } }), data: fcData() }), /block_rows 4 must be 1\.\.3/],
    ['kept blocks not what the mask says', () => rawCompact({ graph: fcStream({ enc: 8, weightTail: (s) => { s.uvar(3); s.uvar(4); s.uvar(1); } }), data: new Uint8Array(16) }), /the mask keeps 0 blocks, the record says 1/],
    ['data too short', () => rawCompact({ graph: fcStream(), data: new Uint8Array(40) }), /dense data: its 48 bytes .* run past the end of Model\.data \(40 bytes\)/],
    ['data too long', () => rawCompact({ graph: fcStream(), data: new Uint8Array(64) }), /Model\.data is 64 bytes, its blobs end at 48/],
    ['no data at all', () => rawCompact({ graph: fcStream() }), /run past the end of Model\.data \(0 bytes\)/],
    ['padding that is not zero', () => {
      const s = new StreamWriter();
      s.uvar(1); s.uvar(3); s.uvar(0);
      s.uvar(0); s.u8(0); s.uvar(1); s.uvar(4);
      s.uvar(1); s.uvar(1); s.uvar(3); s.u8(0); s.u32(0); // bias-like dense [3]: 12 bytes
      s.uvar(1); s.uvar(2); s.uvar(3); s.uvar(4); s.u8(0); s.u32(0); // [3, 4] at offset 16
      s.uvar(3); s.uvar(3 << 4); s.uvar(3); s.uvar(1); s.uvar(2); // FC(x, W, bias)
      const data = new Uint8Array(64);
      data[13] = 1;
      return rawCompact({ graph: s.bytes(), data });
    }, /padding byte at Model\.data offset 13 is not zero/],
    ['misaligned data', () => rawCompact({ graph: fcStream(), data: fcData(), dataAlign: 4, dataShift: 4 }), /Model\.data at file offset \d+ is not 16-byte aligned/],
    ['names out of order', () => rawCompact({ graph: fcStream({ names: (s) => { s.uvar(2); s.uvar(2); s.uvar(0); s.str('y'); s.uvar(0); s.uvar(0); s.str('x'); } }), data: fcData() }), /does not follow tensor 2/],
    ['name of a tensor that does not exist', () => rawCompact({ graph: fcStream({ names: (s) => { s.uvar(1); s.uvar(9); s.uvar(0); s.str('z'); } }), data: fcData() }), /a name is stored for tensor 9, the graph has 3 tensors/],
    ['empty name', () => rawCompact({ graph: fcStream({ names: (s) => { s.uvar(1); s.uvar(0); s.uvar(0); s.str(''); } }), data: fcData() }), /tensor 0: empty name/],
    ['a name sharing more bytes than the previous one has', () => rawCompact({ graph: fcStream({ names: (s) => { s.uvar(2); s.uvar(0); s.uvar(0); s.str('ab'); s.uvar(2); s.uvar(3); s.str('c'); } }), data: fcData() }), /shares 3 bytes with the previous name, which has 2/],
    ['a front-coded name that is not UTF-8', () => rawCompact({ graph: fcStream({ names: (s) => { s.uvar(2); s.uvar(0); s.uvar(0); s.str('\u00e9'); s.uvar(2); s.uvar(1); s.str('z'); } }), data: fcData() }), /name of tensor 2 is not valid UTF-8/],
    ['name starting with #', () => rawCompact({ graph: fcStream({ names: (s) => { s.uvar(1); s.uvar(0); s.uvar(0); s.str('#0'); } }), data: fcData() }), /starts with "#"/],
    ['input counted too far back', () => rawCompact({ graph: fcStream({ op: (s) => { s.uvar(3); s.uvar(2 << 4); s.uvar(5); s.uvar(1); } }), data: fcData() }), /refers 5 tensors back, only 2 exist/],
    ['more sequential inputs than tensors', () => rawCompact({ graph: fcStream({ op: (s) => { s.uvar(3); s.uvar((3 << 4) | 8); } }), data: fcData() }), /takes the last 3 tensors, only 2 exist/],
    ['a required input left out', () => rawCompact({ graph: fcStream({ op: (s) => { s.uvar(3); s.uvar(2 << 4); s.uvar(2); s.uvar(0); } }), data: fcData() }), /input 1 \(weight\) is required/],
    ['graph output out of range', () => rawCompact({ graph: fcStream({ outputs: [7] }), data: fcData() }), /graph output 0: tensor index 7 is out of range/],
    ['no graph outputs', () => rawCompact({ graph: fcStream({ outputs: [] }), data: fcData() }), /graph has no outputs/],
    ['a record cut short', () => rawCompact({ graph: fcStream().subarray(0, fcStream().length - 1), data: fcData() }), /runs past the end of the stream/],
    ['a weight of rank 0', () => {
      const s = new StreamWriter();
      s.uvar(1); s.uvar(0); s.uvar(0);
      s.uvar(0); s.u8(0); s.uvar(1); s.uvar(4);
      s.uvar(1); s.uvar(0);
      return rawCompact({ graph: s.bytes() });
    }, /a weight needs rank >= 1/],
    ['a graph input of dtype int8', () => rawCompact({ graph: Uint8Array.from([1, 0, 0, 0, 2, 1, 4]) }), /graph input 0: tensor 0 "input" has dtype int8/],
    ['an unknown element type', () => rawCompact({ graph: Uint8Array.from([1, 0, 0, 0, 9, 1, 4]) }), /unknown element type 9/],
    ['a compact graph in a file that says 1.2', () => rawCompact({ graph: fcStream(), data: fcData(), minor: 2 }), /says format 1\.2 but has a compact graph/],
    ['no stub op', () => rawCompact({ graph: fcStream(), data: fcData(), stub: false }), /keeps exactly one op in Model\.ops, of type "1\.3"/],
    ['another stub op', () => rawCompact({ graph: fcStream(), data: fcData(), stub: 'Relu' }), /keeps exactly one op in Model\.ops, of type "1\.3"/],
    ['tensors beside the graph', () => rawCompact({ graph: fcStream(), data: fcData(), tensors: true }), /has no Model\.tensors/],
  ];
  for (const [what, make, msg, type] of cases) {
    it(what, () => {
      const bytes = make();
      if (msg.source === '^$') return void expect(readModel(bytes).ops.length).toBe(1);
      const e = readError(bytes);
      expect(e).toBeInstanceOf(type ?? WpalFormatError);
      expect(e.message).toMatch(msg);
    });
  }
});

describe('fuzzing the compact stream (file checksum recomputed, so the parser sees every change)', () => {
  const check = readOrWpalError;
  const sources = [smallModel(4), lenet5(), attributeModel()];

  it('every byte of the graph stream changed (xor 0xff, 0x01, 0x80) -> ModelInfo or WpalError', () => {
    for (const src of sources) {
      const { graph, data } = compactVectors(src);
      let errors = 0;
      for (const x of [0xff, 0x01, 0x80]) {
        for (let i = 0; i < graph.length; i++) {
          const g = graph.slice();
          g[i] ^= x;
          if (check(rawCompact({ graph: g, data }), `byte ${i} ^ ${x}`) instanceof WpalError) errors++;
        }
      }
      expect(errors).toBeGreaterThan(graph.length);
    }
  });

  it('every prefix of the graph stream, and the data cut or grown -> ModelInfo or WpalError', () => {
    for (const src of sources) {
      const { graph, data } = compactVectors(src);
      for (let n = 0; n < graph.length; n++) check(rawCompact({ graph: graph.subarray(0, n), data }), `prefix ${n}`);
      for (const d of [data.subarray(0, data.length - 1), new Uint8Array(0), Uint8Array.from([...data, 0])]) {
        expect(check(rawCompact({ graph, data: d }), 'data')).toBeInstanceOf(WpalError);
      }
    }
  });

  it('random edits and random streams (seeded) -> ModelInfo or WpalError', () => {
    const rng = new Rng(1303);
    for (const src of sources) {
      const { graph, data } = compactVectors(src);
      for (let k = 0; k < 1500; k++) {
        check(rawCompact({ graph: randomEdits(rng, graph), data }), `edit ${k}`);
      }
    }
    for (let k = 0; k < 1500; k++) check(rawCompact({ graph: rng.bytes(rng.int(0, 80)), data: rng.int(0, 1) ? new Uint8Array(rng.int(0, 4) * 16) : undefined }), `random ${k}`);
  });

  it('the writer itself: every stream it writes parses, and its Model table is where the header says', () => {
    for (const src of sources) {
      expect(check(src, 'writer')).not.toBeInstanceOf(WpalError);
      expect(rootFieldOffset(src, 8)).toBeGreaterThan(0);
    }
  });
});

describe('blob order and sizes in Model.data', () => {
  it('mask first, then values; each blob at the next multiple of 16; no other padding', () => {
    const rng = new Rng(3);
    const w = new ModelWriter();
    const x = w.input('x', [10]);
    const W = w.weight('fc1.weight', [5, 10], encodeBlockSparse(rng.floats(50), 5, 10, { blockRows: 1, blockCols: 2, sparsity: 0.4 }, { bits: 3, entryType: 'int8', channelScales: true }));
    const b = w.weight('fc1.bias', [5], encodeDense(rng.floats(5)));
    const W2 = w.weight('fc2.weight', [4, 5], encodePalettized(rng.floats(20), 4, 5, { bits: 2, groupRows: 2 }));
    w.output(w.op('FullyConnected', [w.op('FullyConnected', [x, W, b]), W2]));
    const bytes = w.finish();
    const info = readModel(bytes);
    const { data } = compactVectors(bytes);
    const p1 = info.tensors[1].weight!;
    const ranges = [p1.sparse!.mask, p1.palettized!.entries, p1.palettized!.entryScales!, p1.palettized!.channelScales!, p1.palettized!.indices, info.tensors[2].weight!.dense!.data, info.tensors[3].weight!.palettized!.entries, info.tensors[3].weight!.palettized!.indices];
    const start = ranges[0].offset;
    let end = 0;
    for (const r of ranges) {
      expect(r.offset - start).toBe(Math.ceil(end / 16) * 16);
      end = r.offset - start + r.length;
    }
    expect(data.length).toBe(end);
    // Lengths from the layout rules: 3 mask bytes... (5 block rows of 1 byte), 8 int8 entries, 1 scale, 5 channel scales, ceil(kept*2*3/8) index bytes.
    expect([p1.sparse!.mask.length, p1.palettized!.entries.length, p1.palettized!.entryScales!.length, p1.palettized!.channelScales!.length]).toEqual([5, 8, 4, 20]);
    expect(p1.palettized!.indices.length).toBe(Math.ceil((p1.sparse!.keptBlocks * 2 * 3) / 8));
    expect(info.tensors[3].weight!.palettized!.numPalettes).toBe(2);
  });
});
