/**
 * The training engine (src/trainer/engine): every op's backward pass against central differences
 * of the float64 forward (test/oracle/train.ts) on tiny tensors, with SIMD and reference kernels
 * and the debug build (asserts on); gradient accumulation when a tensor is used twice; a short real
 * training run of LeNet-300-100 and LeNet-5 on MNIST that must reach well above chance.
 */
import { describe, expect, it } from 'vitest';
import {
  Adam, Engine, SGD, TrainModule, conv2d, evaluate, flatten, graphNet, labelTensor, linear, maxpool2d, relu,
  scalar, softmaxCrossEntropy, trainEpoch, type Tensor, type TrainableNet,
} from '../../src/trainer/engine/index.js';
import { freshModel } from '../../src/trainer/architectures.js';
import { buildLeNet300100, buildLeNet5 } from '../../src/models/lenet.js';
import { loadModel } from '../../src/index.js';
import { loadImageDataset } from '../../src/trainer/data/index.js';
import { Rng } from '../util/rng.js';
import { conv2dOracle, maxpoolOracle, softmaxCeOracle, tgemmOracle, type ConvGeom } from '../oracle/train.js';

import { CONFIGS, checkOp } from '../util/gradcheck.js';

const geomOf = (B: number, H: number, W: number, C: number, O: number, kh: number, kw: number, o: Partial<ConvGeom> = {}): ConvGeom =>
  ({ B, H, W, C, O, kh, kw, sh: 1, sw: 1, pads: [0, 0, 0, 0], dh: 1, dw: 1, ...o });

describe('backward passes vs float64 central differences', () => {
  for (const [build, isa] of CONFIGS) {
    it(`linear, relu, softmax cross-entropy (${build} build, ${isa} kernels)`, () => {
      for (const [M, K, N] of [[3, 5, 4], [1, 9, 10], [6, 17, 3]]) {
        checkOp(build, isa, 100 + M * K * N, [{ shape: [M, K] }, { shape: [N, K] }, { shape: [N] }],
          (e, [x, w, b]) => linear(e, x, w, b),
          ([x, w, b]) => tgemmOracle(M, N, K, x, w, b, null, false, true, 1, 0), `linear ${M}x${K}->${N}`);
      }
      checkOp(build, isa, 7, [{ shape: [4, 9] }], (e, [x]) => relu(e, x), ([x]) => x.map((v) => Math.max(v, 0)), 'relu');
      for (const [M, N] of [[4, 10], [3, 2]]) {
        const labels = Array.from({ length: M }, (_, i) => (i * 7) % N);
        checkOp(build, isa, 8 + M, [{ shape: [M, N], lo: -4, hi: 4 }],
          (e, [x]) => softmaxCrossEntropy(e, x, labelTensor(e, labels)),
          ([x]) => [softmaxCeOracle(x, labels, M, N).loss.reduce((a, b) => a + b, 0) / M], `softmax-CE ${M}x${N}`);
      }
    });

    it(`conv2d (valid, padded, strided, dilated) and maxpool (${build} build, ${isa} kernels)`, () => {
      const geoms: ConvGeom[] = [
        geomOf(2, 8, 8, 1, 3, 5, 5),
        geomOf(2, 6, 7, 3, 4, 3, 2),
        geomOf(1, 6, 5, 2, 5, 3, 3, { sh: 2, sw: 1, pads: [1, 2, 1, 0] }),
        geomOf(1, 7, 7, 2, 2, 2, 3, { dh: 2, dw: 2, pads: [1, 0, 0, 1] }),
        geomOf(2, 3, 3, 9, 10, 1, 1),
      ];
      geoms.forEach((g, gi) => {
        checkOp(build, isa, 200 + gi, [{ shape: [g.B, g.H, g.W, g.C] }, { shape: [g.O, g.kh, g.kw, g.C] }, { shape: [g.O] }],
          (e, [x, w, b]) => conv2d(e, x, w, b, { stride: [g.sh, g.sw], pad: g.pads, dilation: [g.dh, g.dw] }),
          ([x, w, b]) => conv2dOracle(x, w, b, g), `conv2d geometry ${gi}`);
      });
      const pools: ConvGeom[] = [geomOf(2, 8, 6, 3, 3, 2, 2, { sh: 2, sw: 2 }), geomOf(1, 7, 7, 5, 5, 3, 3, { sh: 2, sw: 2, pads: [1, 1, 1, 1] })];
      pools.forEach((g, gi) => {
        checkOp(build, isa, 300 + gi, [{ shape: [g.B, g.H, g.W, g.C] }],
          (e, [x]) => maxpool2d(e, x, { kernel: [g.kh, g.kw], stride: [g.sh, g.sw], pad: g.pads }),
          ([x]) => maxpoolOracle(x, g), `maxpool ${gi}`);
      });
    });
  }

  it('accumulates the gradient of a tensor used twice (a weight shared by two layers)', () => {
    const K = 6, M = 3;
    checkOp('debug', 'simd', 400, [{ shape: [M, K] }, { shape: [K, K] }, { shape: [K] }],
      (e, [x, w, b]) => linear(e, relu(e, linear(e, x, w, b)), w, b),
      ([x, w, b]) => tgemmOracle(M, K, K, tgemmOracle(M, K, K, x, w, b, null, false, true, 1, 0).map((v) => Math.max(v, 0)), w, b, null, false, true, 1, 0),
      'shared weight');
  });

  it('a whole LeNet-5-shaped chain: conv, pool, conv, pool, flatten, fc, relu, fc, softmax-CE', () => {
    const g1 = geomOf(2, 12, 12, 1, 3, 3, 3), g2 = geomOf(2, 5, 5, 3, 4, 2, 2);
    const labels = [3, 1];
    checkOp('debug', 'simd', 500,
      [{ shape: [2, 12, 12, 1], grad: false }, { shape: [3, 3, 3, 1] }, { shape: [3] }, { shape: [4, 2, 2, 3] }, { shape: [4] }, { shape: [6, 16] }, { shape: [6] }, { shape: [5, 6] }, { shape: [5] }],
      (e, [x, w1, b1, w2, b2, w3, b3, w4, b4]) => {
        const p1 = maxpool2d(e, conv2d(e, x, w1, b1));
        const p2 = maxpool2d(e, conv2d(e, p1, w2, b2));
        const h = relu(e, linear(e, flatten(e, p2), w3, b3));
        return softmaxCrossEntropy(e, linear(e, h, w4, b4), labelTensor(e, labels));
      },
      ([x, w1, b1, w2, b2, w3, b3, w4, b4]) => {
        const p1 = maxpoolOracle(conv2dOracle(x, w1, b1, g1), { ...geomOf(2, 10, 10, 3, 3, 2, 2), sh: 2, sw: 2 });
        const p2 = maxpoolOracle(conv2dOracle(p1, w2, b2, g2), { ...geomOf(2, 4, 4, 4, 4, 2, 2), sh: 2, sw: 2 });
        const h = tgemmOracle(2, 6, 16, p2, w3, b3, null, false, true, 1, 0).map((v) => Math.max(v, 0));
        const logits = tgemmOracle(2, 5, 6, h, w4, b4, null, false, true, 1, 0);
        return [softmaxCeOracle(logits, labels, 2, 5).loss.reduce((a, b) => a + b, 0) / 2];
      },
      'lenet chain');
  });
});

describe('optimizers through the engine', () => {
  it('SGD and Adam decrease a convex loss and skip parameters without a gradient', () => {
    for (const make of [(e: Engine, p: Tensor[]) => new SGD(e, p, { lr: 0.1, momentum: 0.9 }), (e: Engine, p: Tensor[]) => new Adam(e, p, { lr: 0.05 })]) {
      const e = new Engine(new TrainModule());
      const rng = new Rng(9);
      const w = e.parameter('w', [3, 4], rng.floats(12));
      const unused = e.parameter('unused', [5], rng.floats(5));
      const before = e.read(unused);
      const opt = make(e, [w, unused]);
      const x = rng.floats(8 * 4);
      const losses: number[] = [];
      for (let s = 0; s < 30; s++) {
        e.beginStep();
        const loss = softmaxCrossEntropy(e, linear(e, e.input(x, [8, 4]), w, null), labelTensor(e, [0, 1, 2, 0, 1, 2, 0, 1]));
        losses.push(scalar(e, loss));
        e.backward(loss);
        opt.step();
      }
      expect(losses[29]).toBeLessThan(losses[0] * 0.8);
      expect(e.read(unused)).toEqual(before);
    }
  });
});

describe('training on MNIST (2,000 training images, 1,000 test images)', () => {
  const train = loadImageDataset('mnist', 'train');
  const test = loadImageDataset('mnist', 'test');
  const sub = (d: typeof train, n: number) => ({ x: d.x.subarray(0, n * 784), y: d.y.subarray(0, n), count: n });

  it('LeNet-300-100 with SGD + momentum, 3 epochs: > 85% test accuracy; the exported .wpal gives the same logits', async () => {
    const e = new Engine(new TrainModule());
    const net = graphNet(e, freshModel('lenet300-100', { seed: 1, classes: 10, inputShape: [784] }));
    const opt = new SGD(e, net.params, { lr: 0.05, momentum: 0.9 });
    for (let ep = 0; ep < 3; ep++) trainEpoch(e, net, opt, sub(train, 2000), { batchSize: 64, seed: ep + 1 });
    const r = evaluate(e, net, sub(test, 1000));
    expect(r.accuracy).toBeGreaterThan(0.85);
    // exportable through the .wpal builder (same names and layouts)
    const w = net.exportWeights();
    expect(Object.keys(w).sort()).toEqual(['fc1.bias', 'fc1.weight', 'fc2.bias', 'fc2.weight', 'fc3.bias', 'fc3.weight']);
    await expectSameLogits(e, net, buildLeNet300100({ weights: { values: w } }).bytes, sub(test, 8));
  });

  it('LeNet-5 with SGD + momentum, batch 32, 2 epochs: > 85% test accuracy (about 91% measured); same logits from the .wpal', async () => {
    const e = new Engine(new TrainModule());
    const net = graphNet(e, freshModel('lenet5', { seed: 1, classes: 10, inputShape: [28, 28, 1] }));
    const opt = new SGD(e, net.params, { lr: 0.02, momentum: 0.9 });
    for (let ep = 0; ep < 2; ep++) trainEpoch(e, net, opt, sub(train, 2000), { batchSize: 32, seed: ep + 1 });
    const r = evaluate(e, net, sub(test, 1000));
    expect(r.accuracy).toBeGreaterThan(0.85);
    await expectSameLogits(e, net, buildLeNet5({ weights: { values: net.exportWeights() } }).bytes, sub(test, 8));
  });
});

/** The .wpal file written from the trained weights computes the engine's logits in the runtime. */
async function expectSameLogits(e: Engine, net: TrainableNet, bytes: Uint8Array, data: { x: Float32Array; count: number }): Promise<void> {
  const model = await loadModel(bytes);
  const out = model.run({ [model.inputs[0].name]: { data: data.x, shape: [data.count, ...net.inputShape] } });
  e.gradEnabled = false;
  e.beginStep();
  const logits = net.forward(e.input(data.x, [data.count, ...net.inputShape]));
  e.gradEnabled = true;
  const want = e.read(logits);
  const got = out[model.outputs[0].name].data;
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i]), `logit ${i}`).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(want[i])));
}
