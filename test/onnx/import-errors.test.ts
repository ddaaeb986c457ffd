/**
 * Importer failures: every bad .onnx gives a typed error with a message a person can act on, and
 * nothing else: truncated, corrupt and random bytes; every unsupported op listed at once with node
 * names and counts; a dynamic dimension without --shape; external data (read, and kept inside the
 * model's folder).
 */
import { describe, expect, it } from 'vitest';
import { WpalError, WpalUnsupportedOpError } from '../../src/format/errors.js';
import { importOnnx, WpalImportError } from '../../src/onnx/import/index.js';
import { loadModel } from '../../src/index.js';
import { buildOnnx, type GraphSpec } from '../util/onnx-build.js';
import { Rng } from '../util/rng.js';
import onnxProto from 'onnx-proto';

const rng = new Rng(7);

const mlp: GraphSpec = {
  inputs: [{ name: 'x', dims: ['N', 8] }],
  outputs: [{ name: 'y' }],
  inits: { w: { dims: [4, 8], values: rng.floats(32) }, b: { dims: [4], values: rng.floats(4) } },
  nodes: [
    { op: 'Gemm', inputs: ['x', 'w', 'b'], outputs: ['h'], attrs: { transB: 1 } },
    { op: 'Relu', inputs: ['h'], outputs: ['y'] },
  ],
};

describe('corrupt input', () => {
  const good = buildOnnx(mlp);

  it('a valid file imports', () => {
    expect(importOnnx(good).bytes.length).toBeGreaterThan(0);
  });

  it('every truncation is a WpalImportError', () => {
    for (let n = 0; n < good.length; n += Math.max(1, Math.floor(good.length / 97))) {
      let err: unknown;
      try {
        importOnnx(good.subarray(0, n));
      } catch (e) {
        err = e;
      }
      // A cut exactly at a message boundary can still be a valid (smaller) model; it must then import cleanly or fail typed.
      if (err !== undefined) expect(err, `truncated at ${n}`).toBeInstanceOf(WpalError);
    }
    expect(() => importOnnx(good.subarray(0, good.length - 5))).toThrow(WpalImportError);
  });

  it('random bytes and bit flips fail typed or import, never crash', () => {
    for (let k = 0; k < 200; k++) {
      const bytes = k < 100 ? Uint8Array.from({ length: rng.int(1, 400) }, () => rng.int(0, 255)) : good.slice();
      if (k >= 100) for (let f = 0; f < 3; f++) bytes[rng.int(0, bytes.length - 1)] ^= 1 << rng.int(0, 7);
      try {
        importOnnx(bytes);
      } catch (e) {
        expect(e, `case ${k}`).toBeInstanceOf(WpalError);
      }
    }
  });

  it('says what it got when the bytes are not ONNX', () => {
    expect(() => importOnnx(new TextEncoder().encode('# README\nnot a model'))).toThrow(/not a valid ONNX/);
    expect(() => importOnnx(new Uint8Array(0))).toThrow(/empty/);
  });
});

describe('unsupported ops', () => {
  it('lists every unsupported op type with node names and counts, in one error', () => {
    const spec: GraphSpec = {
      inputs: [{ name: 'x', dims: [1, 8] }],
      outputs: [{ name: 'y' }],
      nodes: [
        { op: 'Relu', inputs: ['x'], outputs: ['a'] },
        { op: 'Elu', inputs: ['a'], outputs: ['b'], name: 'elu_one' },
        { op: 'Elu', inputs: ['b'], outputs: ['c'], name: 'elu_two' },
        { op: 'TopK', inputs: ['c', 'k'], outputs: ['d', 'i'], name: 'topk' },
        { op: 'FusedThing', inputs: ['d'], outputs: ['y'], name: 'custom', domain: 'com.example' },
      ],
      inits: { k: { dims: [1], type: 7, values: [2] } },
    };
    let err: unknown;
    try {
      importOnnx(buildOnnx(spec));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WpalUnsupportedOpError);
    const e = err as WpalUnsupportedOpError & { unsupported: { opType: string; count: number; nodes: string[] }[] };
    expect(e.unsupported.map((u) => [u.opType, u.count])).toEqual([['Elu', 2], ['TopK', 1], ['FusedThing', 1]]);
    expect(e.message).toMatch(/Elu x2: "elu_one", "elu_two"/);
    expect(e.message).toMatch(/com\.example:FusedThing x1: "custom"/);
    expect(e.message).toMatch(/Nothing was written/);
  });

  it('an op that only folds on constants is unsupported on the input', () => {
    const spec: GraphSpec = {
      inputs: [{ name: 'x', dims: [1, 4] }],
      outputs: [{ name: 'y' }],
      nodes: [{ op: 'Floor', inputs: ['x'], outputs: ['y'], name: 'floor' }],
    };
    expect(() => importOnnx(buildOnnx(spec))).toThrow(/Floor x1: "floor"/);
  });
});

describe('shapes', () => {
  const spec = (dims: (number | string)[]): GraphSpec => ({
    inputs: [{ name: 'audio', dims }],
    outputs: [{ name: 'y' }],
    nodes: [{ op: 'Relu', inputs: ['audio'], outputs: ['y'] }],
  });

  it('a dynamic dimension other than the batch needs --shape, and the error names it', () => {
    expect(() => importOnnx(buildOnnx(spec(['N', 'samples'])))).toThrow(/input "audio" dimension 1 \("samples"\) is dynamic: give the shape with --shape audio=1xD/);
    const r = importOnnx(buildOnnx(spec(['N', 'samples'])), { shapes: { audio: [1, 640] } });
    expect(r.report.inputs).toEqual([{ name: 'audio', shape: [1, 640], dtype: 'float32' }]);
  });

  it('--shape of an unknown input or of the wrong rank is an error', () => {
    expect(() => importOnnx(buildOnnx(spec(['N', 4])), { shapes: { nope: [1, 4] } })).toThrow(/not an input of the model \(inputs: audio\)/);
    expect(() => importOnnx(buildOnnx(spec(['N', 4])), { shapes: { audio: [1, 4, 1] } })).toThrow(/rank 3/);
  });

  it('keeps the dynamic batch: the imported model runs any batch size', async () => {
    const m = await loadModel(importOnnx(buildOnnx(mlp)).bytes);
    expect(m.run({ x: new Float32Array(3 * 8) }).y.shape).toEqual([3, 4]);
    m.dispose();
  });
});

describe('external data', () => {
  const { onnx } = onnxProto;
  const external = (location: string, offset = 0) => {
    const model = onnx.ModelProto.decode(buildOnnx(mlp));
    const w = model.graph!.initializer!.find((t) => t.name === 'w')!;
    const raw = w.rawData!;
    w.rawData = new Uint8Array(0);
    w.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
    w.externalData = [{ key: 'location', value: location }, { key: 'offset', value: String(offset) }, { key: 'length', value: String(raw.length) }];
    const data = new Uint8Array(offset + raw.length);
    data.set(raw, offset);
    return { bytes: onnx.ModelProto.encode(model).finish(), data };
  };

  it('reads weights from the .data file next to the model', () => {
    const { bytes, data } = external('model.data', 64);
    const seen: string[] = [];
    const a = importOnnx(bytes, { externalData: (loc) => (seen.push(loc), data) });
    expect(seen).toEqual(['model.data']);
    expect(a.bytes).toEqual(importOnnx(buildOnnx(mlp)).bytes);
  });

  it('without a reader, or outside the folder, or out of range: a clear error', () => {
    const { bytes, data } = external('model.data');
    expect(() => importOnnx(bytes)).toThrow(/external file "model.data"/);
    expect(() => importOnnx(external('../secret.data').bytes, { externalData: () => data })).toThrow(/inside the model's folder/);
    expect(() => importOnnx(external('/etc/passwd').bytes, { externalData: () => data })).toThrow(/inside the model's folder/);
    expect(() => importOnnx(bytes, { externalData: () => data.subarray(0, 10) })).toThrow(/lies outside/);
    expect(() => importOnnx(bytes, { externalData: () => { throw new Error('ENOENT'); } })).toThrow(/cannot read external data file "model.data": ENOENT/);
  });
});
