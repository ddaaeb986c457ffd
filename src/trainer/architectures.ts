/**
 * The architectures `wpal train` starts from, by name: each is its src/models builder (the one
 * definition of the graph) read back as a DenseModel for the graph trainer, with seeded initial
 * values set by each tensor's role in the graph: biases 0; conv and fc weights He-normal (std
 * sqrt(2 / fan_in)) in the LeNets; in the transformer, fc weights N(0, 1 / fan_in) and the word
 * table N(0, 0.02), LayerNorm 1 and 0 (measured on SST-2 phrases: the He init of the LeNets and
 * uniform biases learned a 1-layer model far slower). Fine-tuning and compression need no name:
 * they take any file.
 */
import { Normal } from '../models/common.js';
import { buildLeNet300100, buildLeNet5 } from '../models/lenet.js';
import { buildTextClassifier, TEXT_DEFAULTS, TEXT_POOLS, type TextPool } from '../models/text.js';
import { compressibleLayers, readDenseModel, type DenseModel } from './dense-model.js';

export const ARCHITECTURES = ['lenet5', 'lenet300-100', 'transformer'] as const;
export type ArchName = (typeof ARCHITECTURES)[number];

export interface TextShape {
  seq: number;
  buckets: number;
  dim: number;
  layers: number;
  heads: number;
  ffn: number;
  /** A learned position table added to the word embeddings. */
  positions?: boolean;
  /** How the positions are pooled: 'max' or 'mean' (default TEXT_DEFAULTS.pool). */
  pool?: TextPool;
}

export { TEXT_DEFAULTS, TEXT_POOLS, type TextPool };

export interface FreshOptions {
  seed: number;
  classes: number;
  /** Shape of one example: [H, W, C] images (lenet5), any shape (lenet300-100 flattens it). */
  inputShape: readonly number[];
  /** lenet5: conv1, conv2, fc1 widths; lenet300-100: the hidden widths. */
  widths?: number[];
  text?: TextShape;
}

/** Initial values by role (see the header), drawn in graph order from one seeded stream. */
function initialize(m: DenseModel, seed: number, linearStd: (fanIn: number) => number): DenseModel {
  const rnd = new Normal(seed);
  const weights = { ...m.weights };
  for (const op of m.graph.ops) {
    const bias = op.type === 'FullyConnected' || op.type === 'Conv2D' ? op.inputs[2] : undefined;
    if (bias !== undefined && bias >= 0) weights[m.graph.tensors[bias].name] = new Float32Array(m.weights[m.graph.tensors[bias].name].length);
  }
  for (const l of compressibleLayers(m)) {
    const fanIn = l.count / l.shape[0];
    weights[l.name] = rnd.normal(l.count, l.kind === 'embedding' ? 0.02 : linearStd(fanIn));
  }
  // a learned table added to activations (the transformer's positions): N(0, 0.02), as word tables
  for (const op of m.graph.ops) {
    if (op.type !== 'Add') continue;
    for (const t of op.inputs) if (t >= 0 && m.graph.tensors[t].weight) weights[m.graph.tensors[t].name] = rnd.normal(m.weights[m.graph.tensors[t].name].length, 0.02);
  }
  return { ...m, weights };
}

/** A freshly initialized model of an architecture. */
export function freshModel(arch: ArchName, o: FreshOptions): DenseModel {
  if (arch === 'transformer') {
    return initialize(readDenseModel(buildTextClassifier({ ...TEXT_DEFAULTS, ...o.text, classes: o.classes }).bytes), o.seed, (n) => 1 / Math.sqrt(n));
  }
  const he = (n: number) => Math.sqrt(2 / n);
  if (arch === 'lenet5') {
    const [size, , channels] = o.inputShape;
    return initialize(readDenseModel(buildLeNet5({ inputSize: size, channels, classes: o.classes, ...(o.widths ? { widths: o.widths as [number, number, number] } : {}) }).bytes), o.seed, he);
  }
  const inputSize = o.inputShape.reduce((a, b) => a * b, 1);
  return initialize(readDenseModel(buildLeNet300100({ inputSize, classes: o.classes, ...(o.widths ? { hidden: o.widths } : {}) }).bytes), o.seed, he);
}
