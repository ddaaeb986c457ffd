/**
 * Fine-tuning a model the trainer never saw: the project's trained LeNet-5 (models/) written as
 * torch.onnx.export writes a PyTorch LeNet-5 (NCHW input, OIHW weights, channel-major flatten;
 * test/util/torch-lenet.ts), imported, then trained from its own .wpal graph. CI-sized (2,000
 * training images, 1,000 test images, 1 epoch): DKM 2-bit with distillation reaches what the same
 * run on the built-in file reaches, and the structured stage finds the same shrinkable layers by
 * reading the imported graph. The full-size figures are in scripts/experiments/imported-lenet5.ts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importOnnx } from '../../src/onnx/import/index.js';
import { compressModel, readDenseModel } from '../../src/trainer/compress.js';
import { Engine, TrainModule, graphNet } from '../../src/trainer/engine/index.js';
import { shrinkableUnits } from '../../src/trainer/structure.js';
import { shrinkZeroRows } from '../../src/trainer/shrink.js';
import { loadImageDataset } from '../../src/trainer/data/index.js';
import { loadModel } from '../../src/index.js';
import { torchStyleLeNet5 } from '../util/torch-lenet.js';

const builtIn = readDenseModel(new Uint8Array(readFileSync(new URL('../../models/lenet5-mnist-dense.wpal', import.meta.url))));
const imported = readDenseModel(importOnnx(torchStyleLeNet5(builtIn)).bytes);
const train = loadImageDataset('mnist', 'train');
const test = loadImageDataset('mnist', 'test');
const sub = (d: typeof train, n: number) => ({ x: d.x.subarray(0, n * 784), y: d.y.subarray(0, n), count: n });

describe('an imported PyTorch-style LeNet-5 trains from its own graph', () => {
  it('the engine runs the imported graph as the runtime does (NCHW input, folded flatten)', async () => {
    expect(imported.graph.tensors[imported.graph.inputs[0]].shape).toEqual([1, 28, 28]);
    const e = new Engine(new TrainModule());
    const net = graphNet(e, imported);
    const data = sub(test, 16);
    e.gradEnabled = false;
    e.beginStep();
    const want = e.read(net.forward(e.input(data.x, [16, 1, 28, 28])));
    const model = await loadModel(importOnnx(torchStyleLeNet5(builtIn)).bytes);
    const got = model.run({ input: { data: data.x, shape: [16, 1, 28, 28] } })[model.outputs[0].name].data;
    for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i]), `logit ${i}`).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(want[i])));
  });

  it('DKM 2-bit + distillation, 1 epoch on 2,000 images: the imported model reaches the built-in one within a point', () => {
    const opts = { bits: 2, epochs: 1, batchSize: 64, distill: true, seed: 3, test: sub(test, 1000) } as const;
    const a = compressModel(imported, sub(train, 2000), opts);
    const b = compressModel(builtIn, sub(train, 2000), opts);
    expect(a.layers.map((l) => l.bits)).toEqual([2, 2, 2, 2]);
    expect(Math.abs(a.accuracy! - b.accuracy!)).toBeLessThanOrEqual(0.01);
    expect(a.accuracy!).toBeGreaterThan(0.95);
  }, 60_000);

  it('whole filters and neurons: the same three shrinkable layers are found in the imported graph, and removing them keeps the logits', async () => {
    expect(shrinkableUnits(imported).map((u) => [u.weight, u.kind, u.width])).toEqual([
      ['conv1.weight', 'conv', 20], ['conv2.weight', 'conv', 50], ['fc1.weight', 'fc', 500],
    ]);
    const zeroed = { ...imported, weights: { ...imported.weights } };
    for (const [name, rows] of [['conv1.weight', [1, 7]], ['conv2.weight', [0, 3, 49]], ['fc1.weight', [10, 11]]] as const) {
      const v = new Float32Array(zeroed.weights[name]);
      const cols = v.length / zeroed.shapes[name][0];
      for (const r of rows) v.fill(0, r * cols, (r + 1) * cols);
      zeroed.weights[name] = v;
    }
    const s = shrinkZeroRows(zeroed);
    expect(s.widths).toEqual([18, 47, 498]);
    const e1 = new Engine(new TrainModule()), e2 = new Engine(new TrainModule());
    const x = sub(test, 8).x;
    const run = (e: Engine, m: typeof imported) => { e.gradEnabled = false; e.beginStep(); return e.read(graphNet(e, m).forward(e.input(x, [8, 1, 28, 28]))); };
    const want = run(e1, zeroed), got = run(e2, s.model);
    for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i]), `logit ${i}`).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(want[i])));
  });
});
