/**
 * train(data, options) -> { bytes, report }: training a network from scratch as one library call
 * (the `wpal train` command parses its arguments, loads the data, calls this and prints):
 *
 *   a fresh model of the architecture (src/models builders, initial values by role) ->
 *   the graph trainer (SGD or Adam, cosine decay; the text transformer with AdamW, warmup and word
 *   dropout), distilled from a teacher's logits when one is given, measured on the validation split
 *   after every epoch -> the weights of the epoch with the best validation accuracy (the last epoch's
 *   when there is no validation split) -> the dense file, its accuracy measured through the runtime
 *   on the test examples and recorded in it.
 *
 * Progress goes to `onStep` / `onEpoch`; nothing is printed here.
 */
import { WpalError } from '../format/errors.js';
import { loadModel } from '../runtime/load.js';
import { ARCHITECTURES, TEXT_DEFAULTS, TEXT_POOLS, freshModel, type ArchName, type TextPool, type TextShape } from './architectures.js';
import { buildDenseModel, denseModelOf, type BuildExtra, type DenseModel } from './dense-model.js';
import { Engine } from './engine/tensor.js';
import { TrainModule } from './engine/module.js';
import { graphNet } from './engine/graph-net.js';
import { trainTextClassifier } from './engine/text-train.js';
import type { Batch, Examples } from './engine/loop.js';
import { fit } from './fit.js';
import { batchTeacher, teacherLogits, teacherMisfit, type Teachers } from './teacher.js';
import { shiftAugment, shiftMisfit } from './engine/augment.js';
import { ACCURACY, ACCURACY_DATASET, ACCURACY_EXAMPLES, accuracyOf, type Accuracy } from './measure.js';

export { ARCHITECTURES, TEXT_DEFAULTS, TEXT_POOLS, type ArchName, type TextPool };

/** Defaults (LeNets): SGD + momentum 0.9, weight decay 5e-4, cosine learning-rate decay to 0 over the run. */
export const TRAIN_DEFAULTS = { epochs: 10, batch: 64, seed: 1, sgdLr: 0.02, adamLr: 1e-3, momentum: 0.9, weightDecay: 5e-4, temperature: 4, alpha: 0.7 };

/**
 * Defaults of the text transformer (engine/text-train.ts: AdamW, warmup then cosine, word dropout), with
 * the 65,536-bucket word table of TEXT_DEFAULTS; chosen on SST-2's validation split by the mean of
 * seeds 1-3 (docs/results.md): lr 1e-3 and no word dropout, val 81.06 % with the mean pool (word
 * dropout 0.1: 80.62 %; lr 5e-4 with 0.1: 80.51 %; the defaults before, 16,384 buckets, lr 5e-4, word
 * dropout 0.3: 78.37 %, last epoch kept). With the max pool of TEXT_DEFAULTS, dev 80.31 +- 1.05 %
 * over seeds 1-6 (the mean pool: 79.38 +- 0.50 %).
 */
export const TEXT_TRAIN_DEFAULTS = { epochs: 2, lr: 1e-3, weightDecay: 0.1, wordDropout: 0 };

/** Training could not give a model (the loss diverged, a teacher of the wrong shape, too few examples). */
export class WpalTrainError extends WpalError {
  override readonly code: string = 'WPAL_TRAIN';
}

export interface TrainOptions {
  arch: ArchName;
  /** Classes of the data (the model's outputs) and the shape of one example. */
  classes: number;
  inputShape: readonly number[];
  /** lenet5: conv1, conv2, fc1 widths; lenet300-100: the hidden widths. */
  widths?: number[];
  /** transformer: its shape (defaults TEXT_DEFAULTS), whether it has a learned position table and how it pools. */
  text?: Partial<TextShape>;
  epochs?: number;
  batchSize?: number;
  /** Peak learning rate (default by optimizer / architecture), cosine-decayed to 0. */
  lr?: number;
  /** sgd (default for the LeNets) or adam; the transformer trains with AdamW only. */
  optimizer?: 'sgd' | 'adam';
  weightDecay?: number;
  /** transformer: probability that a training word becomes [PAD]. */
  wordDropout?: number;
  /** Images: move every training image by up to this many pixels each way, a fresh draw per step (default 0 = none). */
  shift?: number;
  seed?: number;
  /**
   * Keep the weights of the epoch with the best accuracy on `data.val` (the later epoch on a tie), as
   * the compress stages do (default true); false keeps the last epoch's. Without a validation split
   * the last epoch's weights are kept.
   */
  bestEpoch?: boolean;
  /**
   * Distill from this model, or from an ensemble (several models: the mean of their logits):
   * loss = (1 - alpha) CE + alpha T^2 KL on softened logits. `name` is recorded.
   */
  teacher?: { model: Teachers; name: string; temperature?: number; alpha?: number };
  /** Name of the data set, recorded in the file. */
  dataset: string;
  /** Who made the file (recorded as `trainer`). */
  trainer: string;
  /** How the data was read (preprocessing, class labels), recorded so eval / verify read it the same way. */
  record?: BuildExtra;
  /** More metadata properties describing the data (format, carves, ...). */
  properties?: Record<string, string>;
  /** After every step: epoch index (0-based), examples done in this epoch, smoothed loss. */
  onStep?: (epoch: number, examples: number, loss: number) => void;
  /** After every epoch: its loss, training accuracy and validation accuracy (when there is a validation split). */
  onEpoch?: (r: TrainEpoch) => void;
}

export interface TrainEpoch {
  epoch: number;
  loss: number;
  trainAccuracy: number;
  valAccuracy?: number;
  seconds: number;
}

export interface TrainReport {
  arch: ArchName;
  epochs: TrainEpoch[];
  /** The options as run, defaults filled in. */
  settings: { epochs: number; batchSize: number; lr: number; optimizer: 'sgd' | 'adam' | 'adamw'; weightDecay: number; seed: number };
  /** Examples per epoch (whole batches) and per second of training (evaluation included). */
  examplesPerEpoch: number;
  examplesPerSecond: number;
  trainSeconds: number;
  /** Accuracy of the written file through the runtime on the test examples. */
  accuracy: Accuracy;
  /** The epoch whose weights the file holds (1-based): the best on the validation split, else the last. */
  keptEpoch: number;
  /** Validation accuracy of the kept epoch's weights (engine, float32 weights). */
  valAccuracy?: number;
  model: DenseModel;
  provenance: Record<string, string>;
}

export type TrainSettings = Required<Pick<TrainOptions, 'epochs' | 'batchSize' | 'lr' | 'optimizer' | 'weightDecay' | 'wordDropout' | 'seed'>>;

/** The settings a training run uses: those given, the architecture's defaults for the rest. */
export function trainSettings(o: Pick<TrainOptions, 'arch' | 'epochs' | 'batchSize' | 'lr' | 'optimizer' | 'weightDecay' | 'wordDropout' | 'seed'>): TrainSettings {
  const text = o.arch === 'transformer';
  const optimizer = o.optimizer ?? (text ? 'adam' : 'sgd');
  return {
    epochs: o.epochs ?? (text ? TEXT_TRAIN_DEFAULTS.epochs : TRAIN_DEFAULTS.epochs),
    batchSize: o.batchSize ?? TRAIN_DEFAULTS.batch,
    optimizer,
    lr: o.lr ?? (text ? TEXT_TRAIN_DEFAULTS.lr : optimizer === 'sgd' ? TRAIN_DEFAULTS.sgdLr : TRAIN_DEFAULTS.adamLr),
    weightDecay: o.weightDecay ?? (text ? TEXT_TRAIN_DEFAULTS.weightDecay : TRAIN_DEFAULTS.weightDecay),
    wordDropout: o.wordDropout ?? TEXT_TRAIN_DEFAULTS.wordDropout,
    seed: o.seed ?? TRAIN_DEFAULTS.seed,
  };
}

/**
 * Trains a fresh `o.arch` on `data.train`; `data.val` (when given) is measured after every epoch;
 * `data.test` only measures the written file.
 */
export async function train(data: { train: Examples; val?: Examples; test: Examples }, o: TrainOptions): Promise<{ bytes: Uint8Array; report: TrainReport }> {
  const text = o.arch === 'transformer';
  if (text && o.optimizer === 'sgd') throw new WpalTrainError('the transformer trains with AdamW only (optimizer adam)');
  if (text && o.teacher) throw new WpalTrainError('distillation is not an option of the transformer');
  const shiftWhy = o.shift ? shiftMisfit(o.inputShape, text ? 'int32' : 'float32') : undefined;
  if (shiftWhy) throw new WpalTrainError(`shift: ${shiftWhy}`);
  const { epochs, batchSize, optimizer, lr, weightDecay, wordDropout, seed } = trainSettings(o);
  const { train: examples, val, test } = data;
  const steps = Math.floor(examples.count / batchSize);
  if (steps === 0) throw new WpalTrainError(`batch size ${batchSize} is larger than the ${examples.count} training examples`);
  const temperature = o.teacher?.temperature ?? TRAIN_DEFAULTS.temperature;
  const alpha = o.teacher?.alpha ?? TRAIN_DEFAULTS.alpha;

  const e = new Engine(new TrainModule());
  const textShape = text ? { ...TEXT_DEFAULTS, ...o.text } : undefined;
  const fresh = freshModel(o.arch, { seed, classes: o.classes, inputShape: o.inputShape, ...(o.widths ? { widths: o.widths } : {}), ...(textShape ? { text: textShape } : {}) });
  const net = graphNet(e, fresh);
  const trainedAt = new Date().toISOString();
  const t0 = performance.now();
  const augment = o.shift ? shiftAugment(o.inputShape, o.shift, seed) : undefined;
  let teacher: Float32Array | ((b: Batch) => Float32Array) | undefined;
  if (o.teacher) {
    // the same inputs and classes as the student (checked before any teacher work)
    const misfit = teacherMisfit(fresh, o.teacher.model);
    if (misfit) throw new WpalTrainError(`teacher ${o.teacher.name}: ${misfit}`);
    // the teacher's logits once over the data, or per batch when the batch is moved first
    teacher = augment ? batchTeacher(o.teacher.model, examples, { augment }) : teacherLogits(o.teacher.model, examples);
  }
  const history: TrainEpoch[] = [];
  const keepBest = o.bestEpoch ?? true;
  // the best epoch so far by validation accuracy, with a copy of its weights (the later epoch on a tie)
  let best: { epoch: number; valAccuracy: number; weights: Record<string, Float32Array> } | undefined;
  const onEpoch = (h: { epoch: number; loss: number; trainAccuracy: number; testAccuracy?: number; seconds: number }) => {
    const r: TrainEpoch = { epoch: h.epoch, loss: h.loss, trainAccuracy: h.trainAccuracy, ...(h.testAccuracy !== undefined ? { valAccuracy: h.testAccuracy } : {}), seconds: h.seconds };
    history.push(r);
    if (keepBest && r.valAccuracy !== undefined && (!best || r.valAccuracy >= best.valAccuracy)) best = { epoch: r.epoch, valAccuracy: r.valAccuracy, weights: net.exportWeights() };
    o.onEpoch?.(r);
  };
  const onStep = o.onStep ?? (() => {});
  if (textShape) trainTextClassifier(e, net, examples, { epochs, batchSize, lr, weightDecay, wordDropout, seed, ...(val ? { test: val } : {}), onStep, onEpoch });
  else {
    fit(e, net, examples, {
      epochs, batchSize, lr, optimizer, momentum: TRAIN_DEFAULTS.momentum, weightDecay, seed, ...(val ? { test: val } : {}),
      ...(teacher ? { teacher, temperature, alpha } : {}),
      ...(augment ? { augment } : {}),
      onStep, onEpoch,
    });
  }
  const last = history[history.length - 1]!;
  if (!Number.isFinite(last.loss)) throw new WpalTrainError(`the loss diverged (${last.loss}) in epoch ${last.epoch}: lower the learning rate (now ${lr})`);
  const trainSeconds = (performance.now() - t0) / 1000;
  const examplesPerEpoch = steps * batchSize;

  const model = best ? { ...fresh, weights: { ...fresh.weights, ...best.weights } } : denseModelOf(net, fresh);
  const keptEpoch = best?.epoch ?? last.epoch;
  const keptVal = best?.valAccuracy ?? last.valAccuracy;
  const buildFile = (properties: Record<string, string>) => buildDenseModel(model, undefined, { ...o.record, properties }).bytes;
  const provenance: Record<string, string> = {
    trainer: o.trainer,
    arch: o.arch,
    ...(o.widths ? { [o.arch === 'lenet5' ? 'widths' : 'hidden']: o.widths.join(',') } : {}),
    dataset: o.dataset,
    ...o.properties,
    epochs: String(epochs),
    batch: String(batchSize),
    optimizer,
    lr: String(lr),
    lr_schedule: 'cosine',
    ...(optimizer === 'sgd' ? { momentum: String(TRAIN_DEFAULTS.momentum), weight_decay: String(weightDecay) } : {}),
    ...(text ? { optimizer: 'adamw', weight_decay: String(weightDecay), lr_schedule: 'warmup 5% + cosine', word_dropout: String(wordDropout) } : {}),
    ...(o.teacher ? { teacher: o.teacher.name, distill_temperature: String(temperature), distill_alpha: String(alpha) } : {}),
    ...(augment ? { augment_shift: String(o.shift) } : {}),
    seed: String(seed),
    ...(keptVal !== undefined ? { kept_epoch: String(keptEpoch), val_accuracy: String(keptVal) } : {}),
    train_examples: String(examples.count),
    val_examples: String(val?.count ?? 0),
    train_seconds: trainSeconds.toFixed(1),
    trained_at: trainedAt,
  };
  // Measure the file itself, through the runtime, then write it again with the measured accuracy
  // (same weights, so the same accuracy; only the metadata grows).
  const draft = await loadModel(buildFile(provenance));
  const accuracy = accuracyOf(draft, test);
  draft.dispose();
  const bytes = buildFile({ ...provenance, [ACCURACY]: String(accuracy.accuracy), [ACCURACY_EXAMPLES]: String(accuracy.examples), [ACCURACY_DATASET]: o.dataset });
  const report: TrainReport = {
    arch: o.arch,
    epochs: history,
    settings: { epochs, batchSize, lr, optimizer: text ? 'adamw' : optimizer, weightDecay, seed },
    examplesPerEpoch,
    examplesPerSecond: (examplesPerEpoch * epochs) / trainSeconds,
    trainSeconds,
    accuracy,
    keptEpoch,
    ...(keptVal !== undefined ? { valAccuracy: keptVal } : {}),
    model,
    provenance,
  };
  return { bytes, report };
}
