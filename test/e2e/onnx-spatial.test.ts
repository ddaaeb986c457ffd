/**
 * The format 1.1 spatial ops (Slice, Resize, ConvTranspose): attributes, shape inference and
 * rejections; ConvTranspose weights in every encoding through the reader's validation and the size
 * report; every op through our runtime (SIMD and reference kernels) and through exportOnnx +
 * onnxruntime, both against the float64 oracles written from ONNX's definitions
 * (test/oracle/slice.ts, resize.ts, deconv.ts, via test/oracle/model-ops.ts).
 */
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeBlockSparse, encodeDense, encodePalettized, type EncodedWeight } from '../../src/encode/palette.js';
import { readModel } from '../../src/format/read.js';
import { sizeReport } from '../../src/format/size.js';
import { ModelWriter } from '../../src/format/write.js';
import { FORMAT_MINOR } from '../../src/format/version.js';
import { loadModel } from '../../src/index.js';
import { exportOnnx } from '../../src/onnx/index.js';
import { runModelOracle } from '../oracle/model-ops.js';
import { onnxSlice } from '../oracle/slice.js';
import { expectClose } from '../util/compare.js';
import { Rng } from '../util/rng.js';

beforeAll(() => {
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error'; // tf_half_pixel_for_nn is deprecated since opset 13: one warning per session
});

async function ortRun(onnx: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(onnx);
  try {
    return (await session.run(feeds)) as Record<string, ort.Tensor>;
  } finally {
    await session.release();
  }
}

const rng = new Rng(1101);
const dense = (n: number, lo = -1, hi = 1) => encodeDense(rng.floats(n, lo, hi));
const TOL = { abs: 2e-5, rel: 2e-4 };
const INT32_MAX = 2 ** 31 - 1;

/** Our runtime with both kernel preferences against the oracle. */
async function runBoth(bytes: Uint8Array, feeds: Record<string, Float32Array>, batch: number, what: string): Promise<void> {
  const info = readModel(bytes);
  const want = runModelOracle(info, feeds, batch);
  for (const kernels of ['simd', 'ref'] as const) {
    const m = await loadModel(bytes, { kernels });
    const got = m.run(feeds);
    for (const name of Object.keys(want)) expectClose(got[name].data, want[name], TOL, `${what} [${kernels}] ${name}`);
    m.dispose();
  }
}

describe('shape inference of the 1.1 ops', () => {
  it('writes format 1.1 or later (the spatial ops are 1.1)', () => {
    const w = new ModelWriter();
    w.output(w.op('Relu', [w.input('x', [2])]));
    expect(FORMAT_MINOR).toBeGreaterThanOrEqual(1);
    expect(readModel(w.finish()).formatMinor).toBe(FORMAT_MINOR);
  });

  it('Slice: ONNX clamping, negative starts / ends / steps / axes, int32 sentinels, defaults', () => {
    const w = new ModelWriter();
    const x = w.input('x', [7, 9, 4]);
    const s = (attrs: Record<string, number[]>) => w.op('Slice', [x], { attrs }).shape;
    expect(s({ starts: [1], ends: [5] })).toEqual([4, 9, 4]);
    expect(s({ starts: [-3, 0], ends: [INT32_MAX, -1], axes: [1, -1] })).toEqual([7, 3, 3]);
    expect(s({ starts: [-1], ends: [-INT32_MAX], axes: [0], steps: [-1] })).toEqual([7, 9, 4]); // reverse all
    expect(s({ starts: [100], ends: [-100], axes: [1], steps: [-2] })).toEqual([7, 5, 4]); // 8, 6, 4, 2, 0
    expect(s({ starts: [0, 1], ends: [7, 9], axes: [0, 1], steps: [3, 4] })).toEqual([3, 2, 4]);
    expect(() => s({ starts: [0], ends: [3], steps: [0] })).toThrow(/\(Slice\): steps \[0\]: a step must not be 0/);
    expect(() => s({ starts: [5], ends: [2] })).toThrow(/select nothing/);
    expect(() => s({ starts: [0, 0], ends: [1, 1], axes: [1, -2] })).toThrow(/names axis 1 twice/);
    expect(() => s({ starts: [0], ends: [1], axes: [3] })).toThrow(/out of range for rank 3/);
    expect(() => s({ starts: [0, 0], ends: [1] })).toThrow(/ends has 1 values, starts has 2/);
    expect(() => s({ starts: [0], ends: [2 ** 40] })).toThrow(/must be int32/);
    expect(() => w.op('Slice', [x], { attrs: { ends: [1] } })).toThrow(/missing required attribute "starts"/);
  });

  it('Resize: sizes, scales (floor(in * scale)), modes; rejections', () => {
    const w = new ModelWriter();
    const x = w.input('x', [5, 6, 3]);
    const r = (attrs: Record<string, number[] | string>) => w.op('Resize', [x], { attrs }).shape;
    expect(r({ sizes: [10, 3] })).toEqual([10, 3, 3]);
    expect(r({ sizes: [7, 14], scales: [1.5, 2.4], mode: 'linear', coordinate_transformation_mode: 'align_corners' })).toEqual([7, 14, 3]);
    expect(() => r({ sizes: [8, 14], scales: [1.5, 2.4] })).toThrow(/must be floor\(input \* scales\) = \[7, 14\]/);
    expect(() => r({ sizes: [0, 3] })).toThrow(/sizes must be \[OH, OW\] >= 1/);
    expect(() => r({ sizes: [2, 2], scales: [1, -1] })).toThrow(/scales must be/);
    expect(() => r({ sizes: [2, 2], mode: 'cubic' })).toThrow(/mode = cubic is not allowed/);
    expect(() => r({ sizes: [2, 2], coordinate_transformation_mode: 'tf_crop_and_resize' })).toThrow(/not allowed/);
    expect(() => r({ sizes: [2, 2], nearest_mode: 'round' })).toThrow(/not allowed/);
    expect(() => r({ sizes: [2 ** 15, 2 ** 15] })).toThrow(/more than/);
    expect(() => w.op('Resize', [w.input('v', [5, 6])], { attrs: { sizes: [2, 2] } })).toThrow(/\[H, W, C\]/);
  });

  it('ConvTranspose: (H-1)*s - pads + d*(k-1) + 1 + output_padding, groups; rejections', () => {
    const w = new ModelWriter();
    const x = w.input('x', [5, 4, 6]);
    const W = w.weight('w', [4, 3, 2, 3], dense(4 * 3 * 2 * 3));
    const ct = (attrs: Record<string, number | number[]>, weight = W) => w.op('ConvTranspose', [x, weight], { attrs }).shape;
    // H: 4*2 - 1 - 0 + 2*2 + 1 + 1 = 13; W: 3*3 - 0 - 2 + 1*1 + 1 + 0 = 9
    expect(ct({ strides: [2, 3], pads: [1, 0, 0, 2], dilations: [2, 1], groups: 2, output_padding: [1, 0] })).toEqual([13, 9, 4]);
    expect(ct({ groups: 2 })).toEqual([7, 5, 4]);
    expect(() => ct({ groups: 4 })).toThrow(/groups = 4 must divide/);
    expect(() => ct({})).toThrow(/C\/groups = 6/);
    expect(() => ct({ groups: 2, output_padding: [2, 0], strides: [2, 2] })).toThrow(/output_padding \[2, 0\] must be smaller/);
    expect(() => ct({ groups: 2, pads: [4, 0, 3, 0] })).toThrow(/crop the whole output/);
    expect(() => ct({ groups: 2, strides: [0, 1] })).toThrow(/strides must be 2 values >= 1/);
    expect(() => ct({}, w.weight('w3', [4, 9], dense(36)))).toThrow(/weight must be \[O, kh, kw, C\/groups\]/);
    const sb = w.weight('sb', [4], encodeBlockSparse(rng.floats(4), 4, 1, { blockRows: 2, blockCols: 1, sparsity: 0.5 }));
    expect(() => w.op('ConvTranspose', [x, W, sb], { attrs: { groups: 2 } })).toThrow(/bias must be stored dense float32/);
  });

  it('attributes survive the file round trip (defaults filled)', () => {
    const w = new ModelWriter();
    const x = w.input('x', [4, 4, 2]);
    w.output(w.op('Slice', [x], { attrs: { starts: [-1], ends: [-INT32_MAX], steps: [-1], axes: [-1] } }));
    w.output(w.op('Resize', [x], { attrs: { sizes: [9, 3], scales: [2.25, 0.75], mode: 'linear' } }));
    w.output(w.op('ConvTranspose', [x, w.weight('w', [3, 2, 2, 2], dense(24))], { attrs: { strides: [2, 2], output_padding: [1, 0] } }));
    const info = readModel(w.finish());
    expect(info.ops.map((o) => o.attrs)).toEqual([
      { starts: [-1], ends: [-INT32_MAX], axes: [-1], steps: [-1] },
      { mode: 'linear', sizes: [9, 3], scales: [2.25, 0.75], coordinate_transformation_mode: 'half_pixel', nearest_mode: 'round_prefer_floor' },
      { strides: [2, 2], pads: [0, 0, 0, 0], dilations: [1, 1], groups: 1, output_padding: [1, 0] },
    ]);
  });

  it('ConvTranspose weights: validated and size-accounted per output channel in every encoding', () => {
    const [O, kh, kw, cg] = [6, 3, 3, 4];
    const K = kh * kw * cg;
    const v = () => rng.floats(O * K);
    const encodings: Array<[string, EncodedWeight, RegExp]> = [
      ['dense f32', encodeDense(v()), /dense float32/],
      ['dense f16', encodeDense(v(), 'float16'), /dense float16/],
      ['4-bit, palettes of 2 rows, channel scales', encodePalettized(v(), O, K, { bits: 4, groupRows: 2, channelScales: true }), /3 palettes of 2 rows, channel scales/],
      ['3-bit int8 entries', encodePalettized(v(), O, K, { bits: 3, entryType: 'int8' }), /palettized 3-bit int8/],
      ['2x3 blocks, palettized 2-bit', encodeBlockSparse(v(), O, K, { blockRows: 2, blockCols: 3, sparsity: 0.5 }, { bits: 2 }), /2x3 blocks 50.0% dropped/],
    ];
    for (const [what, enc, encoding] of encodings) {
      const w = new ModelWriter();
      const x = w.input('x', [3, 3, 4]);
      const W = w.weight('up.w', [O, kh, kw, cg], enc);
      w.output(w.op('ConvTranspose', [x, W], { attrs: { strides: [2, 2] } }));
      const info = readModel(w.finish());
      const t = info.tensors[W.index].weight!;
      expect([t.rows, t.cols], what).toEqual([O, K]);
      const layer = sizeReport(info).layers.find((l) => l.name === 'up.w')!;
      expect(layer.encoding, what).toMatch(encoding);
      expect(layer.denseF32Bytes).toBe(O * K * 4);
    }
    // a weight shaped for the ONNX layout [C, O/groups, kh, kw] does not fit the [O, kh, kw, C/groups] view
    const w = new ModelWriter();
    const x = w.input('x', [3, 3, 4]);
    const wrong = w.weight('onnx.w', [4, 6, 3, 3], encodePalettized(rng.floats(216), 4, 54, { bits: 2 }));
    expect(() => w.op('ConvTranspose', [x, wrong])).toThrow(/needs C\/groups = 4 in its last dimension/);
    expect(() => w.weight('bad', [O, kh, kw, cg], encodePalettized(v(), O * 2, K / 2, { bits: 2 }))).toThrow(/encoded as 12x18/);
  });
});

describe('the runtime (SIMD and reference kernels) against the float64 oracle', () => {
  it('Slice: 60 random slices of rank 1..4 (negative steps, sentinels, axes in any order), batch 2', async () => {
    const r = new Rng(77);
    for (let t = 0; t < 60; t++) {
      const rank = 1 + (t % 4);
      const shape = Array.from({ length: rank }, () => r.int(1, 6));
      const n = r.int(1, rank);
      const axes = Array.from({ length: rank }, (_, i) => i).sort(() => r.next() - 0.5).slice(0, n).map((a) => (r.next() < 0.3 ? a - rank : a));
      const starts: number[] = [], ends: number[] = [], steps: number[] = [];
      for (const a0 of axes) {
        const d = shape[a0 < 0 ? a0 + rank : a0];
        const step = [1, 1, 2, -1, -2, 3][r.int(0, 5)];
        starts.push([r.int(-d, d - 1), step > 0 ? -INT32_MAX : INT32_MAX][r.next() < 0.85 ? 0 : 1]);
        ends.push([r.int(-d - 2, d + 2), step > 0 ? INT32_MAX : -INT32_MAX][r.next() < 0.6 ? 0 : 1]);
        steps.push(step);
      }
      // skip slices that select nothing (the format has no empty tensors)
      if (onnxSlice(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape, starts, ends, axes, steps).shape.includes(0)) continue;
      const w = new ModelWriter();
      w.output(w.op('Slice', [w.input('x', shape)], { attrs: { starts, ends, axes, steps }, output: 'y' }));
      const feeds = { x: r.floats(2 * shape.reduce((a, b) => a * b, 1)) };
      await runBoth(w.finish(), feeds, 2, `Slice (seed 77, case ${t}) ${JSON.stringify({ shape, starts, ends, axes, steps })}`);
    }
  });

  it('Resize: every coordinate mode x nearest mode, linear, up and down, sizes and scales', async () => {
    const r = new Rng(78);
    const shapes: Array<[[number, number, number], [number, number], number[]?]> = [
      [[4, 5, 3], [8, 10]], [[5, 7, 5], [7, 3]], [[6, 6, 1], [3, 4]], [[3, 4, 9], [9, 13]], [[1, 3, 4], [1, 5]],
      [[4, 6, 2], [6, 15], [1.5, 2.5]], [[5, 4, 3], [2, 3], [0.5, 0.8]],
    ];
    for (const [[h, wd, c], sizes, scales] of shapes) {
      for (const mode of ['nearest', 'linear']) {
        for (const ctm of ['half_pixel', 'asymmetric', 'align_corners', 'pytorch_half_pixel', 'tf_half_pixel_for_nn']) {
          for (const nearest of mode === 'nearest' ? ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'] : ['round_prefer_floor']) {
            const w = new ModelWriter();
            const attrs = { mode, sizes, coordinate_transformation_mode: ctm, nearest_mode: nearest, ...(scales ? { scales } : {}) };
            w.output(w.op('Resize', [w.input('x', [h, wd, c])], { attrs, output: 'y' }));
            await runBoth(w.finish(), { x: r.floats(3 * h * wd * c) }, 3, `Resize ${JSON.stringify({ h, wd, c, ...attrs })}`);
          }
        }
      }
    }
  });

  it('ConvTranspose: every weight encoding, strides / pads / dilations / groups / output padding; kernels by encoding', async () => {
    const geoms: Array<{ x: number[]; o: number; k: number[]; attrs: Record<string, number | number[]> }> = [
      { x: [5, 4, 6], o: 4, k: [3, 2], attrs: { strides: [2, 3], pads: [1, 0, 0, 2], dilations: [2, 1], groups: 2, output_padding: [1, 0] } },
      { x: [4, 4, 3], o: 9, k: [4, 4], attrs: { strides: [2, 2], pads: [1, 1, 1, 1] } }, // DCGAN-style upsampling
      { x: [3, 5, 8], o: 8, k: [2, 2], attrs: { strides: [2, 2] } }, // U-Net up-conv: one tap per output pixel
      { x: [6, 3, 5], o: 17, k: [3, 3], attrs: { pads: [1, 1, 1, 1] } }, // stride 1 = a conv with flipped taps
      { x: [2, 3, 2], o: 3, k: [1, 2], attrs: { strides: [4, 3], output_padding: [3, 2] } }, // pixels no tap reaches
    ];
    const encodings: Array<[string, (o: number, k: number) => EncodedWeight, RegExp]> = [
      ['dense f32', (o, k) => encodeDense(rng.floats(o * k)), /f32_deconv2d_dense_4x8__simd/],
      ['dense f16', (o, k) => encodeDense(rng.floats(o * k), 'float16'), /f32_deconv2d_f16_4x8__simd/],
      ['palettized 3-bit grouped, channel scales', (o, k) => encodePalettized(rng.floats(o * k), o, k, { bits: 3, groupRows: 2, channelScales: true }), /f32_deconv2d_p8f32_4x8__simd/],
      ['palettized 8-bit int8 entries', (o, k) => encodePalettized(rng.floats(o * k), o, k, { bits: 8, entryType: 'int8' }), /f32_deconv2d_p8f32_4x8__simd/],
      ['block-sparse 1x4 dense', (o, k) => encodeBlockSparse(rng.floats(o * k), o, k, { blockRows: 1, blockCols: 4, sparsity: 0.5 }), /f32_deconv2d_dense_bs_4x8__simd/],
      ['block-sparse 2x2 palettized 4-bit f16 entries', (o, k) => encodeBlockSparse(rng.floats(o * k), o, k, { blockRows: 2, blockCols: 2, sparsity: 0.3 }, { bits: 4, entryType: 'float16' }), /f32_deconv2d_p8f32_bs_4x8__simd/],
    ];
    for (const g of geoms) {
      for (const [what, enc, kernel] of encodings) {
        const groups = (g.attrs.groups as number | undefined) ?? 1;
        const cg = g.x[2] / groups;
        const K = g.k[0] * g.k[1] * cg;
        const w = new ModelWriter();
        const W = w.weight('up.w', [g.o, g.k[0], g.k[1], cg], enc(g.o, K));
        const b = w.weight('up.b', [g.o], dense(g.o));
        w.output(w.op('ConvTranspose', [w.input('x', g.x), W, b], { attrs: g.attrs, output: 'y' }));
        const bytes = w.finish();
        const m = await loadModel(bytes);
        expect(m.kernelPlan()[0].kernel, what).toMatch(kernel);
        m.dispose();
        await runBoth(bytes, { x: rng.floats(2 * g.x[0] * g.x[1] * g.x[2]) }, 2, `ConvTranspose ${what} ${JSON.stringify(g)}`);
      }
    }
  });
});

describe('exportOnnx + onnxruntime and our runtime against the oracle', () => {
  it('a decoder-like graph: Conv2D -> ConvTranspose -> Resize -> Slice (NCHW in ONNX, NHWC in the file)', async () => {
    const w = new ModelWriter({ name: 'spatial' });
    const x = w.input('x', [7, 6, 4]);
    const conv = w.op('Relu', [w.op('Conv2D', [x, w.weight('c.w', [6, 3, 3, 4], dense(216)), w.weight('c.b', [6], dense(6))], { attrs: { pads: [1, 1, 1, 1] } })]);
    const up = w.op('ConvTranspose', [
      conv,
      w.weight('up.w', [8, 3, 2, 3], encodePalettized(rng.floats(8 * 18), 8, 18, { bits: 4, groupRows: 4 })),
      w.weight('up.b', [8], dense(8)),
    ], { attrs: { strides: [2, 2], pads: [1, 0, 1, 1], groups: 2, output_padding: [1, 0] } }); // [14, 11, 8]
    const rs = w.op('Resize', [up], { attrs: { mode: 'linear', sizes: [9, 17] } }); // half_pixel, from sizes
    const sl = w.op('Slice', [rs], { attrs: { starts: [-1, 1], ends: [-INT32_MAX, 7], axes: [1, 2], steps: [-2, 3] } }); // [9, 9, 2]
    const nn = w.op('Resize', [sl], { attrs: { sizes: [18, 4], scales: [2, 0.5], coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' } });
    w.output(w.op('Relu', [nn], { output: 'image' }));
    const flat = w.op('Reshape', [sl], { attrs: { shape: [9, 18] } });
    w.output(w.op('Slice', [flat], { attrs: { starts: [2, -5], ends: [8, INT32_MAX], steps: [2, 1] }, output: 'rows' }));
    const bytes = w.finish();
    const info = readModel(bytes);
    const batch = 2;
    const input = new Rng(6).floats(batch * 7 * 6 * 4);
    const want = runModelOracle(info, { x: input }, batch);
    const got = await ortRun(exportOnnx(info), { x: new ort.Tensor('float32', input, [batch, 7, 6, 4]) });
    expect(got.image.dims).toEqual([batch, 18, 4, 2]);
    expect(got.rows.dims).toEqual([batch, 3, 5]);
    expectClose(got.image.data as Float32Array, want.image, TOL, 'onnxruntime image');
    expectClose(got.rows.data as Float32Array, want.rows, TOL, 'onnxruntime rows');
    await runBoth(bytes, { x: input }, batch, 'decoder graph');
  });

  it('Resize: every coordinate mode x nearest mode and linear through onnxruntime', async () => {
    const r = new Rng(79);
    const cases: Array<[[number, number, number], [number, number], number[]?]> = [[[4, 5, 3], [7, 12]], [[6, 7, 2], [4, 3]], [[4, 6, 2], [6, 15], [1.5, 2.5]]];
    for (const [[h, wd, c], sizes, scales] of cases) {
      for (const mode of ['nearest', 'linear']) {
        for (const ctm of ['half_pixel', 'asymmetric', 'align_corners', 'pytorch_half_pixel', 'tf_half_pixel_for_nn']) {
          for (const nearest of mode === 'nearest' ? ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'] : ['round_prefer_floor']) {
            const w = new ModelWriter();
            const attrs = { mode, sizes, coordinate_transformation_mode: ctm, nearest_mode: nearest, ...(scales ? { scales } : {}) };
            w.output(w.op('Resize', [w.input('x', [h, wd, c])], { attrs, output: 'y' }));
            const info = readModel(w.finish());
            const input = r.floats(2 * h * wd * c);
            const want = runModelOracle(info, { x: input }, 2);
            const got = await ortRun(exportOnnx(info), { x: new ort.Tensor('float32', input, [2, h, wd, c]) });
            expectClose(got.y.data as Float32Array, want.y, TOL, `onnxruntime Resize ${JSON.stringify({ h, wd, c, ...attrs })}`);
          }
        }
      }
    }
  });

  it('ConvTranspose with groups, dilations and output padding, dense and block-sparse, through onnxruntime', async () => {
    // onnxruntime wants output_padding < stride (the schema allows < max(stride, dilation), as PyTorch)
    const cases: Array<[(o: number, k: number) => EncodedWeight, Record<string, number | number[]>]> = [
      [(o, k) => encodeDense(rng.floats(o * k)), { strides: [3, 2], dilations: [2, 3], groups: 3, pads: [2, 1, 0, 3], output_padding: [1, 1] }],
      [(o, k) => encodeBlockSparse(rng.floats(o * k), o, k, { blockRows: 3, blockCols: 2, sparsity: 0.5 }), { strides: [1, 2], pads: [0, 1, 1, 0] }],
    ];
    for (const [enc, attrs] of cases) {
      const groups = (attrs.groups as number | undefined) ?? 1;
      const w = new ModelWriter();
      const x = w.input('x', [4, 5, 6]);
      const W = w.weight('w', [9, 3, 2, 6 / groups], enc(9, 6 * 6 / groups));
      w.output(w.op('ConvTranspose', [x, W, w.weight('b', [9], dense(9))], { attrs, output: 'y' }));
      const info = readModel(w.finish());
      const input = new Rng(8).floats(3 * 4 * 5 * 6);
      const want = runModelOracle(info, { x: input }, 3);
      const got = await ortRun(exportOnnx(info), { x: new ort.Tensor('float32', input, [3, 4, 5, 6]) });
      expect(got.y.dims).toEqual([3, ...info.tensors[info.outputs[0]].shape]);
      expectClose(got.y.data as Float32Array, want.y, TOL, `onnxruntime ConvTranspose ${JSON.stringify(attrs)}`);
    }
  });
});
