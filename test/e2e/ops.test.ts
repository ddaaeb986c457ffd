/**
 * Every op of format 1.0 through the runtime, on small models built with the writer, with SIMD and
 * with reference kernels, against the float64 graph oracle (test/oracle/model-ops.ts).
 */
import { describe, expect, it } from 'vitest';
import { loadModel, readModel, WpalInputError } from '../../src/index.js';
import { ModelWriter } from '../../src/format/write.js';
import { encodeBlockSparse, encodeDense, encodePalettized } from '../../src/encode/palette.js';
import { runModelOracle } from '../oracle/model-ops.js';
import { expectClose } from '../util/compare.js';
import { Rng, withSeed } from '../util/rng.js';

const TOL = { abs: 3e-4, rel: 3e-4 };

/** input [9, 11, 3] -> every image op, palettized / sparse / dense weights, then a classifier. */
function buildCnn(seed: number): Uint8Array {
  const rng = new Rng(seed);
  const w = new ModelWriter({ name: 'cnn-ops' });
  const x = w.input('image', [9, 11, 3]);
  const c1w = w.weight('c1.w', [8, 3, 3, 3], encodePalettized(rng.floats(8 * 27), 8, 27, { bits: 3, groupRows: 4, seed }));
  const c1b = w.weight('c1.b', [8], encodeDense(rng.floats(8, -0.1, 0.1)));
  const c1 = w.op('Relu', [w.op('Conv2D', [x, c1w, c1b], { attrs: { strides: [1, 1], pads: [1, 1, 1, 1] } })]); // [9, 11, 8]
  const dw = w.weight('dw.w', [8, 3, 3, 1], encodePalettized(rng.floats(8 * 9), 8, 9, { bits: 4, seed }));
  const d = w.op('Relu6', [w.op('Conv2D', [c1, dw], { attrs: { strides: [2, 2], pads: [1, 0, 1, 1], groups: 8 } })]); // [5, 6, 8]
  const pwW = w.weight('pw.w', [12, 1, 1, 8], encodeBlockSparse(rng.floats(12 * 8), 12, 8, { blockRows: 4, blockCols: 1, sparsity: 0.5 }, { dtype: 'float32' }));
  const p = w.op('Conv2D', [d, pwW]); // pointwise -> gemm, [5, 5, 12]
  const bn = w.op('BatchNormalization', [
    p,
    w.weight('bn.scale', [12], encodeDense(rng.floats(12, 0.5, 1.5))),
    w.weight('bn.bias', [12], encodeDense(rng.floats(12))),
    w.weight('bn.mean', [12], encodeDense(rng.floats(12))),
    w.weight('bn.var', [12], encodeDense(rng.floats(12, 0.5, 2))),
  ]);
  const g2 = w.weight('g2.w', [6, 2, 2, 6], encodeDense(rng.floats(6 * 24)));
  const grouped = w.op('Conv2D', [bn, g2], { attrs: { groups: 2, dilations: [2, 1], pads: [1, 1, 0, 0] } }); // [4, 5, 6]
  const mp = w.op('MaxPool', [grouped], { attrs: { kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 1] } }); // [2, 3, 6]
  const ap = w.op('AvgPool', [grouped], { attrs: { kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] } }); // [2, 3, 6]
  const cat = w.op('Concat', [mp, ap], { attrs: { axis: -1 } }); // [2, 3, 12]
  const gap = w.op('GlobalAveragePool', [cat]); // [1, 1, 12]
  const flat = w.op('Flatten', [cat]); // [72]
  const fcW = w.weight('fc.w', [5, 72], encodePalettized(rng.floats(5 * 72), 5, 72, { bits: 2, seed }));
  const logits = w.op('FullyConnected', [flat, fcW], { output: 'logits' });
  w.output(logits);
  w.output(w.op('Sigmoid', [w.op('Flatten', [gap])], { output: 'pooled' }));
  return w.finish();
}

/** ids [6] -> palettized embedding + LayerNorm + single-head attention + FFN with GELU. */
function buildTransformer(seed: number): Uint8Array {
  const rng = new Rng(seed);
  const d = 8;
  const w = new ModelWriter({ name: 'attention-ops' });
  const ids = w.input('ids', [6], 'int32');
  const table = w.weight('embed', [50, d], encodePalettized(rng.floats(50 * d), 50, d, { bits: 4, groupRows: 16, seed }));
  const e = w.op('Embedding', [ids, table]); // [6, 8]
  const ln = w.op('LayerNorm', [e, w.weight('ln.g', [d], encodeDense(rng.floats(d, 0.5, 1.5))), w.weight('ln.b', [d], encodeDense(rng.floats(d)))]);
  const proj = (name: string) => w.op('FullyConnected', [ln, w.weight(`${name}.w`, [d, d], encodePalettized(rng.floats(d * d), d, d, { bits: 3, seed }))]);
  const q = proj('q');
  const k = proj('k');
  const v = proj('v');
  const scores = w.op('MatMul', [q, k], { attrs: { transpose_b: 1, alpha: 1 / Math.sqrt(d) } }); // [6, 6]
  const probs = w.op('Softmax', [scores]);
  const kt = w.op('Transpose', [v], { attrs: { perm: [1, 0] } }); // [8, 6]
  const ctx = w.op('MatMul', [probs, w.op('Transpose', [kt], { attrs: { perm: [1, 0] } })]); // [6, 8]
  const res = w.op('Add', [ctx, ln]);
  const ff = w.op('Gelu', [w.op('FullyConnected', [res, w.weight('ff.w', [16, d], encodeDense(rng.floats(16 * d)))])]);
  const gate = w.op('Silu', [w.op('FullyConnected', [res, w.weight('gate.w', [16, d], encodeDense(rng.floats(16 * d), 'float16'))])]);
  const mixed = w.op('Tanh', [w.op('Mul', [ff, gate])]);
  w.output(w.op('Reshape', [mixed], { attrs: { shape: [96] }, output: 'out' }));
  return w.finish();
}

describe('every op through the runtime', () => {
  for (const kernels of ['simd', 'ref'] as const) {
    it(`CNN ops (conv, depthwise, pointwise, grouped+dilated, BN, pools, concat) match the oracle (${kernels})`, async () => {
      const seed = 41;
      await withSeed(seed, async () => {
        const bytes = buildCnn(seed);
        const info = readModel(bytes);
        const model = await loadModel(bytes, { kernels });
        const rng = new Rng(seed + 1);
        for (const batch of [1, 2]) {
          const x = rng.floats(batch * 9 * 11 * 3);
          const out = model.run({ image: x });
          const want = runModelOracle(info, { image: x }, batch);
          expectClose(out.logits.data, want.logits, TOL, `logits (batch ${batch})`);
          expectClose(out.pooled.data, want.pooled, TOL, `pooled (batch ${batch})`);
        }
        const plan = model.kernelPlan().map((p) => p.kernel);
        expect(plan.some((k) => k.includes('dwconv2d'))).toBe(true);
        expect(plan.filter((k) => k.includes('gemm')).length).toBe(2); // pointwise conv + FC
      });
    });

    it(`attention ops (embedding, layernorm, matmul, transpose, gelu, silu) match the oracle (${kernels})`, async () => {
      const seed = 43;
      const bytes = buildTransformer(seed);
      const info = readModel(bytes);
      const model = await loadModel(bytes, { kernels });
      const ids = Int32Array.from([0, 7, 49, 3, 3, 21, 5, 1, 2, 48, 0, 9]);
      const out = model.run({ ids });
      const want = runModelOracle(info, { ids }, 2);
      expect(out.out.shape).toEqual([2, 96]);
      expectClose(out.out.data, want.out, TOL, 'out');
    });
  }

  it('token ids outside the vocabulary are a WpalInputError', async () => {
    const model = await loadModel(buildTransformer(5));
    expect(() => model.run({ ids: Int32Array.from([0, 1, 2, 50, 4, 5]) })).toThrow(WpalInputError);
    expect(() => model.run({ ids: Int32Array.from([0, 1, 2, -1, 4, 5]) })).toThrow(/outside the vocabulary/);
    expect(() => model.run({ ids: new Float32Array(6) })).toThrow(/Int32Array/);
  });
});
