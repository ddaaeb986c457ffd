/**
 * Lowering ONNX graphs the way exporters write them, each checked against onnxruntime-web on the
 * same .onnx file (random inputs, batch 1 and 2, relative error 1e-4), plus what the importer
 * promises about the result: BatchNorm folded, layout changes free or folded into weights, patterns
 * fused into one op, shape arithmetic folded away.
 */
import { describe, expect, it } from 'vitest';
import { buildOnnx, expectLikeOrt, type GraphSpec } from '../util/onnx-build.js';
import { Rng } from '../util/rng.js';

const rng = new Rng(2024);
const f = (n: number, s = 0.5) => rng.floats(n, -s, s);
const i64 = (values: number[]) => ({ dims: [values.length], type: 7, values });
const scalar = (v: number) => ({ dims: [], values: [v] });

describe('convnets (NCHW in ONNX, NHWC inside)', () => {
  it('Conv + BatchNorm + Relu + MaxPool + depthwise Conv + GlobalAveragePool + Flatten + Gemm; BN folded, one input transpose', async () => {
    const spec: GraphSpec = {
      inputs: [{ name: 'image', dims: ['N', 3, 9, 11] }],
      outputs: [{ name: 'logits' }],
      inits: {
        c1w: { dims: [8, 3, 3, 3], values: f(216) }, c1b: { dims: [8], values: f(8) },
        g: { dims: [8], values: rng.floats(8, 0.5, 1.5) }, be: { dims: [8], values: f(8) }, mu: { dims: [8], values: f(8) }, va: { dims: [8], values: rng.floats(8, 0.5, 2) },
        dw: { dims: [8, 1, 3, 3], values: f(72) },
        fc: { dims: [8, 5], values: f(40) }, fb: { dims: [5], values: f(5) },
      },
      nodes: [
        { op: 'Conv', inputs: ['image', 'c1w', 'c1b'], outputs: ['c1'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
        { op: 'BatchNormalization', inputs: ['c1', 'g', 'be', 'mu', 'va'], outputs: ['bn'], attrs: { epsilon: 1e-3 } },
        { op: 'Relu', inputs: ['bn'], outputs: ['r'] },
        { op: 'MaxPool', inputs: ['r'], outputs: ['p'], attrs: { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 } },
        { op: 'Conv', inputs: ['p', 'dw'], outputs: ['d'], attrs: { group: 8, auto_pad: 'SAME_UPPER', kernel_shape: [3, 3] } },
        { op: 'GlobalAveragePool', inputs: ['d'], outputs: ['gap'] },
        { op: 'Flatten', inputs: ['gap'], outputs: ['flat'] },
        { op: 'Gemm', inputs: ['flat', 'fc', 'fb'], outputs: ['logits'], attrs: { alpha: 0.5, beta: { f: 2 } } },
      ],
    };
    const r = await expectLikeOrt(buildOnnx(spec), rng);
    expect(r.report.wpalOps.BatchNormalization).toBeUndefined();
    expect(r.report.wpalOps.Transpose).toBe(1);
    expect(r.report.notes.join('\n')).toMatch(/BatchNormalization .* folded/);
  });

  it('a flatten of NCHW features into a fully connected layer costs no transpose: the weight columns are permuted', async () => {
    const spec: GraphSpec = {
      inputs: [{ name: 'x', dims: [1, 1, 6, 5] }],
      outputs: [{ name: 'y' }],
      inits: { w: { dims: [4, 1, 3, 3], values: f(36) }, fc: { dims: [4 * 4 * 3, 7], values: f(4 * 4 * 3 * 7) } },
      nodes: [
        { op: 'Conv', inputs: ['x', 'w'], outputs: ['c'] },
        { op: 'Relu', inputs: ['c'], outputs: ['r'] },
        { op: 'Flatten', inputs: ['r'], outputs: ['fl'] },
        { op: 'MatMul', inputs: ['fl', 'fc'], outputs: ['y'] },
      ],
    };
    const r = await expectLikeOrt(buildOnnx(spec), rng, { batches: [1] });
    // One input channel: the NCHW input is already NHWC bytes; the flatten is folded into fc.
    expect(r.report.wpalOps.Transpose).toBeUndefined();
    expect(r.report.notes.join('\n')).toMatch(/folded into its weight columns/);
  });

  it('Conv1D (NCL) as Conv2D, strided, with a layout change back to NCL at the output', async () => {
    const spec: GraphSpec = {
      inputs: [{ name: 'x', dims: ['N', 2, 41] }],
      outputs: [{ name: 'y' }],
      inits: { w1: { dims: [6, 2, 5], values: f(60) }, b1: { dims: [6], values: f(6) }, w2: { dims: [4, 3, 3], values: f(36) } },
      nodes: [
        { op: 'Conv', inputs: ['x', 'w1', 'b1'], outputs: ['a'], attrs: { strides: [2], pads: [2, 1] } },
        { op: 'Relu', inputs: ['a'], outputs: ['r'] },
        { op: 'Conv', inputs: ['r', 'w2'], outputs: ['y'], attrs: { group: 2, dilations: [2] } },
      ],
    };
    await expectLikeOrt(buildOnnx(spec), rng);
  });

  it('Concat of conv outputs along channels stays NHWC (no transposes between the convs)', async () => {
    const spec: GraphSpec = {
      inputs: [{ name: 'x', dims: ['N', 1, 7, 7] }],
      outputs: [{ name: 'y' }],
      inits: { a: { dims: [3, 1, 3, 3], values: f(27) }, b: { dims: [5, 1, 1, 1], values: f(5) }, c: { dims: [2, 8, 1, 1], values: f(16) } },
      nodes: [
        { op: 'Conv', inputs: ['x', 'a'], outputs: ['ca'], attrs: { pads: [1, 1, 1, 1] } },
        { op: 'Conv', inputs: ['x', 'b'], outputs: ['cb'] },
        { op: 'Concat', inputs: ['ca', 'cb'], outputs: ['cat'], attrs: { axis: 1 } },
        { op: 'AveragePool', inputs: ['cat'], outputs: ['ap'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [2, 2] } },
        { op: 'Conv', inputs: ['ap', 'c'], outputs: ['y'] },
      ],
    };
    const r = await expectLikeOrt(buildOnnx(spec), rng);
    expect(r.report.wpalOps.Transpose).toBe(1); // only the output back to NCHW
  });
});

describe('shape arithmetic and layout ops', () => {
  it("PyTorch's x.view(x.size(0), -1): Shape -> Gather -> Unsqueeze -> Concat -> Reshape folds to one free reshape", async () => {
    const spec: GraphSpec = {
      opset: 13,
      inputs: [{ name: 'x', dims: ['batch', 4, 6] }],
      outputs: [{ name: 'y' }],
      inits: { zero: { dims: [], type: 7, values: [0] }, axes: i64([0]), minus1: i64([-1]), w: { dims: [24, 3], values: f(72) } },
      nodes: [
        { op: 'Shape', inputs: ['x'], outputs: ['s'] },
        { op: 'Gather', inputs: ['s', 'zero'], outputs: ['n'] },
        { op: 'Unsqueeze', inputs: ['n', 'axes'], outputs: ['n1'] },
        { op: 'Concat', inputs: ['n1', 'minus1'], outputs: ['shape'], attrs: { axis: 0 } },
        { op: 'Reshape', inputs: ['x', 'shape'], outputs: ['flat'] },
        { op: 'MatMul', inputs: ['flat', 'w'], outputs: ['y'] },
      ],
    };
    const r = await expectLikeOrt(buildOnnx(spec), rng, { batches: [1, 3] });
    expect(Object.keys(r.report.wpalOps).sort()).toEqual(['FullyConnected', 'Reshape']);
  });

  it('Transpose / Unsqueeze / Squeeze chains are layout changes, not copies', async () => {
    const spec: GraphSpec = {
      opset: 13,
      inputs: [{ name: 'x', dims: ['N', 4, 6] }],
      outputs: [{ name: 'y' }],
      inits: { ax: i64([1]) },
      nodes: [
        { op: 'Transpose', inputs: ['x'], outputs: ['t'], attrs: { perm: [0, 2, 1] } },
        { op: 'Unsqueeze', inputs: ['t', 'ax'], outputs: ['u'] },
        { op: 'Sigmoid', inputs: ['u'], outputs: ['s'] },
        { op: 'Squeeze', inputs: ['s', 'ax'], outputs: ['q'] },
        { op: 'Transpose', inputs: ['q'], outputs: ['y'], attrs: { perm: [0, 2, 1] } },
      ],
    };
    const r = await expectLikeOrt(buildOnnx(spec), rng);
    expect(r.report.wpalOps.Transpose).toBeUndefined();
  });

  it('a Transpose that the output needs is materialized once; softmax over a non-last axis runs in a layout that puts it last', async () => {
    const spec: GraphSpec = {
      inputs: [{ name: 'x', dims: ['N', 5, 3] }],
      outputs: [{ name: 'y' }, { name: 'z' }],
      nodes: [
        { op: 'Transpose', inputs: ['x'], outputs: ['y'], attrs: { perm: [0, 2, 1] } },
        { op: 'Softmax', inputs: ['x'], outputs: ['z'], attrs: { axis: 1 } },
      ],
    };
    await expectLikeOrt(buildOnnx(spec), rng);
  });

  it('Softmax before opset 13 (axis 1, flattened rows)', async () => {
    const spec: GraphSpec = {
      opset: 11,
      inputs: [{ name: 'x', dims: ['N', 3, 4] }],
      outputs: [{ name: 'y' }],
      nodes: [{ op: 'Softmax', inputs: ['x'], outputs: ['y'] }],
    };
    await expectLikeOrt(buildOnnx(spec), rng, { scale: 3 });
  });

  it('Gather from a constant table by integer ids is an Embedding', async () => {
    const spec: GraphSpec = {
      inputs: [{ name: 'ids', dims: ['N', 5], type: 7 }],
      outputs: [{ name: 'y' }],
      inits: { table: { dims: [10, 4], values: f(40) } },
      nodes: [{ op: 'Gather', inputs: ['table', 'ids'], outputs: ['e'] }, { op: 'Relu', inputs: ['e'], outputs: ['y'] }],
    };
    const r = await expectLikeOrt(buildOnnx(spec), rng);
    expect(r.report.inputs[0].dtype).toBe('int32');
  });
});

describe('transformer blocks as exporters write them', () => {
  const d = 8;
  const block = (opset: number): GraphSpec => ({
    opset,
    inputs: [{ name: 'h', dims: ['N', 6, d] }],
    outputs: [{ name: 'out' }],
    inits: {
      wq: { dims: [d, d], values: f(d * d) }, bq: { dims: [d], values: f(d) },
      wk: { dims: [d, d], values: f(d * d) },
      w1: { dims: [d, 2 * d], values: f(2 * d * d) }, b1: { dims: [2 * d], values: f(2 * d) },
      sqrt2: scalar(Math.SQRT2), one: scalar(1), half: scalar(0.5), two: scalar(2), eps: scalar(1e-5),
      gamma: { dims: [2 * d], values: rng.floats(2 * d, 0.5, 1.5) }, beta: { dims: [2 * d], values: f(2 * d) },
      ...(opset >= 18 ? { axes: i64([-1]) } : {}),
    },
    nodes: [
      // attention scores: (h Wq + bq)(h Wk)^T, softmax
      { op: 'MatMul', inputs: ['h', 'wq'], outputs: ['q0'] },
      { op: 'Add', inputs: ['q0', 'bq'], outputs: ['q'] },
      { op: 'MatMul', inputs: ['h', 'wk'], outputs: ['k'] },
      { op: 'Transpose', inputs: ['k'], outputs: ['kt'], attrs: { perm: [0, 2, 1] } },
      { op: 'MatMul', inputs: ['q', 'kt'], outputs: ['sc'] },
      { op: 'Softmax', inputs: ['sc'], outputs: ['att'], attrs: { axis: -1 } },
      { op: 'MatMul', inputs: ['att', 'h'], outputs: ['ctx'] },
      // FFN with erf GELU, written out
      { op: 'MatMul', inputs: ['ctx', 'w1'], outputs: ['f0'] },
      { op: 'Add', inputs: ['b1', 'f0'], outputs: ['f1'] },
      { op: 'Div', inputs: ['f1', 'sqrt2'], outputs: ['g0'] },
      { op: 'Erf', inputs: ['g0'], outputs: ['g1'] },
      { op: 'Add', inputs: ['g1', 'one'], outputs: ['g2'] },
      { op: 'Mul', inputs: ['f1', 'g2'], outputs: ['g3'] },
      { op: 'Mul', inputs: ['g3', 'half'], outputs: ['g'] },
      // LayerNorm, written out
      { op: 'ReduceMean', inputs: opset >= 18 ? ['g', 'axes'] : ['g'], outputs: ['m'], attrs: opset >= 18 ? {} : { axes: [-1] } },
      { op: 'Sub', inputs: ['g', 'm'], outputs: ['dv'] },
      { op: 'Pow', inputs: ['dv', 'two'], outputs: ['sq'] },
      { op: 'ReduceMean', inputs: opset >= 18 ? ['sq', 'axes'] : ['sq'], outputs: ['var'], attrs: opset >= 18 ? {} : { axes: [-1] } },
      { op: 'Add', inputs: ['var', 'eps'], outputs: ['ve'] },
      { op: 'Sqrt', inputs: ['ve'], outputs: ['sd'] },
      { op: 'Div', inputs: ['dv', 'sd'], outputs: ['nrm'] },
      { op: 'Mul', inputs: ['nrm', 'gamma'], outputs: ['sc2'] },
      { op: 'Add', inputs: ['sc2', 'beta'], outputs: ['out'] },
    ],
  });

  for (const opset of [13, 18]) {
    it(`attention, erf GELU and LayerNorm written out (opset ${opset}) become FullyConnected, MatMul, Softmax, Gelu, LayerNorm`, async () => {
      const r = await expectLikeOrt(buildOnnx(block(opset)), rng);
      expect(r.report.wpalOps).toEqual({ FullyConnected: 3, Transpose: 1, MatMul: 2, Softmax: 1, Gelu: 1, LayerNorm: 1 });
    });
  }
});

describe('slices, resizes and transposed convs (format 1.1 ops)', () => {
  it('Slice with inputs (negative start, step 2, negative step), Split, and Gather of one index', async () => {
    const spec: GraphSpec = {
      opset: 13,
      inputs: [{ name: 'x', dims: ['N', 6, 10] }],
      outputs: [{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'd' }, { name: 'e' }],
      inits: { s: i64([-5, 1]), en: i64([100, 9]), ax: i64([1, 2]), st: i64([1, 2]), rs: i64([5]), re: i64([-100]), rax: i64([1]), rst: i64([-2]), split: i64([2, 4]), idx: { dims: [], type: 7, values: [-1] } },
      nodes: [
        { op: 'Slice', inputs: ['x', 's', 'en', 'ax', 'st'], outputs: ['a'] },
        { op: 'Slice', inputs: ['x', 'rs', 're', 'rax', 'rst'], outputs: ['b'] },
        { op: 'Split', inputs: ['x', 'split'], outputs: ['c', 'd'], attrs: { axis: 1 } },
        { op: 'Gather', inputs: ['x', 'idx'], outputs: ['e'], attrs: { axis: 2 } },
      ],
    };
    await expectLikeOrt(buildOnnx(spec), rng);
  });

  for (const [mode, ctm] of [['nearest', 'asymmetric'], ['nearest', 'half_pixel'], ['linear', 'half_pixel'], ['linear', 'align_corners'], ['linear', 'pytorch_half_pixel']] as const) {
    it(`Resize ${mode} ${ctm} after a conv (NHWC inside, no transposes)`, async () => {
      const spec: GraphSpec = {
        opset: 13,
        inputs: [{ name: 'x', dims: ['N', 3, 5, 7] }],
        outputs: [{ name: 'y' }],
        inits: { w: { dims: [4, 3, 1, 1], values: f(12) }, roi: { dims: [0], values: [] }, sc: { dims: [4], values: [1, 1, 2, 2] }, sz: { dims: [4], type: 7, values: [1, 4, 9, 11] } },
        nodes: [
          { op: 'Conv', inputs: ['x', 'w'], outputs: ['c'] },
          { op: 'Resize', inputs: ctm === 'align_corners' ? ['c', 'roi', '', 'sz'] : ['c', 'roi', 'sc'], outputs: ['y'], attrs: { mode, coordinate_transformation_mode: ctm, ...(mode === 'nearest' ? { nearest_mode: 'floor' } : {}) } },
        ],
      };
      await expectLikeOrt(buildOnnx(spec), rng, { batches: ctm === 'align_corners' ? [1] : [1, 2] });
    });
  }

  it('Upsample (opset 9) as nearest Resize', async () => {
    const spec: GraphSpec = {
      opset: 9,
      inputs: [{ name: 'x', dims: [1, 2, 3, 4] }],
      outputs: [{ name: 'y' }],
      inits: { sc: { dims: [4], values: [1, 1, 2, 3] } },
      nodes: [{ op: 'Upsample', inputs: ['x', 'sc'], outputs: ['y'], attrs: { mode: 'nearest' } }],
    };
    await expectLikeOrt(buildOnnx(spec), rng, { batches: [1] });
  });

  it('ConvTranspose 2-D (stride 2, pads, output_padding, groups) and 1-D, weights permuted to [O, kh, kw, C/groups]', async () => {
    const spec: GraphSpec = {
      inputs: [{ name: 'x', dims: ['N', 4, 5, 6] }, { name: 'z', dims: ['N', 3, 9] }],
      outputs: [{ name: 'y' }, { name: 'u' }],
      inits: { w: { dims: [4, 3, 3, 3], values: f(108) }, b: { dims: [6], values: f(6) }, w1: { dims: [3, 2, 4], values: f(24) } },
      nodes: [
        { op: 'ConvTranspose', inputs: ['x', 'w', 'b'], outputs: ['y'], attrs: { strides: [2, 2], pads: [1, 0, 1, 1], output_padding: [1, 0], group: 2 } },
        { op: 'ConvTranspose', inputs: ['z', 'w1'], outputs: ['u'], attrs: { strides: [3], output_shape: [27] } },
      ],
    };
    await expectLikeOrt(buildOnnx(spec), rng);
  });
});

describe('opset conventions from 9 to 21', () => {
  it('opset 9: Unsqueeze / Squeeze axes, Slice starts/ends and Clip min/max as attributes', async () => {
    const spec: GraphSpec = {
      opset: 9,
      inputs: [{ name: 'x', dims: ['N', 4, 6] }],
      outputs: [{ name: 'y' }],
      nodes: [
        { op: 'Unsqueeze', inputs: ['x'], outputs: ['u'], attrs: { axes: [1] } },
        { op: 'Slice', inputs: ['u'], outputs: ['s'], attrs: { starts: [1, 1], ends: [4, 5], axes: [2, 3] } },
        { op: 'Clip', inputs: ['s'], outputs: ['c'], attrs: { min: { f: -0.25 }, max: { f: 0.5 } } },
        { op: 'Squeeze', inputs: ['c'], outputs: ['y'], attrs: { axes: [1] } },
      ],
    };
    await expectLikeOrt(buildOnnx(spec), rng);
  });

  it('opset 21: the same graph written the modern way (axes and bounds as inputs)', async () => {
    const spec: GraphSpec = {
      opset: 21,
      inputs: [{ name: 'x', dims: ['N', 4, 6] }],
      outputs: [{ name: 'y' }],
      inits: { ax: i64([1]), s: i64([1, 1]), e: i64([4, 5]), sa: i64([2, 3]), lo: scalar(-0.25), hi: scalar(0.5), ra: i64([-1]) },
      nodes: [
        { op: 'Unsqueeze', inputs: ['x', 'ax'], outputs: ['u'] },
        { op: 'Slice', inputs: ['u', 's', 'e', 'sa'], outputs: ['sl'] },
        { op: 'Clip', inputs: ['sl', 'lo', 'hi'], outputs: ['c'] },
        { op: 'Squeeze', inputs: ['c', 'ax'], outputs: ['q'] },
        { op: 'ReduceMax', inputs: ['q', 'ra'], outputs: ['y'], attrs: { keepdims: 0 } },
      ],
    };
    await expectLikeOrt(buildOnnx(spec), rng);
  });
});
