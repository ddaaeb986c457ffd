/**
 * Training kernels of the transformer ops (assembly/kernels/train: layernormgrad, softmaxgrad,
 * vgelugrad, embedgrad, seqmean, seqmeangrad): every ref and SIMD row x both builds (debug: asserts
 * on) against the float64 oracles of test/oracle/text.ts, SIMD against ref; lengths around the
 * 4-lane remainder, prime row strides (gaps must stay untouched), guard bytes after every output,
 * NaN in outputs that are overwritten (they must never be read).
 *
 * Tolerances (vs float64): layernormgrad 1e-5 x (1 + |terms|) (f32 sums over n <= 67);
 * softmaxgrad 1e-6 x (|y| (|dy| + sum |y dy|) + 1e-3); vgelugrad 1e-6 x (1 + |dx|) (the erfc
 * approximation is 1.2e-7 relative); embedgrad / seqmeangrad: the same f32 additions as the oracle
 * order (1e-6 relative); seqmean (T + 1) 2^-24 x mean |x| (+ 1e-7).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TRAIN_KERNELS } from '../../src/runtime/kernels/train.js';
import { Rng, withSeed } from '../util/rng.js';
import { nextPrime, seedOf } from '../util/sweep.js';
import { embeddingGradOracle, geluDerivOracle, layerNormGradOracle, seqMeanOracle, softmaxGradOracle, softmaxOracle } from '../oracle/text.js';

type Build = 'simd' | 'debug';
const BUILDS: Build[] = ['debug', 'simd'];
const SENTINEL = 0x7fa5a5a5;
const GUARD = 16;

class Harness {
  readonly x: Record<string, any>;
  readonly mem: WebAssembly.Memory;
  private top: number;
  private guards: number[] = [];
  constructor(build: Build) {
    const url = new URL(build === 'simd' ? '../../build/wpal.train.wasm' : '../../build/wpal.train.debug.wasm', import.meta.url);
    const inst = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(fileURLToPath(url))), {
      env: { abort: (_m: number, _f: number, l: number, c: number) => { throw new Error(`wasm assert at ${l}:${c}`); } },
    });
    this.x = inst.exports as Record<string, any>;
    this.mem = this.x.memory;
    this.top = Number(this.x.heap_base());
  }
  alloc(bytes: number): number {
    const p = (this.top + 15) & ~15;
    const end = p + bytes + GUARD;
    if (end > this.mem.buffer.byteLength) this.mem.grow(Math.ceil((end - this.mem.buffer.byteLength) / 65536));
    new Uint32Array(this.mem.buffer, p, bytes >> 2).fill(SENTINEL);
    new Uint8Array(this.mem.buffer, p + bytes, GUARD).fill(0xa5);
    this.guards.push(p + bytes);
    this.top = end;
    return p;
  }
  put(a: Float32Array | Int32Array): number {
    const p = this.alloc(a.byteLength);
    new Uint8Array(this.mem.buffer, p, a.byteLength).set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    return p;
  }
  f32(p: number, n: number): Float32Array {
    return new Float32Array(this.mem.buffer, p, n).slice();
  }
  params(ints: number[], floats: Record<number, number> = {}): number {
    const p = this.alloc(32 * 4);
    const i = new Int32Array(this.mem.buffer, p, 32), f = new Float32Array(this.mem.buffer, p, 32);
    i.fill(0);
    ints.forEach((v, s) => (i[s] = v));
    for (const [s, v] of Object.entries(floats)) f[Number(s)] = v;
    return p;
  }
  checkGuards(): void {
    const m = new Uint8Array(this.mem.buffer);
    for (const g of this.guards) for (let i = 0; i < GUARD; i++) if (m[g + i] !== 0xa5) throw new Error(`wrote past a buffer end (${g + i})`);
  }
}

function within(a: ArrayLike<number>, e: ArrayLike<number>, bound: (i: number) => number, what: string): void {
  expect(a.length, `${what}: length`).toBe(e.length);
  for (let i = 0; i < a.length; i++) {
    if (!(Math.abs(a[i] - e[i]) <= bound(i))) throw new Error(`${what}[${i}] = ${a[i]}, expected ${e[i]} (|diff| ${Math.abs(a[i] - e[i])} > ${bound(i)})`);
  }
}
function sameBits(a: Float32Array, b: Float32Array, what: string): void {
  const ua = new Uint32Array(a.buffer), ub = new Uint32Array(b.buffer);
  for (let i = 0; i < a.length; i++) if (ua[i] !== ub[i]) throw new Error(`${what}[${i}] = ${a[i]} vs ref ${b[i]} (bit-exact)`);
}
const rowsOf = (op: string) => {
  const r = TRAIN_KERNELS.filter((k) => k.op === op);
  expect(r.map((k) => k.isa).sort(), op).toEqual(['ref', 'simd']);
  return r;
};

/** rows of n at a prime stride s (gap = SENTINEL bits, or NaN when `nan`). */
function strided(src: ArrayLike<number>, m: number, n: number, s: number): Float32Array {
  const o = new Float32Array(Math.max(1, m * s));
  new Uint32Array(o.buffer).fill(SENTINEL);
  for (let r = 0; r < m; r++) for (let j = 0; j < n; j++) o[r * s + j] = src[r * n + j];
  return o;
}
/** The m x n values of a strided block, checking the gaps are untouched. */
function unstride(h: Harness, p: number, m: number, n: number, s: number, what: string): Float32Array {
  const all = h.f32(p, Math.max(1, m * s));
  const bits = new Uint32Array(all.buffer);
  const out = new Float32Array(m * n);
  for (let r = 0; r < m; r++) {
    for (let j = 0; j < n; j++) out[r * n + j] = all[r * s + j];
    for (let j = n; j < s && r * s + j < bits.length; j++) if (bits[r * s + j] !== SENTINEL) throw new Error(`${what}: wrote into the gap of row ${r}`);
  }
  return out;
}

describe('layernormgrad', () => {
  for (const build of BUILDS) {
    it(`dx, dgamma, dbeta vs float64; accumulate; gamma absent; large mean (${build})`, () => {
      const h = new Harness(build);
      for (const m of [1, 3, 6]) for (const n of [1, 3, 4, 5, 16, 67]) for (const acc of [0, 1]) for (const withGamma of [true, false]) {
        const seed = seedOf('layernormgrad', m, n, acc, withGamma);
        withSeed(seed, () => {
          const rng = new Rng(seed);
          const shift = n === 16 ? 100 : 0; // |mean| >> std
          const x = Float32Array.from(rng.floats(m * n), (v) => v + shift), dy = rng.floats(m * n), g = rng.floats(n, 0.5, 1.5);
          const base = rng.floats(m * n), gb = rng.floats(n), bb = rng.floats(n);
          const eps = 1e-5;
          const o = layerNormGradOracle(x, dy, withGamma ? g : null, m, n, eps);
          const s = nextPrime(n);
          let ref: Float32Array[] | null = null;
          for (const row of rowsOf('layernormgrad')) {
            const pdx = h.put(strided(acc ? base : new Float32Array(m * n).fill(NaN), m, n, s));
            const pdg = h.put(acc ? gb : new Float32Array(n).fill(NaN)), pdb = h.put(acc ? bb : new Float32Array(n).fill(NaN));
            h.x[row.name](m, n, h.put(strided(x, m, n, s)), h.put(strided(dy, m, n, s)), withGamma ? h.put(g) : 0, pdx, pdg, pdb, s * 4, s * 4, s * 4, h.params([0, acc, acc], { 0: eps }));
            h.checkGuards();
            const dx = unstride(h, pdx, m, n, s, row.name), dg = h.f32(pdg, n), db = h.f32(pdb, n);
            const wdx = o.dx.map((v, i) => v + (acc ? base[i] : 0));
            // scale of the terms: rstd (|g| + |mean g| + |xhat| |mean g xhat|) ~ rstd x 3 max|g|
            let rstd = 0;
            for (let r = 0; r < m; r++) {
              let mu = 0; for (let i = 0; i < n; i++) mu += x[r * n + i] / n;
              let v = 0; for (let i = 0; i < n; i++) v += (x[r * n + i] - mu) ** 2 / n;
              rstd = Math.max(rstd, 1 / Math.sqrt(v + eps));
            }
            const tol = (shift ? 3e-4 : 2e-5) * n;
            within(dx, wdx, (i) => tol * (1 + Math.abs(wdx[i]) + rstd * 1e-3), `${row.name} dx m${m} n${n}`);
            within(dg, o.dg.map((v, i) => v + (acc ? gb[i] : 0)), () => tol * m * (shift ? 10 : 1), `${row.name} dgamma`);
            within(db, o.db.map((v, i) => v + (acc ? bb[i] : 0)), () => 1e-6 * m * 4, `${row.name} dbeta`);
            if (row.isa === 'ref') ref = [dx, dg, db];
            else within(dx, ref![0], (i) => tol * (1 + Math.abs(ref![0][i]) + rstd * 1e-3), `${row.name} dx vs ref`);
          }
        });
      }
    });
  }
});

describe('softmaxgrad, vgelugrad, seqmean, seqmeangrad, embedgrad', () => {
  for (const build of BUILDS) {
    it(`vs float64, SIMD vs ref, remainders, strides, accumulate (${build})`, () => {
      const h = new Harness(build);
      for (const [m, n] of [[1, 1], [3, 4], [2, 5], [4, 17], [2, 40]]) for (const acc of [0, 1]) {
        const seed = seedOf('softmaxgrad', m, n, acc);
        withSeed(seed, () => {
          const rng = new Rng(seed);
          const y = Float32Array.from(softmaxOracle(rng.floats(m * n, -3, 3), m, n)), dy = rng.floats(m * n), base = rng.floats(m * n);
          const want = softmaxGradOracle(y, dy, m, n).map((v, i) => v + (acc ? base[i] : 0));
          const s = nextPrime(n);
          let ref: Float32Array | null = null;
          for (const row of rowsOf('softmaxgrad')) {
            const pdx = h.put(strided(acc ? base : new Float32Array(m * n).fill(NaN), m, n, s));
            h.x[row.name](m, n, h.put(strided(y, m, n, s)), h.put(strided(dy, m, n, s)), pdx, s * 4, s * 4, s * 4, acc);
            h.checkGuards();
            const got = unstride(h, pdx, m, n, s, row.name);
            within(got, want, (i) => 1e-6 * (1 + Math.abs(want[i])), `${row.name} m${m} n${n}`);
            if (row.isa === 'ref') ref = got; else within(got, ref!, (i) => 1e-6 * (1 + Math.abs(ref![i])), `${row.name} vs ref`);
          }
        });
      }
      for (const len of [0, 1, 3, 4, 5, 17, 33]) for (const acc of [0, 1]) {
        const seed = seedOf('vgelugrad', len, acc);
        withSeed(seed, () => {
          const rng = new Rng(seed);
          const x = rng.floats(len, -6, 6), dy = rng.floats(len), base = rng.floats(len);
          if (len > 4) { x[0] = -20; x[1] = 20; x[2] = 0; x[3] = -1e-20; }
          const want = Array.from(x, (v, i) => dy[i] * geluDerivOracle(v) + (acc ? base[i] : 0));
          let ref: Float32Array | null = null;
          for (const row of rowsOf('vgelugrad')) {
            const pdx = h.put(acc ? base : new Float32Array(len).fill(NaN));
            h.x[row.name](len, h.put(x), h.put(dy), pdx, acc);
            h.checkGuards();
            const got = h.f32(pdx, len);
            within(got, want, (i) => 1e-6 * (1 + Math.abs(want[i])), `${row.name} len${len}`);
            if (row.isa === 'ref') ref = got; else within(got, ref!, (i) => 1e-6 * (1 + Math.abs(ref![i])), `${row.name} vs ref`);
          }
        });
      }
      for (const [B, T, D] of [[1, 1, 1], [2, 3, 4], [3, 5, 7], [2, 9, 16]]) {
        const seed = seedOf('seqmean', B, T, D);
        withSeed(seed, () => {
          const rng = new Rng(seed);
          const x = rng.floats(B * T * D), dy = rng.floats(B * D);
          const want = seqMeanOracle(x, B, T, D);
          let ref: Float32Array | null = null;
          for (const row of rowsOf('seqmean')) {
            const py = h.put(new Float32Array(B * D).fill(NaN));
            h.x[row.name](B, T, D, h.put(x), py);
            h.checkGuards();
            const got = h.f32(py, B * D);
            within(got, want, () => (T + 1) * 2 ** -24 + 1e-7, `${row.name} B${B} T${T} D${D}`);
            if (row.isa === 'ref') ref = got; else within(got, ref!, () => 2 * (T + 1) * 2 ** -24, `${row.name} vs ref`);
          }
          for (const acc of [0, 1]) {
            const base = rng.floats(B * T * D);
            const w = new Float64Array(B * T * D);
            for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let c = 0; c < D; c++) w[(b * T + t) * D + c] = dy[b * D + c] / T + (acc ? base[(b * T + t) * D + c] : 0);
            let refg: Float32Array | null = null;
            for (const row of rowsOf('seqmeangrad')) {
              const pdx = h.put(acc ? base : new Float32Array(B * T * D).fill(NaN));
              h.x[row.name](B, T, D, h.put(dy), pdx, acc);
              h.checkGuards();
              const got = h.f32(pdx, B * T * D);
              within(got, w, (i) => 1e-6 * (1 + Math.abs(w[i])), `${row.name} B${B} T${T} D${D}`);
              if (row.isa === 'ref') refg = got; else sameBits(got, refg!, row.name);
            }
          }
        });
      }
      for (const [m, D, V] of [[1, 1, 1], [5, 3, 4], [12, 16, 5], [7, 9, 30]]) for (const acc of [0, 1]) {
        const seed = seedOf('embedgrad', m, D, V, acc);
        withSeed(seed, () => {
          const rng = new Rng(seed);
          const ids = Int32Array.from({ length: m }, () => rng.int(0, V - 1)); // repeats when m > V
          const dy = rng.floats(m * D), base = rng.floats(V * D);
          const want = embeddingGradOracle(ids, dy, V, D).map((v, i) => v + (acc ? base[i] : 0));
          const s = nextPrime(D);
          let ref: Float32Array | null = null;
          for (const row of rowsOf('embedgrad')) {
            const pw = h.put(acc ? base : new Float32Array(V * D).fill(NaN));
            h.x[row.name](m, D, V, h.put(ids), h.put(strided(dy, m, D, s)), pw, s * 4, acc);
            h.checkGuards();
            const got = h.f32(pw, V * D);
            within(got, want, (i) => 1e-6 * m * (1 + Math.abs(want[i])), `${row.name} m${m} D${D} V${V}`);
            if (row.isa === 'ref') ref = got; else sameBits(got, ref!, row.name);
          }
        });
      }
    });
  }
  it('an embedding id outside the table trips the debug build assert', () => {
    const h = new Harness('debug');
    for (const row of rowsOf('embedgrad')) {
      expect(() => h.x[row.name](1, 2, 3, h.put(Int32Array.of(3)), h.put(new Float32Array(2)), h.put(new Float32Array(6)), 8, 0)).toThrow(/assert/);
    }
  });
});
