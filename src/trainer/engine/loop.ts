/**
 * Epoch loops: shuffled mini-batches copied into the arena, forward, loss, backward, optimizer
 * step; and evaluation without the tape. Allocation per step: the batch's JS index arithmetic and
 * the tape's small closures only; every tensor lives in the arena.
 */
import type { Engine } from './tensor.js';
import type { Optimizer } from './optim.js';
import type { TrainableNet } from './graph-net.js';
import type { Tensor } from './tensor.js';
import { seededRandom } from '../../encode/kmeans.js';
import { countCorrect, labelTensor, scalar, softmaxCrossEntropy } from './ops.js';

/** Examples as a flat Float32Array (count x features) and integer labels. */
export interface Examples {
  x: Float32Array;
  y: ArrayLike<number>;
  count: number;
}

export interface EpochResult {
  loss: number;
  accuracy: number;
  examples: number;
  seconds: number;
}

/** Seeded Fisher-Yates permutation of 0..n-1 (mulberry32). */
export function permutation(n: number, seed: number): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  const rand = seededRandom(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = p[i]; p[i] = p[j]; p[j] = t;
  }
  return p;
}

/**
 * Copies examples order[start .. start+B) into an arena tensor [B, ...shape]; labels into `labels`.
 * int32 inputs (token ids) are written as integers; they must be whole numbers in [0, 2^24).
 */
export function loadBatch(e: Engine, data: Examples, order: ArrayLike<number>, start: number, B: number, shape: readonly number[], labels: Int32Array, dtype: 'float32' | 'int32' = 'float32') {
  const F = data.x.length / data.count;
  const x = e.tensor([B, ...shape]);
  const v = dtype === 'int32' ? e.mod.i32 : e.mod.f32;
  const base = x.ptr >> 2;
  for (let i = 0; i < B; i++) {
    const k = order[start + i];
    const row = data.x.subarray(k * F, k * F + F);
    if (dtype === 'int32') {
      for (let j = 0; j < F; j++) if (!(Number.isInteger(row[j]) && row[j] >= 0)) throw new RangeError(`example ${k}: input ${j} is ${row[j]}, not a token id`);
    }
    v.set(row, base + i * F);
    labels[i] = data.y[k];
  }
  return x;
}

/** The shuffle seed of an epoch (a Weyl step, so epochs and seeds never share a permutation): the one seed rule of every training loop. */
export function epochSeed(seed: number, epoch: number): number {
  return (seed + epoch * 0x9e3779b1) >>> 0;
}

/** One mini-batch of the loop: examples order[start .. start + size) of the epoch's permutation. */
export interface Batch {
  epoch: number;
  /** Steps done before this one, over the whole run. */
  step: number;
  order: Uint32Array;
  start: number;
  size: number;
  labels: Int32Array;
}

export interface LoopOptions {
  epochs: number;
  batchSize: number;
  seed?: number;
  /** Learning rate of step `step` of `steps` (the schedule; default: the optimizer's, constant). */
  lr?: (step: number, steps: number) => number;
  /** Stop each epoch after this many examples (default: all). */
  limit?: number;
  /** The batch's loss from its logits (default: softmax cross-entropy on the labels). */
  loss?: (logits: Tensor, batch: Batch) => Tensor;
  /** Changes the batch's input in place before the forward pass (e.g. word dropout). */
  prepare?: (x: Tensor, batch: Batch) => void;
  /** Before / after every step (pruning schedules and masks). */
  beforeStep?: (batch: Batch) => void;
  afterStep?: (batch: Batch) => void;
  /** After every step: the mean loss and accuracy of the epoch so far. */
  onStep?: (batch: Batch, p: { loss: number; lastLoss: number; accuracy: number; seen: number; steps: number }) => void;
  /** After every epoch: a validation accuracy to record, if any. */
  onEpochEnd?: (epoch: number, steps: number) => number | undefined;
  /** The epoch's record, once complete. */
  onEpoch?: (rec: LoopEpoch) => void;
}

export interface LoopEpoch {
  epoch: number;
  loss: number;
  trainAccuracy: number;
  /** onEpochEnd's accuracy (the validation split's). */
  valAccuracy?: number;
  examples: number;
  seconds: number;
}

export interface LoopResult {
  epochs: LoopEpoch[];
  /** Examples per second over the training steps (onEpochEnd excluded). */
  examplesPerSecond: number;
}

/**
 * The training loop of the trainer (fit, compressModel, the text classifier, trainEpoch): shuffled
 * mini-batches by epochSeed, the last partial batch dropped; forward, loss, backward, optimizer step.
 */
export function trainLoop(e: Engine, net: TrainableNet, opt: Optimizer, data: Examples, o: LoopOptions): LoopResult {
  const B = o.batchSize;
  const n = Math.min(data.count, o.limit ?? data.count);
  const perEpoch = Math.floor(n / B);
  if (perEpoch === 0) throw new RangeError(`batch ${B} is larger than the ${n} examples`);
  const steps = perEpoch * o.epochs;
  const labels = new Int32Array(B);
  const history: LoopEpoch[] = [];
  let step = 0, trainSeconds = 0;
  for (let ep = 0; ep < o.epochs; ep++) {
    const order = permutation(data.count, epochSeed(o.seed ?? 1, ep));
    let lossSum = 0, correct = 0, seen = 0;
    const t0 = performance.now();
    for (let s = 0; s < perEpoch; s++) {
      const batch: Batch = { epoch: ep, step, order, start: s * B, size: B, labels };
      o.beforeStep?.(batch);
      if (o.lr) opt.lr = o.lr(step, steps);
      e.beginStep();
      const x = loadBatch(e, data, order, s * B, B, net.inputShape, labels, net.inputDtype);
      o.prepare?.(x, batch);
      const logits = net.forward(x);
      const loss = o.loss ? o.loss(logits, batch) : softmaxCrossEntropy(e, logits, labelTensor(e, labels));
      const l = scalar(e, loss);
      correct += countCorrect(e, logits, labels);
      e.backward(loss);
      opt.step();
      o.afterStep?.(batch);
      lossSum += l * B;
      seen += B;
      step++;
      o.onStep?.(batch, { loss: lossSum / seen, lastLoss: l, accuracy: correct / seen, seen, steps });
    }
    const seconds = (performance.now() - t0) / 1000;
    trainSeconds += seconds;
    const rec: LoopEpoch = { epoch: ep + 1, loss: lossSum / seen, trainAccuracy: correct / seen, examples: seen, seconds };
    const val = o.onEpochEnd?.(ep + 1, step);
    if (val !== undefined) rec.valAccuracy = val;
    history.push(rec);
    o.onEpoch?.(rec);
    if (!Number.isFinite(rec.loss)) break;
  }
  const examples = history.reduce((a, h) => a + h.examples, 0);
  return { epochs: history, examplesPerSecond: examples / Math.max(1e-9, trainSeconds) };
}

export interface EpochOptions {
  batchSize: number;
  /** Seed of the run, and which epoch of it this is (the permutation is epochSeed(seed, epoch)). */
  seed?: number;
  epoch?: number;
  /** Called after every step (e.g. a learning-rate schedule). */
  onStep?: (step: number, loss: number) => void;
  /** Stop after this many examples (default: all). */
  limit?: number;
}

/** One pass over `data` in shuffled batches (trainLoop for one epoch). */
export function trainEpoch(e: Engine, net: TrainableNet, opt: Optimizer, data: Examples, opts: EpochOptions): EpochResult {
  const r = trainLoop(e, net, opt, data, {
    epochs: 1, batchSize: opts.batchSize, seed: epochSeed(opts.seed ?? 1, opts.epoch ?? 0), ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
    onStep: (b, p) => opts.onStep?.(b.step, p.lastLoss),
  }).epochs[0];
  return { loss: r.loss, accuracy: r.trainAccuracy, examples: r.examples, seconds: r.seconds };
}

/** Loss and accuracy over `data` (no tape), in batches of `batchSize` (last one partial). */
export function evaluate(e: Engine, net: TrainableNet, data: Examples, batchSize = 256): EpochResult {
  const idx = new Uint32Array(data.count);
  for (let i = 0; i < data.count; i++) idx[i] = i;
  const labels = new Int32Array(batchSize);
  let lossSum = 0, correct = 0;
  const t0 = performance.now();
  const was = e.gradEnabled;
  e.gradEnabled = false;
  try {
    for (let s = 0; s < data.count; s += batchSize) {
      const B = Math.min(batchSize, data.count - s);
      e.beginStep();
      const lab = labels.subarray(0, B);
      const x = loadBatch(e, data, idx, s, B, net.inputShape, lab, net.inputDtype);
      const logits = net.forward(x);
      const loss = softmaxCrossEntropy(e, logits, labelTensor(e, lab));
      lossSum += scalar(e, loss) * B;
      correct += countCorrect(e, logits, lab);
    }
  } finally {
    e.gradEnabled = was;
  }
  return { loss: lossSum / data.count, accuracy: correct / data.count, examples: data.count, seconds: (performance.now() - t0) / 1000 };
}
