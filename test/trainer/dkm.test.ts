/**
 * DKM op (src/trainer/dkm): forward against the float64 oracle (test/oracle/dkm.ts), backward
 * against central differences of that oracle (per-tensor and per-row-group palettes, 1..4 bits,
 * 0..2 refinements, a pruning mask, lengths with a SIMD tail), SIMD vs ref kernels and the debug
 * build; a 3072 x 768 layer runs forward + backward with bounded memory; the hard assignment
 * survives the .wpal palettized writer exactly.
 */
import { describe, expect, it } from 'vitest';
import { Engine, TrainModule, linear, type KernelIsa, type TrainBuild } from '../../src/trainer/engine/index.js';
import { DkmState, dkm, hardAssign } from '../../src/trainer/dkm/index.js';
import { encodeBlockSparse, encodePalettized } from '../../src/encode/palette.js';
import { Rng, withSeed } from '../util/rng.js';
import { GRADIENT } from '../oracle/train.js';
import { dkmOracle, refinedCentroids, type DkmOracleGroup } from '../oracle/dkm.js';

import { CONFIGS, dot, numericGrad } from '../util/gradcheck.js';

interface Case { rows: number; cols: number; bits: number; groupRows: number; iters: number; tau: number; prune?: number }

function checkDkm(build: TrainBuild, isa: KernelIsa, seed: number, cs: Case): void {
  withSeed(seed, () => {
    const rng = new Rng(seed);
    const e = new Engine(new TrainModule({ build, isa }));
    const n = cs.rows * cs.cols;
    const vals = Float32Array.from({ length: n }, () => rng.normal() * 0.1);
    const w = e.parameter('w', [cs.rows, cs.cols], vals);
    let mask: Float32Array | null = null;
    let maskPtr = 0;
    if (cs.prune) {
      mask = Float32Array.from({ length: n }, () => (rng.next() < cs.prune! ? 0 : 1));
      maskPtr = e.mod.persist(n * 4);
      e.mod.f32.set(mask, maskPtr >> 2);
    }
    const st = new DkmState(e, w, { bits: cs.bits, groupRows: cs.groupRows, iters: cs.iters, tau: cs.tau }, maskPtr);
    const groups: DkmOracleGroup[] = Array.from({ length: st.groups }, (_, g) => ({ c: Float64Array.from(st.centroids.subarray(g * st.k, (g + 1) * st.k)), tau: st.tau[g] }));
    e.beginStep();
    const y = dkm(e, w, st);
    const want = dkmOracle(vals, mask, cs.rows, cs.groupRows, groups, cs.iters);
    const got = e.read(y);
    for (let i = 0; i < n; i++) {
      expect(Math.abs(got[i] - want[i]), `forward[${i}] ${got[i]} vs ${want[i]}`).toBeLessThanOrEqual(2e-5 * (0.1 + Math.abs(want[i])));
      if (mask && mask[i] === 0) expect(Math.abs(got[i])).toBe(0);
    }
    const r = Float32Array.from({ length: n }, () => rng.uniform());
    e.backwardFrom(y, r);
    const frozen = cs.iters > 1 ? refinedCentroids(vals, mask, cs.rows, cs.groupRows, groups, cs.iters - 1) : undefined;
    const num = numericGrad((x) => dot(r, dkmOracle(x, mask, cs.rows, cs.groupRows, groups, cs.iters, frozen)), vals);
    const gotG = e.readGrad(w);
    const scale = Math.max(1, ...Array.from(num, Math.abs));
    for (let i = 0; i < n; i++) {
      const lim = GRADIENT.abs * scale + GRADIENT.rel * Math.abs(num[i]);
      if (!(Math.abs(gotG[i] - num[i]) <= lim)) throw new Error(`dw[${i}] = ${gotG[i]}, finite difference ${num[i]} (|diff| ${Math.abs(gotG[i] - num[i])} > ${lim})`);
      if (mask && mask[i] === 0) expect(Math.abs(gotG[i])).toBe(0);
    }
  });
}

const CASES: Case[] = [
  { rows: 5, cols: 6, bits: 2, groupRows: 0, iters: 1, tau: 0.3 },
  { rows: 5, cols: 6, bits: 2, groupRows: 2, iters: 1, tau: 0.2 },
  { rows: 3, cols: 7, bits: 3, groupRows: 0, iters: 2, tau: 0.3 },
  { rows: 4, cols: 5, bits: 1, groupRows: 1, iters: 0, tau: 0.5 },
  { rows: 6, cols: 9, bits: 4, groupRows: 3, iters: 1, tau: 0.4 },
  { rows: 6, cols: 8, bits: 2, groupRows: 0, iters: 1, tau: 0.3, prune: 0.4 },
  { rows: 6, cols: 5, bits: 3, groupRows: 2, iters: 2, tau: 0.25, prune: 0.3 },
  { rows: 4, cols: 6, bits: 2, groupRows: 0, iters: 1, tau: 0.05 },
];

describe('dkm op vs the float64 oracle and central differences', () => {
  for (const [build, isa] of CONFIGS) {
    it(`forward and gradient (${build} build, ${isa} kernels)`, () => {
      CASES.forEach((cs, i) => checkDkm(build, isa, 700 + i, cs));
    });
  }

  it('chained into linear: gradient reaches the weight through w~', () => {
    const rng = new Rng(5);
    const e = new Engine(new TrainModule());
    const w = e.parameter('w', [4, 6], Float32Array.from({ length: 24 }, () => rng.normal() * 0.3));
    const st = new DkmState(e, w, { bits: 2 });
    e.beginStep();
    const x = e.input(rng.floats(12), [2, 6]);
    const y = linear(e, x, dkm(e, w, st), null);
    e.backwardFrom(y, rng.floats(8));
    const g = e.readGrad(w);
    expect(g.some((v) => v !== 0)).toBe(true);
    expect(g.every(Number.isFinite)).toBe(true);
  });
});

describe('dkm at scale and at export', () => {
  it('a 3072 x 768 layer at 4 bits: forward + backward with memory growth < 64 MB (no weights x centroids buffer)', () => {
    const e = new Engine(new TrainModule());
    const rows = 3072, cols = 768, n = rows * cols;
    const rng = new Rng(11);
    const vals = new Float32Array(n);
    for (let i = 0; i < n; i++) vals[i] = rng.normal() * 0.02;
    const w = e.parameter('big', [rows, cols], vals);
    const st = new DkmState(e, w, { bits: 4, iters: 1 });
    const before = e.mod.memory.buffer.byteLength;
    const t0 = performance.now();
    e.beginStep();
    const y = dkm(e, w, st);
    const seed = new Float32Array(n).fill(1e-3);
    e.gradPtr(y); // allocate first: Engine.backwardFrom takes its f32 view before allocating the seed's buffer
    e.backwardFrom(y, seed);
    const ms = performance.now() - t0;
    const grown = e.mod.memory.buffer.byteLength - before;
    // w~ and its gradient: 2 x 9.4 MB; A would be 16 x 9.4 MB = 151 MB per refinement
    expect(grown).toBeLessThan(64 * 2 ** 20);
    const g = e.readGrad(w);
    expect(g.every(Number.isFinite)).toBe(true);
    expect(e.read(y).every(Number.isFinite)).toBe(true);
    console.log(`dkm 3072x768 4-bit forward+backward: ${ms.toFixed(0)} ms, memory growth ${(grown / 2 ** 20).toFixed(1)} MiB`);
  });

  it('hard assignment: <= 2^bits distinct values per palette group, reproduced exactly by the palettized (and block-sparse) writer', () => {
    const e = new Engine(new TrainModule());
    const rng = new Rng(3);
    const rows = 300, cols = 784, n = rows * cols; // > 65536 values: the writer's k-means uses its histogram path
    const vals = new Float32Array(n);
    for (let i = 0; i < n; i++) vals[i] = rng.normal() * 0.05;
    const w = e.parameter('fc1.weight', [rows, cols], vals);
    for (const [bits, groupRows] of [[2, 0], [4, 0], [1, 100], [3, 7]]) {
      const st = new DkmState(e, w, { bits, groupRows });
      e.beginStep();
      dkm(e, w, st);
      const h = hardAssign(e, w, st);
      const enc = encodePalettized(h.values, rows, cols, { bits, groupRows: groupRows });
      expect(enc.decode(), `${bits}-bit, groups of ${groupRows}`).toEqual(h.values);
    }
    // pruned (mask: 1x4 blocks, half dropped) + 2-bit: the writer's block mask and palette reproduce it
    const maskPtr = e.mod.persist(n * 4);
    const keep: number[] = [];
    for (let b = 0; b < n / 4; b++) keep.push(rng.next() < 0.5 ? 0 : 1);
    const mask = Float32Array.from({ length: n }, (_, i) => keep[i >> 2]);
    e.mod.f32.set(mask, maskPtr >> 2);
    const st = new DkmState(e, w, { bits: 2 }, maskPtr);
    e.beginStep();
    dkm(e, w, st);
    const h = hardAssign(e, w, st);
    const dropped = keep.length - keep.reduce((a, b) => a + b, 0);
    const enc = encodeBlockSparse(h.values, rows, cols, { blockRows: 1, blockCols: 4, sparsity: (dropped + 0.5) / keep.length }, { bits: 2 });
    expect(enc.decode()).toEqual(h.values);
  });
});
