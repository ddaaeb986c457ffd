/**
 * Training kernels (assembly/kernels/train, module build/wpal.train*.wasm): every ref and SIMD
 * kernel x both builds (debug: asserts on) against the float64 oracle (test/oracle/train.ts), SIMD
 * against ref; shapes straddle the 4x8 tile and the 4-lane remainder, row strides are the next prime
 * above the width (gaps must stay untouched), guard bytes follow every output.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TRAIN_KERNELS } from '../../src/runtime/kernels/train.js';
import { parseKernelName } from '../../src/runtime/kernel-name.js';
import { Rng, withSeed } from '../util/rng.js';
import {
  ELEMENTWISE, TGEMM_ULPS, adamOracle, col2imOracle, im2colOracle, maxpoolGradOracle, outSize, sgdOracle,
  softmaxCeOracle, tgemmMagnitude, tgemmOracle, type ConvGeom,
} from '../oracle/train.js';
import { nextPrime, seedOf } from '../util/sweep.js';

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
  alloc(bytes: number, fill = SENTINEL): number {
    const p = (this.top + 15) & ~15;
    const end = p + bytes + GUARD;
    if (end > this.mem.buffer.byteLength) this.mem.grow(Math.ceil((end - this.mem.buffer.byteLength) / 65536));
    new Uint32Array(this.mem.buffer, p, bytes >> 2).fill(fill);
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
    const p = this.alloc(32 * 4, 0);
    const i = new Int32Array(this.mem.buffer, p, 32), f = new Float32Array(this.mem.buffer, p, 32);
    ints.forEach((v, s) => (i[s] = v));
    for (const [s, v] of Object.entries(floats)) f[Number(s)] = v;
    return p;
  }
  checkGuards(): void {
    const m = new Uint8Array(this.mem.buffer);
    for (const g of this.guards) for (let i = 0; i < GUARD; i++) if (m[g + i] !== 0xa5) throw new Error(`wrote past a buffer end (${g + i})`);
  }
}

const modules = new Map<Build, Harness>();
function harness(build: Build): Harness {
  // one fresh instance per test keeps memory small and state independent
  const h = new Harness(build);
  modules.set(build, h);
  return h;
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
const rowsOf = (op: string) => TRAIN_KERNELS.filter((r) => r.op === op);
const refOf = (op: string) => TRAIN_KERNELS.find((r) => r.op === op && r.isa === 'ref')!.name;

describe('kernel table', () => {
  it('lists exactly the training kernels the module exports', () => {
    // asconfig.json's entries add assembly/index.ts to any build, so the module may also export the
    // inference kernels; the training ops are the ones this table owns.
    const h = harness('simd');
    const ops = new Set(TRAIN_KERNELS.map((r) => r.op));
    const exported = Object.keys(h.x).filter((k) => typeof h.x[k] === 'function' && k !== 'heap_base' && ops.has(parseKernelName(k).op)).sort();
    expect(exported).toEqual(TRAIN_KERNELS.map((r) => r.name).sort());
    for (const k of ['f32_vrelu__simd', 'f32_maxpool__simd']) expect(typeof h.x[k], k).toBe('function');
  });
});

describe('tgemm', () => {
  /** Runs one case: returns C (m rows of n at the prime stride, gaps checked). */
  function run(h: Harness, name: string, m: number, n: number, k: number, ta: boolean, tb: boolean, a: Float32Array, b: Float32Array, bias: Float32Array | null, c0: Float32Array, alpha: number, beta: number) {
    // operand row strides: next prime above the stored row width
    const aw = ta ? m : k, bw = tb ? k : n;
    const sa = nextPrime(Math.max(aw, 1)), sb = nextPrime(Math.max(bw, 1)), sc = nextPrime(n);
    const arows = ta ? k : m, brows = tb ? n : k;
    const pad = (src: ArrayLike<number>, rows: number, w: number, s: number) => {
      const o = new Float32Array(Math.max(1, rows * s));
      new Uint32Array(o.buffer).fill(SENTINEL);
      for (let r = 0; r < rows; r++) for (let j = 0; j < w; j++) o[r * s + j] = src[r * w + j];
      return o;
    };
    const pa = h.put(pad(a, arows, aw, sa)), pb = h.put(pad(b, brows, bw, sb)), pc = h.put(pad(c0, m, n, sc));
    const pbias = bias ? h.put(bias) : 0;
    h.x[name](m, n, k, pa, pb, pbias, pc, sa * 4, sb * 4, sc * 4, h.params([(ta ? 1 : 0) | (tb ? 2 : 0)], { 1: alpha, 2: beta }));
    h.checkGuards();
    const all = h.f32(pc, m * sc);
    const bits = new Uint32Array(all.buffer);
    const out = new Float32Array(m * n);
    for (let r = 0; r < m; r++) {
      for (let j = 0; j < n; j++) out[r * n + j] = all[r * sc + j];
      for (let j = n; j < sc; j++) if (bits[r * sc + j] !== SENTINEL) throw new Error(`${name}: wrote into the gap of row ${r}`);
    }
    return out;
  }

  for (const build of BUILDS) {
    it(`every kernel x NN/TN/NT/TT x beta x bias, tile-edge shapes (${build})`, () => {
      const h = harness(build);
      for (const m of [1, 3, 4, 5, 9]) for (const n of [1, 3, 4, 7, 8, 9, 17]) for (const k of [0, 1, 4, 5, 17]) {
        for (const flags of [0, 1, 2, 3]) for (const beta of [0, 0.5]) for (const withBias of [false, true]) {
          const seed = seedOf('tgemm', m, n, k, flags, beta, withBias);
          withSeed(seed, () => {
            const rng = new Rng(seed);
            const ta = (flags & 1) !== 0, tb = (flags & 2) !== 0;
            const a = rng.floats(m * k), b = rng.floats(k * n), bias = withBias ? rng.floats(n) : null;
            // beta = 0 must never read C: its old contents are NaN
            const c0 = beta === 0 ? new Float32Array(m * n).fill(NaN) : rng.floats(m * n);
            const alpha = 0.75;
            const want = tgemmOracle(m, n, k, a, b, bias, c0, ta, tb, alpha, beta);
            const mag = tgemmMagnitude(m, n, k, a, b, bias, c0, ta, tb, alpha, beta);
            let ref: Float32Array | null = null;
            for (const row of rowsOf('tgemm')) {
              const got = run(h, row.name, m, n, k, ta, tb, a, b, bias, c0, alpha, beta);
              const ulps = row.isa === 'ref' ? 2 ** -24 : TGEMM_ULPS(k);
              within(got, want, (i) => ulps * mag[i] + 1e-30, `${row.name} m${m} n${n} k${k} flags${flags} beta${beta}`);
              if (row.isa === 'ref') ref = got;
              else within(got, ref!, (i) => 2 * TGEMM_ULPS(k) * mag[i] + 1e-30, `${row.name} vs ref`);
            }
          });
        }
      }
    });
  }
});

const GEOMS: ConvGeom[] = [
  { B: 2, H: 6, W: 7, C: 3, O: 2, kh: 3, kw: 2, sh: 1, sw: 1, pads: [0, 0, 0, 0], dh: 1, dw: 1 },
  { B: 1, H: 8, W: 8, C: 1, O: 3, kh: 5, kw: 5, sh: 1, sw: 1, pads: [0, 0, 0, 0], dh: 1, dw: 1 },
  { B: 2, H: 5, W: 6, C: 5, O: 4, kh: 3, kw: 3, sh: 2, sw: 1, pads: [1, 2, 1, 0], dh: 1, dw: 1 },
  { B: 1, H: 9, W: 9, C: 4, O: 2, kh: 3, kw: 2, sh: 1, sw: 2, pads: [2, 1, 0, 1], dh: 2, dw: 2 },
  { B: 3, H: 4, W: 4, C: 6, O: 2, kh: 1, kw: 1, sh: 1, sw: 1, pads: [0, 0, 0, 0], dh: 1, dw: 1 },
];
const slots = (g: ConvGeom, accum: number) => {
  const s = new Array(24).fill(0);
  [s[8], s[9], s[10], s[11], s[12], s[13], s[14], s[15]] = [g.H, g.W, g.C, g.O, g.kh, g.kw, g.sh, g.sw];
  [s[16], s[17], s[18], s[19], s[20], s[21], s[22], s[23]] = [...g.pads, g.dh, g.dw, 1, accum];
  return s;
};

describe('im2col / col2im', () => {
  for (const build of BUILDS) {
    it(`exact vs the oracle, padding / stride / dilation, accumulate (${build})`, () => {
      const h = harness(build);
      GEOMS.forEach((g, gi) => {
        const seed = seedOf('im2col', gi);
        withSeed(seed, () => {
          const rng = new Rng(seed);
          const [OH, OW] = outSize(g);
          const K = g.kh * g.kw * g.C, img = g.H * g.W * g.C;
          const x = rng.floats(g.B * img);
          // images one prime-padded stride apart
          const xs = nextPrime(img);
          const xp = new Float32Array(g.B * xs);
          for (let b = 0; b < g.B; b++) xp.set(x.subarray(b * img, (b + 1) * img), b * xs);
          const wantCol = im2colOracle(x, g);
          for (const row of rowsOf('im2col')) {
            const px = h.put(xp), pc = h.alloc(g.B * OH * OW * K * 4);
            h.x[row.name](g.B, px, pc, xs * 4, h.params(slots(g, 0)));
            h.checkGuards();
            within(h.f32(pc, wantCol.length), wantCol, () => 0, `${row.name} geom ${gi}`);
          }
          const col = rng.floats(g.B * OH * OW * K);
          const base = rng.floats(g.B * img);
          const adj = col2imOracle(col, g);
          for (const accum of [0, 1]) {
            let ref: Float32Array | null = null;
            for (const row of rowsOf('col2im')) {
              const dx = new Float32Array(g.B * xs).fill(accum ? 0 : NaN);
              for (let b = 0; b < g.B; b++) dx.set(accum ? base.subarray(b * img, (b + 1) * img) : new Float32Array(img).fill(NaN), b * xs);
              const pc = h.put(col), pd = h.put(dx);
              h.x[row.name](g.B, pc, pd, xs * 4, h.params(slots(g, accum)));
              h.checkGuards();
              const all = h.f32(pd, g.B * xs);
              const got = new Float32Array(g.B * img);
              for (let b = 0; b < g.B; b++) got.set(all.subarray(b * xs, b * xs + img), b * img);
              const want = adj.map((v, i) => v + (accum ? base[i] : 0));
              within(got, want, (i) => 1e-6 * (1 + Math.abs(want[i])) * g.kh * g.kw, `${row.name} geom ${gi} accum ${accum}`);
              if (row.isa === 'ref') ref = got;
              else sameBits(got, ref!, row.name);
            }
          }
        });
      });
    });
  }
});

describe('maxpoolgrad', () => {
  const POOLS: ConvGeom[] = [
    { B: 2, H: 24, W: 24, C: 5, O: 5, kh: 2, kw: 2, sh: 2, sw: 2, pads: [0, 0, 0, 0], dh: 1, dw: 1 },
    { B: 1, H: 7, W: 9, C: 6, O: 6, kh: 3, kw: 3, sh: 2, sw: 2, pads: [1, 1, 1, 1], dh: 1, dw: 1 },
    { B: 2, H: 5, W: 5, C: 3, O: 3, kh: 3, kw: 2, sh: 1, sw: 1, pads: [0, 1, 2, 0], dh: 1, dw: 1 },
  ];
  for (const build of BUILDS) {
    it(`first max of each window gets dy, ties included; overlapping windows; accumulate (${build})`, () => {
      const h = harness(build);
      POOLS.forEach((g, gi) => {
        for (const ties of [false, true]) for (const accum of [0, 1]) {
          const seed = seedOf('maxpoolgrad', gi, ties, accum);
          withSeed(seed, () => {
            const rng = new Rng(seed);
            const [OH, OW] = outSize(g);
            const n = g.B * g.H * g.W * g.C;
            // ties: values from a 3-level grid, so many windows hold several equal maxima
            const x = ties ? Float32Array.from({ length: n }, () => rng.int(0, 2)) : rng.floats(n);
            const dy = rng.floats(g.B * OH * OW * g.C);
            const base = rng.floats(n);
            const want = maxpoolGradOracle(x, dy, g).map((v, i) => v + (accum ? base[i] : 0));
            let ref: Float32Array | null = null;
            for (const row of rowsOf('maxpoolgrad')) {
              const pdx = h.put(accum ? base : new Float32Array(n).fill(NaN));
              h.x[row.name](g.B, h.put(x), h.put(dy), pdx, g.H * g.W * g.C * 4, OH * OW * g.C * 4, h.params(slots(g, accum)));
              h.checkGuards();
              const got = h.f32(pdx, n);
              within(got, want, (i) => 1e-6 * (1 + Math.abs(want[i])) * g.kh * g.kw, `${row.name} geom ${gi}`);
              if (row.isa === 'ref') ref = got;
              else sameBits(got, ref!, row.name);
            }
          });
        }
      });
    });
  }
});

describe('element-wise: vrelugrad, colsum, sgd, adam; softmaxce', () => {
  for (const build of BUILDS) {
    it(`vs float64, SIMD == ref bit for bit, lengths around the 4-lane remainder (${build})`, () => {
      const h = harness(build);
      for (const len of [0, 1, 3, 4, 5, 16, 17, 33]) {
        const seed = seedOf('eltwise', len);
        withSeed(seed, () => {
          const rng = new Rng(seed);
          const y = rng.floats(len), dy = rng.floats(len), base = rng.floats(len);
          for (const accum of [0, 1]) {
            const want = Array.from(y, (v, i) => (v > 0 ? dy[i] : 0) + (accum ? base[i] : 0));
            let ref: Float32Array | null = null;
            for (const row of rowsOf('vrelugrad')) {
              const pd = h.put(accum ? base : new Float32Array(len).fill(NaN));
              h.x[row.name](len, h.put(y), h.put(dy), pd, accum);
              h.checkGuards();
              const got = h.f32(pd, len);
              within(got, want, (i) => ELEMENTWISE.abs + ELEMENTWISE.rel * Math.abs(want[i]), row.name);
              if (row.isa === 'ref') ref = got; else sameBits(got, ref!, row.name);
            }
          }
          // colsum over m rows of len columns at a prime stride
          for (const m of [1, 5, 37]) for (const accum of [0, 1]) {
            const s = nextPrime(Math.max(len, 1));
            const x = rng.floats(m * s);
            const want = Array.from({ length: len }, (_, j) => { let t = accum ? base[j] : 0; for (let i = 0; i < m; i++) t += x[i * s + j]; return t; });
            let ref: Float32Array | null = null;
            for (const row of rowsOf('colsum')) {
              const py = h.put(accum ? base : new Float32Array(len).fill(NaN));
              h.x[row.name](m, len, h.put(x), py, s * 4, accum);
              h.checkGuards();
              const got = h.f32(py, len);
              within(got, want, () => 1e-6 * (m + 1), `${row.name} m${m}`);
              if (row.isa === 'ref') ref = got; else sameBits(got, ref!, row.name);
            }
          }
          const w = rng.floats(len), g = rng.floats(len), v = rng.floats(len), m2 = rng.floats(len), v2 = rng.floats(len, 0, 1);
          for (const [mu, wd, nest] of [[0.9, 1e-3, 0], [0.5, 0, 1], [0, 0.01, 0]] as const) {
            const [wantW, wantV] = sgdOracle(w, g, v, 0.1, mu, wd, nest === 1);
            let refW: Float32Array | null = null;
            for (const row of rowsOf('sgd')) {
              const pw = h.put(w), pv = mu === 0 ? 0 : h.put(v);
              h.x[row.name](len, pw, h.put(g), pv, h.params([0, 0, 0, nest], { 0: 0.1, 1: mu, 2: wd }));
              h.checkGuards();
              const got = h.f32(pw, len);
              within(got, wantW, (i) => 1e-6 * (1 + Math.abs(wantW[i])), `${row.name} w`);
              if (pv) within(h.f32(pv, len), wantV, (i) => 1e-6 * (1 + Math.abs(wantV[i])), `${row.name} v`);
              if (row.isa === 'ref') refW = got; else sameBits(got, refW!, row.name);
            }
          }
          for (const t of [1, 7]) {
            const [lr, b1, b2, eps, wd] = [0.01, 0.9, 0.999, 1e-8, 0.01];
            const [wantW, wantM, wantV] = adamOracle(w, g, m2, v2, lr, b1, b2, eps, wd, t);
            let refW: Float32Array | null = null;
            for (const row of rowsOf('adam')) {
              const pw = h.put(w), pm = h.put(m2), pv = h.put(v2);
              h.x[row.name](len, pw, h.put(g), pm, pv, h.params([], { 0: lr, 1: b1, 2: b2, 3: eps, 4: wd, 5: 1 / (1 - b1 ** t), 6: 1 / (1 - b2 ** t) }));
              h.checkGuards();
              const got = h.f32(pw, len);
              within(got, wantW, (i) => 1e-6 * (1 + Math.abs(wantW[i])), `${row.name} w t${t}`);
              within(h.f32(pm, len), wantM, (i) => 1e-6 * (1 + Math.abs(wantM[i])), `${row.name} m`);
              within(h.f32(pv, len), wantV, (i) => 1e-6 * (1 + Math.abs(wantV[i])), `${row.name} v`);
              if (row.isa === 'ref') refW = got; else sameBits(got, refW!, row.name);
            }
          }
        });
      }
      // softmaxce: loss rows and scaled, accumulated gradient; large logits do not overflow
      for (const [m, n] of [[1, 2], [5, 10], [7, 3]]) for (const accum of [0, 1]) {
        const seed = seedOf('softmaxce', m, n, accum);
        withSeed(seed, () => {
          const rng = new Rng(seed);
          const x = rng.floats(m * n, -30, 30), base = rng.floats(m * n);
          x[0] = 200; // exp overflow guard
          const labels = Int32Array.from({ length: m }, () => rng.int(0, n - 1));
          const o = softmaxCeOracle(x, labels, m, n);
          const xs = nextPrime(n);
          const xp = new Float32Array(m * xs);
          for (let i = 0; i < m; i++) xp.set(x.subarray(i * n, i * n + n), i * xs);
          for (const row of rowsOf('softmaxce')) {
            const pl = h.alloc(m * 4), pd = h.put(accum ? base : new Float32Array(m * n).fill(NaN));
            h.x[row.name](m, n, h.put(xp), h.put(labels), pl, pd, xs * 4, n * 4, h.params([0, accum], { 0: 0.25 }));
            h.checkGuards();
            within(h.f32(pl, m), o.loss, (i) => 1e-6 * (1 + Math.abs(o.loss[i])), `${row.name} loss`);
            const want = o.grad.map((v, i) => 0.25 * v + (accum ? base[i] : 0));
            within(h.f32(pd, m * n), want, (i) => 1e-7 * (1 + Math.abs(want[i])), `${row.name} grad`);
          }
        });
      }
    });
  }
});

describe('refs exist for every op', () => {
  it('each SIMD row has a ref row of the same op', () => {
    for (const r of TRAIN_KERNELS) expect(refOf(r.op), r.name).toBeTruthy();
  });
});
