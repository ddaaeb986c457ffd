/**
 * train(data, options) (src/trainer/train.ts), the library call behind `wpal train`, CI-sized:
 * LeNet-300-100 on 2,000 MNIST images for 2 epochs. The written file loads in the runtime and its
 * accuracy, measured again here on the test images, is the one the report and the metadata claim;
 * the defaults filled in are the architecture's; the file holds the weights of the best validation
 * epoch (LeNet-300-100 and the transformer); a teacher of the wrong shape and a batch larger than
 * the data are typed errors.
 */
import { describe, expect, it } from 'vitest';
import { loadImageDataset } from '../../src/trainer/data/index.js';
import { TRAIN_DEFAULTS, TEXT_TRAIN_DEFAULTS, WpalTrainError, train, trainSettings } from '../../src/trainer/train.js';
import { freshModel } from '../../src/trainer/architectures.js';
import { loadModel } from '../../src/index.js';
import { Engine, TrainModule, evaluate, graphNet } from '../../src/trainer/engine/index.js';
import { hashedExamples, loadSst2 } from '../../src/trainer/data/index.js';
import type { DenseModel } from '../../src/trainer/dense-model.js';
import type { TrainReport } from '../../src/trainer/train.js';

const all = loadImageDataset('mnist', 'train');
const testAll = loadImageDataset('mnist', 'test');
const sub = (d: typeof all, from: number, n: number) => ({ x: d.x.subarray(from * 784, (from + n) * 784), y: d.y.subarray(from, from + n), count: n });
const data = { train: sub(all, 0, 2000), val: sub(all, 2000, 500), test: sub(testAll, 0, 1000) };
const base = { arch: 'lenet300-100' as const, classes: 10, inputShape: [28, 28, 1], dataset: 'mnist', trainer: 'test' };

describe('train (library)', () => {
  it('writes a file whose accuracy, measured again through the runtime, is the one it records', async () => {
    const epochs: number[] = [];
    const { bytes, report } = await train(data, { ...base, epochs: 2, lr: 0.05, onEpoch: (r) => epochs.push(r.valAccuracy!) });
    expect(report.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(epochs.every((a) => a > 0.7)).toBe(true); // it learned (chance: 0.1)
    const model = await loadModel(bytes);
    let correct = 0;
    const out = model.run({ [model.inputs[0]!.name]: { data: data.test.x, shape: [data.test.count, 784] } })[model.outputs[0]!.name]!.data as Float32Array;
    for (let i = 0; i < data.test.count; i++) {
      const row = out.subarray(i * 10, i * 10 + 10);
      if (row.indexOf(Math.max(...row)) === data.test.y[i]) correct++;
    }
    expect(report.accuracy.correct).toBe(correct);
    expect(Number(model.metadata.properties['accuracy'])).toBe(correct / data.test.count);
    expect(model.metadata.properties['epochs']).toBe('2');
    expect(model.metadata.properties['val_examples']).toBe('500');
    expect(correct / data.test.count).toBeGreaterThan(0.7);
    model.dispose();
  }, 120_000);

  it('fills in the architecture\'s defaults', () => {
    expect(trainSettings({ arch: 'lenet5' })).toEqual({ epochs: TRAIN_DEFAULTS.epochs, batchSize: TRAIN_DEFAULTS.batch, optimizer: 'sgd', lr: TRAIN_DEFAULTS.sgdLr, weightDecay: TRAIN_DEFAULTS.weightDecay, wordDropout: TEXT_TRAIN_DEFAULTS.wordDropout, seed: 1 });
    expect(trainSettings({ arch: 'lenet5', optimizer: 'adam' }).lr).toBe(TRAIN_DEFAULTS.adamLr);
    const t = trainSettings({ arch: 'transformer', epochs: 3 });
    expect([t.epochs, t.optimizer, t.lr, t.weightDecay]).toEqual([3, 'adam', TEXT_TRAIN_DEFAULTS.lr, TEXT_TRAIN_DEFAULTS.weightDecay]);
  });

  /** Validation accuracy of `model`'s weights, measured again on a fresh engine. */
  const valOf = (model: DenseModel, val: { x: Float32Array; y: ArrayLike<number>; count: number }) => {
    const e = new Engine(new TrainModule());
    return evaluate(e, graphNet(e, model), val).accuracy;
  };
  /** The epoch of the best validation accuracy in the report's history (the later one on a tie). */
  const bestOf = (r: TrainReport) => r.epochs.reduce((b, h) => (h.valAccuracy! >= b.valAccuracy! ? h : b)).epoch;

  it('keeps the weights of the best validation epoch, not the last (bestEpoch: false keeps the last)', async () => {
    // a learning rate high enough that validation accuracy goes down in a later epoch (so best != last)
    const o = { ...base, epochs: 4, lr: 0.4, seed: 2 };
    const { bytes, report } = await train(data, o);
    const kept = bestOf(report);
    expect(report.keptEpoch).toBe(kept);
    expect(kept).toBeLessThan(4); // the setting above is one where the last epoch is not the best
    expect(report.valAccuracy).toBe(report.epochs[kept - 1]!.valAccuracy);
    expect(valOf(report.model, data.val)).toBe(report.epochs[kept - 1]!.valAccuracy);
    const model = await loadModel(bytes);
    expect(model.metadata.properties['kept_epoch']).toBe(String(kept));
    expect(Number(model.metadata.properties['val_accuracy'])).toBe(report.valAccuracy);
    model.dispose();
    const lastRun = await train(data, { ...o, bestEpoch: false });
    expect(lastRun.report.keptEpoch).toBe(4);
    expect(lastRun.report.epochs.map((h) => h.valAccuracy)).toEqual(report.epochs.map((h) => h.valAccuracy)); // the same run
    expect(valOf(lastRun.report.model, data.val)).toBe(report.epochs[3]!.valAccuracy);
  }, 120_000);

  it('the transformer keeps its best validation epoch too', async () => {
    const text = { seq: 16, buckets: 512, dim: 16, layers: 1, heads: 2, ffn: 32 };
    const tr = loadSst2('train');
    const part = (from: number, n: number) => hashedExamples(tr.sentences.slice(from, from + n), tr.labels.slice(from, from + n), text);
    const d = { train: part(0, 1500), val: part(1500, 400), test: part(1900, 200) };
    const { report } = await train(d, { arch: 'transformer', classes: 2, inputShape: [text.seq], text, epochs: 4, lr: 3e-3, seed: 1, dataset: 'sst2', trainer: 'test' });
    const kept = bestOf(report);
    expect(report.keptEpoch).toBe(kept);
    expect(valOf(report.model, d.val)).toBe(report.epochs[kept - 1]!.valAccuracy);
  }, 120_000);

  it('refuses a teacher with other outputs and a batch larger than the data, with typed errors', async () => {
    const teacher = freshModel('lenet300-100', { seed: 1, classes: 7, inputShape: [28, 28, 1] });
    await expect(train(data, { ...base, epochs: 1, teacher: { model: teacher, name: 'seven.wpal' } })).rejects.toThrow(WpalTrainError);
    await expect(train(data, { ...base, epochs: 1, teacher: { model: teacher, name: 'seven.wpal' } })).rejects.toThrow(/seven\.wpal: it gives 7 scores, the model 10/);
    // the same values in another layout: a teacher that takes [3, 32, 32] (channel first), the data [32, 32, 3]
    const rgb = { train: { x: new Float32Array(64 * 3072), y: new Int32Array(64), count: 64 }, test: { x: new Float32Array(8 * 3072), y: new Int32Array(8), count: 8 } };
    const hwc = freshModel('lenet5', { seed: 1, classes: 10, inputShape: [32, 32, 3] });
    const input = hwc.graph.inputs[0]!;
    const chw = { ...hwc, graph: { ...hwc.graph, tensors: hwc.graph.tensors.map((t, i) => (i === input ? { ...t, shape: [3, 32, 32] } : t)) } };
    await expect(train(rgb, { ...base, arch: 'lenet5', inputShape: [32, 32, 3], epochs: 1, teacher: { model: chw, name: 'chw.wpal' } })).rejects.toThrow(/chw\.wpal: it takes float32 \[3, 32, 32\], the model float32 \[32, 32, 3\]/);
    await expect(train(data, { ...base, batchSize: 4096 })).rejects.toThrow(/batch size 4096 is larger than the 2000 training examples/);
    await expect(train(data, { ...base, arch: 'transformer', optimizer: 'sgd' })).rejects.toThrow(WpalTrainError);
  }, 60_000);
});
