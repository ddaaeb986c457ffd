/**
 * shrinkZeroRows (src/trainer/shrink.ts): a LeNet whose pruned filters / neurons have all-zero
 * weights (and non-zero biases) computes the same logits, through the runtime, as the narrow
 * LeNet it is shrunk to; the removed units' constant outputs are folded into the next biases.
 * The reference is the unshrunk file itself, run by the runtime (not the code under test).
 */
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/index.js';
import { buildDenseModel, readDenseModel, type DenseModel } from '../../src/trainer/compress.js';
import { shrinkZeroRows } from '../../src/trainer/shrink.js';
import { Normal, type BuiltModel } from '../../src/models/common.js';
import { buildLeNet300100, buildLeNet5 } from '../../src/models/lenet.js';
import { ModelWriter } from '../../src/format/write.js';
import { encodeDense } from '../../src/encode/palette.js';

/** The builder's graph with random weights (biases large enough that removed units output non-zero constants). */
function randomModel(built: BuiltModel, seed: number): DenseModel {
  const rnd = new Normal(seed);
  const m = readDenseModel(built.bytes);
  for (const [name, shape] of Object.entries(m.shapes)) m.weights[name] = rnd.normal(shape.reduce((a, b) => a * b, 1), name.endsWith('bias') ? 0.5 : 0.3);
  return m;
}

function zeroRows(m: DenseModel, name: string, rows: number[]): void {
  const w = m.weights[name];
  const cols = w.length / m.shapes[name][0];
  for (const r of rows) w.fill(0, r * cols, (r + 1) * cols);
}

async function logits(m: DenseModel, x: Float32Array, count: number): Promise<Float32Array> {
  const model = await loadModel(buildDenseModel(m).bytes);
  const input = model.inputs[0];
  const out = model.run({ [input.name]: { data: x, shape: [count, ...input.shape] } })[model.outputs[0].name].data;
  model.dispose();
  return out;
}

async function expectSameLogits(a: DenseModel, b: DenseModel, features: number, seed: number): Promise<void> {
  const count = 7;
  const x = new Normal(seed).uniform(count * features, 0, 1);
  const want = await logits(a, x, count);
  const got = await logits(b, x, count);
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i]), `logit ${i}`).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(want[i])));
}

describe('shrinkZeroRows', () => {
  it('LeNet-5: removed conv1 / conv2 filters and fc1 neurons fold into the next biases; same logits', async () => {
    const [c1, c2, f1] = [6, 9, 20];
    const m = randomModel(buildLeNet5({ widths: [c1, c2, f1] }), 11);
    zeroRows(m, 'conv1.weight', [0, 3]);
    zeroRows(m, 'conv2.weight', [1, 2, 8]);
    zeroRows(m, 'fc1.weight', [0, 5, 6, 7, 19]);
    const s = shrinkZeroRows(m);
    expect(s.widths).toEqual([4, 6, 15]);
    expect(s.removed).toEqual([2, 3, 5]);
    expect(s.model.shapes['conv2.weight']).toEqual([6, 5, 5, 4]);
    expect(s.model.shapes['fc1.weight']).toEqual([15, 16 * 6]);
    expect(s.model.shapes['fc2.weight']).toEqual([10, 15]);
    await expectSameLogits(m, s.model, 784, 5);
    // the input model is left as it was
    expect(m.shapes['conv1.weight']).toEqual([c1, 5, 5, 1]);
  });

  it('LeNet-300-100: removed hidden neurons (relu of their bias) fold into the next layer', async () => {
    const m = randomModel(buildLeNet300100({ hidden: [30, 12] }), 12);
    zeroRows(m, 'fc1.weight', [1, 2, 3, 29]);
    zeroRows(m, 'fc2.weight', [0, 11]);
    const s = shrinkZeroRows(m);
    expect(s.widths).toEqual([26, 10]);
    expect(s.model.shapes['fc2.weight']).toEqual([10, 26]);
    expect(s.model.shapes['fc3.weight']).toEqual([10, 10]);
    await expectSameLogits(m, s.model, 784, 6);
  });

  it('nothing pruned: the same model back', () => {
    const m = randomModel(buildLeNet300100({ hidden: [8] }), 13);
    const s = shrinkZeroRows(m);
    expect(s.removed).toEqual([0]);
    expect(s.model.weights).toEqual(m.weights);
  });

  it('a graph no builder wrote (PyTorch order: conv, ReLU, max-pool; a Sigmoid between fcs): found by reading the graph; same logits', async () => {
    const rnd = new Normal(21);
    const w = new ModelWriter();
    const dense = (name: string, shape: number[], std: number) => w.weight(name, shape, encodeDense(rnd.normal(shape.reduce((a, b) => a * b, 1), std)));
    const x = w.input('image', [12, 12, 2]);
    const c = w.op('Conv2D', [x, dense('features.0.w', [7, 3, 3, 2], 0.3), dense('features.0.b', [7], 0.5)]);
    const p = w.op('MaxPool', [w.op('Relu', [c])], { attrs: { kernel: [2, 2], strides: [2, 2] } });
    const h = w.op('Sigmoid', [w.op('FullyConnected', [w.op('Flatten', [p]), dense('classifier.1.w', [9, 175], 0.3), dense('classifier.1.b', [9], 0.5)])]);
    w.output(w.op('FullyConnected', [h, dense('classifier.3.w', [4, 9], 0.3), dense('classifier.3.b', [4], 0.5)], { output: 'scores' }));
    const m = readDenseModel(w.finish());
    zeroRows(m, 'features.0.w', [2, 6]);
    zeroRows(m, 'classifier.1.w', [0, 4, 8]);
    const s = shrinkZeroRows(m);
    expect(s.layers).toEqual(['features.0.w', 'classifier.1.w']);
    expect(s.widths).toEqual([5, 6]);
    expect(s.model.shapes['classifier.1.w']).toEqual([6, 125]);
    await expectSameLogits(m, s.model, 288, 7);
  });
});
