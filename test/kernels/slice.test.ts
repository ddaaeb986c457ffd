/**
 * The slice rows of SPATIAL_KERNELS (strided N-D gather, the kernel of Slice) on both builds, against
 * the ABI oracle test/oracle/slice.ts (exact, bit for bit) and SIMD against ref: ranks 1..9, axes of
 * size 1 (dropped by the SIMD plan) and mergeable neighbours, steps -3..3 (inner step 1 takes the
 * 16-byte / memory.copy path, -1 the reversed-lanes path), inner runs 1..67 (around 4 lanes and the
 * 64-byte memory.copy threshold), empty outputs, a batch axis in front. Guard bytes after y; x must
 * stay untouched.
 */
import { describe, expect, it } from 'vitest';
import { SPATIAL_KERNELS } from '../../src/runtime/kernels/spatial.js';
import { BUILDS, KernelHarness, type Build } from '../util/wasm.js';
import { Rng, withSeed } from '../util/rng.js';
import { seedOf } from '../util/sweep.js';
import { stridedGather } from '../oracle/slice.js';

const ROWS = SPATIAL_KERNELS.filter((r) => r.op === 'slice');
const REF = ROWS.find((r) => r.isa === 'ref')!.name;

interface SliceCase { inDims: number[]; starts: number[]; steps: number[]; counts: number[] }

function sameBits(a: Float32Array, b: Float32Array, what: string): void {
  expect(a.length, `${what}: length`).toBe(b.length);
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length), ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < a.length; i++) if (ua[i] !== ub[i]) throw new Error(`${what}[${i}] = ${a[i]}, expected ${b[i]}`);
}

/** A random valid slice: every read index in range. */
function randomCase(rng: Rng, t: number): SliceCase {
  const rank = 1 + (t % 9);
  const inDims: number[] = [], starts: number[] = [], steps: number[] = [], counts: number[] = [];
  for (let a = 0; a < rank; a++) {
    const inner = a === rank - 1;
    const d = inner && t % 3 === 0 ? rng.int(1, 70) : rng.int(1, rank > 5 ? 3 : 6);
    const step = rng.next() < 0.5 ? 1 : [-3, -2, -1, -1, 1, 2, 3][rng.int(0, 6)];
    const whole = rng.next() < 0.3 && step === 1; // a full axis: merges with its neighbour
    const maxCount = Math.floor((d - 1) / Math.abs(step)) + 1;
    const c = whole ? d : t % 37 === 36 && a === 0 ? 0 : rng.int(1, maxCount);
    const span = (Math.max(c, 1) - 1) * Math.abs(step);
    const s = whole ? 0 : step > 0 ? rng.int(0, d - 1 - span) : rng.int(span, d - 1);
    inDims.push(d); starts.push(s); steps.push(step); counts.push(c);
  }
  return { inDims, starts, steps, counts };
}

function params(c: SliceCase): { offset: number; dims: number[]; strides: number[] } {
  const rowStride = c.inDims.map((_, j) => c.inDims.slice(j + 1).reduce((a, b) => a * b, 1));
  return {
    offset: c.starts.reduce((acc, s, j) => acc + s * rowStride[j], 0),
    dims: c.counts,
    strides: c.steps.map((s, j) => s * rowStride[j]),
  };
}

function run(h: KernelHarness, name: string, x: Float32Array, p: ReturnType<typeof params>): Float32Array {
  h.reset();
  const slots = new Int32Array(20);
  slots[0] = p.offset;
  slots.set(p.dims, 1);
  slots.set(p.strides, 10);
  const xp = h.put(x);
  const total = p.dims.reduce((a, b) => a * b, 1);
  const yp = h.alloc(4 * total);
  h.exports[name](p.dims.length, xp, yp, h.put(slots));
  h.checkGuards();
  sameBits(h.f32(xp, x.length), x, `${name}: input`);
  return h.f32(yp, total);
}

const FIXED: SliceCase[] = [
  { inDims: [5], starts: [4], steps: [-1], counts: [5] }, // reverse
  { inDims: [67], starts: [66], steps: [-1], counts: [67] },
  { inDims: [9, 8, 6], starts: [2, 0, 0], steps: [1, 1, 1], counts: [5, 8, 6] }, // rows of an image: one run
  { inDims: [9, 8, 6], starts: [0, 0, 2], steps: [1, 1, 1], counts: [9, 8, 3] }, // channels
  { inDims: [9, 8, 6], starts: [8, 7, 5], steps: [-2, -3, -1], counts: [5, 3, 6] },
  { inDims: [1, 1, 1], starts: [0, 0, 0], steps: [1, 1, 1], counts: [1, 1, 1] },
  { inDims: [3, 4], starts: [0, 0], steps: [1, 1], counts: [0, 4] }, // empty
];

describe.each(BUILDS)('slice kernels, %s build', (build: Build) => {
  const h = new KernelHarness(build);
  for (const row of ROWS) {
    it(`${row.name}: fixed shapes and 300 random slices of rank 1..9, exact`, () => {
      const seed = seedOf(row.name, build, 'slice');
      const rng = new Rng(seed);
      const cases = [...FIXED, ...Array.from({ length: 300 }, (_, t) => randomCase(rng, t))];
      cases.forEach((c, t) => {
        withSeed(seed, () => {
          // a batch axis of 1..2 examples in front, as the runtime calls it
          const nb = 1 + (t % 2);
          const x = rng.floats(nb * c.inDims.reduce((a, b) => a * b, 1));
          const bc: SliceCase = { inDims: [nb, ...c.inDims], starts: [0, ...c.starts], steps: [1, ...c.steps], counts: [nb, ...c.counts] };
          const p = bc.inDims.length <= 9 ? params(bc) : params(c);
          const what = `${row.name} case ${t}: in [${c.inDims}] starts [${c.starts}] steps [${c.steps}] counts [${c.counts}] batch ${nb}`;
          const y = run(h, row.name, x, p);
          sameBits(y, stridedGather(x, p.offset, p.dims, p.strides), `${what} vs oracle`);
          if (row.isa !== 'ref') sameBits(y, run(h, REF, x, p), `${what} vs ${REF}`);
        });
      });
    });
  }
});
