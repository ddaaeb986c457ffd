/**
 * Whole models through the public API: palettized, block-sparse and palettized + block-sparse
 * layers, loaded from bytes, run with SIMD and with reference kernels, checked against the
 * float64 oracle (test/oracle/model.ts) that decodes the file on its own.
 */
import { describe, expect, it } from 'vitest';
import { loadModel, readModel } from '../../src/index.js';
import { decodeWeight, runOracle } from '../oracle/model.js';
import { expectClose, maxAbsDiff } from '../util/compare.js';
import { Rng, withSeed } from '../util/rng.js';
import { buildInt8Layer, buildMlp } from './models.js';

// Max abs error allowed against the float64 oracle: f32 accumulation over k <= 800 terms of
// |w| <= 1, |x| <= 1 stays far below this; a wrong index, palette or mask would not.
const TOL = { abs: 2e-4, rel: 2e-4 };

describe('end to end: compressed MLP', () => {
  for (const kernels of ['simd', 'ref'] as const) {
    it(`palettized + block-sparse layers match the float64 oracle (${kernels} kernels)`, async () => {
      const seed = 7;
      await withSeed(seed, async () => {
        const bytes = buildMlp(seed);
        const info = readModel(bytes);
        const model = await loadModel(bytes, { kernels });
        const rng = new Rng(seed + 1);
        for (const batch of [1, 3, 8]) {
          const x = rng.floats(batch * 203);
          const out = model.run({ input: x });
          const want = runOracle(info, { input: x }, batch);
          expect(out.probs.shape).toEqual([batch, 10]);
          expectClose(out.probs.data, want.probs, TOL, `probs (batch ${batch})`);
          expectClose(out.hidden.data, want.hidden, TOL, `hidden (batch ${batch})`);
        }
        // Every encoding in the model ran on the kernel family made for it.
        const names = model.kernelPlan().map((p) => p.kernel);
        expect(names.some((n) => /p\df32_bs/.test(n))).toBe(true);
        expect(names.some((n) => /dense_bs/.test(n))).toBe(true);
        expect(names.every((n) => n.endsWith(kernels === 'simd' ? n.split('__')[1] : '__ref'))).toBe(true);
        model.dispose();
      });
    });
  }

  it('the int8 fast path stays within its quantization bound of the oracle', async () => {
    const seed = 11;
    const bytes = buildInt8Layer(seed, true);
    const info = readModel(bytes);
    const model = await loadModel(bytes);
    expect(model.kernelPlan()[0].kernel.startsWith('i8_')).toBe(true);
    const W = decodeWeight(info, info.tensors[1].weight!);
    const x = new Rng(seed + 1).floats(4 * 203);
    const out = model.run({ input: x }).y.data;
    const want = runOracle(info, { input: x }, 4).y;
    // Activations are rounded to int8 with step s = max|x| / 127 per example, so each output is off
    // by at most sum_k |W[j][k]| * s / 2 (plus f32 rounding).
    for (let b = 0; b < 4; b++) {
      let xmax = 0;
      for (let k = 0; k < 203; k++) xmax = Math.max(xmax, Math.abs(x[b * 203 + k]));
      const s = xmax / 127;
      for (let j = 0; j < 97; j++) {
        let l1 = 0;
        for (let k = 0; k < 203; k++) l1 += Math.abs(W[j * 203 + k]);
        const bound = (l1 * s) / 2 + 1e-4 * (1 + Math.abs(want[b * 97 + j]));
        expect(Math.abs(out[b * 97 + j] - want[b * 97 + j]), `y[${b}][${j}]`).toBeLessThanOrEqual(bound);
      }
    }
    // The exact path on the same weights is closer: the fast path's cost is measured, not assumed.
    const exact = (await loadModel(buildInt8Layer(seed, false))).run({ input: x }).y.data;
    expect(maxAbsDiff(exact, want)).toBeLessThan(1e-4);
    expect(maxAbsDiff(out, want)).toBeGreaterThan(maxAbsDiff(exact, want));
  });
});

describe('int8 path selection', () => {
  it('layers marked int8 run on int8 kernels; an int8 layer no int8 kernel handles (block-sparse) runs exactly', async () => {
    const { buildLeNet300100 } = await import('../../src/models/index.js');
    const built = buildLeNet300100({
      compression: (l) =>
        l.index === 1
          ? { palette: { bits: 4, entryType: 'int8' }, sparse: { block: [4, 1], sparsity: 0.5 }, int8: true }
          : { palette: { bits: 4, entryType: 'int8' }, int8: true },
    });
    const info = readModel(built.bytes);
    const model = await loadModel(built.bytes);
    const plan = model.kernelPlan().filter((p) => p.type === 'FullyConnected');
    expect(plan.map((p) => p.kernel.split('_')[0])).toEqual(['i8', 'f32', 'i8']);
    // The fallback layer computes what the file says (int8 entries x scale) with f32 activations.
    const x = new Rng(3).floats(784);
    const out = model.run({ [model.inputs[0].name]: x });
    const want = runOracle(info, { [model.inputs[0].name]: x }, 1);
    const name = model.outputs[0].name;
    expect(maxAbsDiff(out[name].data, want[name])).toBeLessThan(0.05 * Math.max(...want[name].map(Math.abs)));
  });
});
