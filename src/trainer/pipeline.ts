/**
 * compress(model, data, options) -> { bytes, report }: the whole compression pipeline as one
 * library call (the `wpal compress` command parses its arguments, calls this and prints):
 *
 *   [structured stage: whole filters / neurons row-pruned on float32, then removed (structure.ts)]
 *   [prune stage: block pruning alone on float32 weights, then DKM clusters the kept blocks]
 *   DKM fine-tuning (bits per layer, or per-layer bits and sparsity from the allocator for a target
 *   size), distillation from the dense model when asked
 *   [a target below what block masks allow: widths chosen to fit, structured stage, again]
 *   -> the file, its accuracy measured through the runtime on the test examples and recorded in it.
 *
 * Progress goes to `onEvent` (steps per stage, lines worth printing), nothing is printed here.
 */
import { loadModel } from '../runtime/load.js';
import { InfeasibleTargetError } from './allocate/index.js';
import { carveStratified, SPLIT_DEFAULTS, takeRows, valSeed } from './data/split.js';
import { allocateLayers, compressModel, layerKey, type CompressProgress, type CompressResult } from './compress.js';
import { buildDenseModel, int8Compression, type BuildExtra, type DenseModel, type LayerSetting } from './dense-model.js';
import type { PaletteEntryType } from './allocate/size.js';
import type { Examples } from './engine/loop.js';
import { inputOf } from './engine/graph-net.js';
import { teacherMisfit, type Teachers } from './teacher.js';
import { shiftMisfit } from './engine/augment.js';
import { ACCURACY, ACCURACY_DATASET, ACCURACY_EXAMPLES, accuracyOf, type Accuracy } from './measure.js';
import { shrinkZeroRows } from './shrink.js';
import { chooseWidths } from './widths.js';
import { shrinkableUnits } from './structure.js';

import { WpalCompressError, checkPaletteEntries } from './errors.js';

export { WpalCompressError };


export interface PipelineOptions {
  /** Name of the data set, recorded in the file. */
  dataset: string;
  /** Who made the file (recorded as `trainer`). */
  trainer: string;
  /** How the data was read (preprocessing, class labels): recorded in the file so eval / verify read it the same way. */
  record?: BuildExtra;
  /**
   * Write only the metadata needed to measure the file again (format/metadata.ts: accuracy, data,
   * preprocessing, labels): a target size then reserves room for that alone.
   */
  stripMetadata?: boolean;
  /** More metadata properties describing the data (format, carves, ...). */
  properties?: Record<string, string>;
  /** Index bits of every layer (default 2); or `targetBytes` for per-layer bits and sparsity from the allocator. */
  bits?: number;
  targetBytes?: number;
  groupRows?: number;
  sparsity?: number;
  /** Pruning block (default 1x4). */
  block?: string;
  layers?: Record<string, LayerSetting>;
  /** Keep this many units per shrinkable layer (structure.ts order; LeNet-5: conv1, conv2, fc1 filters/neurons; LeNet-300-100: hidden units). */
  widths?: number[];
  /** Epochs of the structured stage (default 16: on LeNet-5 at 8.6 KB, 4, 8 and 12 left it short of 99.0%: 98.81, 98.89, 98.99%). */
  structuredEpochs?: number;
  /** Epochs of block pruning on float32 weights before DKM (default 0: prune during DKM). */
  pruneEpochs?: number;
  /** DKM epochs (default 2; the transformer 1). */
  epochs?: number;
  /** DKM epochs when a structured stage ran first (default 8 when `epochs` is not given, else `epochs`): a much narrower network needs longer to recover. */
  epochsAfterStructured?: number;
  batchSize?: number;
  /** Peak learning rate, cosine-decayed to 0 (default 0.005 with sgd; adam 5e-4, the transformer 3e-4). */
  lr?: number;
  /** sgd + momentum (default) or adam (default for the transformer). */
  optimizer?: 'sgd' | 'adam';
  /** DKM temperature as a fraction of the weights' std (default 0.05). */
  tau?: number;
  seed?: number;
  /** Distill from the model given: true for the defaults (temperature 4, the transformer 2; alpha 0.5). */
  distill?: boolean | { temperature?: number; alpha?: number };
  /** Images: move every training image by up to this many pixels each way in every stage (default 0 = none; engine/augment.ts). */
  shift?: number;
  /**
   * Distill from this model (or ensemble: the mean of its models' logits) instead of the one given
   * (with `distill`): it takes the same input and gives the same classes. `name` is recorded.
   */
  teacher?: { model: Teachers; name: string };
  /** Write int8 palette entries and run palettized FullyConnected / Conv2D layers on int8 activations (the accuracy is measured so). */
  int8?: boolean;
  /**
   * Element type of the palette entries (default float32): float16 halves every palette (the
   * centroids rounded to half precision; the allocator counts them so). Not with int8.
   */
  paletteEntries?: PaletteEntryType;
  /** With a target size: the index bits the allocator may give a layer (default 1, 2, 3, 4, 6, 8; 0 = float32 values). */
  allocationBits?: number[];
  onEvent?: (e: PipelineEvent) => void;
}

export const COMPRESS_DEFAULTS = { bits: 2, epochs: 2, epochsAfterStructured: 8, structuredEpochs: 16, lr: 0.005, adamLr: 5e-4, batch: 128, block: '1x4', tau: 0.05, temperature: 4, alpha: 0.5, seed: 1 };

/** Defaults for the text transformer (measured in scripts/experiments/sst2.ts): one epoch of Adam, softer distillation. */
export const TEXT_COMPRESS_DEFAULTS = { epochs: 1, lr: 3e-4, optimizer: 'adam' as const, temperature: 2 };

/** A model whose input is token ids (the text transformer): its own defaults. */
export function takesTokenIds(model: DenseModel): boolean {
  return model.graph.tensors[model.graph.inputs[0]!]!.dtype === 'int32';
}

export type CompressSettings = Required<Pick<PipelineOptions, 'bits' | 'block' | 'structuredEpochs' | 'epochs' | 'batchSize' | 'lr' | 'optimizer' | 'tau' | 'seed'>> & {
  epochsAfterStructured: number;
  distill?: { temperature: number; alpha: number };
};

/** The settings a compress run uses: those given, the model's defaults (LeNets / the transformer) for the rest. */
export function compressSettings(model: DenseModel, o: Omit<PipelineOptions, 'dataset' | 'trainer'>): CompressSettings {
  const text = takesTokenIds(model);
  const optimizer = o.optimizer ?? (text ? TEXT_COMPRESS_DEFAULTS.optimizer : 'sgd');
  const epochs = o.epochs ?? (text ? TEXT_COMPRESS_DEFAULTS.epochs : COMPRESS_DEFAULTS.epochs);
  const d = o.distill === true ? {} : o.distill || undefined;
  return {
    bits: o.bits ?? COMPRESS_DEFAULTS.bits,
    block: o.block ?? COMPRESS_DEFAULTS.block,
    structuredEpochs: o.structuredEpochs ?? COMPRESS_DEFAULTS.structuredEpochs,
    epochs,
    // after whole filters / neurons were removed, DKM runs longer unless the epochs were given
    epochsAfterStructured: o.epochsAfterStructured ?? (o.epochs === undefined && !text ? COMPRESS_DEFAULTS.epochsAfterStructured : epochs),
    batchSize: o.batchSize ?? COMPRESS_DEFAULTS.batch,
    lr: o.lr ?? (optimizer === 'adam' ? (text ? TEXT_COMPRESS_DEFAULTS.lr : COMPRESS_DEFAULTS.adamLr) : COMPRESS_DEFAULTS.lr),
    optimizer,
    tau: o.tau ?? COMPRESS_DEFAULTS.tau,
    seed: o.seed ?? COMPRESS_DEFAULTS.seed,
    ...(d ? { distill: { temperature: d.temperature ?? (text ? TEXT_COMPRESS_DEFAULTS.temperature : COMPRESS_DEFAULTS.temperature), alpha: d.alpha ?? COMPRESS_DEFAULTS.alpha } } : {}),
  };
}

export type PipelineEvent =
  /** The pipeline will train on this many examples in all (it may grow: see 'extend'). */
  | { kind: 'start'; examples: number }
  | { kind: 'extend'; examples: number }
  /** A training step: `done` examples of the whole run; `stage` is '', 'structured ', 'prune ' or 'DKM '. */
  | { kind: 'step'; stage: string; done: number; progress: CompressProgress }
  /** A line worth printing (a stage finished, a decision taken). */
  | { kind: 'note'; text: string }
  /** A target below what block masks allow: whole units are removed first, keeping `widths` of `full`. */
  | { kind: 'widths'; targetBytes: number; minBytes: number; widths: number[]; full: number[]; estimatedBytes: number; bits: number };

export interface PipelineReport {
  result: CompressResult;
  /** Accuracy of the written file through the runtime on the test examples. */
  accuracy: Accuracy;
  /** "conv1 20->6, conv2 50->12, fc1 500->32" when whole units were removed. */
  structured?: string;
  widths?: number[];
  trainSeconds: number;
  provenance: Record<string, string>;
  /** The options as run, defaults filled in. */
  settings: CompressSettings;
}

/** Bytes the metadata properties take in a file (measured on the dense build of the model, + 16 for alignment). */
export function propertyBytes(dense: DenseModel, properties: Record<string, string>, extra: BuildExtra = {}): number {
  const plain = buildDenseModel(dense).bytes.length;
  return buildDenseModel(dense, undefined, { ...extra, properties }).bytes.length - plain + 16;
}

/**
 * Bits per weight the widths of a small target are planned at. The allocator then gives the large
 * fully connected layers about this and the small convs more (LeNet-5 at 8.6 KB planned at 4 bits:
 * 6,13,39 units, 6/6/3/6 bits, 98.89%); planning at 3 keeps more units for the same bytes.
 */
const WIDTH_PLAN_BITS = 3;

/** A seeded, stratified validation carve of the training examples (SPLIT_DEFAULTS.valFraction). */
function carveValidation(d: Examples, seed: number): { train: Examples; val: Examples } {
  const classes = Math.max(...Array.from(d.y)) + 1;
  const c = carveStratified(d.y, classes, SPLIT_DEFAULTS.valFraction, valSeed(seed));
  return { train: takeRows(d, c.rest), val: takeRows(d, c.held) };
}

const pct = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? 'n/a' : `${(100 * x).toFixed(2)}%`);

/**
 * Compresses `model` on `data.train`. `data.val` chooses everything chosen from data: the best epoch
 * of every stage, and the layers' sensitivity behind a target size (when absent, 10% of the training
 * examples are carved as validation, seeded); `data.test` only measures the written file.
 */
export async function compress(model: DenseModel, data: { train: Examples; val?: Examples; test: Examples }, options: PipelineOptions): Promise<{ bytes: Uint8Array; report: PipelineReport }> {
  checkPaletteEntries(options.int8, options.paletteEntries);
  if (options.teacher) {
    const why = teacherMisfit(model, options.teacher.model);
    if (why) throw new WpalCompressError(`teacher ${options.teacher.name}: ${why}`);
  }
  if (options.shift) {
    const input = inputOf(model);
    const why = shiftMisfit(input.shape, input.dtype === 'int32' ? 'int32' : 'float32');
    if (why) throw new WpalCompressError(`shift: ${why}`);
  }
  const settings = compressSettings(model, options);
  const o = { ...options, ...settings, distill: settings.distill, record: { ...options.record, ...(options.stripMetadata ? { stripMetadata: true } : {}) } };
  const { test } = data;
  const { train, val: monitor } = data.val ? { train: data.train, val: data.val } : carveValidation(data.train, o.seed);
  const emit = o.onEvent ?? (() => {});
  const units = shrinkableUnits(model);
  const shrinkable = units.length > 0;
  const structuredEpochs = o.structuredEpochs;
  let dkmEpochs = o.epochs;
  let widths = o.widths;
  if (widths && !shrinkable) throw new WpalCompressError('removing whole filters / neurons (widths): no layer of this model can lose them (a fully connected or conv layer feeding another through channel-wise ops)');
  if (widths && widths.length !== units.length) throw new WpalCompressError(`widths: give ${units.length} numbers, for ${units.map((u) => layerKey(u.weight)).join(', ')}`);
  // Prune first (not with explicit widths: their structured stage takes the prune epochs). With a
  // target, the allocator's sparsities are pruned when it reaches the target without removing whole
  // filters (tried below); otherwise the prune epochs go to the structured stage.
  let pruneEpochs = widths ? 0 : o.pruneEpochs ?? 0;
  const perEpoch = Math.floor(train.count / o.batchSize) * o.batchSize;
  if (perEpoch === 0) throw new WpalCompressError(`batch size ${o.batchSize} is larger than the ${train.count} training examples`);
  const full = units.map((u) => u.width);
  if (widths) dkmEpochs = o.epochsAfterStructured;
  emit({ kind: 'start', examples: perEpoch * (pruneEpochs + dkmEpochs + (widths ? structuredEpochs : 0)) });
  const t0 = performance.now();
  // every stage distills from the model given (not from the narrower model of a previous stage)
  const common = { batchSize: o.batchSize, optimizer: o.optimizer, seed: o.seed, ...(o.distill ? { distill: o.distill, teacher: o.teacher?.model ?? model } : {}), ...(o.shift ? { shift: o.shift } : {}), test: monitor };
  const stepsOf = (stage: string, offset: number) => (p: CompressProgress) => emit({ kind: 'step', stage, done: offset + p.step * o.batchSize, progress: p });
  let dense = model;
  let structuredLine = '';

  // Per-layer bits and sparsity are not repeated in the metadata: the file's tensors hold them, and
  // every byte of metadata counts in the ratio (and is reserved ahead of a target size).
  const provenanceOf = (seconds: string): Record<string, string> => ({
    trainer: o.trainer,
    dataset: o.dataset,
    ...o.properties,
    dkm_bits: o.targetBytes !== undefined ? 'auto' : String(o.bits),
    ...(o.targetBytes !== undefined ? { target_bytes: String(o.targetBytes) } : {}),
    dkm_epochs: String(dkmEpochs),
    optimizer: o.optimizer,
    ...(pruneEpochs > 0 ? { prune_epochs: String(pruneEpochs) } : {}),
    ...(structuredLine ? { structured: structuredLine, structured_epochs: String(structuredEpochs) } : {}),
    dkm_tau: String(o.tau),
    distill: String(!!o.distill),
    ...(o.distill && o.teacher ? { teacher: o.teacher.name } : {}),
    ...(o.shift ? { augment_shift: String(o.shift) } : {}),
    seed: String(o.seed),
    train_examples: String(train.count),
    train_seconds: seconds,
  });
  // Room for the provenance and accuracy properties written at the end (longest plausible values).
  const reserve = () => propertyBytes(dense, { ...provenanceOf('99999.9'), [ACCURACY]: String(1 / 3), [ACCURACY_EXAMPLES]: String(test.count), [ACCURACY_DATASET]: o.dataset }, o.record);

  // Whole filters / neurons row-pruned on float32 weights, then removed from the model
  // (shrinkZeroRows folds their constant outputs into the next biases): a narrower network.
  const structured = (keep: number[], offset: number): number[] => {
    const names = units.map((u) => layerKey(u.weight));
    const rows = Object.fromEntries(names.map((n, i) => [n, { bits: 0, sparsity: (full[i] - keep[i]) / full[i], block: 'row' }]));
    const pruned = compressModel(dense, train, { ...common, bits: 0, layers: rows, epochs: structuredEpochs, lr: 2 * o.lr, onProgress: stepsOf('structured ', offset) });
    const s = shrinkZeroRows({ ...dense, weights: pruned.weights });
    dense = s.model;
    structuredLine = names.map((n, i) => `${n} ${full[i]}->${s.widths[i]}`).join(', ');
    emit({ kind: 'note', text: `removed whole filters/neurons (${structuredLine}) over ${structuredEpochs} epoch${structuredEpochs > 1 ? 's' : ''}  val acc ${pct(pruned.accuracy)}` });
    return s.widths;
  };
  if (widths) widths = structured(widths, 0);
  // Metadata room, measured once on the model the stages below train (pruning changes values, not sizes).
  let reserveBytes = o.targetBytes === undefined ? 0 : reserve();
  // How the allocator chooses (a target size): the metadata room, sensitivity on the validation split, the bits it may give.
  const allocation = () => ({ reserveBytes, calibrationFrom: monitor, ...(o.allocationBits ? { bits: o.allocationBits } : {}) });
  // The allocator first (sensitivity on the validation split), so its sparsities can be pruned
  // before DKM, as a hand-written --layer recipe would be; the DKM stage then keeps its bits.
  let layerSettings = o.layers;
  let allocated = false;
  if (o.targetBytes !== undefined && !widths && pruneEpochs > 0) {
    try {
      const a = allocateLayers(dense, train, {
        targetBytes: o.targetBytes, allocation: allocation(),
        block: o.block, groupRows: o.groupRows ?? 0, ...(o.paletteEntries ? { entryType: o.paletteEntries } : {}), ...(o.layers ? { layers: o.layers } : {}),
      });
      layerSettings = a.layers;
      allocated = true;
      emit({ kind: 'note', text: `allocated ${Object.entries(a.allocation.settings).map(([k, v]) => `${k} ${v.bits}-bit${v.sparsity ? ` ${(100 * v.sparsity).toFixed(0)}% pruned` : ''}`).join(', ')}` });
    } catch (e) {
      if (!(e instanceof InfeasibleTargetError)) throw e;
      pruneEpochs = 0; // whole filters must go: the prune epochs are the structured stage's (below)
    }
  }
  if (pruneEpochs > 0) {
    // Block pruning alone on float32 weights (bits 0 everywhere); DKM's pruner then finds those
    // zero blocks first, so DKM clusters exactly the kept blocks.
    const unclustered = Object.fromEntries(Object.entries(layerSettings ?? {}).map(([k, v]) => [k, { ...v, bits: 0 }]));
    const pruned = compressModel(dense, train, { ...common, bits: 0, sparsity: o.sparsity ?? 0, block: o.block, layers: unclustered, epochs: pruneEpochs, lr: 2 * o.lr, onProgress: stepsOf('prune ', 0) });
    emit({ kind: 'note', text: `pruned ${pruneEpochs} epoch${pruneEpochs > 1 ? 's' : ''} (float32)  val acc ${pct(pruned.accuracy)}` });
    dense = { ...dense, weights: pruned.weights };
  }

  const dkm = () =>
    compressModel(dense, train, {
      ...common,
      ...(o.targetBytes !== undefined && !allocated ? { targetBytes: o.targetBytes, allocation: allocation() } : { bits: o.bits }),
      groupRows: o.groupRows ?? 0,
      sparsity: o.sparsity ?? 0,
      block: o.block,
      ...(layerSettings ? { layers: layerSettings } : {}),
      ...(o.paletteEntries ? { entryType: o.paletteEntries } : {}),
      epochs: dkmEpochs,
      lr: o.lr,
      tau: o.tau,
      onProgress: stepsOf(pruneEpochs > 0 || widths ? 'DKM ' : '', (pruneEpochs + (widths ? structuredEpochs : 0)) * perEpoch),
    });
  let r: CompressResult;
  try {
    r = dkm();
  } catch (e) {
    if (!(e instanceof InfeasibleTargetError)) throw e;
    // Below what masks over the full-width layers allow: remove whole filters / neurons first.
    if (!shrinkable || widths || e.targetBytes > e.maxBytes) throw new WpalCompressError(e.message, { cause: e });
    const overhead = buildDenseModel(dense).bytes.length - Object.values(dense.weights).reduce((a, v) => a + 4 * v.length, 0) + reserveBytes;
    let plan;
    try {
      plan = chooseWidths(dense, Math.floor(e.targetBytes * 0.97), { overheadBytes: overhead, bits: WIDTH_PLAN_BITS });
    } catch (why) {
      throw new WpalCompressError(`${e.message}; removing whole filters and neurons does not reach it either: ${(why as Error).message}`, { cause: why });
    }
    emit({ kind: 'widths', targetBytes: e.targetBytes, minBytes: e.minBytes, widths: plan.widths, full: plan.full, estimatedBytes: plan.estimatedBytes, bits: WIDTH_PLAN_BITS });
    dkmEpochs = o.epochsAfterStructured;
    emit({ kind: 'extend', examples: perEpoch * (structuredEpochs + dkmEpochs - o.epochs) });
    widths = structured(plan.widths, 0);
    reserveBytes = reserve();
    try {
      r = dkm();
    } catch (again) {
      if (again instanceof InfeasibleTargetError) throw new WpalCompressError(again.message, { cause: again });
      throw again;
    }
  }
  emit({ kind: 'note', text: `${pruneEpochs > 0 || widths ? 'DKM ' : ''}fine-tuned ${dkmEpochs} epoch${dkmEpochs > 1 ? 's' : ''}  val acc (hard) ${pct(r.accuracy)}${dkmEpochs > 1 ? ` (epoch ${r.epoch}, the best)` : ''}` });
  const trainSeconds = (performance.now() - t0) / 1000;

  // Measured through the runtime on the written file, then recorded in it.
  const provenance = provenanceOf(Math.min(trainSeconds, 99999.9).toFixed(1));
  const build = o.int8 ? (extra: BuildExtra) => buildDenseModel({ ...r.model, weights: r.weights }, int8Compression(r.compression), extra) : r.build;
  const draft = await loadModel(build({ ...o.record, properties: provenance }).bytes);
  const accuracy = accuracyOf(draft, test);
  draft.dispose();
  const bytes = build({ ...o.record, properties: { ...provenance, [ACCURACY]: String(accuracy.accuracy), [ACCURACY_EXAMPLES]: String(accuracy.examples), [ACCURACY_DATASET]: o.dataset } }).bytes;
  if (o.targetBytes !== undefined && bytes.length > o.targetBytes) throw new WpalCompressError(`the compressed file takes ${bytes.length} B, over the target ${o.targetBytes} B`);
  return { bytes, report: { result: r, accuracy, ...(structuredLine ? { structured: structuredLine } : {}), ...(widths ? { widths } : {}), trainSeconds, provenance, settings } };
}
