/**
 * layernorm, matmul, embed, transpose, copy2d and batchnorm kernels: every row of MISC_KERNELS x
 * both builds, against the float64 oracle (test/oracle/misc.ts) and SIMD against ref; odd sizes,
 * batches, strides set to the next prime above the row width (gaps checked untouched), guard bytes,
 * palettized embed for bits 1..8 with per-tensor / grouped palettes and channel scales.
 */
import { describe, expect, it } from 'vitest';
import { MISC_KERNELS } from '../../src/runtime/kernels/misc.js';
import type { KernelRow } from '../../src/runtime/kernel-types.js';
import { packRows } from '../../src/encode/bitpack.js';
import { BUILDS, KernelHarness, type Build } from '../util/wasm.js';
import { Rng, withSeed } from '../util/rng.js';
import type { Tolerance } from '../util/compare.js';
import {
  BATCHNORM, LAYERNORM, MATMUL, batchnormOracle, embedRow, layernormRow, matmulOracle, transposeOracle,
} from '../oracle/misc.js';
import { nextPrime, seedOf } from '../util/sweep.js';

const OUR_OPS = new Set(['layernorm', 'matmul', 'embed', 'transpose', 'copy2d', 'batchnorm']);
const SENTINEL = 0x7fa5a5a5; // a NaN bit pattern no kernel produces

/** |a - e| <= abs + rel * mag[i] for every i (mag defaults to |e|). */
function expectTol(a: ArrayLike<number>, e: ArrayLike<number>, tol: Tolerance, what: string, mag?: ArrayLike<number>): void {
  expect(a.length, `${what}: length`).toBe(e.length);
  for (let i = 0; i < a.length; i++) {
    const lim = tol.abs + tol.rel * (mag ? mag[i] : Math.abs(e[i]));
    if (!(Math.abs(a[i] - e[i]) <= lim)) {
      throw new Error(`${what}[${i}] = ${a[i]}, expected ${e[i]} (|diff| ${Math.abs(a[i] - e[i])} > ${lim})`);
    }
  }
}

function expectSameBits(a: Float32Array, b: Float32Array, what: string): void {
  expect(a.length, `${what}: length`).toBe(b.length);
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < a.length; i++) if (ua[i] !== ub[i]) throw new Error(`${what}[${i}] = ${a[i]}, expected ${b[i]} (bit-exact)`);
}

const harnesses = new Map<Build, KernelHarness>();
const harness = (build: Build) => {
  let h = harnesses.get(build);
  if (!h) harnesses.set(build, (h = new KernelHarness(build)));
  h.reset();
  return h;
};
const refOf = (row: KernelRow) => MISC_KERNELS.find((r) => r.isa === 'ref' && r.op === row.op && r.wenc === row.wenc)!.name;
const rowsOf = (op: string) => MISC_KERNELS.filter((r) => r.op === op);

/** m rows of width n (given packed) laid out with a row stride of `stride` elements, gaps = SENTINEL. */
function strided(x: Float32Array, m: number, n: number, stride: number): Float32Array {
  const out = new Float32Array(Math.max(0, (m - 1) * stride + n));
  new Uint32Array(out.buffer).fill(SENTINEL);
  for (let r = 0; r < m; r++) out.set(x.subarray(r * n, r * n + n), r * stride);
  return out;
}

/** Reads m rows of n at `stride` from ptr; throws if a gap between rows was written. */
function unstride(h: KernelHarness, ptr: number, m: number, n: number, stride: number, what: string): Float32Array {
  const all = h.f32(ptr, Math.max(0, (m - 1) * stride + n));
  const bits = new Uint32Array(all.buffer);
  for (let r = 0; r + 1 < m; r++) {
    for (let i = n; i < stride; i++) if (bits[r * stride + i] !== SENTINEL) throw new Error(`${what}: wrote into the gap after row ${r}`);
  }
  const out = new Float32Array(m * n);
  for (let r = 0; r < m; r++) out.set(all.subarray(r * stride, r * stride + n), r * n);
  return out;
}

/** A sentinel-filled output region of m rows at `stride`. */
function outRegion(h: KernelHarness, m: number, n: number, stride: number): number {
  const len = Math.max(0, (m - 1) * stride + n);
  const p = h.alloc(4 * len);
  new Uint32Array(h.memory.buffer, p, len).fill(SENTINEL);
  return p;
}

function params(h: KernelHarness, slots: number[], floats: Record<number, number> = {}): number {
  const buf = new ArrayBuffer(48);
  const i32 = new Int32Array(buf);
  const f32 = new Float32Array(buf);
  slots.forEach((v, i) => (i32[i] = v));
  for (const [i, v] of Object.entries(floats)) f32[Number(i)] = v;
  return h.put(new Uint8Array(buf));
}

describe('misc kernel table', () => {
  for (const build of BUILDS) {
    it(`${build}: every row is exported and every exported ${[...OUR_OPS].join('/')} kernel has a row`, () => {
      const h = harness(build);
      const names = new Set(MISC_KERNELS.map((r) => r.name));
      for (const name of names) expect(typeof h.exports[name], name).toBe('function');
      const exported = Object.keys(h.exports).filter((k) => k.includes('__') && OUR_OPS.has(k.split('_')[1]));
      expect(exported.sort()).toEqual([...names].sort());
    });
  }
});


// ---- layernorm -------------------------------------------------------------------------------------
const LN_SIZES = [1, 3, 4, 5, 7, 8, 16, 17, 33, 103, 1001];
const LN_DOMAINS: Array<[number, number]> = [[-1, 1], [99, 101], [-1000, 1000]];

function runLayernorm(
  h: KernelHarness, name: string, m: number, n: number, x: Float32Array, g: Float32Array | undefined, b: Float32Array | undefined,
  eps: number, xs: number, ys: number, inPlace = false,
): Float32Array {
  const xb = strided(x, m, n, xs);
  const xp = h.put(xb);
  const yp = inPlace ? xp : outRegion(h, m, n, ys);
  const gp = g ? h.put(g) : 0;
  const bp = b ? h.put(b) : 0;
  h.exports[name](m, n, xp, yp, gp, bp, 4 * xs, 4 * ys, params(h, [], { 0: eps }));
  h.checkGuards();
  if (!inPlace) expectSameBits(h.f32(xp, xb.length), xb, `${name}: input`);
  return unstride(h, yp, m, n, inPlace ? xs : ys, name);
}

describe('layernorm', () => {
  for (const row of rowsOf('layernorm')) {
    for (const build of BUILDS) {
      it(`${row.name} [${build}]: m 1,2,5 x n ${LN_SIZES.join(',')}, gamma/beta on/off, prime strides, in place`, () => {
        for (const m of [1, 2, 5]) {
          for (const n of LN_SIZES) {
            const seed = seedOf(row.name, build, m, n);
            withSeed(seed, () => {
              const rng = new Rng(seed);
              const [lo, hi] = LN_DOMAINS[rng.int(0, LN_DOMAINS.length - 1)];
              const x = rng.floats(m * n, lo, hi);
              const g = rng.next() < 0.75 ? rng.floats(n, -2, 2) : undefined;
              const b = rng.next() < 0.75 ? rng.floats(n, -1, 1) : undefined;
              const eps = [1e-5, 1e-12, 0.1][rng.int(0, 2)];
              const h = harness(build);
              const what = `${row.name}(m=${m}, n=${n}, x in [${lo}, ${hi}], gamma ${!!g}, beta ${!!b})`;
              const xs = nextPrime(n);
              const y = runLayernorm(h, row.name, m, n, x, g, b, eps, xs, nextPrime(xs));
              for (let r = 0; r < m; r++) {
                const o = layernormRow(x.subarray(r * n, r * n + n), eps, g, b);
                // n = 1: x - mean = 0 exactly, y = beta
                const tol = { abs: n === 1 ? 0 : LAYERNORM.tol.abs, rel: LAYERNORM.tol.rel };
                expectTol(y.subarray(r * n, r * n + n), o.y, tol, `${what} row ${r} vs oracle`, o.mag);
              }
              if (row.isa !== 'ref') {
                const yr = runLayernorm(h, refOf(row), m, n, x, g, b, eps, xs, xs);
                for (let r = 0; r < m; r++) {
                  const o = layernormRow(x.subarray(r * n, r * n + n), eps, g, b);
                  expectTol(y.subarray(r * n, r * n + n), yr.subarray(r * n, r * n + n), LAYERNORM.vsRef, `${what} row ${r} vs ref`, o.mag);
                }
              }
              expectSameBits(runLayernorm(h, row.name, m, n, x, g, b, eps, xs, xs, true), y, `${what} in place`);
            });
          }
        }
      });
      it(`${row.name} [${build}]: constant rows, NaN / inf rows, m = 0, n = 0`, () => {
        const h = harness(build);
        const eps = 1e-5;
        for (const [c, n] of [[0.1, 7], [-1000, 33], [3, 1], [1e-3, 100]] as Array<[number, number]>) {
          const x = new Float32Array(n).fill(c);
          const b = Float32Array.from({ length: n }, (_, i) => i / 8 - 1);
          const y = runLayernorm(h, row.name, 1, n, x, undefined, b, eps, n, n);
          expectTol(y, b, { abs: LAYERNORM.constRowAbs(Math.abs(c), eps), rel: 0 }, `${row.name} constant row ${c} x ${n}`);
          h.reset();
        }
        for (const bad of [NaN, Infinity]) {
          const x = Float32Array.from({ length: 9 }, (_, i) => (i === 6 ? bad : i));
          const y = runLayernorm(h, row.name, 1, 9, x, undefined, undefined, eps, 9, 9);
          expect([...y].every(Number.isNaN), `${row.name}: row with ${bad}`).toBe(true);
          h.reset();
        }
        const yp = outRegion(h, 4, 4, 4);
        const xp = h.put(new Float32Array(16).fill(1));
        h.exports[row.name](0, 4, xp, yp, 0, 0, 16, 16, params(h, [], { 0: eps }));
        h.exports[row.name](4, 0, xp, yp, 0, 0, 16, 16, params(h, [], { 0: eps }));
        h.checkGuards();
        expect([...new Uint32Array(h.memory.buffer, yp, 16)].every((v) => v === SENTINEL)).toBe(true);
      });
    }
  }
});

// ---- matmul ------------------------------------------------------------------------------------------
interface MatmulCase { batch: number; m: number; n: number; k: number; transB: boolean; alpha: number; bcastB: boolean }

/** Lays A, B, C out with prime row strides and padded batch strides; returns C [batch][m][n] packed. */
function runMatmul(h: KernelHarness, name: string, c: MatmulCase, A: Float32Array, B: Float32Array): Float32Array {
  const { batch, m, n, k, transB } = c;
  const [bRows, bCols] = transB ? [n, k] : [k, n];
  const as = nextPrime(k), bs = nextPrime(bCols), cs = nextPrime(n);
  const ab = m * as + 3, bb = c.bcastB ? 0 : bRows * bs + 1, cb = m * cs + 2;
  const put = (src: Float32Array, rows: number, cols: number, rs: number, bstride: number, nb: number) => {
    const buf = new Float32Array(Math.max(1, (nb - 1) * bstride + rows * rs));
    for (let z = 0; z < nb; z++) buf.set(strided(src.subarray(z * rows * cols, (z + 1) * rows * cols), rows, cols, rs), z * bstride);
    return h.put(buf);
  };
  const ap = put(A, m, k, as, ab, batch);
  const bp = put(B, bRows, bCols, bs, bb, c.bcastB ? 1 : batch);
  const clen = Math.max(1, batch * cb);
  const cp = h.alloc(4 * clen);
  new Uint32Array(h.memory.buffer, cp, clen).fill(SENTINEL);
  const pp = params(h, [transB ? 1 : 0, 0, 4 * ab, 4 * bb, 4 * cb], { 1: c.alpha });
  h.exports[name](batch, m, n, k, ap, bp, cp, 4 * as, 4 * bs, 4 * cs, pp);
  h.checkGuards();
  const all = h.f32(cp, clen);
  const bits = new Uint32Array(all.buffer);
  const out = new Float32Array(batch * m * n);
  for (let z = 0; z < batch; z++) {
    for (let i = 0; i < m; i++) out.set(all.subarray(z * cb + i * cs, z * cb + i * cs + n), (z * m + i) * n);
  }
  for (let t = 0; t < clen; t++) {
    const z = Math.floor(t / cb), i = Math.floor((t % cb) / cs), j = (t % cb) % cs;
    const inside = z < batch && i < m && j < n;
    if (!inside && bits[t] !== SENTINEL) throw new Error(`${name}: wrote outside C at ${t}`);
  }
  return out;
}

describe('matmul', () => {
  const MS = [1, 3, 4, 5, 9];
  const NS = [1, 3, 4, 5, 7, 8, 9, 17, 33];
  const KS = [1, 5, 17, 64];
  for (const row of rowsOf('matmul')) {
    for (const build of BUILDS) {
      for (const transB of [false, true]) {
        it(`${row.name} [${build}] ${transB ? 'A B^T' : 'A B'}: m ${MS} x n ${NS} x k ${KS}, batch 2 (B broadcast), alpha`, () => {
          for (const m of MS) for (const n of NS) for (const k of KS) {
            const seed = seedOf(row.name, build, transB, m, n, k);
            withSeed(seed, () => {
              const rng = new Rng(seed);
              const c: MatmulCase = { batch: 2, m, n, k, transB, alpha: rng.next() < 0.5 ? 1 : 0.125, bcastB: rng.next() < 0.25 };
              const A = rng.floats(2 * m * k);
              const B = rng.floats((c.bcastB ? 1 : 2) * n * k);
              const Bfull = c.bcastB ? Float32Array.from({ length: 2 * n * k }, (_, i) => B[i % (n * k)]) : B;
              const h = harness(build);
              const what = `${row.name}(m=${m}, n=${n}, k=${k}, bcastB ${c.bcastB})`;
              const y = runMatmul(h, row.name, c, A, B);
              const o = matmulOracle(2, m, n, k, A, Bfull, transB, c.alpha);
              expectTol(y, o.y, MATMUL.tolFor(k), `${what} vs oracle`, o.mag);
              if (row.isa !== 'ref') expectTol(y, runMatmul(h, refOf(row), c, A, B), MATMUL.vsRefFor(k), `${what} vs ref`, o.mag);
            });
          }
        });
      }
      it(`${row.name} [${build}]: k = 0 gives zeros; batch, m or n = 0 write nothing`, () => {
        const h = harness(build);
        for (const transB of [false, true]) {
          const y = runMatmul(h, row.name, { batch: 2, m: 5, n: 9, k: 0, transB, alpha: 1, bcastB: false }, new Float32Array(0), new Float32Array(0));
          expect([...y].every((v) => v === 0)).toBe(true);
          for (const [batch, m, n] of [[0, 3, 3], [2, 0, 3], [2, 3, 0]]) {
            runMatmul(h, row.name, { batch, m, n, k: 4, transB, alpha: 1, bcastB: false }, new Float32Array(batch * m * 4), new Float32Array(batch * n * 4));
          }
          h.reset();
        }
      });
    }
  }
});

// ---- embed -------------------------------------------------------------------------------------------
const EMB_DIMS = [1, 3, 5, 7, 16, 17, 33, 103];
const VOCAB = 37;

interface EmbedTable { w: Uint8Array; pal: Float32Array; idx: Uint8Array; bits: number; groupRows: number; cs?: Float32Array; dense?: Float32Array }

function makeTable(rng: Rng, dim: number, bits: number, grouped: boolean, withScale: boolean): EmbedTable {
  if (bits === 0) {
    const dense = rng.floats(VOCAB * dim);
    return { w: new Uint8Array(dense.buffer), pal: new Float32Array(0), idx: new Uint8Array(0), bits, groupRows: 1, dense };
  }
  const groupRows = grouped ? 5 : VOCAB;
  const pal = rng.floats(Math.ceil(VOCAB / groupRows) << bits, -2, 2);
  const idx = Uint8Array.from({ length: VOCAB * dim }, () => rng.int(0, (1 << bits) - 1));
  const cs = withScale ? rng.floats(VOCAB, 0.25, 4) : undefined;
  return { w: packRows(idx, VOCAB, dim, bits), pal, idx, bits, groupRows, cs };
}

function runEmbed(h: KernelHarness, name: string, t: EmbedTable, dim: number, ids: number[], ys: number): Float32Array {
  const m = ids.length;
  const idp = h.put(Int32Array.from(ids));
  const wp = h.put(t.w);
  const pp = t.pal.length ? h.put(t.pal) : 0;
  const csp = t.cs ? h.put(t.cs) : 0;
  const scratch = h.alloc(224);
  const yp = outRegion(h, m, dim, ys);
  h.exports[name](m, dim, VOCAB, idp, wp, pp, yp, 4 * ys, params(h, [t.bits, t.groupRows, 0, 0, csp, scratch]));
  h.checkGuards();
  return unstride(h, yp, m, dim, ys, name);
}

function embedExpected(t: EmbedTable, dim: number, ids: number[]): Float32Array {
  const out = new Float32Array(ids.length * dim);
  ids.forEach((id, i) => {
    if (id < 0 || id >= VOCAB) return;
    out.set(t.dense ? t.dense.subarray(id * dim, id * dim + dim) : embedRow(id, dim, t.idx, t.pal, t.bits, t.groupRows, t.cs), i * dim);
  });
  return out;
}

describe('embed', () => {
  for (const row of rowsOf('embed')) {
    const bitsList = row.wenc === 'dense' ? [0] : [1, 2, 3, 4, 5, 6, 7, 8];
    for (const build of BUILDS) {
      it(`${row.name} [${build}]: dim ${EMB_DIMS}${bitsList.length > 1 ? ', bits 1..8, per-tensor / grouped palettes, channel scales' : ''}, exact`, () => {
        for (const bits of bitsList) for (const dim of EMB_DIMS) for (const grouped of bits ? [false, true] : [false]) {
          const seed = seedOf(row.name, build, bits, dim, grouped);
          withSeed(seed, () => {
            const rng = new Rng(seed);
            const t = makeTable(rng, dim, bits, grouped, rng.next() < 0.6);
            // first and last rows, repeats, a run of one palette group
            const ids = [0, VOCAB - 1, 5, 5, 6, 7, 8, 9, rng.int(0, VOCAB - 1), rng.int(0, VOCAB - 1), 36, 1];
            const h = harness(build);
            const what = `${row.name}(bits=${bits}, dim=${dim}, grouped ${grouped}, chscale ${!!t.cs})`;
            const y = runEmbed(h, row.name, t, dim, ids, nextPrime(dim));
            expectSameBits(y, embedExpected(t, dim, ids), `${what} vs oracle`);
            if (row.isa !== 'ref') expectSameBits(y, runEmbed(h, refOf(row), t, dim, ids, dim), `${what} vs ref`);
          });
        }
      });
      it(`${row.name} [${build}]: ids outside [0, vocab) ${build === 'debug' ? 'assert' : 'give rows of zeros'}; m = 0`, () => {
        const h = harness(build);
        const t = makeTable(new Rng(7), 17, row.wenc === 'dense' ? 0 : 3, true, true);
        const ids = [3, -1, VOCAB, 2 ** 31 - 1, 4];
        if (build === 'debug') {
          expect(() => runEmbed(h, row.name, t, 17, ids, 19)).toThrow(/assert/);
        } else {
          expectSameBits(runEmbed(h, row.name, t, 17, ids, 19), embedExpected(t, 17, ids), `${row.name} bad ids`);
        }
        h.reset();
        expect(runEmbed(h, row.name, t, 17, [], 19).length).toBe(0);
      });
    }
  }
});

// ---- transpose -----------------------------------------------------------------------------------
function runTranspose(h: KernelHarness, name: string, x: Float32Array, dims: number[], perm: number[]): Float32Array {
  const slots = new Array(12).fill(0);
  dims.forEach((d, i) => (slots[i] = d));
  perm.forEach((p, i) => (slots[6 + i] = p));
  const xp = h.put(x);
  const yp = h.alloc(4 * x.length);
  h.exports[name](dims.length, xp, yp, params(h, slots));
  h.checkGuards();
  expectSameBits(h.f32(xp, x.length), x, `${name}: input`);
  return h.f32(yp, x.length);
}

function shuffle(rng: Rng, r: number): number[] {
  const p = Array.from({ length: r }, (_, i) => i);
  for (let i = r - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

describe('transpose', () => {
  const FIXED: Array<[number[], number[]]> = [
    [[7], [0]], [[0, 5], [1, 0]], [[1, 1, 1], [2, 0, 1]],
    [[2, 3, 4, 5], [0, 2, 1, 3]], [[2, 3, 4, 5], [0, 2, 3, 1]], [[3, 1, 4, 1, 5], [4, 3, 2, 1, 0]],
    [[2, 3, 2, 3, 2, 3], [4, 3, 2, 1, 0, 5]], [[2, 3, 2, 3, 2, 3], [5, 4, 3, 2, 1, 0]], [[2, 3, 2, 3, 2, 3], [0, 1, 2, 3, 4, 5]],
    [[67, 131], [1, 0]], [[5, 64, 9], [2, 1, 0]], [[3, 17, 33], [0, 2, 1]],
  ];
  for (const row of rowsOf('transpose')) {
    for (const build of BUILDS) {
      it(`${row.name} [${build}]: 2-D 1..33 x 1..33, fixed shapes, 200 random rank 1..6 shapes and perms, exact`, () => {
        const h = harness(build);
        const cases: Array<[number[], number[]]> = [...FIXED];
        for (const r of [1, 2, 3, 4, 5, 7, 8, 9, 17, 33]) for (const c of [1, 3, 4, 5, 8, 13, 33]) cases.push([[r, c], [1, 0]]);
        const rng = new Rng(seedOf(row.name, build));
        for (let i = 0; i < 200; i++) {
          const rank = rng.int(1, 6);
          cases.push([Array.from({ length: rank }, () => [1, 2, 3, 4, 5, 7][rng.int(0, 5)]), shuffle(rng, rank)]);
        }
        for (const [dims, perm] of cases) {
          const x = Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => i + 0.5);
          const what = `${row.name}(dims [${dims}], perm [${perm}])`;
          const y = runTranspose(h, row.name, x, dims, perm);
          expectSameBits(y, transposeOracle(x, dims, perm), what);
          h.reset();
        }
      });
    }
  }
});

// ---- copy2d (concat) ------------------------------------------------------------------------------
describe('copy2d', () => {
  for (const row of rowsOf('copy2d')) {
    for (const build of BUILDS) {
      it(`${row.name} [${build}]: rows 0,1,3,5 x cols 0..103, prime and contiguous strides, exact`, () => {
        for (const rows of [0, 1, 3, 5]) for (const cols of [0, 1, 3, 4, 5, 17, 103]) for (const contiguous of [false, true]) {
          const h = harness(build);
          const rng = new Rng(seedOf(row.name, build, rows, cols));
          const x = rng.floats(rows * cols);
          const xs = contiguous ? cols : nextPrime(cols), ys = contiguous ? cols : nextPrime(xs);
          const xp = h.put(strided(x, rows, cols, xs));
          const yp = outRegion(h, rows, cols, ys);
          h.exports[row.name](rows, cols, xp, yp, 4 * xs, 4 * ys);
          h.checkGuards();
          expectSameBits(unstride(h, yp, rows, cols, ys, row.name), x, `${row.name}(rows=${rows}, cols=${cols}, strides ${xs}/${ys})`);
        }
      });
      it(`${row.name} [${build}]: concat of [5,3,2], [5,1,2], [5,4,2] along axis 1`, () => {
        const h = harness(build);
        const inner = [6, 2, 8], outer = 5, total = 16;
        const rng = new Rng(3);
        const xs = inner.map((w) => rng.floats(outer * w));
        const yp = h.alloc(4 * outer * total);
        let off = 0;
        inner.forEach((w, i) => {
          h.exports[row.name](outer, w, h.put(xs[i]), yp + 4 * off, 4 * w, 4 * total);
          off += w;
        });
        h.checkGuards();
        const expected = new Float32Array(outer * total);
        for (let r = 0; r < outer; r++) {
          let o = 0;
          inner.forEach((w, i) => { expected.set(xs[i].subarray(r * w, r * w + w), r * total + o); o += w; });
        }
        expectSameBits(h.f32(yp, outer * total), expected, `${row.name} concat`);
      });
    }
  }
});

// ---- batchnorm ---------------------------------------------------------------------------------
describe('batchnorm', () => {
  for (const row of rowsOf('batchnorm')) {
    for (const build of BUILDS) {
      it(`${row.name} [${build}]: NHWC and NCHW, n 1,2 x c 1..17 x hw 1..17, shift on/off, in place`, () => {
        for (const nchw of [false, true]) for (const n of [1, 2]) for (const c of [1, 3, 4, 5, 7, 17]) for (const hw of [1, 3, 5, 17]) {
          const seed = seedOf(row.name, build, nchw, n, c, hw);
          withSeed(seed, () => {
            const rng = new Rng(seed);
            const x = rng.floats(n * c * hw, -10, 10);
            const scale = rng.floats(c, -2, 2);
            const shift = rng.next() < 0.7 ? rng.floats(c, -3, 3) : undefined;
            const h = harness(build);
            const what = `${row.name}(${nchw ? 'NCHW' : 'NHWC'}, n=${n}, c=${c}, hw=${hw}, shift ${!!shift})`;
            const run = (name: string, inPlace: boolean) => {
              const xp = h.put(x);
              const yp = inPlace ? xp : h.alloc(4 * x.length);
              h.exports[name](n, c, hw, xp, h.put(scale), shift ? h.put(shift) : 0, yp, params(h, [nchw ? 1 : 0]));
              h.checkGuards();
              if (!inPlace) expectSameBits(h.f32(xp, x.length), x, `${what}: input`);
              return h.f32(yp, x.length);
            };
            const y = run(row.name, false);
            const o = batchnormOracle(n, c, hw, x, scale, shift, nchw);
            expectTol(y, o.y, BATCHNORM.tol, `${what} vs oracle`, o.mag);
            if (row.isa !== 'ref') expectSameBits(y, run(refOf(row), false), `${what} vs ref`);
            expectSameBits(run(row.name, true), y, `${what} in place`);
          });
        }
      });
    }
  }
});
