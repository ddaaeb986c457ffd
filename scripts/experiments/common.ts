/**
 * Shared pieces of the accuracy / size experiments (scripts/experiments/*.ts): argument parsing,
 * MNIST splits, a dense teacher's logits over the training set (computed once, cached under
 * build/experiments/), from-scratch training of a (narrow) engine net with distillation from those
 * cached logits, and the measurement of a written .wpal file through the runtime (loadModel on the
 * file's bytes, full test set). Every result is printed as one JSON line.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Engine, Examples, TrainableNet } from '../../src/trainer/engine/index.js';
import { fit } from '../../src/trainer/fit.js';
import { teacherLogits as logitsOf } from '../../src/trainer/teacher.js';
import { loadImageDataset } from '../../src/trainer/data/index.js';
import type { DenseModel } from '../../src/trainer/compress.js';
import { loadModel } from '../../src/runtime/load.js';
import { accuracyOf } from '../../src/trainer/measure.js';

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

/** Logits [count, 10] of a dense model over `data` (src/trainer/fit.ts), cached in `cache` when given. */
export function teacherLogits(model: DenseModel, data: Examples, cache?: string): Float32Array {
  if (cache && existsSync(cache)) {
    const b = readFileSync(cache);
    const out = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
    if (out.length === data.count * 10) return out;
  }
  const out = logitsOf(model, data);
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
  seed?: number;
  /** Cached teacher logits [count, 10] of the training set; absent = plain cross-entropy. */
  teacher?: Float32Array;
  temperature?: number;
  alpha?: number;
  log?: (msg: string) => void;
}

/** fit() (SGD + momentum, cosine lr) with the experiments' defaults, logging one line per epoch. */
export function trainNet(e: Engine, net: TrainableNet, data: Examples, o: TrainOptions): void {
  fit(e, net, data, {
    epochs: o.epochs, batchSize: o.batchSize ?? 64, lr: o.lr ?? 0.02, weightDecay: o.weightDecay ?? 5e-4, seed: o.seed ?? 1,
    ...(o.teacher ? { teacher: o.teacher, temperature: o.temperature ?? 4, alpha: o.alpha ?? 0.7 } : {}),
    onEpoch: (r) => o.log?.(`epoch ${r.epoch}/${r.epochs}: loss ${r.loss.toFixed(4)}, train acc ${(r.trainAccuracy * 100).toFixed(2)}%, ${(r.examples / r.seconds).toFixed(0)} images/s`),
  });
}

/** Writes the file and measures it through the runtime on the full test set; prints one JSON line. */
export async function measure(path: string, bytes: Uint8Array, test: Examples, row: Record<string, unknown>, denseBytes: number, t0: number): Promise<Record<string, unknown>> {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  const model = await loadModel(new Uint8Array(readFileSync(path)));
  const acc = accuracyOf(model, test);
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
