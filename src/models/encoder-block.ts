/**
 * One DistilBERT encoder block over [seq, dim] activations (HF tensor names under `prefix`):
 * multi-head self-attention (FullyConnected q/k/v, Reshape [seq, heads, dh], Transpose to
 * [heads, seq, dh], MatMul q.k^T with alpha = 1/sqrt(dh), Softmax, MatMul with v, back to
 * [seq, dim], FullyConnected out) + residual + LayerNorm, then a GELU FFN + residual + LayerNorm.
 * Shared by the DistilBERT-shaped encoder and the text classifier; the builder passes its own
 * LayerNorm maker (their initializations differ).
 */
import type { Net } from './common.js';
import type { TensorHandle } from '../format/write.js';

export interface EncoderBlockShape {
  seq: number;
  dim: number;
  heads: number;
  ffn: number;
}

/** (input, tensor-name prefix of gamma/beta, optional output name) -> LayerNorm output. */
export type NormMaker = (x: TensorHandle, name: string, output?: string) => TensorHandle;

export function encoderBlock(net: Net, x: TensorHandle, prefix: string, s: EncoderBlockShape, norm: NormMaker, output?: string): TensorHandle {
  const { seq, dim: d, heads, ffn } = s;
  const dh = d / heads;
  const p = prefix;
  const headsOf = (name: string) => {
    const y = net.fc(x, `${p}.attention.${name}`, d);
    const r = net.op('Reshape', [y], { shape: [seq, heads, dh] }, `${p}.attention.${name}.split`);
    return net.op('Transpose', [r], { perm: [1, 0, 2] }, `${p}.attention.${name}.heads`);
  };
  const q = headsOf('q_lin');
  const k = headsOf('k_lin');
  const v = headsOf('v_lin');
  const scores = net.op('MatMul', [q, k], { transpose_b: 1, alpha: 1 / Math.sqrt(dh) }, `${p}.attention.scores`);
  const probs = net.op('Softmax', [scores], undefined, `${p}.attention.probs`);
  const ctx = net.op('MatMul', [probs, v], undefined, `${p}.attention.context`);
  const merged = net.op('Reshape', [net.op('Transpose', [ctx], { perm: [1, 0, 2] }, `${p}.attention.context.tokens`)], { shape: [seq, d] }, `${p}.attention.context.merged`);
  const att = net.fc(merged, `${p}.attention.out_lin`, d);
  const a = norm(net.op('Add', [att, x], undefined, `${p}.attention.residual`), `${p}.sa_layer_norm`);
  const h = net.op('Gelu', [net.fc(a, `${p}.ffn.lin1`, ffn)], undefined, `${p}.ffn.gelu`);
  const f = net.fc(h, `${p}.ffn.lin2`, d);
  return norm(net.op('Add', [f, a], undefined, `${p}.ffn.residual`), `${p}.output_layer_norm`, output);
}
