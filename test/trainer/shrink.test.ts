/**
 * shrinkZeroRows (src/trainer/shrink.ts): a LeNet whose pruned filters / neurons have all-zero
 * weights (and non-zero biases) computes the same logits, through the runtime, as the narrow
 * LeNet it is shrunk to; the removed units' constant outputs are folded into the next biases.
 * The reference is the unshrunk file itself, run by the runtime (not the code under test).
 */
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/index.js';
import { buildDenseModel } from '../../src/trainer/compress.js';
import type { DenseModel } from '../../src/trainer/engine/archs.js';
import { shrinkZeroRows } from '../../src/trainer/shrink.js';
import { Normal } from '../../src/models/common.js';

function randomModel(kind: DenseModel['kind'], shapes: Record<string, number[]>, seed: number): DenseModel {
  const rnd = new Normal(seed);
  const weights: Record<string, Float32Array> = {};
  for (const [name, shape] of Object.entries(shapes)) weights[name] = rnd.normal(shape.reduce((a, b) => a * b, 1), name.endsWith('bias') ? 0.5 : 0.3);
  return { kind, weights, shapes };
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
    const m = randomModel('lenet-5', {
      'conv1.weight': [c1, 5, 5, 1], 'conv1.bias': [c1], 'conv2.weight': [c2, 5, 5, c1], 'conv2.bias': [c2],
      'fc1.weight': [f1, 16 * c2], 'fc1.bias': [f1], 'fc2.weight': [10, f1], 'fc2.bias': [10],
    }, 11);
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
    const m = randomModel('lenet-300-100', {
      'fc1.weight': [30, 784], 'fc1.bias': [30], 'fc2.weight': [12, 30], 'fc2.bias': [12], 'fc3.weight': [10, 12], 'fc3.bias': [10],
    }, 12);
    zeroRows(m, 'fc1.weight', [1, 2, 3, 29]);
    zeroRows(m, 'fc2.weight', [0, 11]);
    const s = shrinkZeroRows(m);
    expect(s.widths).toEqual([26, 10]);
    expect(s.model.shapes['fc2.weight']).toEqual([10, 26]);
    expect(s.model.shapes['fc3.weight']).toEqual([10, 10]);
    await expectSameLogits(m, s.model, 784, 6);
  });

  it('nothing pruned: the same model back', () => {
    const m = randomModel('lenet-300-100', { 'fc1.weight': [8, 784], 'fc1.bias': [8], 'fc2.weight': [10, 8], 'fc2.bias': [10] }, 13);
    const s = shrinkZeroRows(m);
    expect(s.removed).toEqual([0]);
    expect(s.model.weights).toEqual(m.weights);
  });
});
