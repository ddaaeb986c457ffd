/**
 * Post-training compression (compressPostTraining, `wpal compress --epochs 0`): every weight matrix
 * of any graph is clustered to the asked bits; sensitivity weighting from calibration data lowers
 * the output error on held-out inputs of the same distribution; bias correction removes the mean
 * shift; the report's sizes are the file's.
 */
import { describe, expect, it } from 'vitest';
import { encodeDense } from '../../src/encode/palette.js';
import { readModel } from '../../src/format/read.js';
import { sizeReport } from '../../src/format/size.js';
import { ModelWriter } from '../../src/format/write.js';
import { loadModel } from '../../src/index.js';
import type { ShapedInput } from '../../src/runtime/model.js';
import { WpalCompressError } from '../../src/trainer/errors.js';
import { compressPostTraining } from '../../src/trainer/post-training.js';
import { Rng } from '../util/rng.js';

const rng = new Rng(77);
const K = 64;
const N = 24;

/** Inputs where 8 of the 64 features carry almost all the energy (and a mean offset). */
function inputs(n: number): Float32Array {
  const x = new Float32Array(n * K);
  for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) x[i * K + k] = (k < 8 ? 10 : 0.1) * (rng.normal() + 0.5);
  return x;
}

/**
 * fc1's weights on the 8 loud features take a few large values (+-1, +-2); the other 56 columns
 * hold many small ones: plain k-means spends its centroids on the many small values, weighted
 * k-means on the ones the output depends on.
 */
function fc1Weights(): Float32Array {
  const v = new Float32Array(N * K);
  for (let r = 0; r < N; r++) for (let k = 0; k < K; k++) v[r * K + k] = k < 8 ? [-2, -1, 1, 2][rng.int(0, 3)] + 0.05 * rng.normal() : 0.3 * rng.normal();
  return v;
}

function model(properties: Record<string, string> = {}): Uint8Array {
  const w = new ModelWriter({ name: 'ptq', properties });
  const x = w.input('x', [K]);
  const h = w.op('Relu', [w.op('FullyConnected', [x, w.weight('fc1.weight', [N, K], encodeDense(fc1Weights())), w.weight('fc1.bias', [N], encodeDense(rng.floats(N)))])]);
  const c = w.op('Conv2D', [w.op('Reshape', [h], { attrs: { shape: [2, 3, 4] } }), w.weight('conv.weight', [6, 2, 2, 4], encodeDense(rng.floats(96))), w.weight('conv.bias', [6], encodeDense(rng.floats(6)))]);
  w.output(w.op('FullyConnected', [w.op('Flatten', [c]), w.weight('fc2.weight', [5, 12], encodeDense(rng.floats(60)))], { output: 'y' }));
  return w.finish();
}

const batchesOf = (x: Float32Array, size = 50): Record<string, ShapedInput>[] => {
  const out: Record<string, ShapedInput>[] = [];
  for (let i = 0; i < x.length / K; i += size) out.push({ x: { data: x.subarray(i * K, (i + size) * K), shape: [size, K] } });
  return out;
};

async function outputError(original: Uint8Array, compressed: Uint8Array, x: Float32Array): Promise<{ rel: number; meanShift: number }> {
  const a = await loadModel(original);
  const b = await loadModel(compressed);
  const ya = a.run({ x: { data: x, shape: [x.length / K, K] } }).y.data;
  const yb = b.run({ x: { data: x, shape: [x.length / K, K] } }).y.data;
  a.dispose();
  b.dispose();
  let num = 0, den = 0, shift = 0;
  for (let i = 0; i < ya.length; i++) (num += (yb[i] - ya[i]) ** 2), (den += ya[i] ** 2), (shift += yb[i] - ya[i]);
  return { rel: Math.sqrt(num / den), meanShift: Math.abs(shift / ya.length) };
}

describe('compressPostTraining', () => {
  const bytes = model();

  it('clusters every weight matrix (FullyConnected, Conv2D) to the asked bits and reports the file sizes', async () => {
    const r = await compressPostTraining(bytes, { bits: 3, groupRows: 2, minValues: 1 });
    const info = readModel(r.bytes);
    for (const name of ['fc1.weight', 'conv.weight', 'fc2.weight']) {
      const t = info.tensors.find((t) => t.name === name)!;
      expect(t.weight!.palettized?.bits, name).toBe(3);
      expect(t.weight!.palettized?.groupRows, name).toBe(2);
    }
    expect(info.tensors.find((t) => t.name === 'fc1.bias')!.weight!.dense).toBeDefined();
    const sizes = sizeReport(info);
    for (const l of r.report.layers) expect(l.bytesAfter, l.name).toBe(sizes.layers.find((s) => s.name === l.name)!.bytes.total);
    expect(r.report.bytesAfter).toBe(r.bytes.length);
    expect(r.report.measuredOn).toBe('random normal inputs');
  });

  it('the accuracy the source file claims is dropped (it was measured on other weights); the data set stays', async () => {
    const claimed = model({ accuracy: '0.99', accuracy_examples: '10000', accuracy_dataset: 'mnist', dataset: 'mnist' });
    const props = readModel((await compressPostTraining(claimed, { bits: 2, minValues: 1 })).bytes).metadata.properties;
    expect(props['accuracy']).toBeUndefined();
    expect(props['accuracy_examples']).toBeUndefined();
    expect(props['accuracy_dataset']).toBeUndefined();
    expect(props['dataset']).toBe('mnist');
  });

  it('int8: int8 palette entries, FullyConnected and Conv2D on the int8 kernels, outputs close to the exact palettes', async () => {
    const exact = await compressPostTraining(bytes, { bits: 4, minValues: 1 });
    const r = await compressPostTraining(bytes, { bits: 4, minValues: 1, int8: true });
    const info = readModel(r.bytes);
    for (const name of ['fc1.weight', 'conv.weight', 'fc2.weight']) expect(info.tensors.find((t) => t.name === name)!.weight!.palettized?.entryType, name).toBe('int8');
    expect(info.ops.filter((o) => o.attrs.int8 === 1).map((o) => o.type)).toEqual(['FullyConnected', 'Conv2D', 'FullyConnected']);
    const m = await loadModel(r.bytes);
    expect(m.kernelPlan().filter((p) => p.type === 'FullyConnected' || p.type === 'Conv2D').every((p) => p.kernel.startsWith('i8_'))).toBe(true);
    m.dispose();
    const x = inputs(200);
    const { rel } = await outputError(exact.bytes, r.bytes, x);
    expect(rel).toBeGreaterThan(0);
    expect(rel).toBeLessThan(0.05);
  });

  it('per-layer settings, skipped layers and block pruning', async () => {
    const r = await compressPostTraining(bytes, { bits: 4, minValues: 1, sparsity: 0.5, block: [1, 4], layers: { 'conv.weight': { skip: true }, 'fc2.weight': { bits: 1, sparsity: 0 } } });
    const info = readModel(r.bytes);
    const w = (n: string) => info.tensors.find((t) => t.name === n)!.weight!;
    expect(w('fc1.weight').sparse).toMatchObject({ blockRows: 1, blockCols: 4 });
    expect(w('conv.weight').dense).toBeDefined();
    expect(w('fc2.weight').palettized?.bits).toBe(1);
    expect(r.report.layers.map((l) => l.name)).toEqual(['fc1.weight', 'fc2.weight']);
    await expect(compressPostTraining(bytes, { bits: 4, layers: { nope: { bits: 2 } } })).rejects.toThrow(WpalCompressError);
    await expect(compressPostTraining(bytes, { bits: 4, layers: { nope: { bits: 2 } } })).rejects.toThrow(/no weight matrix named "nope"/);
    // a layer's name ("fc2", as --layer writes it for the trainer) names its weight too
    const byLayer = await compressPostTraining(bytes, { bits: 4, minValues: 1, layers: { fc2: { bits: 1 } } });
    expect(readModel(byLayer.bytes).tensors.find((t) => t.name === 'fc2.weight')!.weight!.palettized?.bits).toBe(1);
  });

  it('float16 palette entries: half the palette bytes, the same indices, outputs within half precision of float32 entries', async () => {
    const f32 = await compressPostTraining(bytes, { bits: 4, minValues: 1 });
    const f16 = await compressPostTraining(bytes, { bits: 4, minValues: 1, entryType: 'float16' });
    const a = readModel(f32.bytes), b = readModel(f16.bytes);
    for (const name of ['fc1.weight', 'conv.weight', 'fc2.weight']) {
      const pa = a.tensors.find((t) => t.name === name)!.weight!.palettized!, pb = b.tensors.find((t) => t.name === name)!.weight!.palettized!;
      expect(pb.entryType, name).toBe('float16');
      expect(pb.entries.length, name).toBe(pa.entries.length / 2);
      expect(Array.from(b.bytes.subarray(pb.indices.offset, pb.indices.offset + pb.indices.length)), name)
        .toEqual(Array.from(a.bytes.subarray(pa.indices.offset, pa.indices.offset + pa.indices.length)));
    }
    const { rel } = await outputError(f32.bytes, f16.bytes, inputs(200));
    expect(rel).toBeLessThan(2e-3); // half precision: 2^-11 relative per centroid
    // int8 writes int8 entries: float16 with it is refused, not silently replaced
    await expect(compressPostTraining(bytes, { bits: 4, int8: true, entryType: 'float16' })).rejects.toThrow(WpalCompressError);
  });

  it('sensitivity weighting (E[x^2] from calibration data) lowers the error on held-out inputs of the same distribution', async () => {
    const calibration = batchesOf(inputs(400));
    const heldOut = inputs(400);
    const only = { 'conv.weight': { skip: true }, 'fc2.weight': { skip: true } };
    const plain = await compressPostTraining(bytes, { bits: 2, minValues: 1, layers: only });
    const weighted = await compressPostTraining(bytes, { bits: 2, minValues: 1, calibration, layers: only });
    expect(weighted.report.measuredOn).toBe('calibration');
    expect(weighted.report.layers.map((l) => [l.name, l.weighted])).toEqual([['fc1.weight', true]]);
    const e0 = await outputError(bytes, plain.bytes, heldOut);
    const e1 = await outputError(bytes, weighted.bytes, heldOut);
    expect(e1.rel).toBeLessThan(e0.rel * 0.8);
  });

  it('bias correction removes most of the mean output shift on held-out inputs', async () => {
    const calibration = batchesOf(inputs(400));
    const heldOut = inputs(400);
    const without = await compressPostTraining(bytes, { bits: 1, minValues: 1, calibration });
    const withBc = await compressPostTraining(bytes, { bits: 1, minValues: 1, calibration, biasCorrection: true });
    const e0 = await outputError(bytes, without.bytes, heldOut);
    const e1 = await outputError(bytes, withBc.bytes, heldOut);
    expect(e1.meanShift).toBeLessThan(e0.meanShift);
  });
});
