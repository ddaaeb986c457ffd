/**
 * A model as plain values (DenseModel: its graph and its float32 constants) and the ways between it
 * and the rest: from a .wpal file, from a trained engine net, to an engine net, and back to a .wpal
 * file (the same graph written again with new values, shapes and compression); and the per-layer
 * compression settings. The compress pipeline, the allocator and the CLI build on this module.
 */
import { readModel } from '../format/read.js';
import { rewriteModel } from '../format/rewrite.js';
import type { AttrValue, PreprocessingInfo } from '../format/types.js';
import { decodeTensor } from '../encode/palette.js';
import type { EncodedWeight } from '../encode/decode.js';
import { encodeWeight, type CompressionConfig, type LayerDesc } from '../models/common.js';
import type { Engine } from './engine/tensor.js';
import { compressibleLayers, graphNet, type DenseModel, type TrainableNet } from './engine/graph-net.js';
import type { BlockSpec } from './prune/prune.js';

export { compressibleLayers, type DenseModel, type TrainableNet } from './engine/graph-net.js';

/** Metadata a written file gets besides its graph's own. */
export interface BuildExtra {
  name?: string;
  properties?: Record<string, string>;
  /** Input preprocessing (scale, mean, std) and class names, as the data the model was trained on defines them. */
  preprocessing?: Partial<PreprocessingInfo>;
  outputLabels?: string[];
  /** Keep only the metadata needed to measure the model again (format/metadata.ts). */
  stripMetadata?: boolean;
}

/** What a written model is: its bytes and its compressible layers. */
export interface WrittenModel {
  bytes: Uint8Array;
  layers: LayerDesc[];
}

/**
 * Properties that describe how a file was trained or measured (written by `wpal train` and
 * `wpal compress`): a model written again from it leaves them out, and its writer adds its own.
 */
export const TRAINING_PROPERTIES: readonly string[] = [
  'trainer', 'arch', 'widths', 'hidden', 'dataset', 'epochs', 'batch', 'optimizer', 'lr', 'lr_schedule', 'momentum',
  'weight_decay', 'word_dropout', 'teacher', 'distill_temperature', 'distill_alpha', 'augment_shift', 'seed', 'train_examples',
  'val_examples', 'kept_epoch', 'val_accuracy', 'train_seconds', 'trained_at', 'accuracy', 'accuracy_examples', 'accuracy_dataset', 'dkm_bits',
  'target_bytes', 'dkm_epochs', 'prune_epochs', 'structured', 'structured_epochs', 'dkm_tau', 'distill',
];

/** The model of a .wpal file: its graph and every constant decoded to float32 (dense or compressed). */
export function readDenseModel(bytes: Uint8Array): DenseModel {
  const graph = readModel(bytes);
  const weights: Record<string, Float32Array> = {};
  const shapes: Record<string, number[]> = {};
  for (const t of graph.tensors) {
    if (!t.weight) continue;
    weights[t.name] = decodeTensor(graph, t.index);
    shapes[t.name] = [...t.shape];
  }
  return { graph, weights, shapes };
}

/** `m` with the values a trained net holds. */
export function denseModelOf(net: TrainableNet, m: DenseModel): DenseModel {
  return { ...m, weights: { ...m.weights, ...net.exportWeights() } };
}

/** A TrainableNet on `e` holding a copy of the model's values (plain forward). */
export function netOf(e: Engine, m: DenseModel): TrainableNet {
  return graphNet(e, m);
}

/** Input shape per example. */
export function inputShapeOf(m: DenseModel): number[] {
  return [...m.graph.tensors[m.graph.inputs[0]].shape];
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
 * `compression` with int8 palette entries (one scale per palette) on every palettized layer, and
 * those layers computing on int8 activations (FullyConnected, non-depthwise Conv2D; `--int8`).
 */
export function int8Compression(compression: CompressionConfig | undefined): CompressionConfig {
  return (layer: LayerDesc) => {
    const c = typeof compression === 'function' ? compression(layer) : compression;
    return c?.palette ? { ...c, palette: { ...c.palette, entryType: 'int8' }, int8: true } : c;
  };
}

/**
 * The .wpal file of a model: its graph written again with the model's values and shapes, the
 * compressible layers stored as `compression` says (dense float32 when absent), every other
 * constant dense float32; the source's training properties replaced by `extra.properties`.
 */
export function buildDenseModel(m: DenseModel, compression?: CompressionConfig, extra: BuildExtra = {}): WrittenModel {
  const layers = compressibleLayers(m);
  const byName = new Map(layers.map((l) => [l.name, l]));
  const weights = new Map<number, EncodedWeight>();
  const shapes = new Map<number, number[]>();
  const int8 = new Set<number>();
  for (const t of m.graph.tensors) {
    if (!t.weight) continue;
    const values = m.weights[t.name];
    const shape = m.shapes[t.name];
    if (!values || !shape) throw new Error(`buildDenseModel: no values for ${t.name}`);
    const layer = byName.get(t.name);
    const c = layer ? (typeof compression === 'function' ? compression(layer) : compression) : undefined;
    if (c?.int8 && layer!.kind !== 'dwconv') int8.add(t.index); // no int8 depthwise kernel: exact path
    weights.set(t.index, encodeWeight(values, shape, c, (1 + (layer?.index ?? 0) * 7919) >>> 0));
    shapes.set(t.index, shape);
  }
  const attrs = new Map<number, Record<string, AttrValue>>();
  m.graph.ops.forEach((op, i) => {
    if ((op.type === 'FullyConnected' || op.type === 'Conv2D') && int8.has(op.inputs[1])) attrs.set(i, { int8: 1 });
  });
  const bytes = rewriteModel(m.graph, {
    weights, shapes, attrs,
    dropProperties: TRAINING_PROPERTIES,
    ...(extra.properties ? { properties: extra.properties } : {}),
    ...(extra.stripMetadata ? { stripMetadata: true } : {}),
    metadata: {
      ...(extra.name !== undefined ? { name: extra.name } : {}),
      ...(extra.preprocessing ? { preprocessing: extra.preprocessing } : {}),
      ...(extra.outputLabels ? { outputLabels: extra.outputLabels } : {}),
    },
  });
  return { bytes, layers };
}

/** The model again, its graph read back from its dense file (activation shapes follow the weights' after filters were removed). */
export function reshapedModel(m: DenseModel): DenseModel {
  return { ...readDenseModel(buildDenseModel(m).bytes), weights: m.weights, shapes: m.shapes };
}
