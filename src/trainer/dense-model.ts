/**
 * A trained model as plain values (DenseModel: architecture kind, weights, shapes) and the ways
 * between it and the rest: from a trained engine net, from a .wpal file, to an engine net, and to a
 * .wpal file through the architecture's builder; and the per-layer compression settings. Both the
 * compress pipeline (compress.ts) and the allocator (allocate/) build on this module.
 */
import { readModel } from '../format/read.js';
import { decodeTensor } from '../encode/palette.js';
import type { BuiltModel, CompressionConfig } from '../models/common.js';
import type { Engine } from './engine/tensor.js';
import type { TrainableNet } from './engine/models.js';
import type { BlockSpec } from './prune/prune.js';
import { archOf, type Arch, type BuildExtra, type DenseModel } from './engine/archs.js';

export type { DenseModel } from './engine/archs.js';

/** A trained engine net (TrainableNet) as a DenseModel (a text classifier's seq / heads / eps go to `config`). */
export function denseModelOf(net: TrainableNet): DenseModel {
  const m: DenseModel = { kind: net.kind, weights: net.exportWeights(), shapes: Object.fromEntries(net.params.map((p) => [p.name, [...p.shape]])) };
  const cfg = (net as TrainableNet & { config?: { seq: number; heads: number; eps: number } }).config;
  if (net.kind === 'text-transformer' && cfg) m.config = { seq: cfg.seq, heads: cfg.heads, eps: cfg.eps };
  return m;
}

/** The weights of a .wpal LeNet or text-classifier file (dense or compressed: decoded to float32). */
export function readDenseModel(bytes: Uint8Array): DenseModel {
  const info = readModel(bytes);
  const weights: Record<string, Float32Array> = {};
  const shapes: Record<string, number[]> = {};
  for (const t of info.tensors) {
    if (!t.weight) continue;
    weights[t.name] = decodeTensor(info, t.index);
    shapes[t.name] = [...t.shape];
  }
  if (weights['embeddings.word_embeddings.weight']) {
    const p = info.metadata.properties;
    const seq = Number(p.seq), heads = Number(p.heads), eps = Number(p.epsilon ?? 1e-5);
    if (!(seq > 0 && heads > 0)) throw new Error(`readDenseModel: ${info.metadata.name ?? 'the model'} has a word table but no seq / heads properties (not a text classifier of src/models/text.ts)`);
    return { kind: 'text-transformer', weights, shapes, config: { seq, heads, eps } };
  }
  const kind: Arch | null = weights['conv1.weight'] ? 'lenet-5' : weights['fc1.weight'] ? 'lenet-300-100' : null;
  if (!kind) throw new Error(`readDenseModel: ${info.metadata.name ?? 'the model'} is neither a LeNet-5 (conv1.weight), a LeNet-300-100 (fc1.weight) nor a text classifier (embeddings.word_embeddings.weight)`);
  return { kind, weights, shapes };
}

/** Parameter names of the architecture, in order. */
function paramNames(m: DenseModel): string[] {
  return archOf(m.kind).paramNames(m);
}

export function inputShapeOf(m: DenseModel): number[] {
  return archOf(m.kind).inputShape(m);
}

/** A TrainableNet on `e` holding a copy of the model's values (plain forward). */
export function netOf(e: Engine, m: DenseModel): TrainableNet {
  const arch = archOf(m.kind);
  const names = paramNames(m);
  const params = names.map((n) => e.parameter(n, m.shapes[n], m.weights[n]));
  return {
    kind: m.kind,
    inputShape: arch.inputShape(m),
    inputDtype: arch.inputDtype,
    params,
    forward: arch.forward(e, m, params, (i) => params[i]),
    exportWeights: () => Object.fromEntries(params.map((p) => [p.name, e.read(p)])),
    // denseModelOf(netOf(e, m)) keeps the text config
    ...(m.config ? { config: m.config } : {}),
  } as TrainableNet;
}

/** Per-layer settings (keys: layer name "fc1" or tensor name "fc1.weight"). */
export interface LayerSetting {
  /** Index bits 1..8; 0 = leave the layer unclustered (dense float32 values). */
  bits?: number;
  groupRows?: number;
  sparsity?: number;
  block?: BlockSpec | string;
}

/**
 * The .wpal file of a model given by parts (src/models builder of the architecture). A text
 * classifier also needs `extra.config` (seq, heads; DenseModel.config): or call buildDenseModel.
 */
export function buildModel(
  kind: Arch, weights: Record<string, Float32Array>, shapes: Record<string, number[]>, compression?: CompressionConfig,
  extra: BuildExtra & { config?: Record<string, number> } = {},
): BuiltModel {
  const { config, ...rest } = extra;
  return archOf(kind).build({ kind, weights, shapes, ...(config ? { config } : {}) }, compression, rest);
}

/** The .wpal file of a DenseModel (any architecture), optionally compressed. */
export function buildDenseModel(m: DenseModel, compression?: CompressionConfig, extra: BuildExtra = {}): BuiltModel {
  return archOf(m.kind).build(m, compression, extra);
}
