/**
 * exportOnnx({ quantize }): the graphs onnxruntime's quantization tools would write (quantize_dynamic
 * with QInt8 or QUInt8 weights; MatMul4BitsQuantizer's MatMulNBits). Each quantized file runs in
 * onnxruntime-web, holds the quantized ops and integer weights (read back with onnx-proto, not our
 * writer), and every output is within the rounding bound of the dense file's output on the same
 * inputs. The bounds come from the definitions: a value rounded to a grid of step s is off by at
 * most s / 2 (symmetric, zero point 0) or s (asymmetric: the rounded zero point moves the grid's
 * ends by up to s / 2, so values at the ends can be clipped by that much more), so
 * |x^T w^ - x^T w| <= sum_k |x_k| e_w + |w_k| e_x + e_x e_w, plus float32 slack.
 */
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeDense } from '../../src/encode/palette.js';
import { ModelWriter } from '../../src/format/write.js';
import { buildLeNet5 } from '../../src/models/index.js';
import { exportOnnx, type QuantizeMode } from '../../src/onnx/index.js';
import { Rng } from '../util/rng.js';

const { onnx } = onnxProto;

beforeAll(() => {
  ort.env.wasm.numThreads = 1;
});

async function run(model: Uint8Array, feeds: Record<string, ort.Tensor>, out: string): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(model, { graphOptimizationLevel: 'all' });
  try {
    return (await session.run(feeds))[out].data as Float32Array;
  } finally {
    await session.release();
  }
}

function parse(model: Uint8Array) {
  const m = onnx.ModelProto.decode(model);
  const g = m.graph!;
  return {
    ops: g.node!.map((n) => `${n.domain ? `${n.domain}:` : ''}${n.opType}`),
    inits: new Map(g.initializer!.map((t) => [t.name!, { type: t.dataType!, dims: (t.dims ?? []).map(Number) }])),
    domains: (m.opsetImport ?? []).map((o) => o.domain ?? ''),
  };
}

/** Step of DynamicQuantizeLinear (uint8, range including 0) on x. */
function uint8Step(v: ArrayLike<number>): number {
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < v.length; i++) {
    lo = Math.min(lo, v[i]);
    hi = Math.max(hi, v[i]);
  }
  return (hi - lo) / 255;
}

/** Largest rounding error of a weight tensor under each mode's per-tensor scheme. */
function weightError(v: ArrayLike<number>, mode: QuantizeMode): number {
  if (mode === 'dynamic-quint8') return uint8Step(v);
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]));
  return m / 127 / 2;
}

function expectWithin(got: Float32Array, want: Float32Array, bound: Float64Array, what: string): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  let differ = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i] - want[i]);
    if (d > 0) differ++;
    worst = Math.max(worst, d / bound[i]);
    if (!(d <= bound[i])) throw new Error(`${what}[${i}]: quantized ${got[i]}, dense ${want[i]}, |diff| ${d} > bound ${bound[i]}`);
  }
  // The quantized graph is not the dense one in disguise.
  expect(differ, `${what}: outputs that differ from dense`).toBeGreaterThan(0);
  expect(worst).toBeLessThanOrEqual(1);
}

const DYNAMIC: QuantizeMode[] = ['dynamic-qint8', 'dynamic-quint8'];

describe('exportOnnx quantize: fully connected with a [T, K] input (MatMul)', () => {
  const [T, K, N] = [5, 300, 33];
  const rng = new Rng(1201);
  const wv = rng.floats(N * K, -0.2, 0.2);
  const bv = rng.floats(N, -0.5, 0.5);
  const x = rng.floats(T * K, -1, 3);
  const w = new ModelWriter({ name: 'fc' });
  const xi = w.input('x', [T, K]);
  w.output(w.op('FullyConnected', [xi, w.weight('fc.weight', [N, K], encodeDense(wv)), w.weight('fc.bias', [N], encodeDense(bv))], { output: 'y' }));
  const bytes = w.finish();
  const feeds = () => ({ x: new ort.Tensor('float32', x.slice(), [1, T, K]) });

  for (const mode of DYNAMIC) {
    it(`${mode}: DynamicQuantizeLinear + MatMulInteger, ${mode === 'dynamic-qint8' ? 'int8' : 'uint8'} weights, within the rounding bound`, async () => {
      const dense = await run(exportOnnx(bytes, { batch: 1 }), feeds(), 'y');
      const qModel = exportOnnx(bytes, { batch: 1, quantize: mode });
      const p = parse(qModel);
      expect(p.ops).toContain('DynamicQuantizeLinear');
      expect(p.ops).toContain('MatMulInteger');
      expect(p.ops).not.toContain('MatMul');
      const wq = [...p.inits.values()].filter((t) => t.dims.join() === `${K},${N}`);
      expect(wq.map((t) => t.type)).toEqual([mode === 'dynamic-qint8' ? 3 : 2]); // INT8 : UINT8, and no float copy
      const got = await run(qModel, feeds(), 'y');

      const ex = uint8Step(x);
      const ew = weightError(wv, mode);
      const bound = new Float64Array(T * N);
      for (let t = 0; t < T; t++) {
        for (let n = 0; n < N; n++) {
          let s = 0;
          let mag = 0;
          for (let k = 0; k < K; k++) {
            const a = Math.abs(x[t * K + k]);
            const b = Math.abs(wv[n * K + k]);
            s += a * ew + b * ex + ex * ew;
            mag += a * b;
          }
          bound[t * N + n] = s + 1e-5 * (mag + Math.abs(bv[n]));
        }
      }
      expectWithin(got, dense, bound, `${mode} y`);
    });
  }

  it('matmul-4bits: com.microsoft MatMulNBits (4 bits, blocks of 128, K = 300 padded), within the per-block bound', async () => {
    const dense = await run(exportOnnx(bytes, { batch: 1 }), feeds(), 'y');
    const qModel = exportOnnx(bytes, { batch: 1, quantize: 'matmul-4bits' });
    const p = parse(qModel);
    expect(p.ops).toContain('com.microsoft:MatMulNBits');
    expect(p.domains).toContain('com.microsoft');
    const blocks = Math.ceil(K / 128);
    expect([...p.inits.values()].some((t) => t.type === 2 && t.dims.join() === `${N},${blocks},64`)).toBe(true);
    const got = await run(qModel, feeds(), 'y');

    // Block (n, b): 16 levels over [min(block, 0), max(block, 0)]; error <= one step.
    const bound = new Float64Array(T * N);
    for (let n = 0; n < N; n++) {
      const step = new Float64Array(blocks);
      for (let b = 0; b < blocks; b++) {
        let lo = 0;
        let hi = 0;
        for (let k = b * 128; k < Math.min(K, (b + 1) * 128); k++) {
          lo = Math.min(lo, wv[n * K + k]);
          hi = Math.max(hi, wv[n * K + k]);
        }
        step[b] = (hi - lo) / 15;
      }
      for (let t = 0; t < T; t++) {
        let s = 0;
        let mag = 0;
        for (let k = 0; k < K; k++) {
          s += Math.abs(x[t * K + k]) * step[k >> 7];
          mag += Math.abs(x[t * K + k] * wv[n * K + k]);
        }
        bound[t * N + n] = s + 1e-5 * (mag + Math.abs(bv[n]));
      }
    }
    expectWithin(got, dense, bound, 'matmul-4bits y');
  });
});

describe('exportOnnx quantize: convolutions (ConvInteger, bias added in float)', () => {
  // x [H, W, C] (NHWC in the file), conv 3x3 stride 2 pads 1, C -> O.
  const [H, W, C, O] = [9, 8, 4, 6];
  const rng = new Rng(1202);
  const w1 = rng.floats(O * 3 * 3 * C, -0.3, 0.3);
  const b1 = rng.floats(O, -0.2, 0.2);
  const x = rng.floats(H * W * C, 0, 1);
  const m = new ModelWriter({ name: 'conv' });
  const xi = m.input('x', [H, W, C]);
  const attrs = { strides: [2, 2], pads: [1, 1, 1, 1] };
  m.output(m.op('Conv2D', [xi, m.weight('c.w', [O, 3, 3, C], encodeDense(w1)), m.weight('c.b', [O], encodeDense(b1))], { attrs, output: 'y' }));
  const bytes = m.finish();
  const [OH, OW] = [5, 4];
  const feeds = () => ({ x: new ort.Tensor('float32', x.slice(), [1, H, W, C]) });

  for (const mode of DYNAMIC) {
    it(`${mode}: every output within the rounding bound over its receptive field`, async () => {
      const dense = await run(exportOnnx(bytes, { batch: 1 }), feeds(), 'y');
      const qModel = exportOnnx(bytes, { batch: 1, quantize: mode });
      const p = parse(qModel);
      expect(p.ops).toEqual(expect.arrayContaining(['DynamicQuantizeLinear', 'ConvInteger', 'Cast', 'Reshape', 'Add']));
      expect(p.ops).not.toContain('Conv');
      const got = await run(qModel, feeds(), 'y');
      expect(got.length).toBe(OH * OW * O);

      const ex = uint8Step(x);
      const ew = weightError(w1, mode);
      const bound = new Float64Array(OH * OW * O);
      for (let oy = 0; oy < OH; oy++) {
        for (let ox = 0; ox < OW; ox++) {
          for (let o = 0; o < O; o++) {
            let s = 0;
            let mag = 0;
            for (let ky = 0; ky < 3; ky++) {
              for (let kx = 0; kx < 3; kx++) {
                const iy = oy * 2 - 1 + ky;
                const ix = ox * 2 - 1 + kx;
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue; // padding: exact zeros on both sides
                for (let c = 0; c < C; c++) {
                  const a = Math.abs(x[(iy * W + ix) * C + c]);
                  const b = Math.abs(w1[((o * 3 + ky) * 3 + kx) * C + c]);
                  s += a * ew + b * ex + ex * ew;
                  mag += a * b;
                }
              }
            }
            bound[(oy * OW + ox) * O + o] = s + 1e-5 * (mag + Math.abs(b1[o]));
          }
        }
      }
      expectWithin(got, dense, bound, `${mode} conv y`);
    });
  }
});

describe('exportOnnx quantize: what quantize_dynamic leaves alone, and Gather tables', () => {
  it('LeNet-5: convs become ConvInteger, the Gemm classifier stays float32 (not in the IntegerOps registry)', async () => {
    const built = buildLeNet5({ weights: { seed: 5 } });
    const x = new Rng(6).floats(28 * 28, 0, 1);
    const feeds = () => ({ input: new ort.Tensor('float32', x.slice(), [1, 28, 28, 1]) });
    const out = built.outputs[0].name;
    const denseModel = exportOnnx(built, { weights: built.weights, batch: 1 });
    const qModel = exportOnnx(built, { weights: built.weights, batch: 1, quantize: 'dynamic-qint8' });
    const p = parse(qModel);
    expect(p.ops.filter((o) => o === 'ConvInteger')).toHaveLength(parse(denseModel).ops.filter((o) => o === 'Conv').length);
    expect(p.ops).toContain('Gemm');
    const floatBig = [...p.inits.values()].filter((t) => t.type === 1 && t.dims.length === 2);
    expect(floatBig.length).toBeGreaterThan(0); // the fc weights
    expect(qModel.length).toBeLessThan(denseModel.length);
    const dense = await run(denseModel, feeds(), out);
    const got = await run(qModel, feeds(), out);
    // No per-element bound through several layers; the outputs stay close at the output's scale.
    let scale = 0;
    let diff = 0;
    for (let i = 0; i < dense.length; i++) {
      scale = Math.max(scale, Math.abs(dense[i]));
      diff = Math.max(diff, Math.abs(got[i] - dense[i]));
    }
    expect(diff).toBeGreaterThan(0);
    expect(diff / scale).toBeLessThan(0.05);
  });

  it('Embedding -> Gather on a uint8 table + DequantizeLinear, each row within one step; 4-bit mode leaves it float', async () => {
    const [rows, d, T] = [40, 12, 7];
    const rng = new Rng(1203);
    const table = rng.floats(rows * d, -0.7, 0.4);
    const m = new ModelWriter({ name: 'embed' });
    const ids = m.input('ids', [T], 'int32');
    m.output(m.op('Embedding', [ids, m.weight('emb', [rows, d], encodeDense(table))], { output: 'y' }));
    const bytes = m.finish();
    const idv = Int32Array.from({ length: T }, () => rng.int(0, rows - 1));
    const feeds = () => ({ ids: new ort.Tensor('int32', idv.slice(), [1, T]) });
    const dense = await run(exportOnnx(bytes, { batch: 1 }), feeds(), 'y');
    const qModel = exportOnnx(bytes, { batch: 1, quantize: 'dynamic-qint8' });
    const p = parse(qModel);
    expect(p.ops).toEqual(['Gather', 'DequantizeLinear']);
    expect([...p.inits.values()].find((t) => t.dims.join() === `${rows},${d}`)!.type).toBe(2);
    const got = await run(qModel, feeds(), 'y');
    expectWithin(got, dense, new Float64Array(dense.length).fill(uint8Step(table) * (1 + 1e-6)), 'gathered rows');
    expect(parse(exportOnnx(bytes, { batch: 1, quantize: 'matmul-4bits' })).ops).toEqual(['Gather']);
  });
});
