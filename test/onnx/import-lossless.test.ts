/**
 * Lossless detection on ONNX files whose weights were clustered and pruned outside the writer:
 * values clustered by hand here, exported dense float32 to ONNX (our exporter, or hand-built
 * graphs), then imported. The stored palettes hold exactly the original values (decoded bit for
 * bit), the file is at the compressed size, and the outputs match onnxruntime-web on the same file.
 */
import { describe, expect, it } from 'vitest';
import { decodeTensor } from '../../src/encode/decode.js';
import { encodeDense } from '../../src/encode/palette.js';
import { readModel } from '../../src/format/read.js';
import { ModelWriter } from '../../src/format/write.js';
import { exportOnnx } from '../../src/onnx/index.js';
import { buildOnnx, expectLikeOrt, type GraphSpec } from '../util/onnx-build.js';
import { Rng } from '../util/rng.js';

const rng = new Rng(31337);

/** rows x cols values drawn from `levels` distinct values per group of `groupRows` rows (different per group). */
function clustered(rows: number, cols: number, levels: number, groupRows = rows): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let g = 0; g < rows; g += groupRows) {
    const palette = rng.floats(levels, -1, 1);
    for (let i = g * cols; i < Math.min(rows, g + groupRows) * cols; i++) out[i] = palette[rng.int(0, levels - 1)];
  }
  return out;
}

/** Zeroes whole blocks (R x C) with probability p. */
function pruneBlocks(v: Float32Array, rows: number, cols: number, R: number, C: number, p: number): Float32Array {
  const out = v.slice();
  for (let br = 0; br < rows; br += R) {
    for (let bc = 0; bc < cols; bc += C) {
      if (rng.uniform(0, 1) >= p) continue;
      for (let r = br; r < Math.min(rows, br + R); r++) for (let c = bc; c < Math.min(cols, bc + C); c++) out[r * cols + c] = 0;
    }
  }
  return out;
}

/** A two-layer MLP written by ModelWriter with the given dense values, exported to ONNX. */
function mlpOnnx(w1: Float32Array, w2: Float32Array, k: number, h: number, n: number): Uint8Array {
  const w = new ModelWriter({ name: 'clustered' });
  const x = w.input('x', [k]);
  const a = w.op('Relu', [w.op('FullyConnected', [x, w.weight('fc1.weight', [h, k], encodeDense(w1)), w.weight('fc1.bias', [h], encodeDense(rng.floats(h)))])]);
  w.output(w.op('FullyConnected', [a, w.weight('fc2.weight', [n, h], encodeDense(w2))], { output: 'y' }));
  return exportOnnx(w.finish(), { batch: 'N' });
}

function storedExactly(bytes: Uint8Array, name: string, values: Float32Array): void {
  const info = readModel(bytes);
  const t = info.tensors.find((x) => x.name === name)!;
  const got = decodeTensor(info, t.index);
  expect(new Uint32Array(got.buffer)).toEqual(new Uint32Array(values.buffer));
}

describe('palettes found exactly', () => {
  for (const bits of [1, 2, 4]) {
    it(`${bits}-bit clustered fully connected weights (per tensor) land as ${bits}-bit palettes`, async () => {
      const [k, h, n] = [72, 40, 10];
      const w1 = clustered(h, k, 1 << bits);
      const w2 = clustered(n, h, 1 << bits);
      const onnx = mlpOnnx(w1, w2, k, h, n);
      const r = await expectLikeOrt(onnx, rng, { rel: 1e-4 });
      const fc1 = r.report.weights.find((w) => w.name === 'fc1.weight')!;
      expect(fc1).toMatchObject({ found: 'palette', bits, distinct: 1 << bits, groupRows: h, sparsity: 0 });
      expect(fc1.bytesAfter).toBe(h * Math.ceil((k * bits) / 8) + (1 << bits) * 4);
      storedExactly(r.bytes, 'fc1.weight', w1);
      storedExactly(r.bytes, 'fc2.weight', w2);
      // The file holds the weights at their clustered size (plus biases, graph and metadata).
      expect(r.bytes.length).toBeLessThan(onnx.length * (bits / 32) + 2048);
    });
  }

  it('per-group palettes: 4 values in every group of 8 rows (16 in the tensor) -> 2-bit, 8 rows per palette', async () => {
    const [k, h, n] = [33, 32, 5];
    const w1 = clustered(h, k, 4, 8);
    const r = await expectLikeOrt(mlpOnnx(w1, rng.floats(n * h), k, h, n), rng, { rel: 1e-4 });
    expect(r.report.weights.find((w) => w.name === 'fc1.weight')).toMatchObject({ found: 'palette', bits: 2, groupRows: 8 });
    expect(r.report.weights.find((w) => w.name === 'fc2.weight')).toMatchObject({ found: 'dense', bits: 0 });
    storedExactly(r.bytes, 'fc1.weight', w1);
  });

  it('clustered and pruned: zero blocks become a block mask, the kept values a palette without the zero', async () => {
    const [k, h, n] = [64, 48, 6];
    const w1 = pruneBlocks(clustered(h, k, 4), h, k, 16, 1, 0.7);
    const r = await expectLikeOrt(mlpOnnx(w1, clustered(n, h, 4), k, h, n), rng, { rel: 1e-4 });
    const fc1 = r.report.weights.find((w) => w.name === 'fc1.weight')!;
    expect(fc1.found).toBe('palette+sparse');
    expect(fc1.bits).toBe(2);
    expect(fc1.sparsity).toBeGreaterThan(0.5);
    storedExactly(r.bytes, 'fc1.weight', w1);
  });

  it('clustered with scattered zeros: the zero is one more palette entry', async () => {
    const [k, h, n] = [40, 24, 4];
    const w1 = clustered(h, k, 3);
    for (let i = 0; i < w1.length; i += 3) w1[i] = 0;
    const r = await expectLikeOrt(mlpOnnx(w1, rng.floats(n * h), k, h, n), rng, { rel: 1e-4 });
    expect(r.report.weights.find((w) => w.name === 'fc1.weight')).toMatchObject({ found: 'palette', bits: 2, distinct: 4 });
    storedExactly(r.bytes, 'fc1.weight', w1);
  });

  it('a clustered conv followed by BatchNorm keeps its palette, with the BN scale per output channel', async () => {
    const w = clustered(6, 2 * 9, 8);
    const spec: GraphSpec = {
      inputs: [{ name: 'x', dims: ['N', 2, 8, 8] }],
      outputs: [{ name: 'y' }],
      inits: {
        w: { dims: [6, 2, 3, 3], values: w },
        g: { dims: [6], values: rng.floats(6, 0.5, 2) }, b: { dims: [6], values: rng.floats(6) }, m: { dims: [6], values: rng.floats(6) }, v: { dims: [6], values: rng.floats(6, 0.5, 2) },
      },
      nodes: [
        { op: 'Conv', inputs: ['x', 'w'], outputs: ['c'], attrs: { pads: [1, 1, 1, 1] } },
        { op: 'BatchNormalization', inputs: ['c', 'g', 'b', 'm', 'v'], outputs: ['y'] },
      ],
    };
    const r = await expectLikeOrt(buildOnnx(spec), rng);
    expect(r.report.weights[0]).toMatchObject({ found: 'palette+scale', bits: 3 });
  });

  it('int8 weight-only QDQ (DequantizeLinear per output channel) becomes an 8-bit palette of int8 levels with per-row scales', async () => {
    const [k, n] = [24, 10];
    const q = Int8Array.from({ length: n * k }, () => rng.int(-127, 127));
    const scale = rng.floats(n, 0.001, 0.02);
    const spec: GraphSpec = {
      opset: 13,
      inputs: [{ name: 'x', dims: ['N', k] }],
      outputs: [{ name: 'y' }],
      inits: { wq: { dims: [n, k], type: 3, values: q }, ws: { dims: [n], values: scale }, zp: { dims: [n], type: 3, values: new Array(n).fill(0) } },
      nodes: [
        { op: 'DequantizeLinear', inputs: ['wq', 'ws', 'zp'], outputs: ['w'], attrs: { axis: 0 } },
        { op: 'Gemm', inputs: ['x', 'w'], outputs: ['y'], attrs: { transB: 1 } },
      ],
    };
    const r = await expectLikeOrt(buildOnnx(spec), rng, { rel: 1e-4 });
    const w = r.report.weights[0];
    expect(w.found).toBe('qdq-int8');
    // At most 8-bit indices + 256 int8 entries + one scale per palette + one per row (fewer bits
    // when every group of rows uses fewer levels).
    expect(w.bits).toBeLessThanOrEqual(8);
    expect(w.bytesAfter).toBeLessThanOrEqual(n * k + 256 + 4 + 4 * n);
    const values = Float32Array.from(q, (v, i) => Math.fround(v * scale[Math.floor(i / k)]));
    storedExactly(r.bytes, w.name, values);
  });

  for (const perChannelZp of [false, true]) {
    it(`uint8 QDQ, zero point ${perChannelZp ? 'different per output channel' : 'the same in every channel'}, for a MatMul weight quantized along its output axis`, async () => {
      const [k, n] = [128, 32];
      const q = Uint8Array.from({ length: k * n }, () => rng.int(0, 255));
      const zp = perChannelZp ? Uint8Array.from({ length: n }, () => rng.int(100, 150)) : new Uint8Array(n).fill(128);
      const scale = rng.floats(n, 0.001, 0.01);
      const spec: GraphSpec = {
        opset: 13,
        inputs: [{ name: 'x', dims: ['N', 3, k] }],
        outputs: [{ name: 'y' }],
        inits: { wq: { dims: [k, n], type: 2, values: q }, ws: { dims: [n], values: scale }, zp: { dims: [n], type: 2, values: zp } },
        nodes: [
          { op: 'DequantizeLinear', inputs: ['wq', 'ws', 'zp'], outputs: ['w'], attrs: { axis: 1 } },
          { op: 'MatMul', inputs: ['x', 'w'], outputs: ['y'] },
        ],
      };
      const r = await expectLikeOrt(buildOnnx(spec), rng, { rel: 1e-4 });
      const w = r.report.weights[0];
      expect(w.found).toBe('qdq-int8');
      const values = new Float32Array(n * k);
      for (let o = 0; o < n; o++) for (let j = 0; j < k; j++) values[o * k + j] = Math.fround((q[j * n + o] - zp[o]) * scale[o]);
      storedExactly(r.bytes, w.name, values);
      // One shared palette of levels with per-row scales; a zero point per row needs a palette per
      // few rows (levels differ by row), still well under dense.
      expect(w.bytesAfter).toBeLessThan(k * n * 4 * (perChannelZp ? 0.6 : 0.3));
    });
  }

  it('a float model stays dense, and --dense keeps clustered weights dense', async () => {
    const [k, h, n] = [20, 12, 3];
    const onnx = mlpOnnx(clustered(h, k, 2), rng.floats(n * h), k, h, n);
    const r = await expectLikeOrt(onnx, rng, { import: { dense: true }, rel: 1e-4 });
    expect(r.report.weights.every((w) => w.bits === 0)).toBe(true);
  });
});
