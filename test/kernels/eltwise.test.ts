/**
 * Element-wise and softmax kernels: every row of ELTWISE_KERNELS x both builds x a size sweep
 * straddling the 4-lane width, against the float64 oracle (test/oracle/eltwise.ts) and, for SIMD
 * kernels, against their ref kernel; guard bytes, untouched inputs and row gaps, in-place calls,
 * special values in every lane position.
 */
import { describe, expect, it } from 'vitest';
import { ELTWISE_KERNELS } from '../../src/runtime/kernels/eltwise.js';
import type { KernelRow } from '../../src/runtime/kernel-types.js';
import { BUILDS, KernelHarness, type Build } from '../util/wasm.js';
import { Rng, withSeed } from '../util/rng.js';
import type { Tolerance } from '../util/compare.js';
import { BINARY_ORACLES, SOFTMAX, UNARY_ORACLES, UNARY_ORACLES_1_1, softmaxRow, type UnaryOracle } from '../oracle/eltwise.js';
import { nextPrime, seedOf } from '../util/sweep.js';

const SIZES = [0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 64 + 3, 1000 + 1];
const SOFTMAX_ROWS = [1, 2, 3, 5];
const UNARY = [...UNARY_ORACLES, ...UNARY_ORACLES_1_1];
const OUR_OPS = new Set([...UNARY.map((o) => o.op), 'vadd', 'vmul', 'softmax']);

/** Like expectClose, but NaN must meet NaN and an infinity must be met exactly. */
function expectMatch(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance, what: string, input?: ArrayLike<number>): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const at = `${what}[${i}]${input ? ` (x = ${input[i]})` : ''} = ${a}, expected ${e}`;
    if (Number.isNaN(e) || !Number.isFinite(e)) {
      if (!Object.is(a, e) && !(Number.isNaN(a) && Number.isNaN(e))) throw new Error(at);
      continue;
    }
    const lim = tol.abs + tol.rel * Math.abs(e);
    if (!(Math.abs(a - e) <= lim)) throw new Error(`${at} (|diff| ${Math.abs(a - e)} > ${lim})`);
  }
}

function expectSameBits(a: Float32Array, b: Float32Array, what: string): void {
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < a.length; i++) {
    if (ua[i] !== ub[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) {
      throw new Error(`${what}[${i}] = ${a[i]}, expected the out-of-place result ${b[i]}`);
    }
  }
}

function draw(rng: Rng, n: number, domain: Array<[number, number]>): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const [lo, hi] = domain[rng.int(0, domain.length - 1)];
    x[i] = rng.uniform(lo, hi);
  }
  return x;
}

const refName = (row: KernelRow) => `f32_${row.op}__ref`;
const harnesses = new Map<Build, KernelHarness>();
const harness = (build: Build) => {
  let h = harnesses.get(build);
  if (!h) harnesses.set(build, (h = new KernelHarness(build)));
  h.reset();
  return h;
};

describe('eltwise kernel table', () => {
  for (const build of BUILDS) {
    it(`${build}: every row is exported and every exported ${[...OUR_OPS].join('/')} kernel has a row`, () => {
      const h = harness(build);
      const names = new Set(ELTWISE_KERNELS.map((r) => r.name));
      for (const name of names) expect(typeof h.exports[name], name).toBe('function');
      const exported = Object.keys(h.exports).filter((k) => k.includes('__') && OUR_OPS.has(k.split('_')[1]));
      expect(exported.sort()).toEqual([...names].sort());
    });
  }
});

for (const oracle of UNARY) {
  const rows = ELTWISE_KERNELS.filter((r) => r.op === oracle.op);
  // Kernels with a params pointer run once per param set; the others once, without params.
  const paramSets: Array<number[] | undefined> = oracle.params ?? [undefined];
  describe(oracle.op, () => {
    it('has a ref and a SIMD kernel', () => expect(rows.map((r) => r.isa).sort()).toEqual(['ref', 'simd']));
    for (const row of rows) {
      for (const build of BUILDS) {
        it(`${row.name} [${build}]: sizes ${SIZES.join(',')} vs oracle${row.isa === 'ref' ? '' : ' and ref'}, in place`, () => {
          for (const p of paramSets) {
            for (const n of SIZES) {
              const seed = seedOf(row.name, build, n, String(p));
              withSeed(seed, () => runUnary(harness(build), row, oracle, draw(new Rng(seed), n, oracle.domain), `${row.name}(n=${n}${p ? `, params ${p}` : ''})`, p));
            }
          }
        });
        it(`${row.name} [${build}]: special values in every lane position`, () => {
          for (const p of paramSets) {
            for (let shift = 0; shift < 4; shift++) {
              const s = oracle.specials;
              const x = Float32Array.from({ length: s.length + shift }, (_, i) => (i < shift ? 0.5 : s[i - shift]));
              runUnary(harness(build), row, oracle, x, `${row.name} specials shifted by ${shift}${p ? `, params ${p}` : ''}`, p);
            }
          }
        });
      }
    }
  });
}

/** Calls a unary kernel: (n, x, y) or, with params, (n, x, y, params) with the values in f32 slots. */
function callUnary(h: KernelHarness, name: string, n: number, xp: number, yp: number, p: number[] | undefined): void {
  if (!p) return void h.exports[name](n, xp, yp);
  const slots = new Float32Array(8);
  slots.set(p);
  h.exports[name](n, xp, yp, h.put(slots));
}

function runUnary(h: KernelHarness, row: KernelRow, oracle: UnaryOracle, x: Float32Array, what: string, p?: number[]): void {
  const n = x.length;
  const xp = h.put(x);
  const yp = h.alloc(4 * n);
  callUnary(h, row.name, n, xp, yp, p);
  h.checkGuards();
  const y = h.f32(yp, n);
  expectSameBits(h.f32(xp, n), x, `${what}: input`);
  expectMatch(y, Array.from(x, (v) => oracle.f(v, p ?? [])), oracle.tol, `${what} vs oracle`, x);
  if (row.isa !== 'ref') {
    const yr = h.alloc(4 * n);
    callUnary(h, refName(row), n, xp, yr, p);
    expectMatch(y, h.f32(yr, n), oracle.vsRef, `${what} vs ref`, x);
  }
  const ip = h.put(x);
  callUnary(h, row.name, n, ip, ip, p);
  h.checkGuards();
  expectSameBits(h.f32(ip, n), y, `${what} in place`);
}

for (const oracle of BINARY_ORACLES) {
  const rows = ELTWISE_KERNELS.filter((r) => r.op === oracle.op);
  describe(oracle.op, () => {
    for (const row of rows) {
      for (const build of BUILDS) {
        it(`${row.name} [${build}]: sizes vs oracle${row.isa === 'ref' ? '' : ' and ref'}, y = a and y = b`, () => {
          const specials = [0, -0, Infinity, -Infinity, NaN, 1e30, -1e-40];
          for (const n of SIZES) {
            const seed = seedOf(row.name, build, n);
            withSeed(seed, () => {
              const rng = new Rng(seed);
              const [lo, hi] = oracle.domain;
              const a = rng.floats(n, lo, hi);
              const b = rng.floats(n, lo, hi);
              // A few special values at random positions (NaN + inf, inf - inf, ...).
              for (let i = 0; i < Math.min(n, 8); i++) a[rng.int(0, n - 1)] = specials[rng.int(0, specials.length - 1)];
              for (let i = 0; i < Math.min(n, 8); i++) b[rng.int(0, n - 1)] = specials[rng.int(0, specials.length - 1)];
              const h = harness(build);
              const fn = h.exports[row.name];
              const what = `${row.name}(n=${n})`;
              const ap = h.put(a);
              const bp = h.put(b);
              const yp = h.alloc(4 * n);
              fn(n, ap, bp, yp);
              h.checkGuards();
              const y = h.f32(yp, n);
              expectSameBits(h.f32(ap, n), a, `${what}: a`);
              expectSameBits(h.f32(bp, n), b, `${what}: b`);
              expectMatch(y, Array.from(a, (v, i) => oracle.f(v, b[i])), oracle.tol, `${what} vs oracle`);
              if (row.isa !== 'ref') {
                const yr = h.alloc(4 * n);
                h.exports[refName(row)](n, ap, bp, yr);
                expectMatch(y, h.f32(yr, n), oracle.vsRef, `${what} vs ref`);
              }
              const a2 = h.put(a);
              const b2 = h.put(b);
              fn(n, a2, b2, a2);
              expectSameBits(h.f32(a2, n), y, `${what} y = a`);
              const a3 = h.put(a);
              const b3 = h.put(b);
              fn(n, a3, b3, b3);
              expectSameBits(h.f32(b3, n), y, `${what} y = b`);
              h.checkGuards();
            });
          }
        });
      }
    }
  });
}

const SENTINEL = 0x7fa5a5a5; // a NaN bit pattern no kernel produces

/** Runs softmax on m rows of n (given row-major in x) with the given strides (in elements); returns the rows. */
function runSoftmax(h: KernelHarness, name: string, m: number, n: number, x: Float32Array, xs: number, ys: number, inPlace = false): Float32Array {
  const xb = new Float32Array(Math.max(0, (m - 1) * xs + n));
  new Uint32Array(xb.buffer).fill(SENTINEL);
  for (let r = 0; r < m; r++) xb.set(x.subarray(r * n, r * n + n), r * xs);
  const xp = h.put(xb);
  const yp = inPlace ? xp : h.alloc(4 * Math.max(0, (m - 1) * ys + n));
  if (!inPlace) new Uint32Array(h.memory.buffer, yp, Math.max(0, (m - 1) * ys + n)).fill(SENTINEL);
  h.exports[name](m, n, xp, yp, 4 * xs, 4 * ys);
  h.checkGuards();
  const yb = h.f32(yp, Math.max(0, (m - 1) * ys + n));
  const ybits = new Uint32Array(yb.buffer);
  // Gaps between rows (and the input, when not in place) are untouched.
  for (let r = 0; r + 1 < m; r++) {
    for (let i = n; i < ys; i++) if (ybits[r * ys + i] !== SENTINEL) throw new Error(`${name}: wrote into the gap after row ${r} at ${i}`);
  }
  if (!inPlace) expectSameBits(h.f32(xp, xb.length), xb, `${name}: input`);
  const y = new Float32Array(m * n);
  for (let r = 0; r < m; r++) y.set(yb.subarray(r * ys, r * ys + n), r * n);
  return y;
}

function softmaxOracle(m: number, n: number, x: Float32Array): Float64Array {
  const out = new Float64Array(m * n);
  for (let r = 0; r < m; r++) out.set(softmaxRow(x.subarray(r * n, r * n + n)), r * n);
  return out;
}

describe('softmax', () => {
  for (const row of ELTWISE_KERNELS.filter((r) => r.op === 'softmax')) {
    for (const build of BUILDS) {
      it(`${row.name} [${build}]: m ${SOFTMAX_ROWS.join(',')} x n sweep, prime strides, in place`, () => {
        for (const m of SOFTMAX_ROWS) {
          for (const n of SIZES.filter((s) => s > 0)) {
            const seed = seedOf(row.name, build, m, n);
            withSeed(seed, () => {
              const rng = new Rng(seed);
              const x = new Float32Array(m * n);
              for (let r = 0; r < m; r++) x.set(draw(rng, n, [SOFTMAX.domain[rng.int(0, SOFTMAX.domain.length - 1)]]), r * n);
              const h = harness(build);
              const what = `${row.name}(m=${m}, n=${n})`;
              const xs = nextPrime(n);
              const y = runSoftmax(h, row.name, m, n, x, xs, nextPrime(xs));
              expectMatch(y, softmaxOracle(m, n, x), SOFTMAX.tol, `${what} vs oracle`, x);
              if (row.isa !== 'ref') {
                expectMatch(y, runSoftmax(h, refName(row), m, n, x, xs, xs), SOFTMAX.vsRef, `${what} vs ref`, x);
              }
              expectSameBits(runSoftmax(h, row.name, m, n, x, xs, xs, true), y, `${what} in place`);
            });
          }
        }
      });
      it(`${row.name} [${build}]: m = 0 and n = 0 write nothing`, () => {
        const h = harness(build);
        const y = h.alloc(64);
        new Uint32Array(h.memory.buffer, y, 16).fill(SENTINEL);
        const x = h.put(new Float32Array(16).fill(1));
        h.exports[row.name](0, 5, x, y, 20, 20);
        h.exports[row.name](3, 0, x, y, 20, 20);
        h.checkGuards();
        expect([...new Uint32Array(h.memory.buffer, y, 16)].every((v) => v === SENTINEL)).toBe(true);
      });
      it(`${row.name} [${build}]: -inf entries, NaN and +inf rows, huge magnitudes`, () => {
        const I = Infinity;
        const rowsIn = [
          [-I, 0, -I, 1, -I],
          [-I, -I, 3, -I, -I, -I, -I, -I, -I],
          [1e30, 0, -1e30, 5],
          [-1e30, -1e30 * 1.0000001],
          [0, 1, 2, NaN, 4, 5, 6],
          [0, 1, 2, 3, 4, 5, NaN],
          [0, I, 1],
          [-I, -I, -I],
          [-I, -I, -I, -I, -I],
          [88, 88, -88, 0, 100],
          [-100, -100, -100, -100, -100, -100],
        ];
        const h = harness(build);
        for (const r of rowsIn) {
          const x = Float32Array.from(r);
          const y = runSoftmax(h, row.name, 1, x.length, x, x.length, x.length);
          expectMatch(y, softmaxRow(x), SOFTMAX.tol, `${row.name}([${r}])`, x);
          h.reset();
        }
      });
    }
  }
});

describe('exp/log-based kernels: dense sweep of the input range', () => {
  // 2 x 20001 points, log-spaced magnitudes 1e-8 .. 120 of both signs, run through every SIMD kernel.
  const mags = Array.from({ length: 20001 }, (_, i) => 1e-8 * Math.pow(120 / 1e-8, i / 20000));
  const x = Float32Array.from([...mags, ...mags.map((v) => -v)]);
  for (const oracle of UNARY.filter((o) => o.tol.rel > 0)) {
    const p = oracle.params?.[0];
    for (const row of ELTWISE_KERNELS.filter((r) => r.op === oracle.op)) {
      it(`${row.name} [simd build]`, () => {
        const h = harness('simd');
        const xp = h.put(x);
        const yp = h.alloc(4 * x.length);
        callUnary(h, row.name, x.length, xp, yp, p);
        h.checkGuards();
        expectMatch(h.f32(yp, x.length), Array.from(x, (v) => oracle.f(v, p ?? [])), oracle.tol, `${row.name} sweep vs oracle`, x);
      });
    }
  }
});
