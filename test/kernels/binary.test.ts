/**
 * Broadcasting binary kernels (f32_b<op>__ref / __simd): every row of BINARY_KERNELS x both builds
 * x every stride/step layout of the ABI x m and n sweeps straddling the 4-lane width, against the
 * float64 oracle (test/oracle/binary.ts) and, for SIMD kernels, against their ref kernel; guard
 * bytes, untouched inputs (and the gaps between their rows), in-place calls, and every pair of
 * special values in every lane position.
 */
import { describe, expect, it } from 'vitest';
import { BINARY_KERNELS } from '../../src/runtime/kernels/broadcast.js';
import type { KernelRow } from '../../src/runtime/kernel-types.js';
import { BUILDS, KernelHarness, type Build } from '../util/wasm.js';
import { Rng, withSeed } from '../util/rng.js';
import type { Tolerance } from '../util/compare.js';
import { BINARY_SPECIALS, BROADCAST_ORACLES, type BroadcastOracle } from '../oracle/binary.js';
import { nextPrime, seedOf } from '../util/sweep.js';

const NS = [0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 67];
const MS = [0, 1, 2, 3, 5];
const SENTINEL = 0x7fa5a5a5; // a NaN bit pattern no kernel produces: fills the gaps between rows

/** How one operand is laid out: row stride and step in elements (the kernel gets bytes). */
interface Side {
  stride: (n: number) => number;
  step: 0 | 1;
}
const ROWS: Side = { stride: (n) => nextPrime(n), step: 1 }; // rows with a gap after each
const DENSE: Side = { stride: (n) => n, step: 1 }; // contiguous rows: the in-place layout
const ONE_ROW: Side = { stride: () => 0, step: 1 }; // one row for every i (e.g. per-channel [C])
const PER_ROW: Side = { stride: () => 1, step: 0 }; // one value per row (e.g. [H*W, 1])
const SCALAR: Side = { stride: () => 0, step: 0 }; // one value for everything

const LAYOUTS: Array<[string, Side, Side]> = [
  ['same shape, gapped rows', ROWS, ROWS],
  ['same shape, dense rows', DENSE, DENSE],
  ['b one row for every row', ROWS, ONE_ROW],
  ['a one row for every row', ONE_ROW, DENSE],
  ['b one value per row', DENSE, PER_ROW],
  ['a one value per row', PER_ROW, ROWS],
  ['b scalar', DENSE, SCALAR],
  ['a scalar', SCALAR, DENSE],
  ['both scalar', SCALAR, SCALAR],
  ['a one row, b one value per row (outer)', ONE_ROW, PER_ROW],
];

/** Elements an operand spans for m rows of n. */
const span = (s: Side, m: number, n: number) => (m === 0 || n === 0 ? 0 : (m - 1) * s.stride(n) + (n - 1) * s.step + 1);

function expectMatch(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance, what: string, at: (i: number) => string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const msg = `${what}[${i}] ${at(i)} = ${a}, expected ${e}`;
    if (Number.isNaN(e) || !Number.isFinite(e)) {
      if (!Object.is(a, e) && !(Number.isNaN(a) && Number.isNaN(e))) throw new Error(msg);
      continue;
    }
    const lim = tol.abs + tol.rel * Math.abs(e);
    if (!(Math.abs(a - e) <= lim)) throw new Error(`${msg} (|diff| ${Math.abs(a - e)} > ${lim})`);
  }
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return ua.every((v, i) => v === ub[i] || (Number.isNaN(a[i]) && Number.isNaN(b[i])));
}

const harnesses = new Map<Build, KernelHarness>();
const harness = (build: Build) => {
  let h = harnesses.get(build);
  if (!h) harnesses.set(build, (h = new KernelHarness(build)));
  h.reset();
  return h;
};
const refName = (row: KernelRow) => `f32_${row.op}__ref`;

interface Case {
  m: number;
  n: number;
  a: Float32Array;
  b: Float32Array;
  sa: Side;
  sb: Side;
}

/** Runs one kernel on a case; returns y (m x n). Checks guards and that a and b are untouched. */
function run(h: KernelHarness, name: string, c: Case, inPlace?: 'a' | 'b'): Float32Array {
  const { m, n } = c;
  const ap = h.put(c.a);
  const bp = h.put(c.b);
  const yp = inPlace === 'a' ? ap : inPlace === 'b' ? bp : h.alloc(4 * m * n);
  h.exports[name](m, n, ap, bp, yp, 4 * c.sa.stride(n), 4 * c.sb.stride(n), 4 * c.sa.step, 4 * c.sb.step);
  h.checkGuards();
  if (inPlace !== 'a' && !sameBits(h.f32(ap, c.a.length), c.a)) throw new Error(`${name}: a was changed`);
  if (inPlace !== 'b' && !sameBits(h.f32(bp, c.b.length), c.b)) throw new Error(`${name}: b was changed`);
  return h.f32(yp, m * n);
}

function expected(o: BroadcastOracle, c: Case): { y: number[]; at: (i: number) => string } {
  const av = (i: number, j: number) => c.a[i * c.sa.stride(c.n) + j * c.sa.step];
  const bv = (i: number, j: number) => c.b[i * c.sb.stride(c.n) + j * c.sb.step];
  const y: number[] = [];
  for (let i = 0; i < c.m; i++) for (let j = 0; j < c.n; j++) y.push(o.f(av(i, j), bv(i, j)));
  return { y, at: (k) => `(a = ${av(Math.floor(k / c.n), k % c.n)}, b = ${bv(Math.floor(k / c.n), k % c.n)})` };
}

function check(h: KernelHarness, row: KernelRow, o: BroadcastOracle, c: Case, what: string): void {
  const y = run(h, row.name, c);
  const want = expected(o, c);
  expectMatch(y, want.y, o.tol, `${what} vs oracle`, want.at);
  if (row.isa !== 'ref') expectMatch(y, run(h, refName(row), c), o.vsRef, `${what} vs ref`, want.at);
  if (c.sa === DENSE && !sameBits(run(h, row.name, c, 'a'), y)) throw new Error(`${what}: y = a differs`);
  if (c.sb === DENSE && !sameBits(run(h, row.name, c, 'b'), y)) throw new Error(`${what}: y = b differs`);
}

/** Random operand values (the sentinel fills the gaps between rows, which kernels never read into y). */
function fill(rng: Rng, s: Side, m: number, n: number, box: [number, number], int = false): Float32Array {
  const v = new Float32Array(span(s, m, n));
  new Uint32Array(v.buffer).fill(SENTINEL);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const x = rng.uniform(box[0], box[1]);
      v[i * s.stride(n) + j * s.step] = int ? Math.round(x) : x;
    }
  }
  return v;
}

describe('broadcasting binary kernel table', () => {
  for (const build of BUILDS) {
    it(`${build}: every row is exported, every exported b* kernel has a row, each op has ref + simd`, () => {
      const h = harness(build);
      const names = new Set(BINARY_KERNELS.map((r) => r.name));
      for (const name of names) expect(typeof h.exports[name], name).toBe('function');
      const ops = new Set(BROADCAST_ORACLES.map((o) => o.op as string));
      const exported = Object.keys(h.exports).filter((k) => k.includes('__') && ops.has(k.split('_')[1]));
      expect(exported.sort()).toEqual([...names].sort());
      for (const o of BROADCAST_ORACLES) expect(BINARY_KERNELS.filter((r) => r.op === o.op).map((r) => r.isa).sort()).toEqual(['ref', 'simd']);
    });
  }
});

for (const o of BROADCAST_ORACLES) {
  describe(o.op, () => {
    for (const row of BINARY_KERNELS.filter((r) => r.op === o.op)) {
      for (const build of BUILDS) {
        it(`${row.name} [${build}]: every layout x m ${MS.join(',')} x n ${NS.join(',')}, vs oracle${row.isa === 'ref' ? '' : ' and ref'}`, () => {
          for (const [layout, sa, sb] of LAYOUTS) {
            for (const m of MS) {
              for (const n of NS) {
                const seed = seedOf(row.name, build, layout, m, n);
                withSeed(seed, () => {
                  const rng = new Rng(seed);
                  const box = o.domain[rng.int(0, o.domain.length - 1)];
                  const c: Case = { m, n, sa, sb, a: fill(rng, sa, m, n, box.a), b: fill(rng, sb, m, n, box.b, box.intB) };
                  check(harness(build), row, o, c, `${row.name} ${layout} (m=${m}, n=${n})`);
                });
              }
            }
          }
        });
        it(`${row.name} [${build}]: every pair of special values, in every lane position`, () => {
          const s = BINARY_SPECIALS;
          for (let shift = 0; shift < 4; shift++) {
            // a runs over the specials slowly, b quickly: every (a, b) pair once, shifted through the lanes.
            const len = shift + s.length * s.length;
            const a = Float32Array.from({ length: len }, (_, i) => (i < shift ? 0.5 : s[Math.floor((i - shift) / s.length)]));
            const b = Float32Array.from({ length: len }, (_, i) => (i < shift ? 0.5 : s[(i - shift) % s.length]));
            check(harness(build), row, o, { m: 1, n: len, sa: DENSE, sb: DENSE, a, b }, `${row.name} specials shifted by ${shift}`);
          }
          // The same pairs with b splat (one value per row), then with a splat.
          const k = s.length;
          const v = Float32Array.from(s);
          const grid = Float32Array.from({ length: k * k }, (_, i) => s[i % k]);
          check(harness(build), row, o, { m: k, n: k, sa: DENSE, sb: PER_ROW, a: grid, b: v }, `${row.name} specials, b per row`);
          check(harness(build), row, o, { m: k, n: k, sa: PER_ROW, sb: ONE_ROW, a: v, b: v }, `${row.name} specials, a per row`);
        });
      }
    }
  });
}

describe('bpow: a larger random sample per domain box', () => {
  const o = BROADCAST_ORACLES.find((x) => x.op === 'bpow')!;
  for (const row of BINARY_KERNELS.filter((r) => r.op === 'bpow')) {
    it(`${row.name} [simd build]: 5 x 20001 pairs`, () => {
      o.domain.forEach((box, k) => {
        const seed = seedOf(row.name, 'sample', k);
        withSeed(seed, () => {
          const rng = new Rng(seed);
          const n = 20001;
          const c: Case = { m: 1, n, sa: DENSE, sb: DENSE, a: fill(rng, DENSE, 1, n, box.a), b: fill(rng, DENSE, 1, n, box.b, box.intB) };
          check(harness('simd'), row, o, c, `${row.name} box ${k}`);
        });
      });
    });
  }
});
