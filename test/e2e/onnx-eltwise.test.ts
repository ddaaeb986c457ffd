/**
 * The format 1.1 ops through exportOnnx and onnxruntime-web, and through this runtime, both against
 * the float64 graph oracle (test/oracle/model-ops.ts): unary ops after a convolution (computed in
 * NCHW by the export), broadcasting binary ops with constants on either side and lower-rank
 * activations, reductions, and a rank-0 per-example chain. Inputs stay clear of NaN: onnxruntime's
 * Max/Min/Clip do not promise NaN propagation (this runtime's does; ops-eltwise.test.ts checks it).
 */
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeDense, encodePalettized } from '../../src/encode/palette.js';
import { readModel } from '../../src/format/read.js';
import { ModelWriter } from '../../src/format/write.js';
import { exportOnnx } from '../../src/onnx/index.js';
import { loadModel } from '../../src/runtime/load.js';
import { runModelOracle } from '../oracle/model-ops.js';
import { expectClose } from '../util/compare.js';
import { Rng } from '../util/rng.js';

const TOL = { abs: 1e-5, rel: 1e-4 };

beforeAll(() => {
  ort.env.wasm.numThreads = 1;
});

const rng = new Rng(1101);
const dense = (shape: number[], lo = -1, hi = 1) => encodeDense(rng.floats(shape.reduce((a, b) => a * b, 1), lo, hi));

/** Runs `bytes` in onnxruntime (exported) and in this runtime; both must match the oracle. */
async function bothMatchOracle(bytes: Uint8Array, inputs: Record<string, Float32Array>, batch: number): Promise<void> {
  const info = readModel(bytes);
  const want = runModelOracle(info, inputs, batch);
  const feeds: Record<string, ort.Tensor> = {};
  for (const t of info.inputs) {
    const tt = info.tensors[t];
    feeds[tt.name] = new ort.Tensor('float32', inputs[tt.name], [batch, ...tt.shape]);
  }
  const session = await ort.InferenceSession.create(exportOnnx(info));
  let got: Record<string, ort.Tensor>;
  try {
    got = (await session.run(feeds)) as Record<string, ort.Tensor>;
  } finally {
    await session.release();
  }
  const model = await loadModel(bytes);
  const ours = model.run(inputs);
  for (const t of info.outputs) {
    const { name, shape } = info.tensors[t];
    expect(got[name].dims, `${name} dims (onnxruntime)`).toEqual([batch, ...shape]);
    expectClose(got[name].data as Float32Array, want[name], TOL, `${name} (onnxruntime)`);
    expect(ours[name].shape).toEqual([batch, ...shape]);
    expectClose(ours[name].data, want[name], TOL, `${name} (wasm-palette)`);
  }
}

describe('format 1.1 ops: exportOnnx + onnxruntime and this runtime vs the float64 oracle', () => {
  it('unary ops after a conv (NCHW in ONNX), broadcasting against constants and per-pixel values', async () => {
    const w = new ModelWriter({ name: 'eltwise-zoo' });
    const x = w.input('x', [6, 5, 4]);
    const conv = w.op('Conv2D', [x, w.weight('c.w', [3, 3, 3, 4], encodePalettized(rng.floats(108), 3, 36, { bits: 4 }))], { attrs: { pads: [1, 1, 1, 1] } });
    const lr = w.op('LeakyRelu', [conv], { attrs: { alpha: 0.1 } });
    const hs = w.op('HardSigmoid', [lr], { attrs: { alpha: 0.3, beta: 0.4 } });
    const sw = w.op('HardSwish', [w.op('Mul', [lr, w.weight('scale', [3], dense([3], 1, 4))])]);
    const shifted = w.op('Add', [w.weight('shift', [5, 1], dense([5, 1])), sw]); // constant first, [5, 1] vs [6, 5, 3]
    const cl = w.op('Clip', [shifted], { attrs: { min: -0.5 } });
    const pix = w.op('ReduceMean', [cl], { attrs: { axes: [-1] } }); // [6, 5, 1]
    const centered = w.op('Sub', [cl, pix]);
    const peak = w.op('ReduceMax', [centered], { attrs: { keepdims: 0 } }); // [] per example
    const ratio = w.op('Div', [centered, peak]);
    const capped = w.op('Min', [w.op('Max', [ratio, w.weight('lo', [1], encodeDense([-0.25]))]), hs]);
    w.output(w.op('Exp', [capped], { output: 'exp' }));
    w.output(w.op('Log', [w.op('Add', [w.op('Abs', [centered]), w.weight('eps', [1], encodeDense([0.01]))])], { output: 'log' }));
    w.output(w.op('Sqrt', [w.op('Neg', [w.op('Neg', [hs])])], { output: 'sqrt' }));
    w.output(w.op('ReduceMean', [cl], { attrs: { axes: [0, 1], keepdims: 0 }, output: 'pooled' }));
    w.output(w.op('ReduceMax', [cl], { attrs: { axes: [0, 2] }, output: 'maxed' }));
    const batch = 2;
    await bothMatchOracle(w.finish(), { x: new Rng(5).floats(batch * 120, -2, 2) }, batch);
  });

  it('every binary op: lower-rank activations, constants of higher rank, Pow of positive bases', async () => {
    const w = new ModelWriter({ name: 'binary-zoo' });
    const a = w.input('a', [3, 4]);
    const v = w.input('v', [4]);
    const col = w.input('col', [3, 1]);
    const c = w.weight('c', [2, 1, 4], dense([2, 1, 4], 0.5, 2));
    for (const type of ['Add', 'Sub', 'Mul', 'Div', 'Max', 'Min', 'Pow']) {
      w.output(w.op(type, [a, v], { output: `${type}_av` })); // [3, 4] op [4]
      w.output(w.op(type, [v, col], { output: `${type}_vc` })); // [4] op [3, 1] -> [3, 4]
      w.output(w.op(type, [c, a], { output: `${type}_ca` })); // const [2, 1, 4] op [3, 4] -> [2, 3, 4]
    }
    const batch = 3;
    const r = new Rng(9);
    await bothMatchOracle(w.finish(), { a: r.floats(batch * 12, 0.5, 2), v: r.floats(batch * 4, 0.5, 2), col: r.floats(batch * 3, -2, 2) }, batch);
  });

  it('rank-0 per-example tensors: inputs, outputs, reductions to [] and back, Clip with infinite bounds', async () => {
    const w = new ModelWriter({ name: 'rank0' });
    const x = w.input('x', [7]);
    const t = w.input('t', []);
    const m = w.op('ReduceMax', [x], { attrs: { axes: [0], keepdims: 0 } }); // []
    const d = w.op('Sub', [t, m], { output: 'gap' }); // [] op []
    w.output(d);
    w.output(w.op('Max', [x, d], { output: 'floored' })); // [7] op []
    w.output(w.op('Pow', [w.op('Abs', [x]), t], { output: 'pow' }));
    w.output(w.op('Clip', [w.op('Mul', [x, t])], { attrs: { min: -Infinity, max: Infinity }, output: 'clip' }));
    w.output(w.op('ReduceMean', [w.op('Exp', [t])], { output: 'same' })); // reducing a rank-0 tensor: itself
    const batch = 4;
    await bothMatchOracle(w.finish(), { x: new Rng(2).floats(batch * 7, -3, 3), t: Float32Array.of(0.5, -1, 2, 1.5) }, batch);
  });
});
