/**
 * compressModel (src/trainer/compress.ts), CI-sized: LeNet-300-100 trained dense on 2,000 MNIST
 * images for 2 epochs, then DKM 2-bit for 1 epoch (and 2-bit + 50% 1x4 block pruning): accuracy on
 * 1,000 test images stays within a few points of the dense one, and the written .wpal (loadModel)
 * reproduces the engine's logits of the hard-assigned weights; the file stores exactly the trained
 * palettes and masks; readDenseModel reads a .wpal back.
 */
import { describe, expect, it } from 'vitest';
import { Engine, SGD, TrainModule, evaluate, graphNet, trainEpoch } from '../../src/trainer/engine/index.js';
import { freshModel } from '../../src/trainer/architectures.js';
import { buildDenseModel, compressModel, denseModelOf, netOf, readDenseModel, type CompressResult } from '../../src/trainer/compress.js';
import { loadImageDataset } from '../../src/trainer/data/index.js';
import { loadModel } from '../../src/index.js';
import { readModel } from '../../src/format/read.js';

const train = loadImageDataset('mnist', 'train');
const test = loadImageDataset('mnist', 'test');
const sub = (d: typeof train, n: number) => ({ x: d.x.subarray(0, n * 784), y: d.y.subarray(0, n), count: n });

async function expectFileMatches(r: CompressResult, data: { x: Float32Array; count: number }): Promise<void> {
  const bytes = r.build().bytes;
  const model = await loadModel(bytes);
  const out = model.run({ [model.inputs[0].name]: { data: data.x, shape: [data.count, 784] } });
  const got = out[model.outputs[0].name].data;
  const e = new Engine(new TrainModule());
  const net = netOf(e, { ...r.model, weights: r.weights });
  e.gradEnabled = false;
  e.beginStep();
  const want = e.read(net.forward(e.input(data.x, [data.count, 784])));
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i]), `logit ${i}`).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(want[i])));
  // the file's weights are the hard-assigned ones, bit for bit: palettes and masks as trained
  const info = readModel(bytes);
  const back = readDenseModel(bytes);
  for (const l of r.layers) {
    expect(back.weights[l.name], l.name).toEqual(r.weights[l.name]);
    const t = info.tensors.find((x) => x.name === l.name)!;
    expect(t.weight!.palettized?.bits, l.name).toBe(l.bits);
    expect(!!t.weight!.sparse, l.name).toBe((l.sparsity ?? 0) > 0);
    const pal = new Set(l.palettes);
    for (const v of r.weights[l.name]) if (v !== 0 || !l.sparsity) expect(pal.has(v), `${l.name} value ${v} is a trained centroid`).toBe(true);
  }
}

describe('compressModel on MNIST (2,000 train, 1,000 test images)', () => {
  const e = new Engine(new TrainModule());
  const fresh = freshModel('lenet300-100', { seed: 1, classes: 10, inputShape: [784] });
  const net = graphNet(e, fresh);
  const opt = new SGD(e, net.params, { lr: 0.05, momentum: 0.9 });
  for (let ep = 0; ep < 2; ep++) trainEpoch(e, net, opt, sub(train, 2000), { batchSize: 64, seed: ep + 1 });
  const dense = evaluate(e, net, sub(test, 1000)).accuracy;

  it('DKM 2-bit, 1 epoch: accuracy within 3 points of dense; the .wpal gives the hard-assigned logits', async () => {
    const steps: number[] = [];
    const r = compressModel(denseModelOf(net, fresh), sub(train, 2000), { bits: 2, epochs: 1, batchSize: 64, test: sub(test, 1000), onProgress: (p) => steps.push(p.step) });
    expect(r.accuracy!).toBeGreaterThan(dense - 0.03);
    expect(steps.length).toBeGreaterThan(1);
    expect(r.layers.map((l) => l.bits)).toEqual([2, 2, 2]);
    for (const l of r.layers) expect(new Set(r.weights[l.name]).size).toBeLessThanOrEqual(4);
    await expectFileMatches(r, sub(test, 16));
    const bytes = r.build().bytes.length;
    expect(bytes).toBeLessThan(1_066_440 / 14);
  }, 30_000);

  it('DKM 2-bit + 50% 1x4 block pruning: pruned blocks are 0, accuracy within 5 points, same logits from the .wpal', async () => {
    const r = compressModel(denseModelOf(net, fresh), sub(train, 2000), { bits: 2, sparsity: 0.5, block: '1x4', epochs: 1, batchSize: 64, test: sub(test, 1000) });
    expect(r.accuracy!).toBeGreaterThan(dense - 0.05);
    for (const l of r.layers) expect(l.sparsity).toBeCloseTo(0.5, 2);
    await expectFileMatches(r, sub(test, 16));
  }, 30_000);

  it('the weights returned are those of the epoch with the best validation accuracy (after the pruning ramp)', async () => {
    const val = { x: train.x.subarray(50_000 * 784, 51_000 * 784), y: train.y.subarray(50_000, 51_000), count: 1000 };
    const r = compressModel(denseModelOf(net, fresh), sub(train, 2000), { bits: 1, sparsity: 0.3, epochs: 4, batchSize: 64, lr: 0.02, test: val, pruneRamp: 0.5 });
    const eligible = r.history.slice(2); // the ramp ends with epoch 2's last step (its mask is set at the next one): epochs 3, 4 hold the full sparsity
    expect(r.accuracy).toBe(Math.max(...eligible.map((h) => h.testAccuracy!)));
    expect(r.history[r.epoch - 1].testAccuracy).toBe(r.accuracy);
    expect(r.epoch).toBeGreaterThanOrEqual(3);
    for (const l of r.layers) expect(l.sparsity).toBeCloseTo(0.3, 2);
    await expectFileMatches(r, sub(test, 16));
    const last = compressModel(denseModelOf(net, fresh), sub(train, 2000), { bits: 1, sparsity: 0.3, epochs: 4, batchSize: 64, lr: 0.02, test: val, pruneRamp: 0.5, bestEpoch: false });
    expect(last.epoch).toBe(4);
    expect(last.accuracy).toBe(last.history[3].testAccuracy);
  }, 60_000);

  it('readDenseModel: a dense .wpal back into the engine gives the same accuracy', () => {
    const m = denseModelOf(net, fresh);
    const back = readDenseModel(buildDenseModel(m).bytes);
    expect(Object.keys(back.weights)).toEqual(['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias', 'fc3.weight', 'fc3.bias']);
    const e2 = new Engine(new TrainModule());
    expect(evaluate(e2, netOf(e2, back), sub(test, 1000)).accuracy).toBe(dense);
  });
});
