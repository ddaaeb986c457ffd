/**
 * Int8 convs whose indices the runtime rearranges at load into the i8 conv kernel's block order
 * (src/runtime/ops/i8-block-order.ts): the outputs equal the reference kernel's (which reads the
 * file's order) bit for bit, for every index width, grouped palettes, grouped convs, batches and 1-2
 * threads; in the relaxed-SIMD build too (its blocks hold k quads); layers the rearrangement does not
 * fit keep the file's order and still match.
 */
import v8 from 'node:v8';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadModel } from '../../src/index.js';
import * as order from '../../src/runtime/ops/i8-block-order.js';
import { splitTuning } from '../../src/runtime/ops/parallel.js';
import { Rng } from '../util/rng.js';
import { buildI8Conv, sameBits, type I8ConvCase } from '../util/i8-conv.js';

vi.mock('../../src/runtime/ops/i8-block-order.js', async (load) => {
  const real = await load<typeof order>();
  return { ...real, blockI8ConvIndices: vi.fn(real.blockI8ConvIndices) };
});

interface Case extends I8ConvCase {
  blocked: boolean;
}

const CASES: Case[] = [
  ...[1, 2, 3, 4, 5, 6, 7, 8].map((bits) => ({ label: `3x3, ${bits}-bit, one palette`, hw: 9, c: 16, o: 24, k: 3, stride: 1, groups: 1, bits, groupRows: 0, blocked: true })),
  { label: '1x1 stride 2, 4-bit, palettes of 8 channels', hw: 11, c: 32, o: 40, k: 1, stride: 2, groups: 1, bits: 4, groupRows: 8, blocked: true },
  { label: '3x3 stride 2, 2-bit, palettes of 16 channels', hw: 10, c: 48, o: 64, k: 3, stride: 2, groups: 1, bits: 2, groupRows: 16, blocked: true },
  { label: '3x3, 2 groups, 4-bit', hw: 7, c: 32, o: 16, k: 3, stride: 1, groups: 2, bits: 4, groupRows: 0, blocked: true },
  { label: 'K = 27 (not a multiple of 16): file order', hw: 8, c: 3, o: 16, k: 3, stride: 1, groups: 1, bits: 4, groupRows: 0, blocked: false },
  { label: 'palettes of 4 channels: file order', hw: 8, c: 16, o: 16, k: 3, stride: 1, groups: 1, bits: 4, groupRows: 4, blocked: false },
  { label: '12 channels (not a multiple of 8): file order', hw: 8, c: 16, o: 12, k: 3, stride: 1, groups: 1, bits: 3, groupRows: 0, blocked: false },
];

describe('int8 conv indices in the kernel\'s block order', () => {
  // The relaxed-SIMD build runs in Node 20 behind a flag, with Liftoff off (test/util/wasm.ts says why).
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  v8.setFlagsFromString('--no-liftoff');
  const saved = { ...splitTuning };
  // split every call, over output rows and over output channels
  beforeAll(() => { splitTuning.work = 0; });
  afterAll(() => { Object.assign(splitTuning, saved); });
  for (const c of CASES) {
    it(`${c.label}: equal to the reference kernel bit for bit (baseline and relaxed builds; 1 thread, 2 split by rows and by channels; batch 1 and 3)`, async () => {
      const bytes = buildI8Conv(c, 7);
      const ref = await loadModel(bytes, { kernels: 'ref' });
      const spy = vi.mocked(order.blockI8ConvIndices);
      for (const relaxedSimd of [false, true]) {
        for (const [threads, axis] of [[1, 'auto'], [2, 'rows'], [2, 'channels']] as const) {
          splitTuning.axis = axis;
          spy.mockClear();
          const m = await loadModel(bytes, { threads, relaxedSimd });
          expect(m.relaxedSimd).toBe(relaxedSimd);
          expect(m.kernelPlan().map((p) => p.kernel)).toEqual(['i8_conv2d_p8i8_4x8__simd']);
          expect(spy.mock.results.map((r) => r.value)).toEqual([c.blocked]);
          for (const batch of [1, 3]) {
            const xs = new Rng(batch).floats(batch * c.hw * c.hw * c.c);
            const want = ref.run({ x: xs })[ref.outputs[0].name].data as Float32Array;
            const got = m.run({ x: xs })[m.outputs[0].name].data as Float32Array;
            const where = `${relaxedSimd ? 'relaxed' : 'baseline'} build, ${threads} thread(s) split by ${axis}, batch ${batch}`;
            expect(got.length, where).toBe(want.length);
            expect(sameBits(got, want), where).toBe(true);
          }
          m.dispose();
        }
      }
      splitTuning.axis = 'auto';
      ref.dispose();
    });
  }
});
