/**
 * The ONNX export of fully connected models (LeNet-300-100 at full size, random seeded weights, dense,
 * palettized, block-sparse and both) runs in onnxruntime-web (Node, wasm EP, 1 thread) and agrees
 * with the wasm-palette runtime (loadModel) and with the float64 oracle.
 */
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModel, readModel } from '../../src/index.js';
import { buildLeNet300100, type CompressionConfig } from '../../src/models/index.js';
import { exportOnnx } from '../../src/onnx/index.js';
import { runOracle } from '../oracle/model.js';
import { expectClose } from '../util/compare.js';
import { Rng } from '../util/rng.js';

beforeAll(() => {
  ort.env.wasm.numThreads = 1;
});

async function ortRun(onnx: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(onnx);
  try {
    return (await session.run(feeds)) as Record<string, ort.Tensor>;
  } finally {
    await session.release();
  }
}

/** |a - b| <= 1e-4 * (|b| + max |b|): relative 1e-4, measured against the output's own scale near 0. */
function relTol(expected: ArrayLike<number>) {
  let m = 0;
  for (let i = 0; i < expected.length; i++) m = Math.max(m, Math.abs(expected[i]));
  return { abs: 1e-4 * m, rel: 1e-4 };
}

const VARIANTS: [string, CompressionConfig | undefined][] = [
  ['dense float32', undefined],
  ['dense float16', { dtype: 'float16' }],
  ['palettized 2-bit, one palette per tensor', { palette: { bits: 2 } }],
  ['palettized 4-bit, f16 entries, 32-row groups, channel scales', { palette: { bits: 4, groupRows: 32, entryType: 'float16', channelScales: true } }],
  ['palettized 3-bit int8 entries', { palette: { bits: 3, entryType: 'int8', groupRows: 16 } }],
  ['block-sparse 1x4 50%, dense values', { sparse: { block: [1, 4], sparsity: 0.5 } }],
  // The DESIGN table's setting: 2-bit everywhere, fc1 90% and fc2 80% pruned.
  [
    'palettized 2-bit + block-sparse 8x1 (fc1 90%, fc2 80%)',
    (l) => ({ palette: { bits: 2 }, ...(l.index < 2 ? { sparse: { block: [8, 1], sparsity: l.index === 0 ? 0.9 : 0.8 } } : {}) }),
  ],
  ['palettized 4-bit + block-sparse 16x1 60%', { palette: { bits: 4 }, sparse: { block: [16, 1], sparsity: 0.6 } }],
];

describe('ONNX export of LeNet-300-100 (full size) vs onnxruntime and the wasm-palette runtime', () => {
  for (const [label, compression] of VARIANTS) {
    it(label, async () => {
      const seed = 17;
      const built = buildLeNet300100({ weights: { seed }, compression });
      expect(built.params).toBe(266_610);
      const info = readModel(built.bytes);
      const batch = 3;
      const x = new Rng(seed + 1).floats(batch * 784, 0, 1);
      const want = runOracle(info, { input: x }, batch).logits;

      const onnx = exportOnnx(built);
      const got = await ortRun(onnx, { input: new ort.Tensor('float32', x, [batch, 784]) });
      expect(got.logits.dims).toEqual([batch, 10]);
      expectClose(got.logits.data as Float32Array, want, relTol(want), `onnxruntime logits (${label})`);

      const model = await loadModel(built.bytes);
      try {
        const ours = model.run({ input: x }).logits;
        expect(ours.shape).toEqual([batch, 10]);
        expectClose(ours.data, want, relTol(want), `wasm-palette logits (${label})`);
        expectClose(ours.data, got.logits.data as Float32Array, relTol(want), `wasm-palette vs onnxruntime (${label})`);
      } finally {
        model.dispose();
      }
    });
  }

  it('export with the uncompressed weights (BuiltModel.weights) differs from the decoded export exactly by the compression error', async () => {
    const built = buildLeNet300100({ weights: { seed: 3 }, compression: { palette: { bits: 2 } } });
    const x = new Rng(4).floats(784, 0, 1);
    const feeds = { input: new ort.Tensor('float32', x, [1, 784]) };
    const decoded = (await ortRun(exportOnnx(built), feeds)).logits.data as Float32Array;
    const dense = (await ortRun(exportOnnx(built, { weights: built.weights }), feeds)).logits.data as Float32Array;
    const denseModel = buildLeNet300100({ weights: { seed: 3 } });
    const want = runOracle(readModel(denseModel.bytes), { input: x }, 1).logits;
    expectClose(dense, want, relTol(want), 'uncompressed export vs dense model oracle');
    expect(Array.from(decoded)).not.toEqual(Array.from(dense));
  });

  it('a fixed batch size and the graph name are honoured', async () => {
    const built = buildLeNet300100({ weights: { seed: 5 }, hidden: [16], inputSize: 12, classes: 3 });
    const onnx = exportOnnx(built, { batch: 2, name: 'tiny' });
    const got = await ortRun(onnx, { input: new ort.Tensor('float32', new Float32Array(24).fill(0.5), [2, 12]) });
    expect(got.logits.dims).toEqual([2, 3]);
    await expect(ortRun(onnx, { input: new ort.Tensor('float32', new Float32Array(36), [3, 12]) })).rejects.toThrow();
  });
});
