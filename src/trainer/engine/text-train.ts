/**
 * Training loop of the text classifier (src/models/text.ts): AdamW with linear warmup and cosine decay, and
 * word dropout (each non-[PAD] id of a training batch becomes [PAD] with probability `wordDropout`,
 * a seeded draw). The model has no dropout layers, and SST-2's 67k training phrases are substrings
 * of ~8.5k sentences: measured on dev (seq 40, 8,192 buckets unless said), plain Adam 1e-3 without
 * word dropout: 76.4 % after epoch 1, 75.9 % after epoch 2 (train 90 %); word dropout 0.1, wd 0.01,
 * cosine: 76.9 / 75.8 / 76.5 % over 3 epochs; 0.2, wd 0.05, lr 5e-4: 77.2 / 76.8 %; seq 32, 16,384
 * buckets, 0.3, wd 0.1, lr 5e-4 (the defaults): 79.1 / 78.9 % over 2 epochs.
 */
import type { Engine } from './tensor.js';
import { Adam } from './optim.js';
import { evaluate, loadBatch, permutation, type Examples } from './loop.js';
import { countCorrect, labelTensor, scalar, softmaxCrossEntropy } from './ops.js';
import type { TrainableNet } from './graph-net.js';

export interface TextTrainOptions {
  epochs: number;
  batchSize?: number;
  /** Peak learning rate (default 5e-4), reached after `warmup` (default 0.05) x steps, then cosine to 0. */
  lr?: number;
  warmup?: number;
  /** AdamW decoupled weight decay (default 0.1). */
  weightDecay?: number;
  /** Probability that a word id becomes [PAD] in a training batch (default 0.3). */
  wordDropout?: number;
  seed?: number;
  /** Evaluated after every epoch. */
  test?: Examples;
  /** Stop each epoch after this many examples (default: all). */
  limit?: number;
  onEpoch?: (r: TextEpochRecord) => void;
  /** After every step: epoch index (0-based), examples done in this epoch, loss of the step. */
  onStep?: (epoch: number, examples: number, loss: number) => void;
}

export interface TextEpochRecord {
  epoch: number;
  loss: number;
  trainAccuracy: number;
  testAccuracy?: number;
  seconds: number;
  examplesPerSecond: number;
}

/** mulberry32 uniform draws in [0, 1). */
function uniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    let t = (s = (s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Trains `net` (an int32-input net, e.g. textClassifier) on `data`; returns one record per epoch. */
export function trainTextClassifier(e: Engine, net: TrainableNet, data: Examples, opts: TextTrainOptions): TextEpochRecord[] {
  const { epochs, batchSize: B = 64, lr = 5e-4, warmup = 0.05, weightDecay = 0.1, wordDropout = 0.3, seed = 1 } = opts;
  if (net.inputDtype !== 'int32') throw new Error('trainTextClassifier: the model does not take token ids');
  const n = Math.min(data.count, opts.limit ?? data.count);
  const steps = Math.floor(n / B) * epochs;
  const warm = Math.max(1, Math.round(warmup * steps));
  const opt = new Adam(e, net.params, { lr, weightDecay });
  const labels = new Int32Array(B);
  const drop = uniform(seed * 7919 + 17);
  const out: TextEpochRecord[] = [];
  let step = 0;
  for (let ep = 0; ep < epochs; ep++) {
    const order = permutation(data.count, seed * 1000 + ep + 1);
    let lossSum = 0, correct = 0, seen = 0;
    const t0 = performance.now();
    for (let s = 0; s + B <= n; s += B) {
      opt.lr = step < warm ? (lr * (step + 1)) / warm : (lr * (1 + Math.cos((Math.PI * (step - warm)) / Math.max(1, steps - warm)))) / 2;
      e.beginStep();
      const x = loadBatch(e, data, order, s, B, net.inputShape, labels, 'int32');
      if (wordDropout > 0) {
        const iv = e.mod.i32;
        for (let i = x.ptr >> 2, end = i + x.size; i < end; i++) if (iv[i] !== 0 && drop() < wordDropout) iv[i] = 0;
      }
      const logits = net.forward(x);
      const loss = softmaxCrossEntropy(e, logits, labelTensor(e, labels));
      const l = scalar(e, loss);
      lossSum += l * B;
      correct += countCorrect(e, logits, labels);
      e.backward(loss);
      opt.step();
      seen += B;
      step++;
      opts.onStep?.(ep, seen, l);
    }
    const seconds = (performance.now() - t0) / 1000;
    const rec: TextEpochRecord = { epoch: ep + 1, loss: lossSum / Math.max(1, seen), trainAccuracy: correct / Math.max(1, seen), seconds, examplesPerSecond: seen / Math.max(1e-9, seconds) };
    if (opts.test) rec.testAccuracy = evaluate(e, net, opts.test).accuracy;
    opts.onEpoch?.(rec);
    out.push(rec);
  }
  return out;
}
