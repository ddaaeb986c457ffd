/**
 * Shared pieces of the accuracy / size experiments (scripts/experiments/*.ts): argument parsing,
 * MNIST splits, a dense teacher's logits over the training set (computed once, cached under
 * build/experiments/), from-scratch training of a (narrow) engine net with distillation from those
 * cached logits, and the measurement of a written .wpal file through the runtime (loadModel on the
 * file's bytes, full test set). Every result is printed as one JSON line.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Engine, SGD, TrainModule, countCorrect, labelTensor, scalar, softmaxCrossEntropy, permutation, type Examples, type Tensor, type TrainableNet } from '../../src/trainer/engine/index.js';
import { loadImageDataset } from '../../src/trainer/data/index.js';
import { distillLoss, netOf, type DenseModel } from '../../src/trainer/compress.js';
import { loadModel } from '../../src/runtime/load.js';
import { runtimeAccuracy } from '../../src/cli/util/model.js';

export const OUT_DIR = 'build/experiments';
export const LENET5_DENSE_BYTES = 1_724_320;
export const LENET300_DENSE_BYTES = 1_066_440;

export function argParser(argv = process.argv.slice(2)) {
  return {
    str: (name: string, def: string) => {
      const i = argv.indexOf(`--${name}`);
      return i >= 0 ? argv[i + 1] : def;
    },
    num: (name: string, def: number) => {
      const i = argv.indexOf(`--${name}`);
      return i >= 0 ? Number(argv[i + 1]) : def;
    },
    flag: (name: string) => argv.includes(`--${name}`),
  };
}

export function mnist(): { train: Examples; test: Examples } {
  const train = loadImageDataset('mnist', 'train');
  const test = loadImageDataset('mnist', 'test');
  return { train, test };
}

/** Logits [count, 10] of a dense model over `data` (no tape), cached in `cache` when given. */
export function teacherLogits(model: DenseModel, data: Examples, cache?: string, batch = 500): Float32Array {
  if (cache && existsSync(cache)) {
    const b = readFileSync(cache);
    const out = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
    if (out.length === data.count * 10) return out;
  }
  const e = new Engine(new TrainModule());
  const net = netOf(e, model);
  e.gradEnabled = false;
  const F = data.x.length / data.count;
  const out = new Float32Array(data.count * 10);
  for (let s = 0; s < data.count; s += batch) {
    const B = Math.min(batch, data.count - s);
    e.beginStep();
    const x = e.input(data.x.subarray(s * F, (s + B) * F), [B, ...net.inputShape]);
    out.set(e.read(net.forward(x)), s * 10);
  }
  if (cache) {
    mkdirSync(dirname(cache), { recursive: true });
    writeFileSync(cache, new Uint8Array(out.buffer));
  }
  return out;
}


export interface TrainOptions {
  epochs: number;
  batchSize?: number;
  lr?: number;
  weightDecay?: number;
  momentum?: number;
  seed?: number;
  /** Cached teacher logits [count, 10] of the training set; absent = plain cross-entropy. */
  teacher?: Float32Array;
  temperature?: number;
  alpha?: number;
  log?: (msg: string) => void;
}

/** SGD + momentum, cosine learning rate to 0, shuffled batches; CE or distillation from cached logits. */
export function trainNet(e: Engine, net: TrainableNet, data: Examples, o: TrainOptions): void {
  const { epochs, batchSize: B = 64, lr = 0.02, weightDecay = 5e-4, momentum = 0.9, seed = 1, temperature = 4, alpha = 0.7 } = o;
  const sgd = new SGD(e, net.params, { lr, momentum, weightDecay });
  const F = data.x.length / data.count;
  const steps = epochs * Math.floor(data.count / B);
  const labels = new Int32Array(B);
  const tl = new Float32Array(B * 10);
  let step = 0;
  for (let ep = 0; ep < epochs; ep++) {
    const order = permutation(data.count, seed * 1000 + ep + 1);
    let lossSum = 0, correct = 0, seen = 0;
    const t0 = performance.now();
    for (let s = 0; s + B <= data.count; s += B) {
      sgd.lr = 0.5 * lr * (1 + Math.cos((Math.PI * step) / steps));
      e.beginStep();
      const x = e.tensor([B, ...net.inputShape]);
      const f = e.mod.f32;
      const base = x.ptr >> 2;
      for (let i = 0; i < B; i++) {
        const k = order[s + i];
        f.set(data.x.subarray(k * F, k * F + F), base + i * F);
        labels[i] = data.y[k];
        if (o.teacher) tl.set(o.teacher.subarray(k * 10, k * 10 + 10), i * 10);
      }
      const logits = net.forward(x);
      const loss = o.teacher ? distillLoss(e, logits, tl, labels, temperature, alpha) : softmaxCrossEntropy(e, logits, labelTensor(e, labels));
      lossSum += scalar(e, loss) * B;
      correct += countCorrect(e, logits, labels);
      e.backward(loss);
      sgd.step();
      seen += B;
      step++;
    }
    o.log?.(`epoch ${ep + 1}/${epochs}: loss ${(lossSum / seen).toFixed(4)}, train acc ${((correct / seen) * 100).toFixed(2)}%, ${(seen / ((performance.now() - t0) / 1000)).toFixed(0)} images/s`);
  }
}

/** Writes the file and measures it through the runtime on the full test set; prints one JSON line. */
export async function measure(path: string, bytes: Uint8Array, test: Examples, row: Record<string, unknown>, denseBytes: number, t0: number): Promise<Record<string, unknown>> {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  const model = await loadModel(new Uint8Array(readFileSync(path)));
  const acc = runtimeAccuracy(model, test as Parameters<typeof runtimeAccuracy>[1]);
  const out = {
    ...row,
    file: path,
    accuracy: Number((acc.accuracy * 100).toFixed(2)),
    correct: acc.correct,
    examples: acc.examples,
    bytes: bytes.length,
    ratio: Number((denseBytes / bytes.length).toFixed(1)),
    wallSeconds: Math.round((performance.now() - t0) / 1000),
  };
  console.log(JSON.stringify(out));
  return out;
}
