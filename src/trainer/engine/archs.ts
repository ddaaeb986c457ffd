/**
 * The architectures the trainer compresses, as one registry (compress.ts, allocate/ and the CLI go
 * through it): parameter names in order, input shape and element type, the forward pass with the
 * `weight(i)` substitution DKM and pruning masks use, and the .wpal builder (src/models).
 *
 * A model by value is a DenseModel: kind, weights and shapes by tensor name, and `config` for
 * what the shapes do not hold (text: seq, heads, eps).
 */
import { buildLeNet300100, buildLeNet5 } from '../../models/lenet.js';
import { buildTextClassifier } from '../../models/text.js';
import type { BuiltModel, CompressionConfig } from '../../models/common.js';
import type { PreprocessingInfo } from '../../format/types.js';
import type { Engine, Tensor } from './tensor.js';
import { conv2d, flatten, linear, maxpool2d, relu } from './ops.js';
import { TEXT_DEFAULTS, textConfigOf, textForward, textParamSpec } from './text.js';

export type Arch = 'lenet-300-100' | 'lenet-5' | 'text-transformer';

/** A dense model by value: architecture, tensors in parameter order, their shapes. */
export interface DenseModel {
  kind: Arch;
  /** Tensor name -> values (.wpal layouts), in the architecture's parameter order. */
  weights: Record<string, Float32Array>;
  shapes: Record<string, number[]>;
  /** Hyperparameters the shapes do not hold (text-transformer: seq, heads, eps). */
  config?: Record<string, number>;
}

export interface BuildExtra {
  name?: string;
  properties?: Record<string, string>;
  /** Input preprocessing (scale, mean, std) and class names, as the data the model was trained on defines them. */
  preprocessing?: Partial<PreprocessingInfo>;
  outputLabels?: string[];
}

export interface ArchSpec {
  paramNames(m: DenseModel): string[];
  inputShape(m: DenseModel): number[];
  inputDtype: 'float32' | 'int32';
  /** The forward pass over `params` (order of paramNames) with parameter i replaced by weight(i). */
  forward(e: Engine, m: DenseModel, params: readonly Tensor[], weight: (i: number) => Tensor): (x: Tensor) => Tensor;
  build(m: DenseModel, compression?: CompressionConfig, extra?: BuildExtra): BuiltModel;
}

/**
 * A weight the trainer clusters / prunes and the .wpal file palettizes: a `.weight` of rank >= 2
 * (fc, conv, embedding table). LayerNorm gammas are `.weight`s too, but vectors: stored dense.
 */
export function isCompressible(name: string, shape: readonly number[]): boolean {
  return name.endsWith('.weight') && shape.length >= 2;
}

/**
 * Whether a compressible weight may be block-sparse in a file the runtime can run: not an
 * embedding table (the runtime's Embedding reads palettized or dense rows, it has no block-sparse
 * kernel; a row lookup gains nothing from skipping blocks).
 */
export function canBeBlockSparse(name: string): boolean {
  return !/(^|\.)(word|position)_embeddings\.weight$/.test(name);
}

function lenet5Input(m: DenseModel): number[] {
  const c1 = m.shapes['conv1.weight'];
  const c2 = m.shapes['conv2.weight'][0];
  const s2 = Math.round(Math.sqrt(m.shapes['fc1.weight'][1] / c2));
  return [(s2 * 2 + 4) * 2 + 4, (s2 * 2 + 4) * 2 + 4, c1[3]];
}

function mlpNames(m: DenseModel): string[] {
  const names: string[] = [];
  for (let i = 1; m.weights[`fc${i}.weight`] || m.shapes[`fc${i}.weight`]; i++) names.push(`fc${i}.weight`, `fc${i}.bias`);
  return names;
}

/** The text config of a DenseModel (shapes + config.seq / heads / eps). */
export function textConfig(m: DenseModel) {
  const c = m.config ?? {};
  if (!(c.seq > 0 && c.heads > 0)) throw new Error('text-transformer model: config.seq and config.heads are needed (DenseModel.config; readDenseModel and denseModelOf set them)');
  return textConfigOf(m.shapes, { seq: c.seq, heads: c.heads, eps: c.eps ?? TEXT_DEFAULTS.eps });
}

export const ARCHS: Record<Arch, ArchSpec> = {
  'lenet-5': {
    paramNames: () => ['conv1', 'conv2', 'fc1', 'fc2'].flatMap((l) => [`${l}.weight`, `${l}.bias`]),
    inputShape: lenet5Input,
    inputDtype: 'float32',
    forward: (e, _m, params, weight) => (x) => {
      const p1 = maxpool2d(e, conv2d(e, x, weight(0), params[1]));
      const p2 = maxpool2d(e, conv2d(e, p1, weight(2), params[3]));
      const h = relu(e, linear(e, flatten(e, p2), weight(4), params[5]));
      return linear(e, h, weight(6), params[7]);
    },
    build: (m, compression, extra = {}) => {
      const [S, , C] = lenet5Input(m);
      const s = m.shapes;
      const widths: [number, number, number] = [s['conv1.weight'][0], s['conv2.weight'][0], s['fc1.weight'][0]];
      return buildLeNet5({ weights: { values: m.weights }, ...(compression ? { compression } : {}), ...extra, inputSize: S, channels: C, widths, classes: s['fc2.weight'][0] });
    },
  },
  'lenet-300-100': {
    paramNames: mlpNames,
    inputShape: (m) => [m.shapes['fc1.weight'][1]],
    inputDtype: 'float32',
    forward: (e, _m, params, weight) => (x) => {
      let h = flatten(e, x);
      for (let i = 0; i < params.length; i += 2) {
        h = linear(e, h, weight(i), params[i + 1]);
        if (i + 2 < params.length) h = relu(e, h);
      }
      return h;
    },
    build: (m, compression, extra = {}) => {
      const names = mlpNames(m).filter((n) => n.endsWith('.weight'));
      const hidden = names.slice(0, -1).map((n) => m.shapes[n][0]);
      return buildLeNet300100({
        weights: { values: m.weights }, ...(compression ? { compression } : {}), ...extra,
        inputSize: m.shapes['fc1.weight'][1], hidden, classes: m.shapes[names[names.length - 1]][0],
      });
    },
  },
  'text-transformer': {
    paramNames: (m) => textParamSpec(textConfig(m)).map(([n]) => n),
    inputShape: (m) => [textConfig(m).seq],
    inputDtype: 'int32',
    forward: (e, m, params, weight) => textForward(e, textConfig(m), params, weight),
    build: (m, compression, extra = {}) => {
      const c = textConfig(m);
      return buildTextClassifier({
        weights: { values: m.weights }, ...(compression ? { compression } : {}), ...extra,
        seq: c.seq, buckets: c.buckets, dim: c.dim, layers: c.layers, heads: c.heads, ffn: c.ffn, classes: c.classes, epsilon: c.eps,
      });
    },
  },
};

export function archOf(kind: string): ArchSpec {
  const a = (ARCHS as Record<string, ArchSpec>)[kind];
  if (!a) throw new Error(`unknown architecture ${JSON.stringify(kind)}: the trainer knows ${Object.keys(ARCHS).join(', ')}`);
  return a;
}
