/**
 * The weightless ops of format 1.1 through the runtime (SIMD and reference kernels, batch 1 and 3)
 * against the float64 graph oracle: every unary op with non-default attributes, every binary op
 * over a table of broadcast cases (activations and constants on either side, rank 0, the general
 * N-d path), ReduceMean / ReduceMax over axis sets that take one and two kernel passes, and a
 * rank-0 per-example chain from graph input to graph output. Also the broadcast and reduction
 * plans themselves (which cases take one kernel call).
 */
import { describe, expect, it } from 'vitest';
import { loadModel, readModel } from '../../src/index.js';
import { ModelWriter, type TensorHandle } from '../../src/format/write.js';
import { encodeDense } from '../../src/encode/palette.js';
import { broadcastGroups, forEachBroadcastCall } from '../../src/runtime/ops/broadcast.js';
import { reducePasses } from '../../src/runtime/ops/reduce.js';
import { runModelOracle } from '../oracle/model-ops.js';
import { Rng, withSeed } from '../util/rng.js';
import { seedOf } from '../util/sweep.js';

const KERNELS = ['simd', 'ref'] as const;
const BATCHES = [1, 3];
/** Each op is a few f32 roundings (exp/log/pow: a few ulp) away from float64; sums of <= 120 values. */
const TOL = { abs: 1e-6, rel: 2e-6 };

/** Like expectClose, but NaN must meet NaN and an infinity the same infinity. */
function expectNear(got: Float32Array, want: Float64Array, what: string): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  for (let i = 0; i < got.length; i++) {
    const g = got[i];
    const e = Math.abs(Math.fround(want[i])) === Infinity ? Math.fround(want[i]) : want[i];
    if (Number.isNaN(e) || !Number.isFinite(e)) {
      if (!Object.is(g, e) && !(Number.isNaN(g) && Number.isNaN(e))) throw new Error(`${what}[${i}] = ${g}, expected ${e}`);
    } else if (!(Math.abs(g - e) <= TOL.abs + TOL.rel * Math.abs(e))) throw new Error(`${what}[${i}] = ${g}, expected ${e}`);
  }
}

const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** Loads the model with both kernel sets and runs every batch size against the oracle. */
async function runAll(bytes: Uint8Array, make: (rng: Rng, name: string, n: number) => Float32Array, seed: number): Promise<void> {
  const info = readModel(bytes);
  for (const kernels of KERNELS) {
    // NaN and infinities are part of what these tests feed: let them through the input check.
    const model = await loadModel(bytes, { kernels, allowNonFinite: true });
    for (const batch of BATCHES) {
      withSeed(seed, () => {
        const rng = new Rng(seed + batch);
        const inputs: Record<string, Float32Array> = {};
        for (const spec of model.inputs) inputs[spec.name] = make(rng, spec.name, batch * prod(spec.shape));
        const out = model.run(inputs);
        const want = runModelOracle(info, inputs, batch);
        for (const spec of model.outputs) {
          expect(out[spec.name].shape).toEqual([batch, ...spec.shape]);
          expectNear(out[spec.name].data, want[spec.name], `${spec.name} (${kernels}, batch ${batch})`);
        }
      });
    }
    model.dispose();
  }
}

/** Values in [-4, 4] with NaN, +-inf, +-0 sprinkled in. */
function withSpecials(rng: Rng, n: number): Float32Array {
  const x = rng.floats(n, -4, 4);
  const specials = [NaN, Infinity, -Infinity, 0, -0, 1];
  for (let i = 0; i < n; i += 7) x[i] = specials[rng.int(0, specials.length - 1)];
  return x;
}

describe('unary ops of format 1.1', () => {
  it('every op, default and set attributes, NaN / inf / 0 inputs, match the oracle', async () => {
    const w = new ModelWriter({ name: 'unary-1.1' });
    const x = w.input('x', [5, 7]);
    const ops: Array<[string, Record<string, number>]> = [
      ['LeakyRelu', {}], ['LeakyRelu', { alpha: 0.3 }], ['HardSigmoid', {}], ['HardSigmoid', { alpha: 0.5, beta: 0.25 }],
      ['HardSwish', {}], ['Clip', {}], ['Clip', { min: -1, max: 2 }], ['Clip', { min: 0 }], ['Clip', { max: -Infinity }],
      ['Sqrt', {}], ['Log', {}], ['Exp', {}], ['Neg', {}], ['Abs', {}],
    ];
    ops.forEach(([type, attrs], i) => w.output(w.op(type, [x], { attrs, output: `y${i}_${type}` })));
    await runAll(w.finish(), (rng, _name, n) => withSpecials(rng, n), 11);
  });
});

/** [name, shape of a, shape of b, a constant?, b constant?] */
const CASES: Array<[string, number[], number[], boolean, boolean]> = [
  ['same shape', [4, 5, 6], [4, 5, 6], false, false],
  ['per-channel constant', [4, 5, 6], [6], false, true],
  ['RGB constant (tiled at load, rows left over)', [5, 7, 3], [3], false, true],
  ['constant [3, 40] op activation [40] (loops over the batch)', [3, 40], [40], true, false],
  ['constant first', [6], [4, 5, 6], true, false],
  ['scalar constant', [4, 5, 6], [1], false, true],
  ['same-shape constant', [3, 7], [3, 7], false, true],
  ['per-pixel activation', [4, 5, 6], [4, 5, 1], false, false],
  ['outer (general N-d)', [4, 1, 6], [1, 5, 6], false, false],
  ['both broadcast', [3, 1], [1, 5], false, false],
  ['rank 0 and rank 0', [], [], false, false],
  ['rank 1 and rank 0', [9], [], false, false],
  ['rank 0 and rank 3', [], [2, 3, 5], false, false],
  ['rank 0 and constant', [], [5], false, true],
  ['constant of higher rank', [3], [2, 1, 3], false, true],
  ['middle axis', [4, 5, 6], [5, 1], false, false],
];
const BINARY = ['Add', 'Sub', 'Mul', 'Div', 'Max', 'Min', 'Pow'];

describe('binary ops with broadcasting', () => {
  for (const [name, sa, sb, ca, cb] of CASES) {
    it(`${name}: ${JSON.stringify(sa)}${ca ? ' (const)' : ''} op ${JSON.stringify(sb)}${cb ? ' (const)' : ''}, every op`, async () => {
      const seed = seedOf(name);
      const rng = new Rng(seed);
      const w = new ModelWriter({ name: 'binary-1.1' });
      const operand = (label: string, shape: number[], constant: boolean): TensorHandle =>
        constant ? w.weight(label, shape, encodeDense(rng.floats(prod(shape), 0.25, 3))) : w.input(label, shape);
      const a = operand('a', sa, ca);
      const b = operand('b', sb, cb);
      for (const type of BINARY) w.output(w.op(type, [a, b], { output: `y_${type}` }));
      // Positive bases keep Pow away from NaN; Sub / Max / Min still see both orders of magnitude.
      await runAll(w.finish(), (r, _n, n) => r.floats(n, 0.25, 3), seed);
    });
  }

  it('NaN, inf and signed zeros propagate as the oracle says (same shape and a per-row scalar)', async () => {
    const w = new ModelWriter();
    const a = w.input('a', [4, 9]);
    const b = w.input('b', [4, 9]);
    const s = w.input('s', [4, 1]);
    for (const type of BINARY) {
      w.output(w.op(type, [a, b], { output: `ab_${type}` }));
      w.output(w.op(type, [s, a], { output: `sa_${type}` }));
    }
    await runAll(w.finish(), (rng, _name, n) => withSpecials(rng, n), 5);
  });

  it('1.0 meaning kept: Add / Mul of two same-shape activations run vadd / vmul; the rest run b* kernels', async () => {
    const w = new ModelWriter();
    const x = w.input('x', [8]);
    const c = w.weight('c', [8], encodeDense(new Float32Array(8).fill(2)));
    w.output(w.op('Mul', [w.op('Add', [x, x]), x], { output: 'y' }));
    w.output(w.op('Add', [x, c], { output: 'z' }));
    w.output(w.op('Sub', [x, x], { output: 'd' }));
    const model = await loadModel(w.finish());
    expect(model.kernelPlan().map((p) => p.kernel)).toEqual(['f32_vadd__simd', 'f32_vmul__simd', 'f32_badd__simd', 'f32_bsub__simd']);
  });
});

describe('broadcast plan: which cases are one kernel call', () => {
  const calls = (out: number[], a: number[], ab: boolean, b: number[], bb: boolean, batch: number) => {
    const got: unknown[] = [];
    forEachBroadcastCall(broadcastGroups(out, { shape: a, batched: ab }, { shape: b, batched: bb }), batch, (c) => got.push(c));
    return got;
  };
  it('same shape, scalar, per-channel, per-row: one call; the outer case loops', () => {
    expect(calls([4, 5, 6], [4, 5, 6], true, [4, 5, 6], true, 3)).toEqual([{ m: 1, n: 360, aOff: 0, bOff: 0, yOff: 0, aStride: 0, bStride: 0, aStep: 1, bStep: 1 }]);
    expect(calls([4, 5, 6], [4, 5, 6], true, [6], false, 2)).toEqual([{ m: 40, n: 6, aOff: 0, bOff: 0, yOff: 0, aStride: 6, bStride: 0, aStep: 1, bStep: 1 }]);
    expect(calls([4, 5, 6], [4, 5, 6], true, [1], false, 2)).toEqual([{ m: 1, n: 240, aOff: 0, bOff: 0, yOff: 0, aStride: 0, bStride: 0, aStep: 1, bStep: 0 }]);
    expect(calls([9], [9], true, [], true, 2)).toEqual([{ m: 2, n: 9, aOff: 0, bOff: 0, yOff: 0, aStride: 9, bStride: 1, aStep: 1, bStep: 0 }]);
    expect(calls([], [], true, [], true, 5)).toEqual([{ m: 1, n: 5, aOff: 0, bOff: 0, yOff: 0, aStride: 0, bStride: 0, aStep: 1, bStep: 1 }]);
    const outer = calls([4, 5, 6], [4, 1, 6], true, [1, 5, 6], true, 2) as Array<{ m: number; n: number; aOff: number; bOff: number; yOff: number }>;
    expect(outer.length).toBe(2 * 4);
    expect(outer[5]).toMatchObject({ m: 5, n: 6, aOff: 5 * 6, bOff: 30, yOff: 5 * 30 });
  });
});

/** [input shape, axes, keepdims] */
const REDUCE_CASES: Array<[number[], number[], number]> = [
  [[4, 5, 6], [], 0],
  [[4, 5, 6], [], 1],
  [[4, 5, 6], [-1], 1],
  [[4, 5, 6], [0, 1], 0],
  [[4, 5, 6], [1], 1],
  [[4, 5, 6], [0, 2], 0],
  [[4, 5, 6], [2, 0], 1],
  [[1, 5, 1], [0], 1],
  [[1, 5, 1], [0, 2], 0],
  [[7], [0], 0],
  [[], [], 0],
  [[3, 4, 5, 2], [1, 3], 0],
  [[2, 3, 4, 5, 3], [0, 2, 4], 1], // three passes, the scratch buffers taking turns
];

describe('ReduceMean / ReduceMax', () => {
  it('kernel passes: innermost and leading axes are one pass, two separated groups two, nothing to reduce a copy', () => {
    expect(reducePasses([4, 5, 6], [2])).toEqual([{ outer: 20, r: 6, inner: 1 }]);
    expect(reducePasses([4, 5, 6], [0, 1])).toEqual([{ outer: 1, r: 20, inner: 6 }]);
    expect(reducePasses([4, 5, 6], [0, 1, 2])).toEqual([{ outer: 1, r: 120, inner: 1 }]);
    expect(reducePasses([4, 5, 6], [0, 2])).toEqual([{ outer: 20, r: 6, inner: 1 }, { outer: 1, r: 4, inner: 5 }]);
    expect(reducePasses([1, 5, 1], [0, 2])).toEqual([{ outer: 5, r: 1, inner: 1 }]);
    expect(reducePasses([], [])).toEqual([{ outer: 1, r: 1, inner: 1 }]);
    expect(reducePasses([2, 3, 4, 5, 3], [0, 2, 4]).length).toBe(3);
  });

  for (const [shape, axes, keepdims] of REDUCE_CASES) {
    it(`${JSON.stringify(shape)} axes ${JSON.stringify(axes)} keepdims ${keepdims}`, async () => {
      const w = new ModelWriter({ name: 'reduce-1.1' });
      const x = w.input('x', shape);
      w.output(w.op('ReduceMean', [x], { attrs: { axes, keepdims }, output: 'mean' }));
      w.output(w.op('ReduceMax', [x], { attrs: { axes, keepdims }, output: 'max' }));
      await runAll(w.finish(), (rng, _name, n) => rng.floats(n, -10, 10), seedOf('reduce', JSON.stringify(shape), JSON.stringify(axes)));
    });
  }

  it('NaN and inf propagate through ReduceMax and ReduceMean', async () => {
    const w = new ModelWriter();
    const x = w.input('x', [6, 5]);
    for (const axes of [[0], [1], []]) {
      w.output(w.op('ReduceMean', [x], { attrs: { axes }, output: `mean${axes.join('')}` }));
      w.output(w.op('ReduceMax', [x], { attrs: { axes }, output: `max${axes.join('')}` }));
    }
    await runAll(w.finish(), (rng, _name, n) => withSpecials(rng, n), 17);
  });
});

describe('rank-0 shapes end to end', () => {
  it('ReduceMax over all axes (keepdims 0) -> Max(x, that scalar) -> ReduceMean to a rank-0 output; a rank-0 input', async () => {
    const w = new ModelWriter({ name: 'rank0' });
    const x = w.input('x', [3, 4]);
    const t = w.input('t', []);
    const m = w.op('ReduceMax', [x], { attrs: { keepdims: 0 } });
    expect(m.shape).toEqual([]);
    const floor = w.op('Sub', [m, t]); // [] per example
    const clipped = w.op('Max', [x, floor], { output: 'clipped' });
    expect(clipped.shape).toEqual([3, 4]);
    const mean = w.op('ReduceMean', [clipped], { attrs: { keepdims: 0 }, output: 'mean' });
    expect(mean.shape).toEqual([]);
    w.output(clipped);
    w.output(mean);
    w.output(w.op('Exp', [floor], { output: 'e' }));
    const bytes = w.finish();
    const info = readModel(bytes);
    expect(info.tensors[t.index].shape).toEqual([]);
    expect(info.tensors[floor.index].shape).toEqual([]);
    const model = await loadModel(bytes);
    expect(model.inputs.find((s) => s.name === 't')!.shape).toEqual([]);
    expect(model.outputs.map((s) => [s.name, s.shape])).toEqual([['clipped', [3, 4]], ['mean', []], ['e', []]]);
    expect(model.memoryReport().arenaBytesPerExample).toBeGreaterThan(0);
    const out = model.run({ x: Float32Array.from({ length: 24 }, (_, i) => i - 5), t: Float32Array.of(2, 30) });
    expect(out.mean.shape).toEqual([2]);
    expect(out.e.shape).toEqual([2]);
    await runAll(bytes, (rng, _name, n) => rng.floats(n, -3, 3), 23);
  });
});
