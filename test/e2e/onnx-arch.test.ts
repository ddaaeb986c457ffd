/**
 * Whole architectures from src/models: at full size, the writer round trip (readModel accepts the
 * file, shapes are inferred as expected, parameter counts equal the published ones); at reduced
 * sizes, the ONNX export runs in onnxruntime (Node, wasm EP, 1 thread) with outputs of the right
 * shape that match the float64 oracle (test/oracle/model-ops.ts).
 *
 * The same reduced models also run in the wasm-palette runtime (loadModel, SIMD kernels), which
 * must agree with the oracle and with onnxruntime.
 */
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModel, readModel } from '../../src/index.js';
import type { ModelInfo } from '../../src/format/types.js';
import {
  buildDistilBert, buildLeNet5, buildMobileNetV1, buildResNet, encodeWeight, foldBatchNorm, oihwToOhwi, ohwiToOihw, type BuiltModel,
} from '../../src/models/index.js';
import { exportOnnx } from '../../src/onnx/index.js';
import { runModelOracle } from '../oracle/model-ops.js';
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

function shapeOf(info: ModelInfo, name: string): number[] {
  const t = info.tensors.find((t) => t.name === name);
  if (!t) throw new Error(`no tensor ${name}`);
  return t.shape;
}

/** |a - b| <= 1e-4 * max|b| + 1e-3 * |b|: float32 through a deep random network vs float64. */
function tol(expected: ArrayLike<number>) {
  let m = 0;
  for (let i = 0; i < expected.length; i++) m = Math.max(m, Math.abs(expected[i]));
  return { abs: 1e-4 * m, rel: 1e-3 };
}

/** onnxruntime and the wasm-palette runtime vs the oracle (and each other) on one batch. */
async function checkModel(built: BuiltModel, batch: number, inputs: Record<string, Float32Array | Int32Array>): Promise<void> {
  const info = readModel(built.bytes);
  const want = runModelOracle(info, inputs, batch);
  const feeds: Record<string, ort.Tensor> = {};
  for (const i of built.inputs) {
    const v = inputs[i.name];
    feeds[i.name] = v instanceof Int32Array ? new ort.Tensor('int32', v, [batch, ...i.shape]) : new ort.Tensor('float32', v, [batch, ...i.shape]);
  }
  const got = await ortRun(exportOnnx(built), feeds);
  const model = await loadModel(built.bytes);
  try {
    const ours = model.run(inputs);
    for (const o of built.outputs) {
      expect(got[o.name].dims).toEqual([batch, ...o.shape]);
      expect(ours[o.name].shape).toEqual([batch, ...o.shape]);
      const t = tol(want[o.name]);
      expectClose(got[o.name].data as Float32Array, want[o.name], t, `onnxruntime ${o.name}`);
      expectClose(ours[o.name].data, want[o.name], t, `wasm-palette ${o.name}`);
      expectClose(ours[o.name].data, got[o.name].data as Float32Array, t, `wasm-palette vs onnxruntime ${o.name}`);
    }
  } finally {
    model.dispose();
  }
}

/** Image model: a random batch. */
async function checkImageModel(built: BuiltModel, batch: number, seed: number): Promise<void> {
  const [inp] = built.inputs;
  await checkModel(built, batch, { [inp.name]: new Rng(seed).floats(batch * inp.shape.reduce((a, b) => a * b, 1)) });
}

describe('full-size architectures: writer round trip, shapes, published parameter counts', () => {
  it('LeNet-5 (Caffe): 431,080 weights', () => {
    const m = buildLeNet5({ activationNames: true });
    expect(m.params).toBe(431_080);
    const info = readModel(m.bytes);
    expect(shapeOf(info, 'conv1')).toEqual([24, 24, 20]);
    expect(shapeOf(info, 'pool2')).toEqual([4, 4, 50]);
    expect(shapeOf(info, 'flatten')).toEqual([800]);
    expect(shapeOf(info, 'logits')).toEqual([10]);
    expect(m.layers.map((l) => l.kind)).toEqual(['conv', 'conv', 'fc', 'fc']);
  });

  it('MobileNet-v1 1.0 224: 4.2M parameters (BN folded), 28 conv layers + fc', () => {
    const m = buildMobileNetV1({ activationNames: true });
    expect(m.params).toBe(4_221_032);
    expect(Math.round(m.params / 1e5) / 10).toBe(4.2);
    const info = readModel(m.bytes);
    expect(shapeOf(info, 'conv1.act')).toEqual([112, 112, 32]);
    expect(shapeOf(info, 'blocks.12.pw.act')).toEqual([7, 7, 1024]);
    expect(shapeOf(info, 'avgpool')).toEqual([1, 1, 1024]);
    expect(shapeOf(info, 'logits')).toEqual([1000]);
    expect(m.layers.filter((l) => l.kind === 'dwconv')).toHaveLength(13);
    expect(m.layers).toHaveLength(28);
  });

  it('ResNet-18 224: 11.7M parameters', () => {
    const m = buildResNet({ activationNames: true, depth: 18 });
    expect(m.params).toBe(11_689_512 - 4_800); // torchvision's count minus one of the two BN parameters per channel
    expect(Math.round(m.params / 1e5) / 10).toBe(11.7);
    const info = readModel(m.bytes);
    expect(shapeOf(info, 'maxpool')).toEqual([56, 56, 64]);
    expect(shapeOf(info, 'layer4.1.relu')).toEqual([7, 7, 512]);
    expect(shapeOf(info, 'logits')).toEqual([1000]);
    expect(info.ops.filter((o) => o.type === 'Add')).toHaveLength(8);
  });

  it('ResNet-50 224: 25.6M parameters', () => {
    const m = buildResNet({ activationNames: true, depth: 50 });
    expect(m.params).toBe(25_557_032 - 26_560);
    expect(Math.round(m.params / 1e5) / 10).toBe(25.5); // 25.6M counted with BN (torchvision / the papers)
    expect(Math.abs(m.params / 25.6e6 - 1)).toBeLessThan(0.005);
    const info = readModel(m.bytes);
    expect(shapeOf(info, 'layer1.0.add')).toEqual([56, 56, 256]);
    expect(shapeOf(info, 'layer4.2.relu')).toEqual([7, 7, 2048]);
    expect(info.ops.filter((o) => o.type === 'Add')).toHaveLength(16);
    expect(info.ops.filter((o) => o.type === 'Conv2D')).toHaveLength(53);
  });

  it('DistilBERT-shaped encoder: 66,362,880 parameters (distilbert-base-uncased)', () => {
    const m = buildDistilBert({ activationNames: true });
    expect(m.params).toBe(66_362_880);
    const info = readModel(m.bytes);
    expect(info.tensors[info.inputs[0]]).toMatchObject({ name: 'input_ids', shape: [128], dtype: 'int32' });
    expect(shapeOf(info, 'transformer.layer.0.attention.scores')).toEqual([12, 128, 128]);
    expect(shapeOf(info, 'transformer.layer.5.attention.context.merged')).toEqual([128, 768]);
    expect(shapeOf(info, 'transformer.layer.5.ffn.gelu')).toEqual([128, 3072]);
    expect(shapeOf(info, 'last_hidden_state')).toEqual([128, 768]);
    expect(m.layers.filter((l) => l.kind === 'fc')).toHaveLength(36);
  });
});

describe('reduced architectures: onnxruntime (exportOnnx) and the wasm-palette runtime match the float64 oracle', () => {
  it('LeNet-5 (full size), DKM-like 2-bit palettes with conv2 80% + fc1 95% pruned', async () => {
    const m = buildLeNet5({
      weights: { seed: 2 },
      compression: (l) => ({
        palette: { bits: 2 },
        ...(l.name === 'conv2.weight' ? { sparse: { block: [1, 4], sparsity: 0.8 } } : l.name === 'fc1.weight' ? { sparse: { block: [1, 4], sparsity: 0.95 } } : {}),
      }),
    });
    await checkImageModel(m, 2, 3);
  });

  it('MobileNet-v1 alpha 0.25 at 32x32, 4-bit pointwise / 8-bit depthwise palettes', async () => {
    const m = buildMobileNetV1({
      inputSize: 32, alpha: 0.25, classes: 10, weights: { seed: 4 },
      compression: (l) => (l.kind === 'dwconv' ? { palette: { bits: 8 } } : l.kind === 'conv' ? { palette: { bits: 4, groupRows: 8 } } : undefined),
    });
    expect(m.outputs[0].shape).toEqual([10]);
    await checkImageModel(m, 2, 5);
  });

  it('ResNet-18 width 8 at 32x32, 3-bit palettes + 4x1 blocks 50% in the 3x3 convs', async () => {
    const m = buildResNet({
      depth: 18, inputSize: 32, width: 8, classes: 10, weights: { seed: 6 },
      compression: (l) => (l.index === 0 ? undefined : { palette: { bits: 3 }, ...(l.shape[1] === 3 ? { sparse: { block: [4, 1], sparsity: 0.5 } } : {}) }),
    });
    await checkImageModel(m, 2, 7);
  });

  it('ResNet-50 width 4 at 32x32 (all 16 bottlenecks), 2-bit palettes', async () => {
    const m = buildResNet({ depth: 50, inputSize: 32, width: 4, classes: 10, weights: { seed: 8 }, compression: { palette: { bits: 2, groupRows: 4 } } });
    await checkImageModel(m, 1, 9);
  });

  it('DistilBERT-shaped encoder (2 layers, 64 wide, 4 heads, seq 16), 4-bit embeddings and linears', async () => {
    const m = buildDistilBert({
      seq: 16, layers: 2, hidden: 64, heads: 4, ffn: 128, vocab: 500, maxPositions: 32, weights: { seed: 10 },
      compression: (l) => (l.kind === 'embedding' ? { palette: { bits: 4, entryType: 'float16' } } : { palette: { bits: 4, groupRows: 16 } }),
    });
    const batch = 2;
    const r = new Rng(11);
    const ids = Int32Array.from({ length: batch * 16 }, () => r.int(0, 499));
    const pos = Int32Array.from({ length: batch * 16 }, (_, i) => i % 16);
    expect(m.outputs[0].shape).toEqual([16, 64]);
    await checkModel(m, batch, { input_ids: ids, position_ids: pos });
  });
});

describe('builder helpers', () => {
  it('given weights (PyTorch OIHW converted) and BatchNorm folding are used as given', () => {
    const r = new Rng(12);
    const w = r.floats(20 * 1 * 25);
    const ohwi = oihwToOhwi(w, 20, 1, 5, 5);
    expect(ohwiToOihw(ohwi, 20, 1, 5, 5)).toEqual(w);
    const bn = { gamma: r.floats(20, 0.5, 1.5), beta: r.floats(20), mean: r.floats(20), var: r.floats(20, 0.5, 2) };
    const c1 = r.floats(4 * 7 * 7 * 3);
    const m = buildResNet({
      depth: 18, inputSize: 16, width: 4, classes: 3, blocks: [1, 1, 1, 1],
      weights: { seed: 1, values: { 'conv1.weight': c1, 'conv1.bn.gamma': bn.gamma.slice(0, 4), 'conv1.bn.beta': bn.beta.slice(0, 4), 'conv1.bn.mean': bn.mean.slice(0, 4), 'conv1.bn.var': bn.var.slice(0, 4) } },
    });
    const s3 = bn.gamma[3] / Math.sqrt(bn.var[3] + 1e-5);
    expect(m.weights['conv1.weight'][3 * 147 + 5]).toBeCloseTo(c1[3 * 147 + 5] * s3, 6);
    expect(m.weights['conv1.bias'][3]).toBeCloseTo(bn.beta[3] - bn.mean[3] * s3, 6);
    const f = foldBatchNorm(Float32Array.from([1, 2]), undefined, { gamma: [2], beta: [1], mean: [0.5], var: [3] }, 1);
    expect(Array.from(f.weight)).toEqual([1, 2]);
    expect(Array.from(f.bias)).toEqual([0.5]); // (0 - 0.5) * 2 / sqrt(3 + 1) + 1
    expect(() => buildLeNet5({ weights: { values: { 'conv9.weight': [1] } } })).toThrow(/no tensor named "conv9.weight"/);
    expect(() => buildLeNet5({ weights: { values: { 'conv1.weight': [1] } } })).toThrow(/has 1 values, expected 500/);
    const lenet = buildLeNet5({ weights: { values: { 'conv1.weight': ohwi } } });
    expect(lenet.weights['conv1.weight']).toEqual(ohwi);
  });

  it('encodeWeight: dense / palettized / sparse / both, blocks and groups clamped to the tensor', () => {
    const v = new Rng(13).floats(6 * 10);
    expect(encodeWeight(v, [6, 10], undefined).dense?.dtype).toBe('float32');
    expect(encodeWeight(v, [6, 10], { dtype: 'float16' }).dense?.dtype).toBe('float16');
    expect(encodeWeight(v, [6, 10], { palette: { bits: 3, groupRows: 64 } }).palettized?.groupRows).toBe(6);
    const s = encodeWeight(v, [6, 10], { sparse: { block: [16, 1], sparsity: 0.5 } });
    expect(s.sparse).toMatchObject({ blockRows: 6, blockCols: 1 });
    const b = encodeWeight(v, [6, 2, 5], { palette: { bits: 2 }, sparse: { block: [1, 4], sparsity: 0.5 } });
    expect(b.palettized?.bits).toBe(2);
    expect(b.sparse?.blockCols).toBe(4);
  });
});
