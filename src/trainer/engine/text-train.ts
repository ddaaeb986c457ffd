/**
 * Training loop of the text classifier (src/models/text.ts): AdamW with linear warmup and cosine decay, and
 * word dropout (each non-[PAD] id of a training batch becomes [PAD] with probability `wordDropout`,
 * a seeded draw). The model has no dropout layers, and SST-2's 67k training phrases are substrings
 * of ~8.5k sentences: measured on dev (seq 40, 8,192 buckets unless said), plain Adam 1e-3 without
 * word dropout: 76.4 % after epoch 1, 75.9 % after epoch 2 (train 90 %); word dropout 0.1, wd 0.01,
 * cosine: 76.9 / 75.8 / 76.5 % over 3 epochs; 0.2, wd 0.05, lr 5e-4: 77.2 / 76.8 %; seq 32, 16,384
 * buckets, 0.3, wd 0.1, lr 5e-4 (the defaults of this function): 79.1 / 78.9 % over 2 epochs. Later
 * settings were chosen on a validation split of whole sentences, not on dev: `wpal train`'s defaults
 * (src/trainer/train.ts TEXT_TRAIN_DEFAULTS, 65,536 buckets, lr 1e-3, no word dropout).
 */
import type { Engine } from './tensor.js';
import { Adam } from './optim.js';
import { seededRandom } from '../../encode/kmeans.js';
import { evaluate, trainLoop, type Examples, type LoopEpoch } from './loop.js';
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

/** Trains `net` (a model whose input is token ids) on `data` with trainLoop; returns one record per epoch. */
export function trainTextClassifier(e: Engine, net: TrainableNet, data: Examples, opts: TextTrainOptions): TextEpochRecord[] {
  const { epochs, batchSize: B = 64, lr = 5e-4, warmup = 0.05, weightDecay = 0.1, wordDropout = 0.3, seed = 1 } = opts;
  if (net.inputDtype !== 'int32') throw new Error('trainTextClassifier: the model does not take token ids');
  const opt = new Adam(e, net.params, { lr, weightDecay });
  const drop = seededRandom(seed * 7919 + 17);
  const record = (h: LoopEpoch): TextEpochRecord => ({
    epoch: h.epoch, loss: h.loss, trainAccuracy: h.trainAccuracy, seconds: h.seconds, examplesPerSecond: h.examples / Math.max(1e-9, h.seconds),
    ...(h.valAccuracy !== undefined ? { testAccuracy: h.valAccuracy } : {}),
  });
  const r = trainLoop(e, net, opt, data, {
    epochs, batchSize: B, seed, ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
    lr: (step, steps) => {
      const warm = Math.max(1, Math.round(warmup * steps));
      return step < warm ? (lr * (step + 1)) / warm : (lr * (1 + Math.cos((Math.PI * (step - warm)) / Math.max(1, steps - warm)))) / 2;
    },
    prepare: (x) => {
      if (wordDropout <= 0) return;
      const iv = e.mod.i32;
      for (let i = x.ptr >> 2, end = i + x.size; i < end; i++) if (iv[i] !== 0 && drop() < wordDropout) iv[i] = 0;
    },
    onStep: (b, p) => opts.onStep?.(b.epoch, p.seen, p.lastLoss),
    onEpochEnd: () => (opts.test ? evaluate(e, net, opts.test).accuracy : undefined),
    onEpoch: (h) => opts.onEpoch?.(record(h)),
  });
  return r.epochs.map(record);
}
