/**
 * A DistilBERT-shaped encoder (Sanh et al. 2019; HF tensor names): token + position embeddings,
 * LayerNorm, then `layers` blocks of multi-head self-attention (FullyConnected q/k/v, Reshape
 * [T, heads, dh], Transpose to [heads, T, dh], MatMul q.k^T with alpha = 1/sqrt(dh), Softmax,
 * MatMul with v, back to [T, D], FullyConnected out) + residual + LayerNorm, and a GELU FFN +
 * residual + LayerNorm. No attention mask (every token attends to every token).
 *
 * Inputs: "input_ids" int32 [T] and "position_ids" int32 [T] (normally 0..T-1; the format has no
 * range op, so the host passes them). Output: "last_hidden_state" [T, D] ([CLS] is row 0).
 * Full size (6 layers, 768 wide, 12 heads, FFN 3072, vocab 30522, 512 positions): 66,362,880
 * parameters, the count of HF distilbert-base-uncased.
 */
import { Net, type BuildOptions, type BuiltModel } from './common.js';
import type { TensorHandle } from '../format/write.js';
import { encoderBlock } from './encoder-block.js';

export interface DistilBertOptions extends BuildOptions {
  /** Sequence length T (default 128). */
  seq?: number;
  layers?: number;
  hidden?: number;
  heads?: number;
  ffn?: number;
  vocab?: number;
  /** Rows of the position table (default 512); position ids must be below it. */
  maxPositions?: number;
  /** LayerNorm epsilon (default 1e-12, DistilBERT's). */
  epsilon?: number;
}

export function buildDistilBert(opts: DistilBertOptions = {}): BuiltModel {
  const { seq = 128, layers = 6, hidden: d = 768, heads = 12, ffn = 3072, vocab = 30522, maxPositions = 512, epsilon = 1e-12 } = opts;
  if (d % heads !== 0) throw new RangeError(`buildDistilBert: hidden ${d} is not a multiple of heads ${heads}`);
  const net = new Net(
    {
      name: 'distilbert-encoder',
      task: 'text-encoding',
      preprocessing: { layout: 'tokens' },
      properties: { layers: String(layers), hidden: String(d), heads: String(heads), ffn: String(ffn), vocab: String(vocab), seq: String(seq) },
    },
    opts,
  );
  const table = (name: string, rows: number) =>
    net.compressed(name, 'embedding', [rows, d], net.values_(name, rows * d, () => net.uniform(rows * d, -0.05, 0.05)));
  const norm = (x: TensorHandle, name: string, output = name) => {
    const g = net.param(`${name}.weight`, net.values_(`${name}.weight`, d, () => net.uniform(d, 0.9, 1.1)));
    const b = net.param(`${name}.bias`, net.values_(`${name}.bias`, d, () => net.uniform(d, -0.05, 0.05)));
    return net.op('LayerNorm', [x, g, b], { epsilon }, output);
  };
  const ids = net.input('input_ids', [seq], 'int32');
  const pos = net.input('position_ids', [seq], 'int32');
  const tok = net.op('Embedding', [ids, table('embeddings.word_embeddings.weight', vocab)], undefined, 'embeddings.word');
  const pe = net.op('Embedding', [pos, table('embeddings.position_embeddings.weight', maxPositions)], undefined, 'embeddings.position');
  let x = norm(net.op('Add', [tok, pe], undefined, 'embeddings.sum'), 'embeddings.LayerNorm');
  for (let l = 0; l < layers; l++) {
    x = encoderBlock(net, x, `transformer.layer.${l}`, { seq, dim: d, heads, ffn }, norm, l === layers - 1 ? 'last_hidden_state' : undefined);
  }
  net.output(x);
  return net.finish();
}
