/**
 * The op registry additions of format 1.0 (Conv2D, MaxPool, AvgPool, GlobalAveragePool,
 * BatchNormalization, Concat, Flatten, Transpose, LayerNorm, MatMul, Embedding): attributes, shape
 * inference and rejections, the int32 rule for Embedding ids, and every op's ONNX mapping run in
 * onnxruntime against the float64 oracle (test/oracle/model-ops.ts).
 */
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeBlockSparse, encodeDense, encodePalettized } from '../../src/encode/palette.js';
import { readModel } from '../../src/format/read.js';
import { ModelWriter } from '../../src/format/write.js';
import { exportOnnx } from '../../src/onnx/index.js';
import { runModelOracle } from '../oracle/model-ops.js';
import { expectClose } from '../util/compare.js';
import { Rng } from '../util/rng.js';

beforeAll(() => {
  ort.env.wasm.numThreads = 1;
});

async function ortRun(onnx: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(onnx);
  try {
    return (await session.run(feeds)) as Record<string, ort.Tensor>;
  } finally {
    await session.release();
  }
}

const rng = new Rng(99);
const dense = (n: number, lo = -1, hi = 1) => encodeDense(rng.floats(n, lo, hi));

describe('shape inference of the new ops', () => {
  it('Conv2D: NHWC [H, W, C], weight [O, kh, kw, C/groups], strides, pads [t, l, b, r], dilations, groups', () => {
    const w = new ModelWriter();
    const x = w.input('x', [11, 9, 6]);
    const W = w.weight('w', [4, 3, 2, 3], dense(4 * 3 * 2 * 3));
    const y = w.op('Conv2D', [x, W], { attrs: { strides: [2, 1], pads: [1, 0, 2, 1], dilations: [2, 1], groups: 2 } });
    // H: floor((11 + 3 - 2*2 - 1) / 2) + 1 = 5; W: floor((9 + 1 - 1 - 1) / 1) + 1 = 9
    expect(y.shape).toEqual([5, 9, 4]);
    const dw = w.weight('dw', [6, 3, 3, 1], dense(54));
    expect(w.op('Conv2D', [x, dw], { attrs: { pads: [1, 1, 1, 1], groups: 6 } }).shape).toEqual([11, 9, 6]);
    expect(() => w.op('Conv2D', [x, W], { attrs: { groups: 4 } })).toThrow(/groups = 4 must divide/);
    expect(() => w.op('Conv2D', [x, W])).toThrow(/C\/groups = 6/);
    expect(() => w.op('Conv2D', [x, dw], { attrs: { groups: 6, pads: [3, 0, 0, 0] } })).toThrow(/smaller than the window/);
    expect(() => w.op('Conv2D', [x, dw], { attrs: { groups: 6, strides: [1] } })).toThrow(/strides must be 2 values/);
    const flat = w.input('flat', [6]);
    expect(() => w.op('Conv2D', [flat, dw], { attrs: { groups: 6 } })).toThrow(/\[H, W, C\]/);
    const sparseBias = w.weight('sb', [6], encodeBlockSparse(rng.floats(6), 6, 1, { blockRows: 2, blockCols: 1, sparsity: 0.5 }));
    expect(() => w.op('Conv2D', [x, dw, sparseBias], { attrs: { groups: 6 } })).toThrow(/bias must be stored dense float32/);
  });

  it('pools, global average pool, BatchNormalization, Flatten', () => {
    const w = new ModelWriter();
    const x = w.input('x', [7, 8, 3]);
    expect(w.op('MaxPool', [x], { attrs: { kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] } }).shape).toEqual([4, 4, 3]);
    expect(w.op('AvgPool', [x], { attrs: { kernel: [2, 2], strides: [2, 2] } }).shape).toEqual([3, 4, 3]);
    expect(() => w.op('MaxPool', [x], {})).toThrow(/missing required attribute "kernel"/);
    expect(() => w.op('AvgPool', [x], { attrs: { kernel: [9, 1] } })).toThrow(/does not fit/);
    const g = w.op('GlobalAveragePool', [x]);
    expect(g.shape).toEqual([1, 1, 3]);
    expect(w.op('Flatten', [x]).shape).toEqual([168]);
    const p = (n: string) => w.weight(n, [3], dense(3, 0.5, 1.5));
    expect(w.op('BatchNormalization', [x, p('s'), p('b'), p('m'), p('v')], { attrs: { epsilon: 1e-3 } }).shape).toEqual([7, 8, 3]);
    const q = w.weight('q', [4], dense(4));
    expect(() => w.op('BatchNormalization', [x, q, p('b2'), p('m2'), p('v2')])).toThrow(/scale must be \[3\]/);
  });

  it('Concat (variadic, negative axis), Transpose, LayerNorm, MatMul', () => {
    const w = new ModelWriter();
    const a = w.input('a', [2, 3, 4]);
    const b = w.input('b', [2, 5, 4]);
    expect(w.op('Concat', [a, b, a], { attrs: { axis: -2 } }).shape).toEqual([2, 11, 4]);
    expect(() => w.op('Concat', [a], { attrs: { axis: 0 } })).toThrow(/has 1 inputs, expected at least 2/);
    expect(() => w.op('Concat', [a, b], { attrs: { axis: 2 } })).toThrow(/must agree/);
    expect(() => w.op('Concat', [a, b], { attrs: { axis: 3 } })).toThrow(/out of range/);
    expect(w.op('Transpose', [a], { attrs: { perm: [2, 0, 1] } }).shape).toEqual([4, 2, 3]);
    expect(() => w.op('Transpose', [a], { attrs: { perm: [0, 0, 1] } })).toThrow(/not a permutation/);
    const g = w.weight('g', [4], dense(4));
    expect(w.op('LayerNorm', [a, g], { attrs: { epsilon: 1e-12 } }).shape).toEqual([2, 3, 4]);
    expect(() => w.op('LayerNorm', [b, w.weight('g5', [5], dense(5))])).toThrow(/gamma must be \[4\]/);
    expect(w.op('MatMul', [a, b], { attrs: { transpose_b: 1, alpha: 0.5 } }).shape).toEqual([2, 3, 5]);
    const c = w.input('c', [2, 4, 7]);
    expect(w.op('MatMul', [a, c]).shape).toEqual([2, 3, 7]);
    expect(() => w.op('MatMul', [a, b])).toThrow(/inner dimensions differ/);
    expect(() => w.op('MatMul', [a, w.input('d', [3, 4, 7])])).toThrow(/leading/);
    expect(() => w.op('MatMul', [a, g])).toThrow(/must be an activation/);
  });

  it('Embedding: int32 ids [T] and any table encoding -> [T, dim]; int32 activations only there', () => {
    const w = new ModelWriter();
    const ids = w.input('ids', [5], 'int32');
    const table = w.weight('table', [50, 8], encodePalettized(rng.floats(400), 50, 8, { bits: 3 }));
    const e = w.op('Embedding', [ids, table]);
    expect(e.shape).toEqual([5, 8]);
    const f = w.input('f', [5]);
    expect(() => w.op('Embedding', [f, table])).toThrow(/ids\) must be int32, got float32/);
    expect(() => w.op('Relu', [ids])).toThrow(/must be float32, got int32/);
    w.output(e);
    const info = readModel(w.finish());
    expect(info.tensors[ids.index].dtype).toBe('int32');
  });

  it('graph inputs are float32 or int32, graph outputs float32', () => {
    const w = new ModelWriter();
    const x = w.input('x', [4], 'int8');
    w.output(x);
    expect(() => w.finish()).toThrow(/graph inputs are float32 \(or int32 token ids\)/);
    const w2 = new ModelWriter();
    const ids = w2.input('ids', [4], 'int32');
    w2.output(ids);
    expect(() => w2.finish()).toThrow(/graph outputs are float32/);
  });

  it('attributes survive the file round trip (ints, floats, defaults filled)', () => {
    const w = new ModelWriter();
    const x = w.input('x', [6, 6, 2]);
    const W = w.weight('w', [2, 3, 3, 1], dense(18));
    const y = w.op('Conv2D', [x, W], { attrs: { groups: 2, pads: [1, 1, 1, 1] } });
    const a = w.input('a', [3, 4]);
    const m = w.op('MatMul', [a, a], { attrs: { transpose_b: 1, alpha: 0.125 } });
    w.output(y);
    w.output(m);
    const info = readModel(w.finish());
    expect(info.ops[0].attrs).toEqual({ strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], groups: 2, int8: 0 });
    expect(info.ops[1].attrs).toEqual({ transpose_b: 1, alpha: 0.125 });
  });
});

describe('every op through exportOnnx and onnxruntime matches the float64 oracle', () => {
  it('image ops (NHWC in the file, NCHW in ONNX) and rank-2 ops', async () => {
    const w = new ModelWriter({ name: 'zoo' });
    const x = w.input('x', [9, 8, 4]);
    const conv = w.op('Conv2D', [
      x,
      w.weight('c1.w', [6, 3, 2, 2], encodePalettized(rng.floats(72), 6, 12, { bits: 4, groupRows: 2 })),
      w.weight('c1.b', [6], dense(6)),
    ], { attrs: { strides: [2, 1], pads: [1, 0, 2, 1], dilations: [2, 1], groups: 2 }, output: 'conv' });
    const p = (n: string, lo: number, hi: number) => w.weight(n, [6], dense(6, lo, hi));
    const bn = w.op('BatchNormalization', [conv, p('bn.s', 0.5, 1.5), p('bn.b', -0.2, 0.2), p('bn.m', -0.1, 0.1), p('bn.v', 0.5, 2)], { attrs: { epsilon: 1e-3 } });
    const r6 = w.op('Relu6', [bn]);
    const avg = w.op('AvgPool', [r6], { attrs: { kernel: [3, 3], strides: [1, 2], pads: [1, 1, 1, 1] } });
    const mx = w.op('MaxPool', [r6], { attrs: { kernel: [3, 3], strides: [1, 2], pads: [1, 1, 1, 1] } });
    const cat = w.op('Concat', [avg, mx, avg], { attrs: { axis: -1 } });
    const dw = w.op('Conv2D', [cat, w.weight('dw.w', [18, 3, 3, 1], encodeBlockSparse(rng.floats(162), 18, 9, { blockRows: 2, blockCols: 3, sparsity: 0.4 }))], {
      attrs: { groups: 18, pads: [1, 1, 1, 1] },
    });
    const si = w.op('Silu', [dw]);
    const res = w.op('Add', [si, cat]);
    const mul = w.op('Mul', [res, w.op('Sigmoid', [res])]);
    const hcat = w.op('Concat', [mul, mul], { attrs: { axis: 1 } }); // along W
    const gap = w.op('GlobalAveragePool', [hcat]);
    const flat = w.op('Flatten', [gap]);
    const fc = w.op('FullyConnected', [flat, w.weight('fc.w', [12, 18], dense(216)), w.weight('fc.b', [12], dense(12))]);
    const seq = w.op('Reshape', [w.op('Tanh', [fc])], { attrs: { shape: [3, -1] } });
    const tr = w.op('Transpose', [seq], { attrs: { perm: [1, 0] } }); // [4, 3]
    const bn2 = w.op('BatchNormalization', [tr, ...['s', 'b', 'm', 'v'].map((k) => w.weight(`bn2.${k}`, [3], dense(3, 0.5, 1.5)))]);
    const mm = w.op('MatMul', [bn2, tr], { attrs: { transpose_b: 1, alpha: 0.7 } }); // [4, 4]
    const mm2 = w.op('MatMul', [mm, bn2]); // [4, 3]
    const ln = w.op('LayerNorm', [mm2, w.weight('ln.g', [3], dense(3))], { attrs: { epsilon: 1e-5 } });
    const sm = w.op('Softmax', [w.op('Gelu', [ln])], { output: 'probs' });
    // Also expose an NHWC image output produced in NCHW by the export (a Transpose at the end).
    w.output(w.op('Relu', [bn], { output: 'image' }));
    w.output(sm);
    const info = readModel(w.finish());
    const batch = 2;
    const input = new Rng(5).floats(batch * 9 * 8 * 4);
    const want = runModelOracle(info, { x: input }, batch);
    const got = await ortRun(exportOnnx(info), { x: new ort.Tensor('float32', input, [batch, 9, 8, 4]) });
    expect(got.image.dims).toEqual([batch, ...info.tensors[info.outputs[0]].shape]);
    expect(got.probs.dims).toEqual([batch, 4, 3]);
    expectClose(got.image.data as Float32Array, want.image, { abs: 1e-5, rel: 1e-4 }, 'image');
    expectClose(got.probs.data as Float32Array, want.probs, { abs: 1e-5, rel: 1e-4 }, 'probs');
  });

  it('Embedding (Gather with int32 ids), Reshape and multi-head attention pieces', async () => {
    const w = new ModelWriter({ name: 'emb' });
    const ids = w.input('ids', [6], 'int32');
    const table = w.weight('table', [20, 8], encodeBlockSparse(rng.floats(160), 20, 8, { blockRows: 1, blockCols: 4, sparsity: 0.3 }, { bits: 2 }));
    const e = w.op('Embedding', [ids, table]);
    const heads = w.op('Transpose', [w.op('Reshape', [e], { attrs: { shape: [6, 2, 4] } })], { attrs: { perm: [1, 0, 2] } });
    const s = w.op('Softmax', [w.op('MatMul', [heads, heads], { attrs: { transpose_b: 1, alpha: 0.5 } })]);
    const c = w.op('MatMul', [s, heads]);
    w.output(w.op('Reshape', [w.op('Transpose', [c], { attrs: { perm: [1, 0, 2] } })], { attrs: { shape: [6, 8] }, output: 'y' }));
    const info = readModel(w.finish());
    const idv = Int32Array.from([0, 19, 3, 3, 7, 11, 1, 2, 4, 8, 16, 5]);
    const want = runModelOracle(info, { ids: idv }, 2);
    const got = await ortRun(exportOnnx(info), { ids: new ort.Tensor('int32', idv, [2, 6]) });
    expect(got.y.dims).toEqual([2, 6, 8]);
    expectClose(got.y.data as Float32Array, want.y, { abs: 1e-6, rel: 1e-5 }, 'y');
  });
});
