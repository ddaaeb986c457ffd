/**
 * Training a net from scratch on the engine (what `wpal train` and the experiment scripts run):
 * shuffled mini-batches, SGD + momentum or Adam with the learning rate cosine-decayed to 0 over
 * the whole run, plain cross-entropy or distillation from a dense teacher's logits (teacher.ts:
 * computed once over the training set, or per batch when the images are randomly shifted).
 */
import type { Engine, Tensor } from './engine/tensor.js';
import { Adam, SGD, type Optimizer } from './engine/optim.js';
import { evaluate, trainLoop, type Batch, type Examples, type LoopEpoch } from './engine/loop.js';
import type { ShiftAugment } from './engine/augment.js';
import type { TrainableNet } from './engine/graph-net.js';
import { distillLoss } from './compress.js';

export interface FitOptions {
  epochs: number;
  batchSize: number;
  /** Peak learning rate, cosine-decayed to 0 over all steps. */
  lr: number;
  optimizer?: 'sgd' | 'adam';
  /** SGD momentum (default 0.9) and weight decay (default 5e-4); Adam uses neither. */
  momentum?: number;
  weightDecay?: number;
  seed?: number;
  /** Teacher logits: [count x classes] over `data` (teacherLogits), or a batch's (batchTeacher); absent = plain cross-entropy. */
  teacher?: Float32Array | ((b: Batch) => Float32Array);
  /** Random shifts of the training images, before the forward pass (engine/augment.ts). */
  augment?: ShiftAugment;
  /** Distillation: loss = (1 - alpha) CE + alpha T^2 KL on logits softened by T (defaults 4, 0.7). */
  temperature?: number;
  alpha?: number;
  /** Evaluated after every epoch when given. */
  test?: Examples;
  /** After every step: examples done in this epoch, smoothed loss. */
  onStep?: (epoch: number, examples: number, loss: number) => void;
  onEpoch?: (r: FitEpoch) => void;
}

export interface FitEpoch {
  epoch: number;
  epochs: number;
  loss: number;
  trainAccuracy: number;
  testAccuracy?: number;
  examples: number;
  seconds: number;
}

export interface FitResult {
  epochs: FitEpoch[];
  /** Examples per second over the training steps (evaluation excluded). */
  imagesPerSecond: number;
  seconds: number;
}

export function fit(e: Engine, net: TrainableNet, data: Examples, o: FitOptions): FitResult {
  const { epochs, batchSize: B, lr, seed = 1, temperature = 4, alpha = 0.7 } = o;
  const opt: Optimizer =
    (o.optimizer ?? 'sgd') === 'sgd'
      ? new SGD(e, net.params, { lr, momentum: o.momentum ?? 0.9, weightDecay: o.weightDecay ?? 5e-4 })
      : new Adam(e, net.params, { lr });
  if (Math.floor(data.count / B) === 0) throw new RangeError(`fit: batch ${B} is larger than the ${data.count} examples`);
  const stored = o.teacher instanceof Float32Array ? o.teacher : undefined;
  const classes = stored ? stored.length / data.count : 0;
  if (stored && !Number.isInteger(classes)) throw new RangeError(`fit: ${stored.length} teacher logits do not divide into ${data.count} examples`);
  const tl = new Float32Array(B * classes);
  const teacherOf = (b: Batch): Float32Array => {
    if (!stored) return (o.teacher as (b: Batch) => Float32Array)(b);
    for (let i = 0; i < B; i++) {
      const k = b.order[b.start + i];
      tl.set(stored.subarray(k * classes, (k + 1) * classes), i * classes);
    }
    return tl;
  };
  const augment = o.augment;
  let smooth = NaN;
  const fitEpoch = (h: LoopEpoch): FitEpoch => ({ epoch: h.epoch, epochs, loss: h.loss, trainAccuracy: h.trainAccuracy, ...(h.valAccuracy !== undefined ? { testAccuracy: h.valAccuracy } : {}), examples: h.examples, seconds: h.seconds });
  const t0 = performance.now();
  const r = trainLoop(e, net, opt, data, {
    epochs, batchSize: B, seed,
    lr: (step, steps) => 0.5 * lr * (1 + Math.cos((Math.PI * step) / steps)),
    ...(augment ? { prepare: (x: Tensor, b: Batch) => augment.apply(e, x, b) } : {}),
    ...(o.teacher ? { loss: (logits: Tensor, b: Batch) => distillLoss(e, logits, teacherOf(b), b.labels, temperature, alpha) } : {}),
    onStep: (b, p) => {
      smooth = b.step === 0 || Number.isNaN(smooth) ? p.lastLoss : 0.98 * smooth + 0.02 * p.lastLoss;
      o.onStep?.(b.epoch, p.seen, smooth);
    },
    onEpochEnd: () => (o.test ? evaluate(e, net, o.test).accuracy : undefined),
    onEpoch: (h) => o.onEpoch?.(fitEpoch(h)),
  });
  const history = r.epochs.map(fitEpoch);
  return { epochs: history, imagesPerSecond: r.examplesPerSecond, seconds: (performance.now() - t0) / 1000 };
}
