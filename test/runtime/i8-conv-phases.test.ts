/**
 * Int8 convs split over threads in two passes (src/runtime/ops/parallel-window.ts windowCall, "Phases"):
 * a channel split quantizes the windows once, split by pixels, before the channel slices read
 * them; a row split decodes the weights once, split by channels, before the row slices read them.
 * The outputs equal the reference kernel's bit for bit, in both builds, at 2 and 3 threads, for odd
 * pixel and channel counts, batches 1 and 3, file and block index order; the second pass is
 * really taken (one more pool call per conv), and not for grouped convs.
 */
import v8 from 'node:v8';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadModel } from '../../src/index.js';
import { splitTuning } from '../../src/runtime/ops/parallel.js';
import { ThreadPool } from '../../src/runtime/threads.js';
import { Rng } from '../util/rng.js';
import { buildI8Conv, sameBits, type I8ConvCase } from '../util/i8-conv.js';

const CASES: I8ConvCase[] = [
  { label: '3x3, 9x9 (81 pixels), 20 channels, 4-bit (file order)', hw: 9, c: 8, o: 20, k: 3, stride: 1, groups: 1, bits: 4, groupRows: 0 },
  { label: '3x3, 16 -> 24 channels, 3-bit (block order)', hw: 7, c: 16, o: 24, k: 3, stride: 1, groups: 1, bits: 3, groupRows: 0 },
  { label: '1x1 stride 2, 11x11, palettes of 8 channels, 2-bit', hw: 11, c: 32, o: 40, k: 1, stride: 2, groups: 1, bits: 2, groupRows: 8 },
  { label: '3x3 stride 2, K = 27, 8-bit', hw: 13, c: 3, o: 17, k: 3, stride: 2, groups: 1, bits: 8, groupRows: 0 },
  { label: '3x3, 2 groups (no phases)', hw: 7, c: 32, o: 16, k: 3, stride: 1, groups: 2, bits: 4, groupRows: 0 },
];

describe('int8 convs split in two passes', () => {
  // The relaxed-SIMD build runs in Node 20 behind a flag, with Liftoff off (test/util/wasm.ts says why).
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  v8.setFlagsFromString('--no-liftoff');
  const saved = { ...splitTuning };
  // split every call, and take the two passes whenever the kernel has them
  beforeAll(() => {
    splitTuning.work = 0;
    splitTuning.phaseWork = 0;
  });
  afterEach(() => vi.restoreAllMocks());
  afterAll(() => { Object.assign(splitTuning, saved); });
  for (const c of CASES) {
    it(`${c.label}: equal to the reference kernel bit for bit (both builds; 2 and 3 threads, split by rows and by channels; batch 1 and 3)`, async () => {
      const bytes = buildI8Conv(c, 11);
      const ref = await loadModel(bytes, { kernels: 'ref' });
      const passes = c.groups === 1 ? 2 : 1;
      for (const relaxedSimd of [false, true]) {
        for (const threads of [2, 3]) {
          for (const axis of ['rows', 'channels'] as const) {
            splitTuning.axis = axis;
            const m = await loadModel(bytes, { threads, relaxedSimd });
            expect(m.kernelPlan().map((p) => p.kernel)).toEqual(['i8_conv2d_p8i8_4x8__simd']);
            const runs = vi.spyOn(ThreadPool.prototype, 'run');
            for (const batch of [1, 3]) {
              const xs = new Rng(batch).floats(batch * c.hw * c.hw * c.c);
              const want = ref.run({ x: xs })[ref.outputs[0].name].data as Float32Array;
              runs.mockClear();
              const got = m.run({ x: xs })[m.outputs[0].name].data as Float32Array;
              const where = `${relaxedSimd ? 'relaxed' : 'baseline'} build, ${threads} threads split by ${axis}, batch ${batch}`;
              // (a grouped conv, or one too narrow for two channel slices, splits by rows)
              expect(runs.mock.calls.length, where).toBe(passes);
              expect(sameBits(got, want), where).toBe(true);
            }
            runs.mockRestore();
            m.dispose();
          }
        }
      }
      splitTuning.axis = 'auto';
      ref.dispose();
    });
  }

  it('a call below phaseWork splits in one pass, with the same outputs', async () => {
    const c = CASES[1];
    const bytes = buildI8Conv(c, 3);
    const m = await loadModel(bytes, { threads: 2 });
    const xs = new Rng(5).floats(c.hw * c.hw * c.c);
    const runs = vi.spyOn(ThreadPool.prototype, 'run');
    const two = m.run({ x: xs })[m.outputs[0].name].data as Float32Array;
    expect(runs.mock.calls.length).toBe(2);
    splitTuning.phaseWork = Infinity;
    runs.mockClear();
    const one = m.run({ x: xs })[m.outputs[0].name].data as Float32Array;
    expect(runs.mock.calls.length).toBe(1);
    splitTuning.phaseWork = 0;
    expect(sameBits(one, two)).toBe(true);
    m.dispose();
  });
});
