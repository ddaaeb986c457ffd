/**
 * The i8 conv2d rows of CONV_KERNELS (int8 palette entries, activations quantized per output pixel
 * and group inside the kernel) x a seeded shape sweep, on both builds: against the float64 oracle
 * (test/oracle/conv.ts) within the quantization bound below, SIMD against i8_conv2d_p8i8__ref bit for
 * bit, params slot 23 (channel slices), and the accuracy cost against the exact f32-palette path as a
 * relative RMS error. The sweep: kernels 1/3/5/7 (square and not), stride 1/2, asymmetric padding
 * 0..3, dilation 1/2, groups 1/2/3, out channels around the 8-channel block (1, 7, 8, 9, 17, 24),
 * odd and even K, images larger than one 32-pixel tile, batch 1/3, bits 1..8, per-tensor and grouped
 * palettes, bias / channel scales present or not, padded image strides. Seeds are printed on failure.
 *
 * Tolerance vs oracle (W = int8 entry * palette scale, in float64): each window is rounded to q * s,
 * s = max|window| / 127, |q*s - x| <= s/2 (+ 2^-20 |x| for the f32 scale), so
 *   |y - y64| <= |chscale| * sum_k |W[o][k]| * (s/2 + 2^-20 |x_k|) + 8 eps * mag      (eps = 2^-24)
 * as the i8 gemm bound of test/oracle/gemm.ts, with the row replaced by the window.
 */
import { describe, expect, it } from 'vitest';
import { CONV_KERNELS } from '../../src/runtime/kernels/conv.js';
import type { KernelRow } from '../../src/runtime/kernel-types.js';
import { BUILDS_WITH_RELAXED, KernelHarness, type Build } from '../util/wasm.js';
import { Rng, withSeed } from '../util/rng.js';
import { packRows } from '../../src/encode/bitpack.js';
import { decodeRows, EPS32 } from '../oracle/gemm.js';
import { convOracle, outShape, type Geom } from '../oracle/conv.js';

const SENTINEL = 0x7fc0dead;
const I8_ROWS = CONV_KERNELS.filter((r) => r.act === 'i8');
const REF = I8_ROWS.find((r) => r.isa === 'ref')!;

interface Case {
  nb: number; g: Geom; bits: number; groupRows: number;
  x: Float32Array; w: Uint8Array; pal: Int8Array; palscale: Float32Array; bias?: Float32Array; chscale?: Float32Array;
  /** [O, K] float64 weights: entry * palette scale. */
  W: Float64Array; xPad: number; yPad: number;
}

const pick = <T>(rng: Rng, a: readonly T[]): T => a[rng.int(0, a.length - 1)];

function fitSize(rng: Rng, k: number, d: number, p0: number, p1: number, max: number): number {
  const need = Math.max(1, d * (k - 1) + 1 - p0 - p1);
  return Math.max(need, rng.int(1, max));
}

function makeCase(rng: Rng, t: number): Case {
  const ks = [1, 3, 5, 7, 1, 3];
  const kh = ks[t % 6], kw = t % 7 === 3 ? ks[(t + 1) % 6] : kh;
  const sh = 1 + ((t >> 1) % 2), sw = t % 5 === 2 ? 3 - sh : sh;
  const dh = 1 + ((t >> 3) % 2), dw = t % 9 === 4 ? 2 : dh;
  const pt = rng.int(0, 3), pb = rng.int(0, 3), pl = rng.int(0, 3), pr = rng.int(0, 3);
  const big = t % 4 === 3 ? 19 : 9; // > 32 output pixels: several pixel tiles
  const H = fitSize(rng, kh, dh, pt, pb, big), W = fitSize(rng, kw, dw, pl, pr, big);
  const groups = [1, 1, 2, 3][t % 4];
  const C = groups * pick(rng, [1, 2, 3, 5, 8, 13]);
  const O = groups * pick(rng, [1, 7, 8, 9, 17, 24]);
  const g: Geom = { H, W, C, O, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, groups };
  const K = kh * kw * (C / groups);
  const nb = t % 2 === 0 ? 1 : 3;
  const bits = 1 + (t % 8);
  const groupRows = [O, 1, rng.int(1, O), Math.max(1, O - 1)][(t >> 3) % 4];
  const numPal = Math.ceil(O / groupRows);
  const pal = new Int8Array(numPal << bits);
  for (let i = 0; i < pal.length; i++) pal[i] = rng.int(-128, 127);
  const palscale = new Float32Array(numPal);
  for (let i = 0; i < numPal; i++) palscale[i] = 2 ** rng.uniform(-8, -4);
  const idx = new Uint8Array(O * K);
  for (let i = 0; i < idx.length; i++) idx[i] = rng.int(0, (1 << bits) - 1);
  const w = packRows(idx, O, K, bits);
  const dec = decodeRows(w, O, K, bits); // the oracle reads the documented layout, not idx
  const Wf = new Float64Array(O * K);
  for (let o = 0; o < O; o++) {
    const p = Math.floor(o / groupRows);
    for (let k = 0; k < K; k++) Wf[o * K + k] = pal[(p << bits) + dec[o * K + k]] * palscale[p];
  }
  const x = rng.floats(nb * H * W * C);
  if (t % 6 === 5) x.fill(0, 0, Math.min(x.length, C * W * 2)); // all-zero windows: scale 0
  if (t % 5 === 4) x.forEach((v, i) => (x[i] = Math.abs(v))); // after a ReLU: the relaxed tile's no-negatives path
  return {
    nb, g, bits, groupRows, x, w, pal, palscale, W: Wf,
    bias: t % 2 === 0 ? rng.floats(O) : undefined,
    chscale: t % 4 < 2 ? rng.floats(O, 0.5, 2) : undefined,
    xPad: t % 3 === 1 ? rng.int(1, 7) : 0,
    yPad: t % 3 === 2 ? rng.int(1, 7) : 0,
  };
}

/** y as [nb][pixels][O]; checks guards and that nothing between images or pixels is written. */
function run(h: KernelHarness, r: KernelRow, c: Case, yPixel = 0): Float32Array {
  h.reset();
  const { g, nb } = c;
  const imgX = g.H * g.W * g.C;
  const xStride = (imgX + c.xPad) * 4;
  const xb = new Float32Array((nb * xStride) / 4).fill(NaN);
  for (let b = 0; b < nb; b++) xb.set(c.x.subarray(b * imgX, (b + 1) * imgX), (b * xStride) / 4);
  const [OH, OW] = outShape(g);
  const pix = OH * OW;
  const ch = yPixel || g.O;
  const yStride = (pix * ch + c.yPad) * 4;
  const y = h.alloc(nb * yStride);
  new Uint32Array(h.memory.buffer, y, (nb * yStride) / 4).fill(SENTINEL);
  const K = g.kh * g.kw * (g.C / g.groups);
  const scratch = h.alloc(r.scratchBytes!(nb, g.O, K));
  const x = h.put(xb);
  const w = h.put(c.w.length ? c.w : new Uint8Array(1));
  const pal = h.put(new Uint8Array(c.pal.buffer));
  const ps = h.put(c.palscale);
  const bias = c.bias ? h.put(c.bias) : 0;
  const cs = c.chscale ? h.put(c.chscale) : 0;
  const params = h.put(Int32Array.from([
    c.bits, c.groupRows, 0, 0, cs, scratch, ps, 0,
    g.H, g.W, g.C, g.O, g.kh, g.kw, g.sh, g.sw, g.pt, g.pl, g.pb, g.pr, g.dh, g.dw, g.groups, yPixel,
    0, 0, 0, 0, // slots 24..27: a whole call (no split phase)
  ]));
  h.exports[r.name](nb, x, w, pal, 0, bias, y, xStride, yStride, params);
  h.checkGuards();
  const raw = new Uint32Array(h.memory.buffer, y, (nb * yStride) / 4);
  const rawF = new Float32Array(h.memory.buffer, y, (nb * yStride) / 4);
  const out = new Float32Array(nb * pix * g.O);
  for (let b = 0; b < nb; b++) {
    for (let i = 0; i < yStride / 4; i++) {
      const o = (b * yStride) / 4 + i;
      if (i < pix * ch && i % ch < g.O) out[b * pix * g.O + Math.floor(i / ch) * g.O + (i % ch)] = rawF[o];
      else if (raw[o] !== SENTINEL) throw new Error(`${r.name} wrote y padding of image ${b} at ${i}`);
    }
  }
  return out;
}

/** The bound stated at the top, per output. */
function i8ConvTol(c: Case, mag: Float64Array): Float64Array {
  const { g, nb } = c;
  const [OH, OW] = outShape(g);
  const Ig = g.C / g.groups, Og = g.O / g.groups, K = g.kh * g.kw * Ig;
  const tol = new Float64Array(mag.length);
  const win = new Float64Array(K);
  for (let b = 0; b < nb; b++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) for (let gr = 0; gr < g.groups; gr++) {
    let amax = 0;
    for (let ky = 0; ky < g.kh; ky++) for (let kx = 0; kx < g.kw; kx++) for (let ci = 0; ci < Ig; ci++) {
      const iy = oy * g.sh - g.pt + ky * g.dh, ix = ox * g.sw - g.pl + kx * g.dw;
      const inside = iy >= 0 && iy < g.H && ix >= 0 && ix < g.W;
      const v = inside ? c.x[((b * g.H + iy) * g.W + ix) * g.C + gr * Ig + ci] : 0;
      win[(ky * g.kw + kx) * Ig + ci] = v;
      amax = Math.max(amax, Math.abs(v));
    }
    const s = amax / 127;
    for (let o = gr * Og; o < (gr + 1) * Og; o++) {
      let q = 0;
      for (let k = 0; k < K; k++) q += Math.abs(c.W[o * K + k]) * (s / 2 + 2 ** -20 * Math.abs(win[k]));
      const i = ((b * OH + oy) * OW + ox) * g.O + o;
      tol[i] = Math.abs(c.chscale ? c.chscale[o] : 1) * q + 8 * EPS32 * mag[i];
    }
  }
  return tol;
}

function check(what: string, got: Float32Array, want: ArrayLike<number>, tol: (i: number) => number): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < got.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= tol(i))) {
      throw new Error(`${what}: y[${i}] = ${got[i]}, expected ${want[i]} (|diff| ${Math.abs(got[i] - want[i])} > ${tol(i)})`);
    }
  }
}

const desc = (r: KernelRow, c: Case, t: number) => {
  const g = c.g;
  return `${r.name} case ${t}: n=${c.nb} HWC=${g.H}x${g.W}x${g.C} O=${g.O} k=${g.kh}x${g.kw} s=${g.sh},${g.sw} ` +
    `pad=${g.pt},${g.pl},${g.pb},${g.pr} d=${g.dh},${g.dw} groups=${g.groups} bits=${c.bits} grp=${c.groupRows} ` +
    `bias=${!!c.bias} cs=${!!c.chscale} xpad=${c.xPad} ypad=${c.yPad}`;
};

const CASES_PER_ROW = 48;

describe.each(BUILDS_WITH_RELAXED)('i8 conv2d kernels, %s build', (build: Build) => {
  const h = new KernelHarness(build);
  it.each(I8_ROWS.map((r) => [r.name, r] as const))('%s: vs float64 oracle (quantization bound) and vs the ref bit for bit', (_n, r) => {
    const seed = (0x27d4eb2f ^ [...r.name].reduce((a, ch) => (a * 31 + ch.charCodeAt(0)) >>> 0, 7)) >>> 0;
    const rng = new Rng(seed);
    for (let t = 0; t < CASES_PER_ROW; t++) {
      const c = makeCase(rng, t);
      withSeed(seed, () => {
        const got = run(h, r, c);
        const { y, mag } = convOracle(c.nb, c.g, c.x, c.W, c.chscale, c.bias);
        const tol = i8ConvTol(c, mag);
        check(`${desc(r, c, t)} vs oracle`, got, y, (i) => tol[i]);
        if (r.isa !== 'ref') {
          const want = run(h, REF, c);
          expect(Array.from(new Uint32Array(got.buffer)), `${desc(r, c, t)} vs ${REF.name}`).toEqual(Array.from(new Uint32Array(want.buffer)));
        }
      });
    }
  });

  it.each(I8_ROWS.map((r) => [r.name, r] as const))('%s: params slot 23 (wider output pixels) gives the same values, the gap untouched', (_n, r) => {
    const seed = 0x51ed ^ r.name.length;
    const rng = new Rng(seed);
    for (let t = 0; t < 12; t++) {
      const c = makeCase(rng, t);
      withSeed(seed, () => {
        const want = run(h, r, c);
        const got = run(h, r, c, c.g.O + 1 + (t % 5));
        expect(Array.from(new Uint32Array(got.buffer)), `case ${t}`).toEqual(Array.from(new Uint32Array(want.buffer)));
      });
    }
  });
});

describe('i8 conv2d accuracy cost (relative RMS error against the exact f32-palette conv)', () => {
  // Measured about 0.4% on these shapes (uniform inputs; one int8 step per window is max|x| / 127);
  // the bound leaves room for the spread of random draws.
  const h = new KernelHarness('simd');
  const simd = I8_ROWS.find((r) => r.isa === 'simd')!;
  it.each([
    ['3x3 pad 1, 32 -> 24 channels, 12x12', { kh: 3, C: 32, O: 24, H: 12, pad: 1 }],
    ['1x1, 64 -> 40 channels, 9x9', { kh: 1, C: 64, O: 40, H: 9, pad: 0 }],
    ['7x7 stride 2 pad 3, 3 -> 16 channels, 20x20', { kh: 7, C: 3, O: 16, H: 20, pad: 3 }],
  ] as const)('%s: <= 1%', (_n, s) => {
    const seed = 0xacc ^ s.C ^ (s.kh << 8);
    const rng = new Rng(seed);
    const base = makeCase(rng, 0);
    const g: Geom = { H: s.H, W: s.H, C: s.C, O: s.O, kh: s.kh, kw: s.kh, sh: s.kh === 7 ? 2 : 1, sw: s.kh === 7 ? 2 : 1, pt: s.pad, pl: s.pad, pb: s.pad, pr: s.pad, dh: 1, dw: 1, groups: 1 };
    const K = s.kh * s.kh * s.C;
    const bits = 4;
    const pal = new Int8Array(16).map(() => rng.int(-127, 127));
    const palscale = Float32Array.of(1 / 127);
    const idx = new Uint8Array(s.O * K).map(() => rng.int(0, 15));
    const W = Float64Array.from(idx, (v) => pal[v] / 127);
    const c: Case = { ...base, nb: 1, g, bits, groupRows: s.O, x: rng.floats(s.H * s.H * s.C), w: packRows(idx, s.O, K, bits), pal, palscale, W, bias: undefined, chscale: undefined, xPad: 0, yPad: 0 };
    withSeed(seed, () => {
      const got = run(h, simd, c);
      const { y } = convOracle(1, g, c.x, W);
      let num = 0, den = 0;
      for (let i = 0; i < y.length; i++) {
        num += (got[i] - y[i]) ** 2;
        den += y[i] ** 2;
      }
      const rel = Math.sqrt(num / den);
      expect(rel).toBeGreaterThan(0); // activations were quantized
      expect(rel).toBeLessThanOrEqual(0.01);
    });
  });
});

describe('i8 conv2d preconditions (debug build asserts)', () => {
  const h = new KernelHarness('debug');
  it.each(I8_ROWS.map((r) => [r.name] as const))('%s rejects a missing palette scale and bits outside 1..8', (name) => {
    const call = (bits: number, ps: boolean) => {
      h.reset();
      const x = h.alloc(4096), y = h.alloc(4096), w = h.alloc(4096), scratch = h.alloc(65536), s = h.put(Float32Array.of(1));
      //                                                                      H  W  C  O  kh kw sh sw pt pl pb pr dh dw groups    phase..
      const p = h.put(Int32Array.from([bits, 4, 0, 0, 0, scratch, ps ? s : 0, 0, 5, 5, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0]));
      return () => h.exports[name](1, x, w, w, 0, 0, y, 0, 0, p);
    };
    expect(call(4, true)).not.toThrow();
    expect(call(4, false)).toThrow(/assert/);
    expect(call(9, true)).toThrow(/assert/);
  });
});
