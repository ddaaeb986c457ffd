/**
 * Epoch loops: shuffled mini-batches copied into the arena, forward, loss, backward, optimizer
 * step; and evaluation without the tape. Allocation per step: the batch's JS index arithmetic and
 * the tape's small closures only; every tensor lives in the arena.
 */
import type { Engine } from './tensor.js';
import type { Optimizer } from './optim.js';
import type { TrainableNet } from './graph-net.js';
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
  let s = seed >>> 0;
  const rand = () => {
    let t = (s = (s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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

export interface EpochOptions {
  batchSize: number;
  seed?: number;
  /** Called after every step (e.g. a learning-rate schedule). */
  onStep?: (step: number, loss: number) => void;
  /** Stop after this many examples (default: all). */
  limit?: number;
}

/** One pass over `data` in shuffled batches (the last partial batch is dropped). */
export function trainEpoch(e: Engine, net: TrainableNet, opt: Optimizer, data: Examples, opts: EpochOptions): EpochResult {
  const B = opts.batchSize;
  const order = permutation(data.count, opts.seed ?? 1);
  const labels = new Int32Array(B);
  const n = Math.min(data.count, opts.limit ?? data.count);
  let lossSum = 0, correct = 0, seen = 0, step = 0;
  const t0 = performance.now();
  for (let s = 0; s + B <= n; s += B) {
    e.beginStep();
    const x = loadBatch(e, data, order, s, B, net.inputShape, labels, net.inputDtype);
    const lab = labelTensor(e, labels);
    const logits = net.forward(x);
    const loss = softmaxCrossEntropy(e, logits, lab);
    const l = scalar(e, loss);
    correct += countCorrect(e, logits, labels);
    e.backward(loss);
    opt.step();
    lossSum += l * B;
    seen += B;
    opts.onStep?.(step++, l);
  }
  return { loss: lossSum / Math.max(1, seen), accuracy: correct / Math.max(1, seen), examples: seen, seconds: (performance.now() - t0) / 1000 };
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
