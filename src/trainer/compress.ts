/**
 * compressModel: DKM fine-tuning (every compressible layer: the fc, conv and embedding weights of
 * the graph, graph-net.ts) with optional block pruning and distillation from the dense teacher, for
 * any model the trainer's op table covers, ending in hard-assigned weights and the matching .wpal
 * compression config, so
 *   buildDenseModel({ ...model, weights: r.weights }, r.compression)   (= r.build())
 * stores exactly the trained palettes (the writer's k-means meets at most 2^bits distinct values per
 * palette group and returns them) and masks (pruned blocks are exactly the zero ones).
 * Also: readDenseModel, the weights of a .wpal file back as a DenseModel (any encoding, decoded).
 */
import type { CompressionConfig, LayerDesc, WeightCompression } from '../models/common.js';
import { Engine, type Tensor } from './engine/tensor.js';
import { TrainModule, type KernelIsa, type TrainBuild } from './engine/module.js';
import { Adam, SGD, type Optimizer } from './engine/optim.js';
import { evaluate, trainLoop, type Batch, type Examples } from './engine/loop.js';
import { shiftAugment } from './engine/augment.js';
import { channelsFirst } from './data/meta.js';
import { batchTeacher, type Teachers } from './teacher.js';
import { graphForward } from './engine/graph-net.js';
import { DkmState, dkm, hardAssign, refreshCentroids } from './dkm/dkm.js';
import { BlockPruner, masked, parseBlock, type BlockSpec } from './prune/prune.js';
import { allocate, type AllocateOptions, type Allocation } from './allocate/index.js';
import type { PaletteEntryType } from './allocate/size.js';
import { buildDenseModel, compressibleLayers, netOf, type BuildExtra, type DenseModel, type LayerSetting, type WrittenModel } from './dense-model.js';

// The dense-model helpers live in dense-model.ts (the allocator needs them too; importing them from
// here made compress.ts and allocate/ import each other). Re-exported for callers of this module.
export { buildDenseModel, denseModelOf, inputShapeOf, netOf, readDenseModel, type BuildExtra, type DenseModel, type LayerSetting } from './dense-model.js';

/** The key of a weight in per-layer settings: "fc1" for "fc1.weight", else the tensor name. */
export function layerKey(name: string): string {
  return name.endsWith('.weight') ? name.slice(0, -'.weight'.length) : name;
}

export interface CompressProgress {
  epoch: number;
  epochs: number;
  /** Steps done in total, and the total. */
  step: number;
  steps: number;
  /** Mean training loss and accuracy (soft DKM weights) over the current epoch so far. */
  loss: number;
  accuracy: number;
  elapsedSeconds: number;
  etaSeconds: number;
  /** Test accuracy of the hard-assigned weights, at the end of an epoch when a test set is given. */
  testAccuracy?: number;
}

export interface CompressOptions {
  /** Index bits of every layer (1..8); required unless `targetBytes` is given. */
  bits?: number;
  /**
   * Automatic per-layer allocation (src/trainer/allocate): choose every layer's bits and sparsity
   * (with `block`, `groupRows`) so the written file is <= targetBytes and >= 97% of it, from the
   * dense model's per-layer sensitivity on a calibration subset of `data`; replaces `bits`,
   * `sparsity` and the bits / sparsity of `layers`.
   */
  targetBytes?: number;
  /** Element type of the palette entries written (default float32; float16 halves the palettes, the centroids rounded). */
  entryType?: PaletteEntryType;
  /** Options of the allocator (candidate bits / sparsities, calibration, bytes reserved for metadata). */
  allocation?: Omit<AllocateOptions, 'targetBytes' | 'block' | 'groupRows'>;
  /** Rows per palette (0 = per tensor, the default). */
  groupRows?: number;
  /** Fraction of blocks pruned in every layer (default 0 = no pruning). */
  sparsity?: number;
  /** Block shape (default 1x4). */
  block?: BlockSpec | string;
  /** Per-layer overrides. */
  layers?: Record<string, LayerSetting>;
  /** Pruning ramp (cubic, from 0): ends at this fraction of the training steps (default 0.5). */
  pruneRamp?: number;
  /** Mask update period in steps (default: 10 updates along the ramp). */
  pruneEvery?: number;
  /** DKM temperature factor (x std of the weights, default 0.05) and refinements per step (default 1). */
  tau?: number;
  iters?: number;
  epochs?: number;
  batchSize?: number;
  /** Learning rate (default 0.005 for SGD, 0.0005 for Adam), cosine-decayed to 0 over the run. */
  lr?: number;
  momentum?: number;
  optimizer?: 'sgd' | 'adam';
  seed?: number;
  /** Distillation from the dense teacher: loss = (1 - alpha) CE + alpha T^2 KL(teacher_T || student_T). */
  distill?: boolean | { temperature?: number; alpha?: number };
  /** The teacher of distillation (default: the model given; the pipeline passes the original dense model to every stage). */
  teacher?: Teachers;
  /** Move every training image by up to this many pixels each way, a fresh draw per step (engine/augment.ts; default 0 = none). */
  shift?: number;
  /**
   * Keep the hard-assigned weights of the epoch with the best accuracy on `test` (a validation
   * split; default true when `test` is given) instead of the last epoch's.
   */
  bestEpoch?: boolean;
  /** Evaluated (hard weights) after every epoch and at the end: pass a validation split (it chooses the best epoch). */
  test?: Examples;
  onProgress?: (p: CompressProgress) => void;
  /** Steps between progress calls (default 10). */
  progressEvery?: number;
  build?: TrainBuild;
  isa?: KernelIsa;
}

export interface CompressedLayer {
  name: string;
  bits: number;
  groupRows: number;
  /** Fraction of blocks pruned and the block shape (absent when not pruned). */
  sparsity?: number;
  block?: [number, number];
  /** [groups][2^bits] centroids. */
  palettes?: Float32Array;
}

export interface CompressResult {
  /** The model compressed (its graph; its weights are the dense ones it started from). */
  model: DenseModel;
  /** Hard-assigned weights (and the fine-tuned biases) by tensor name. */
  weights: Record<string, Float32Array>;
  shapes: Record<string, number[]>;
  /** The .wpal compression config that stores exactly these palettes and masks. */
  compression: CompressionConfig;
  layers: CompressedLayer[];
  /** Accuracy on opts.test of the hard-assigned weights returned (when opts.test is given). */
  accuracy?: number;
  /** The epoch whose weights are returned (1-based; the best on opts.test unless bestEpoch is false). */
  epoch: number;
  /** The per-layer allocation (when opts.targetBytes is given). */
  allocation?: Allocation;
  history: Array<{ epoch: number; loss: number; trainAccuracy: number; testAccuracy?: number; seconds: number }>;
  /** Training throughput with DKM (and pruning) on: examples per second over the training steps. */
  imagesPerSecond: number;
  /** Writes the .wpal file (the model's graph with these weights, stored as `compression` says). */
  build(opts?: BuildExtra): WrittenModel;
}

/** Mean (1 - alpha) CE(labels) + alpha T^2 KL(softmax(t/T) || softmax(s/T)) over rows; a [1] tensor. */
export function distillLoss(e: Engine, logits: Tensor, teacher: Float32Array, labels: ArrayLike<number>, T: number, alpha: number): Tensor {
  const [M, N] = logits.shape;
  const f = e.mod.f32;
  const base = logits.ptr >> 2;
  const grad = new Float64Array(M * N);
  let total = 0;
  const softmax = (src: ArrayLike<number>, o: number, scale: number, out: Float64Array) => {
    let mx = -Infinity;
    for (let j = 0; j < N; j++) mx = Math.max(mx, src[o + j] * scale);
    let s = 0;
    for (let j = 0; j < N; j++) s += out[j] = Math.exp(src[o + j] * scale - mx);
    for (let j = 0; j < N; j++) out[j] /= s;
    return Math.log(s) + mx;
  };
  const p = new Float64Array(N), ps = new Float64Array(N), pt = new Float64Array(N);
  for (let i = 0; i < M; i++) {
    const o = base + i * N;
    const lse = softmax(f, o, 1, p);
    const lseT = softmax(f, o, 1 / T, ps);
    softmax(teacher, i * N, 1 / T, pt);
    const y = labels[i];
    let kl = 0;
    for (let j = 0; j < N; j++) if (pt[j] > 0) kl += pt[j] * (Math.log(pt[j]) - (f[o + j] / T - lseT));
    total += (1 - alpha) * (lse - f[o + y]) + alpha * T * T * kl;
    for (let j = 0; j < N; j++) grad[i * N + j] = ((1 - alpha) * (p[j] - (j === y ? 1 : 0)) + alpha * T * (ps[j] - pt[j])) / M;
  }
  const loss = e.tensor([1], logits.requiresGrad);
  e.mod.f32[loss.ptr >> 2] = total / M;
  e.record(loss, () => {
    const g = e.mod.f32[loss.root.grad >> 2];
    const acc = e.accum(logits);
    const d = e.gradPtr(logits) >> 2;
    const fw = e.mod.f32;
    for (let i = 0; i < M * N; i++) fw[d + i] = g * grad[i] + (acc ? fw[d + i] : 0);
    e.wrote(logits);
  });
  return loss;
}

interface LayerState {
  name: string;
  index: number;
  setting: Required<Pick<LayerSetting, 'bits' | 'groupRows' | 'sparsity'>> & { block: BlockSpec };
  dkm?: DkmState;
  pruner?: BlockPruner;
}

/**
 * The allocator's bits and sparsity of every layer for `opts.targetBytes` (with opts.block, groupRows,
 * entryType, allocation), over the settings opts.layers gives (keys as layerKey). compressModel with a
 * target runs this first; the compress pipeline too, when it prunes to these sparsities before DKM.
 */
export function allocateLayers(model: DenseModel, data: Examples, opts: CompressOptions & { targetBytes: number }): { layers: Record<string, LayerSetting>; allocation: Allocation } {
  const allocation = allocate(model, data, {
    ...opts.allocation, targetBytes: opts.targetBytes, block: opts.block ?? '1x4', groupRows: opts.groupRows ?? 0, build: opts.build, isa: opts.isa,
    ...(opts.entryType ? { entryType: opts.entryType } : {}),
  });
  const layers: Record<string, LayerSetting> = {};
  for (const [k, v] of Object.entries(opts.layers ?? {})) layers[layerKey(k)] = v;
  for (const [k, v] of Object.entries(allocation.settings)) layers[k] = { ...layers[k], ...v };
  return { layers, allocation };
}

/**
 * Fine-tunes a dense model (any graph the trainer's op table covers) with DKM on every compressible layer (and optional
 * pruning and distillation) and returns hard-assigned weights with their .wpal compression config.
 * `data` is the training set (token ids as float values for the text classifier).
 */
export function compressModel(model: DenseModel, data: Examples, opts: CompressOptions): CompressResult {
  let allocation: Allocation | undefined;
  if (opts.targetBytes !== undefined) {
    let layers;
    ({ layers, allocation } = allocateLayers(model, data, { ...opts, targetBytes: opts.targetBytes }));
    opts = { ...opts, layers };
  } else if (opts.bits === undefined) throw new RangeError('compressModel: give bits (or targetBytes)');
  const {
    epochs = 1, batchSize = 128, momentum = 0.9, optimizer = 'sgd', seed = 1, pruneRamp = 0.5, iters = 1, tau = 0.05,
  } = opts;
  const lr0 = opts.lr ?? (optimizer === 'adam' ? 5e-4 : 5e-3);
  const e = new Engine(new TrainModule({ build: opts.build, isa: opts.isa }));
  const net = netOf(e, model);
  const { params } = net;
  const stepsPerEpoch = Math.floor(data.count / batchSize);
  const steps = stepsPerEpoch * epochs;
  const rampEnd = Math.max(0, Math.round(pruneRamp * steps));

  const layers: LayerState[] = [];
  // embedding tables stay unpruned: the runtime's Embedding has no block-sparse kernel
  const kindOf = new Map(compressibleLayers(model).map((l) => [l.name, l.kind]));
  params.forEach((p, index) => {
    const kind = kindOf.get(p.name);
    if (!kind) return;
    const canBeSparse = kind !== 'embedding';
    const layer = layerKey(p.name);
    const o = opts.layers?.[p.name] ?? opts.layers?.[layer] ?? {};
    const setting = {
      bits: o.bits ?? opts.bits!,
      groupRows: o.groupRows ?? opts.groupRows ?? 0,
      // a global --sparsity skips embedding tables; asking for one explicitly is an error
      sparsity: canBeSparse ? o.sparsity ?? opts.sparsity ?? 0 : 0,
      block: parseBlock(o.block ?? opts.block ?? '1x4'),
    };
    if (!canBeSparse && (o.sparsity ?? 0) > 0) {
      throw new RangeError(`${layer}: an embedding table cannot be block-sparse (the runtime's Embedding has no block-sparse kernel); give it bits only`);
    }
    const st: LayerState = { name: p.name, index, setting };
    if (setting.sparsity > 0) {
      st.pruner = new BlockPruner(e, p, {
        block: setting.block, sparsity: setting.sparsity, startStep: 0, endStep: rampEnd,
        every: opts.pruneEvery ?? Math.max(1, Math.floor(rampEnd / 10)),
      });
    }
    if (setting.bits > 0) st.dkm = new DkmState(e, p, { bits: setting.bits, groupRows: setting.groupRows, tau, iters, seed: seed + index }, st.pruner?.mask ?? 0);
    layers.push(st);
  });
  const byIndex = new Map(layers.map((l) => [l.index, l]));
  const weight = (i: number): Tensor => {
    const l = byIndex.get(i);
    if (!l) return params[i];
    if (l.dkm) return dkm(e, params[i], l.dkm);
    if (l.pruner) return masked(e, params[i], l.pruner);
    return params[i];
  };
  const forward = graphForward(e, model, params, weight);

  const augment = opts.shift ? shiftAugment(net.inputShape, opts.shift, seed, channelsFirst(model.graph.metadata, net.inputShape) ? 'CHW' : 'HWC') : undefined;
  const dist = opts.distill ? { temperature: 4, alpha: 0.5, ...(typeof opts.distill === 'object' ? opts.distill : {}) } : null;
  const teacher = dist ? batchTeacher(opts.teacher ?? model, data, { build: opts.build, isa: opts.isa, ...(augment ? { augment } : {}) }) : null;

  const opt: Optimizer = optimizer === 'adam' ? new Adam(e, params, { lr: lr0 }) : new SGD(e, params, { lr: lr0, momentum });
  const every = opts.progressEvery ?? 10;
  const keepBest = opts.bestEpoch ?? true;
  let best: { weights: Record<string, Float32Array>; accuracy: number; epoch: number } | undefined;
  const t0 = performance.now();

  const hard = (): Record<string, Float32Array> => {
    const w: Record<string, Float32Array> = {};
    for (const p of params) w[p.name] = e.read(p);
    e.beginStep();
    for (const l of layers) {
      l.pruner?.enforce();
      if (l.dkm) {
        refreshCentroids(e, params[l.index], l.dkm);
        w[l.name] = hardAssign(e, params[l.index], l.dkm).values;
      } else if (l.pruner) w[l.name] = e.read(params[l.index]);
    }
    return w;
  };
  const evalHard = (w: Record<string, Float32Array>, test: Examples): number => {
    const ee = new Engine(new TrainModule({ build: opts.build, isa: opts.isa }));
    return evaluate(ee, netOf(ee, { ...model, weights: w }), test).accuracy;
  };

  const loop = trainLoop(e, { ...net, forward }, opt, data, {
    epochs, batchSize, seed,
    lr: (step, total) => (lr0 * (1 + Math.cos((Math.PI * step) / Math.max(1, total)))) / 2,
    beforeStep: (b) => { for (const l of layers) l.pruner?.step(b.step); },
    afterStep: () => { for (const l of layers) l.pruner?.enforce(); },
    ...(augment ? { prepare: (x: Tensor, b: Batch) => augment.apply(e, x, b) } : {}),
    ...(teacher ? { loss: (logits: Tensor, b: Batch) => distillLoss(e, logits, teacher(b), b.labels, dist!.temperature, dist!.alpha) } : {}),
    onStep: (b, p) => {
      const step = b.step + 1;
      if (opts.onProgress && (step % every === 0 || b.start + 2 * batchSize > data.count)) {
        const el = (performance.now() - t0) / 1000;
        opts.onProgress({ epoch: b.epoch + 1, epochs, step, steps, loss: p.loss, accuracy: p.accuracy, elapsedSeconds: el, etaSeconds: (el / step) * (steps - step) });
      }
    },
    onEpochEnd: (epoch, step) => {
      if (!opts.test) return undefined;
      const w = hard();
      const acc = evalHard(w, opts.test);
      // the best epoch by validation accuracy (the later one on a tie: it had more fine-tuning),
      // among the epochs that end with the full sparsity (after the pruning ramp)
      const complete = step > rampEnd || layers.every((l) => !l.pruner);
      if (complete && (!best || !keepBest || acc >= best.accuracy)) best = { weights: w, accuracy: acc, epoch };
      return acc;
    },
    onEpoch: (h) => {
      if (h.valAccuracy !== undefined && h.epoch < epochs) opts.onProgress?.({ epoch: h.epoch, epochs, step: h.epoch * stepsPerEpoch, steps, loss: h.loss, accuracy: h.trainAccuracy, elapsedSeconds: (performance.now() - t0) / 1000, etaSeconds: 0, testAccuracy: h.valAccuracy });
    },
  });
  const history: CompressResult['history'] = loop.epochs.map((h) => ({ epoch: h.epoch, loss: h.loss, trainAccuracy: h.trainAccuracy, seconds: h.seconds, ...(h.valAccuracy !== undefined ? { testAccuracy: h.valAccuracy } : {}) }));

  const weights = best?.weights ?? hard();
  const accuracy = best?.accuracy;
  const out: CompressedLayer[] = layers.map((l) => ({
    name: l.name,
    bits: l.dkm ? l.setting.bits : 0,
    groupRows: l.dkm ? l.setting.groupRows : 0,
    ...(l.pruner ? { sparsity: l.pruner.sparsity, block: l.pruner.compression().block } : {}),
    ...(l.dkm ? { palettes: Float32Array.from(l.dkm.centroids) } : {}),
  }));
  const settings = new Map<string, WeightCompression | undefined>(
    layers.map((l) => {
      const c: WeightCompression = {};
      if (l.dkm) c.palette = { bits: l.setting.bits, groupRows: l.setting.groupRows, ...(opts.entryType ? { entryType: opts.entryType } : {}) };
      if (l.pruner && l.pruner.dropped > 0) c.sparse = l.pruner.compression();
      return [l.name, c.palette || c.sparse ? c : undefined];
    }),
  );
  const compression: CompressionConfig = (layer: LayerDesc) => settings.get(layer.name);
  if (allocation) {
    const built = buildDenseModel({ ...model, weights }, compression).bytes.length;
    if (built > allocation.budgetBytes) throw new Error(`compressModel: the file takes ${built} B, over the allocation budget ${allocation.budgetBytes} B (target ${allocation.targetBytes} B)`);
  }
  return {
    model,
    weights,
    shapes: model.shapes,
    compression,
    layers: out,
    ...(accuracy !== undefined ? { accuracy } : {}),
    ...(allocation ? { allocation } : {}),
    history,
    epoch: best?.epoch ?? epochs,
    imagesPerSecond: loop.examplesPerSecond,
    build(b = {}) {
      return buildDenseModel({ ...model, weights }, compression, b);
    },
  };
}
