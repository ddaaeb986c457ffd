/**
 * A small transformer text classifier on the engine, with the tensor names and layouts of
 * src/models/text.ts (buildTextClassifier), so `exportWeights()` builds the .wpal file directly:
 *
 *   ids [B, T] (int32, hashed word buckets, 0 = [PAD]) -> word embedding [B, T, D] -> LayerNorm
 *   -> `layers` x post-LN encoder blocks (DistilBERT's: multi-head self-attention + residual + LN,
 *      GELU FFN + residual + LN) -> mean over all T positions -> classifier [B, classes] (logits).
 *
 * No position embeddings: the format has no constant-add op, and a position-id input would make
 * the host pass more than the token ids; attention over the hashed words and mean pooling make it a
 * contextual bag of words, which is what a from-scratch model of this size learns on SST-2 anyway.
 * Padding positions are ordinary tokens (id 0) in both engine and runtime (no mask), so the two
 * compute the same function for the same fixed T.
 */
import { Normal } from '../../models/common.js';
import type { Engine, Tensor } from './tensor.js';
import { linear } from './ops.js';
import { add, attentionContext, attentionScores, embedding, gelu, layerNorm, meanPool, softmax } from './text-ops.js';
import type { TrainableNet } from './models.js';

export interface TextClassifierConfig {
  /** Ids per example (fixed; shorter sentences are padded with 0). */
  seq: number;
  /** Rows of the word table (hash buckets, id 0 = [PAD]). */
  buckets: number;
  dim: number;
  layers: number;
  heads: number;
  ffn: number;
  classes: number;
  /** LayerNorm epsilon. */
  eps: number;
}

/** The SST-2 setting of scripts/experiments/sst2.ts (seq 32 holds 92 % of dev sentences whole; 16,384 buckets for 14,808 training words). */
export const TEXT_DEFAULTS: TextClassifierConfig = { seq: 32, buckets: 16384, dim: 64, layers: 2, heads: 4, ffn: 128, classes: 2, eps: 1e-5 };

/** [name, shape] of every parameter, in order (src/models/text.ts creates them in the same order). */
export function textParamSpec(c: TextClassifierConfig): Array<[string, number[]]> {
  const d = c.dim;
  const spec: Array<[string, number[]]> = [
    ['embeddings.word_embeddings.weight', [c.buckets, d]],
    ['embeddings.LayerNorm.weight', [d]], ['embeddings.LayerNorm.bias', [d]],
  ];
  for (let l = 0; l < c.layers; l++) {
    const p = `transformer.layer.${l}`;
    for (const n of ['q_lin', 'k_lin', 'v_lin', 'out_lin']) spec.push([`${p}.attention.${n}.weight`, [d, d]], [`${p}.attention.${n}.bias`, [d]]);
    spec.push([`${p}.sa_layer_norm.weight`, [d]], [`${p}.sa_layer_norm.bias`, [d]]);
    spec.push([`${p}.ffn.lin1.weight`, [c.ffn, d]], [`${p}.ffn.lin1.bias`, [c.ffn]]);
    spec.push([`${p}.ffn.lin2.weight`, [d, c.ffn]], [`${p}.ffn.lin2.bias`, [d]]);
    spec.push([`${p}.output_layer_norm.weight`, [d]], [`${p}.output_layer_norm.bias`, [d]]);
  }
  spec.push(['classifier.weight', [c.classes, d]], ['classifier.bias', [c.classes]]);
  return spec;
}

/** The config of a parameter set (shapes) plus the two values shapes do not hold. */
export function textConfigOf(shapes: Record<string, readonly number[]>, extra: { seq: number; heads: number; eps?: number }): TextClassifierConfig {
  const emb = shapes['embeddings.word_embeddings.weight'];
  if (!emb) throw new Error('text classifier: no embeddings.word_embeddings.weight');
  let layers = 0;
  while (shapes[`transformer.layer.${layers}.attention.q_lin.weight`]) layers++;
  return {
    seq: extra.seq, buckets: emb[0], dim: emb[1], layers, heads: extra.heads,
    ffn: layers ? shapes['transformer.layer.0.ffn.lin1.weight'][0] : TEXT_DEFAULTS.ffn,
    classes: shapes['classifier.weight'][0], eps: extra.eps ?? TEXT_DEFAULTS.eps,
  };
}

/**
 * The forward pass over given parameter tensors (order of textParamSpec), where `weight(i)` may
 * replace parameter i by a transformed tensor (DKM, pruning mask). ids: int32 [B, seq] (idsTensor).
 */
export function textForward(e: Engine, c: TextClassifierConfig, params: readonly Tensor[], weight: (i: number) => Tensor): (ids: Tensor) => Tensor {
  const alpha = 1 / Math.sqrt(c.dim / c.heads);
  return (ids) => {
    const B = ids.shape[0];
    const T = ids.size / B;
    const rows = B * T;
    const lin = (x: Tensor, i: number) => linear(e, e.view(x, [rows, x.size / rows]), weight(i), params[i + 1]);
    const tokens = (x: Tensor) => e.view(x, [B, T, x.size / rows]);
    let x = layerNorm(e, embedding(e, ids, weight(0)), params[1], params[2], c.eps);
    let i = 3;
    for (let l = 0; l < c.layers; l++, i += 16) {
      const q = tokens(lin(x, i)), k = tokens(lin(x, i + 2)), v = tokens(lin(x, i + 4));
      const ctx = attentionContext(e, softmax(e, attentionScores(e, q, k, c.heads, alpha)), v, c.heads);
      x = layerNorm(e, add(e, tokens(lin(ctx, i + 6)), x), params[i + 8], params[i + 9], c.eps);
      const f = tokens(lin(gelu(e, lin(x, i + 10)), i + 12));
      x = layerNorm(e, add(e, f, x), params[i + 14], params[i + 15], c.eps);
    }
    return linear(e, meanPool(e, x), weight(i), params[i + 1]);
  };
}

/** Initial values: word table N(0, 0.02) ([PAD] row included), linear weights N(0, 1/fan_in), biases 0, LayerNorm gamma 1, beta 0. */
function initValues(c: TextClassifierConfig, seed: number): Map<string, Float32Array> {
  const rnd = new Normal(seed);
  const out = new Map<string, Float32Array>();
  for (const [name, shape] of textParamSpec(c)) {
    const size = shape.reduce((a, b) => a * b, 1);
    if (name.startsWith('embeddings.word')) out.set(name, rnd.normal(size, 0.02));
    else if (shape.length === 2) out.set(name, rnd.normal(size, 1 / Math.sqrt(shape[1])));
    else if (name.includes('LayerNorm.weight') || name.endsWith('layer_norm.weight')) out.set(name, new Float32Array(size).fill(1));
    else out.set(name, new Float32Array(size));
  }
  return out;
}

export interface TextClassifierOptions extends Partial<TextClassifierConfig> {
  seed?: number;
  /** Given values by tensor name (e.g. a trained model); others are initialized. */
  values?: Record<string, Float32Array>;
}

/** The trainable text classifier: input ids [B, seq] int32 (x of Examples holds them as floats), logits [B, classes]. */
export function textClassifier(e: Engine, opts: TextClassifierOptions = {}): TrainableNet & { config: TextClassifierConfig } {
  const c: TextClassifierConfig = { ...TEXT_DEFAULTS };
  for (const k of Object.keys(TEXT_DEFAULTS) as (keyof TextClassifierConfig)[]) if (opts[k] !== undefined) c[k] = opts[k]!;
  if (c.dim % c.heads !== 0) throw new RangeError(`textClassifier: dim ${c.dim} is not a multiple of heads ${c.heads}`);
  const init = initValues(c, opts.seed ?? 1);
  const params = textParamSpec(c).map(([name, shape]) => e.parameter(name, shape, opts.values?.[name] ?? init.get(name)!));
  return {
    kind: 'text-transformer',
    inputShape: [c.seq],
    inputDtype: 'int32',
    config: c,
    params,
    forward: textForward(e, c, params, (i) => params[i]),
    exportWeights: () => Object.fromEntries(params.map((p) => [p.name, e.read(p)])),
  };
}
