/**
 * The graph trainer (src/trainer/engine/graph-net.ts, op-table.ts) on graphs no architecture code
 * knows, written with ModelWriter: the engine's logits against the float64 whole-model oracle
 * (test/oracle/model-ops.ts, written from the op definitions), and its gradients with respect to
 * every parameter and the input against float64 central differences of that oracle (a random
 * direction per tensor). Every format op type is either trainable or refused by name.
 */
import { describe, expect, it } from 'vitest';
import { OP_TYPES } from '../../src/format/ops.js';
import { ModelWriter, type TensorHandle } from '../../src/format/write.js';
import { encodeDense } from '../../src/encode/palette.js';
import { Engine, NOT_TRAINABLE, TRAIN_OPS, TrainModule, graphNet, idsTensor, logitsTensor, type Tensor, type TrainOpRow } from '../../src/trainer/engine/index.js';
import { readDenseModel } from '../../src/trainer/compress.js';
import { runModelOracle } from '../oracle/model-ops.js';
import { Rng } from '../util/rng.js';
import { dot } from '../util/gradcheck.js';

function writer(seed: number) {
  const rng = new Rng(seed);
  const w = new ModelWriter();
  let n = 0;
  const weight = (shape: number[], lo = -0.6, hi = 0.6) => w.weight(`w${n++}`, shape, encodeDense(rng.floats(shape.reduce((a, b) => a * b, 1), lo, hi)));
  const op = (type: string, inputs: (TensorHandle | null)[], attrs?: Record<string, number | number[]>) => w.op(type, inputs, attrs ? { attrs } : {});
  return { w, rng, weight, op };
}

/**
 * Forward against the oracle; then for the input and every parameter, d(r . logits)/d(tensor) in a
 * random direction v against (L(+h v) - L(-h v)) / 2h of the float64 oracle.
 */
function checkGraph(bytes: Uint8Array, seed: number, ids?: { vocab: number }): void {
  const m = readDenseModel(bytes);
  const g = m.graph;
  const rng = new Rng(seed);
  const e = new Engine(new TrainModule());
  const net = graphNet(e, m);
  const B = 2;
  const inShape = g.tensors[g.inputs[0]].shape;
  const xs = ids ? Float64Array.from({ length: B * inShape.reduce((a, b) => a * b, 1) }, () => rng.int(0, ids.vocab - 1)) : Float64Array.from(rng.floats(B * inShape.reduce((a, b) => a * b, 1), -1, 1));
  e.beginStep();
  const x: Tensor = ids ? idsTensor(e, xs, [B, ...inShape], ids.vocab) : e.parameter('x', [B, ...inShape], xs);
  const y = net.forward(x);
  const outName = g.tensors[g.outputs[0]].name;
  expect(logitsTensor(g)).toBe(g.outputs[0]);
  const inName = g.tensors[g.inputs[0]].name;
  const oracle = (over: Map<number, Float64Array>, input: Float64Array) => runModelOracle(g, { [inName]: input }, B, over)[outName];
  const want = oracle(new Map(), xs);
  const got = e.read(y);
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i]), `forward[${i}]`).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(want[i])));

  const r = Float64Array.from(rng.floats(y.size, -1, 1));
  e.backwardFrom(y, r);
  const h = 1e-5;
  const index = new Map(g.tensors.map((t) => [t.name, t.index]));
  const targets: Array<{ name: string; grad: Float32Array; base: Float64Array; index?: number }> = net.params.map((p) => ({ name: p.name, grad: e.readGrad(p), base: Float64Array.from(m.weights[p.name]), index: index.get(p.name)! }));
  if (!ids) targets.push({ name: 'input', grad: e.readGrad(x), base: xs });
  // trained: every constant with more than one value but BatchNorm's statistics
  const stats = new Set(g.ops.filter((o) => o.type === 'BatchNormalization').flatMap((o) => [o.inputs[3], o.inputs[4]]));
  expect(net.params.map((p) => p.name)).toEqual(g.tensors.filter((t) => t.weight && !stats.has(t.index) && m.weights[t.name].length > 1).map((t) => t.name));
  for (const t of targets) {
    const v = Float64Array.from(rng.floats(t.base.length, -1, 1));
    const at = (s: number) => {
      const moved = t.base.map((b, i) => b + s * v[i]);
      return dot(r, t.index === undefined ? oracle(new Map(), moved) : oracle(new Map([[t.index, moved]]), xs));
    };
    const numeric = (at(h) - at(-h)) / (2 * h);
    const analytic = dot(t.grad, v);
    expect(Math.abs(analytic - numeric), `d/d ${t.name}: ${analytic} vs ${numeric}`).toBeLessThanOrEqual(2e-3 * (1 + Math.abs(numeric)));
  }
}

describe('graph trainer: every op type has a training row or a reason', () => {
  it('OP_TYPES = TRAIN_OPS + NOT_TRAINABLE', () => {
    for (const t of OP_TYPES) expect(t in TRAIN_OPS || t in NOT_TRAINABLE, t).toBe(true);
    for (const t of Object.keys(TRAIN_OPS)) expect(OP_TYPES, t).toContain(t);
  });

  it('an op type without a training row on the path to the logits is refused by name', () => {
    // every op type of the format has a row today: take one away to see the refusal
    const rows = TRAIN_OPS as Record<string, TrainOpRow>;
    const saved = rows.Resize;
    delete rows.Resize;
    try {
      const { w, weight, op } = writer(1);
      const x = w.input('x', [6, 6, 2]);
      const r = op('Resize', [x], { sizes: [12, 12] } as never);
      w.output(op('FullyConnected', [op('Flatten', [r]), weight([3, 288])]));
      expect(() => graphNet(new Engine(new TrainModule()), readDenseModel(w.finish()))).toThrow(/no backward pass for Resize/);
    } finally {
      rows.Resize = saved;
    }
  });
});

describe('graph trainer: forward vs the float64 model oracle, gradients vs central differences', () => {
  it('a small convnet: padded / strided / dilated conv, BatchNorm, Relu6, depthwise and grouped convs, HardSwish, padded AvgPool, MaxPool, global pool', () => {
    const { w, weight, op } = writer(2);
    const x = w.input('image', [9, 9, 4]);
    let h = op('Conv2D', [x, weight([6, 3, 3, 4]), weight([6])], { pads: [1, 1, 1, 1] });
    h = op('BatchNormalization', [h, weight([6], 0.5, 1.5), weight([6]), weight([6]), weight([6], 0.5, 2)], {});
    h = op('Relu6', [h]);
    h = op('Conv2D', [h, weight([6, 3, 3, 1]), weight([6])], { groups: 6, strides: [2, 2], pads: [1, 1, 1, 1] });
    h = op('HardSwish', [h]);
    h = op('Conv2D', [h, weight([4, 1, 1, 3]), null], { groups: 2 });
    h = op('Conv2D', [h, weight([5, 2, 2, 4]), weight([5])], { dilations: [2, 2], pads: [1, 0, 1, 1] });
    h = op('AvgPool', [h], { kernel: [2, 2], strides: [1, 1], pads: [0, 0, 1, 1] });
    h = op('MaxPool', [h], { kernel: [2, 2], strides: [2, 2] });
    h = op('GlobalAveragePool', [op('Sigmoid', [h])]);
    w.output(op('FullyConnected', [op('Flatten', [h]), weight([3, 5]), weight([3])]));
    checkGraph(w.finish(), 3);
  });

  it('attention with a learned position table: FullyConnected, Reshape, Transpose, MatMul (transpose_b, alpha), Softmax, Add / Mul / Sub constants, LayerNorm, Gelu, Concat, ReduceMean', () => {
    const { w, weight, op } = writer(4);
    const T = 4, D = 6, H = 2;
    const x = w.input('tokens', [T, D]);
    const pos = op('Add', [x, weight([T, D])]);
    const heads = (t: TensorHandle) => op('Transpose', [op('Reshape', [op('FullyConnected', [t, weight([D, D]), weight([D])]), ], { shape: [T, H, D / H] })], { perm: [1, 0, 2] });
    const q = heads(pos), k = heads(pos), v = heads(pos);
    const p = op('Softmax', [op('MatMul', [q, k], { transpose_b: 1, alpha: 0.5 } as never)]);
    const ctx = op('Reshape', [op('Transpose', [op('MatMul', [p, v])], { perm: [1, 0, 2] })], { shape: [T, D] });
    let h = op('LayerNorm', [op('Add', [ctx, pos]), weight([D], 0.5, 1.5), weight([D])]);
    h = op('Sub', [op('Mul', [h, weight([D])]), weight([1])]);
    h = op('Concat', [op('Gelu', [h]), op('Tanh', [pos])], { axis: -1 });
    h = op('ReduceMean', [h], { axes: [0], keepdims: 0 });
    w.output(op('FullyConnected', [h, weight([3, 2 * D]), weight([3])]));
    checkGraph(w.finish(), 5);
  });

  it('spatial ops of the importer: Slice (negative step, negative starts), Resize bilinear / nearest (half_pixel, asymmetric, align_corners; scales), ConvTranspose (stride, pads, output_padding, dilation, groups)', () => {
    const { w, weight, op } = writer(8);
    const x = w.input('image', [6, 5, 3]);
    let h = op('Conv2D', [x, weight([4, 3, 3, 3]), weight([4])], { pads: [1, 1, 1, 1] });
    h = op('Slice', [h], { starts: [1, -1], ends: [6, -6], axes: [0, 1], steps: [2, -1] } as never); // [3, 5, 4], columns reversed
    h = op('Resize', [h], { mode: 'linear', sizes: [4, 7] } as never);
    h = op('ConvTranspose', [op('Tanh', [h]), weight([4, 3, 3, 4]), weight([4])], { strides: [2, 2], pads: [1, 0, 1, 1], output_padding: [1, 0] }); // [8, 14, 4]
    h = op('Resize', [h], { mode: 'nearest', sizes: [12, 7], scales: [1.5, 0.5], coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' } as never);
    h = op('ConvTranspose', [h, weight([6, 2, 2, 2]), null], { groups: 2, dilations: [2, 1] }); // [14, 8, 6]
    h = op('Resize', [h], { mode: 'linear', sizes: [5, 3], coordinate_transformation_mode: 'align_corners' } as never);
    h = op('Slice', [h], { starts: [0], ends: [4], axes: [-1] } as never);
    w.output(op('FullyConnected', [op('Flatten', [h]), weight([3, 60]), weight([3])]));
    checkGraph(w.finish(), 9);
  });

  it('element-wise zoo: unary 1.1 ops, broadcasting Div / Max / Min / Pow with constants and activations, MatMul, ReduceMax', () => {
    const { w, weight, op } = writer(6);
    const x = w.input('features', [3, 5]);
    let h = op('FullyConnected', [x, weight([5, 5]), weight([5])]);
    const a = op('Silu', [op('LeakyRelu', [h], { alpha: 0.1 } as never)]);
    const b = op('HardSigmoid', [op('Clip', [h], { min: -0.5, max: 0.7 } as never)], { alpha: 0.3, beta: 0.4 } as never);
    const pos = op('Exp', [op('Neg', [op('Abs', [h])])]); // in (0, 1]
    const c = op('Log', [op('Sqrt', [op('Add', [pos, weight([1], 0.5, 1)])])]);
    h = op('Div', [op('Max', [a, b]), op('Add', [pos, weight([5], 0.5, 1)])]);
    h = op('Min', [h, weight([3, 1])]);
    h = op('Add', [h, op('Pow', [op('Add', [pos, weight([1], 0.5, 1)]), weight([5], 0.5, 2)])]);
    h = op('Mul', [h, c]);
    h = op('MatMul', [h, op('Transpose', [op('FullyConnected', [x, weight([5, 5])])], { perm: [1, 0] })]);
    h = op('ReduceMax', [h], { axes: [0], keepdims: 0 });
    w.output(op('FullyConnected', [op('Tanh', [h]), weight([2, 3])]));
    checkGraph(w.finish(), 7);
  });

  it('token ids: Embedding, LayerNorm without beta, sequence mean, FullyConnected', () => {
    const { w, weight, op } = writer(8);
    const ids = w.input('ids', [5], 'int32');
    let h = op('LayerNorm', [op('Embedding', [ids, weight([11, 4])]), weight([4], 0.5, 1.5), null], { epsilon: 1e-3 } as never);
    h = op('Reshape', [op('GlobalAveragePool', [op('Reshape', [h], { shape: [5, 1, 4] })])], { shape: [4] });
    w.output(op('FullyConnected', [h, weight([2, 4]), weight([2])]));
    checkGraph(w.finish(), 9, { vocab: 11 });
  });
});
