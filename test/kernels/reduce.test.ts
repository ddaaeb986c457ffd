/**
 * Reduction kernels: rsum / rmax (each row of [m, n] over its innermost n) and rdsum / rdmax
 * ([m, r, n] over the middle r, innermost kept): every row of REDUCE_KERNELS x both builds x
 * m, r and n sweeps straddling the 4- and 16-value blocks, against the float64 oracle with the
 * summation error bound of test/oracle/reduce.ts, SIMD against ref; guard bytes, untouched input,
 * NaN / inf / -0 rows.
 */
import { describe, expect, it } from 'vitest';
import { REDUCE_KERNELS } from '../../src/runtime/kernels/broadcast.js';
import type { KernelRow } from '../../src/runtime/kernel-types.js';
import { BUILDS, KernelHarness, type Build } from '../util/wasm.js';
import { Rng, withSeed } from '../util/rng.js';
import { reduceOne, type Expected, type ReduceKind } from '../oracle/reduce.js';
import { seedOf } from '../util/sweep.js';

const MS = [0, 1, 2, 3, 5];
const NS = [1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 33, 64, 67, 1001];
const RS = [1, 2, 3, 7, 16, 33];
const NS_D = [1, 3, 4, 5, 7, 8, 15, 16, 17, 19, 31, 33, 67];
const DIVISORS = (count: number) => [1, count, 3];

const harnesses = new Map<Build, KernelHarness>();
const harness = (build: Build) => {
  let h = harnesses.get(build);
  if (!h) harnesses.set(build, (h = new KernelHarness(build)));
  h.reset();
  return h;
};
const kindOf = (row: KernelRow): ReduceKind => (row.op.endsWith('sum') ? 'sum' : 'max');
const refName = (row: KernelRow) => `f32_${row.op}__ref`;

/** Longest chain of f32 additions of a kernel (0 for a float64 ref): what the error bound scales with. */
function chainOf(row: KernelRow, n: number, r: number): number {
  if (row.isa === 'ref' || kindOf(row) === 'max') return 0;
  return row.op === 'rsum' ? Math.ceil(n / 4) + 8 : r + 1;
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return ua.every((v, i) => v === ub[i] || (Number.isNaN(a[i]) && Number.isNaN(b[i])));
}

function expectWithin(got: Float32Array, want: Expected[], what: string): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  want.forEach((w, i) => {
    const g = got[i];
    const msg = `${what}[${i}] = ${g}, expected ${w.value}`;
    if (Number.isNaN(w.value) || !Number.isFinite(w.value)) {
      if (!Object.is(g, w.value) && !(Number.isNaN(g) && Number.isNaN(w.value))) throw new Error(msg);
    } else if (!(Math.abs(g - w.value) <= w.bound)) throw new Error(`${msg} (|diff| ${Math.abs(g - w.value)} > ${w.bound})`);
  });
}

/** Runs a reduction on x = [m, r, n] (r = 1 for rows kernels, which see [m, n]); returns y. */
function run(h: KernelHarness, row: KernelRow, m: number, r: number, n: number, x: Float32Array, divisor: number, name = row.name): Float32Array {
  const rows = row.op === 'rsum' || row.op === 'rmax';
  const xp = h.put(x);
  const out = rows ? m : m * n;
  const yp = h.alloc(4 * out);
  const params = h.put(Float32Array.of(divisor, 0, 0, 0, 0, 0, 0, 0));
  const sum = kindOf(row) === 'sum';
  if (rows) h.exports[name](m, n, xp, yp, ...(sum ? [params] : []));
  else h.exports[name](m, r, n, xp, yp, ...(sum ? [params] : []));
  h.checkGuards();
  if (!sameBits(h.f32(xp, x.length), x)) throw new Error(`${name}: input changed`);
  return h.f32(yp, out);
}

/** Oracle for one call: rows kernels reduce each row of n; rd kernels each column of [r, n] per block. */
function oracle(row: KernelRow, m: number, r: number, n: number, x: Float32Array, divisor: number): Expected[] {
  const rows = row.op === 'rsum' || row.op === 'rmax';
  const kind = kindOf(row);
  const chain = chainOf(row, n, r);
  const out: Expected[] = [];
  if (rows) {
    for (let i = 0; i < m; i++) out.push(reduceOne(kind, Array.from(x.subarray(i * n, i * n + n)), divisor, chain));
  } else {
    for (let i = 0; i < m; i++) {
      for (let c = 0; c < n; c++) out.push(reduceOne(kind, Array.from({ length: r }, (_, k) => x[(i * r + k) * n + c]), divisor, chain));
    }
  }
  return out;
}

function check(h: KernelHarness, row: KernelRow, m: number, r: number, n: number, x: Float32Array, divisor: number, what: string): void {
  const y = run(h, row, m, r, n, x, divisor);
  const want = oracle(row, m, r, n, x, divisor);
  expectWithin(y, want, `${what} vs oracle`);
  if (row.isa !== 'ref') {
    const yr = run(h, row, m, r, n, x, divisor, refName(row));
    const refWant = oracle({ ...row, isa: 'ref' }, m, r, n, x, divisor);
    // Both within their bounds of the exact value, so within the sum of the bounds of each other.
    expectWithin(y, Array.from(yr, (v, i) => ({ value: v, bound: want[i].bound + refWant[i].bound })), `${what} vs ref`);
  }
}

describe('reduction kernel table', () => {
  for (const build of BUILDS) {
    it(`${build}: every row is exported, every exported r* kernel has a row, each op has ref + simd`, () => {
      const h = harness(build);
      const ops = new Set(['rsum', 'rmax', 'rdsum', 'rdmax']);
      const exported = Object.keys(h.exports).filter((k) => k.includes('__') && ops.has(k.split('_')[1]));
      expect(exported.sort()).toEqual(REDUCE_KERNELS.map((r) => r.name).sort());
      for (const op of ops) expect(REDUCE_KERNELS.filter((r) => r.op === op).map((r) => r.isa).sort()).toEqual(['ref', 'simd']);
    });
  }
});

for (const row of REDUCE_KERNELS) {
  const rows = row.op === 'rsum' || row.op === 'rmax';
  describe(row.op, () => {
    for (const build of BUILDS) {
      it(`${row.name} [${build}]: ${rows ? `m ${MS.join(',')} x n ${NS.join(',')}` : `m x r ${RS.join(',')} x n ${NS_D.join(',')}`}, vs oracle${row.isa === 'ref' ? '' : ' and ref'}`, () => {
        for (const m of MS) {
          for (const r of rows ? [1] : RS) {
            for (const n of rows ? NS : NS_D) {
              const seed = seedOf(row.name, build, m, r, n);
              withSeed(seed, () => {
                const rng = new Rng(seed);
                // Mixed signs and magnitudes; a quarter of the cases all positive (no cancellation).
                const lo = rng.int(0, 3) === 0 ? 0 : -100;
                const x = rng.floats(m * r * n, lo, 100);
                const divs = kindOf(row) === 'sum' ? DIVISORS(rows ? n : r) : [1];
                for (const d of divs) check(harness(build), row, m, r, n, x, d, `${row.name}(m=${m}, r=${r}, n=${n}, divisor ${d})`);
              });
            }
          }
        }
      });
      it(`${row.name} [${build}]: NaN, +-inf, -0 and huge values, at every position`, () => {
        const I = Infinity;
        const cases = [[NaN, 1, 2], [1, 2, 3, 4, 5, NaN], [I, 1, -2], [-I, 5, 6, 7, 8], [I, -I, 0], [-0, -0, -0, -0, -0], [-0, 0],
          [-I, -I, -I], [3e38, -3e38, 1], [1e-45, 1e-45, -1e-45], [-5, -3, -4, -7, -1, -2, -6, -8, -9]];
        for (const c of cases) {
          for (let shift = 0; shift < c.length; shift++) {
            const v = Float32Array.from(c.map((_, i) => c[(i + shift) % c.length]));
            const h = harness(build);
            // As one row of a rows kernel, or as one column (r = length, n = 5: lanes and tail) of an rd kernel.
            if (rows) check(h, row, 1, 1, v.length, v, 1, `${row.name}([${Array.from(v)}])`);
            else {
              const x = new Float32Array(v.length * 5);
              for (let k = 0; k < v.length; k++) for (let cc = 0; cc < 5; cc++) x[k * 5 + cc] = cc === shift % 5 ? v[k] : cc;
              check(h, row, 1, v.length, 5, x, 1, `${row.name}(column [${Array.from(v)}])`);
            }
          }
        }
      });
    }
  });
}
