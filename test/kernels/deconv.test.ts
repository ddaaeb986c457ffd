/**
 * Every deconv2d row of SPATIAL_KERNELS (ONNX ConvTranspose) x a seeded shape sweep, on both builds,
 * against the float64 scatter oracle (test/oracle/deconv.ts, tolerances stated there) and, for SIMD
 * rows, against the reference kernel of the same encoding. The sweep is built from the 4x8 tile
 * (4 output pixels of one stride phase x 8 output channels): channels per group 1, 3, 7, 8, 9, 16, 17
 * and groups 1..3; output widths around multiples of 4 * stride; kernel 1..5; stride 1..4 (stride >
 * kernel extent leaves pixels that no tap reaches: bias only); dilation 1..3 (gcd(stride, dilation)
 * 1 and > 1); pads 0..3 per side; output padding up to max(stride, dilation) - 1; batch 1 / 3; image
 * strides padded; bits 1..8; per-tensor and grouped palettes; sparsity 1 / 0.5 / 0; f16 weights.
 * Guard bytes after every buffer, NaN between images. Seeds are printed on failure.
 */
import { describe, expect, it } from 'vitest';
import { SPATIAL_KERNELS } from '../../src/runtime/kernels/spatial.js';
import type { KernelRow } from '../../src/runtime/kernel-types.js';
import { BUILDS, KernelHarness, type Build } from '../util/wasm.js';
import { Rng, withSeed } from '../util/rng.js';
import { seedOf } from '../util/sweep.js';
import { f32Tol } from '../oracle/gemm.js';
import { deconvOracle, deconvOutShape, type DeconvGeom } from '../oracle/deconv.js';
import { makeConvWeights, type ConvWeights } from '../util/conv-weights.js';

const SENTINEL = 0x7fc0dead; // a NaN: y padding between images must keep it
const ROWS = SPATIAL_KERNELS.filter((r) => r.op === 'deconv2d');
const pick = <T>(rng: Rng, a: readonly T[]): T => a[rng.int(0, a.length - 1)];

function refFor(r: KernelRow): KernelRow {
  const ref = ROWS.find((q) => q.isa === 'ref' && q.wenc === r.wenc && (q.sparse === undefined) === (r.sparse === undefined));
  if (!ref) throw new Error(`no ref kernel for ${r.name}`);
  return ref;
}

interface Case extends ConvWeights {
  nb: number; g: DeconvGeom; x: Float32Array; xPad: number; yPad: number;
}

function makeGeom(rng: Rng, t: number): DeconvGeom {
  const kh = 1 + (t % 5), kw = 1 + ((t + (t >> 2)) % 5);
  const sh = 1 + ((t >> 1) % 4), sw = 1 + ((t >> 2) % 3);
  const dh = 1 + ((t >> 3) % 3), dw = 1 + ((t >> 1) % 2);
  const groups = [1, 1, 2, 3][t % 4];
  const C = groups * pick(rng, [1, 2, 3, 5]);
  const O = groups * pick(rng, [1, 3, 7, 8, 9, 16, 17]);
  const oph = rng.int(0, Math.max(sh, dh) - 1), opw = rng.int(0, Math.max(sw, dw) - 1);
  const H = rng.int(1, 7);
  // widths whose output straddles multiples of the 4-pixel tile (times the stride)
  const W = t % 10 === 9 ? rng.int(9, 13) : rng.int(1, 7);
  const fit = (inSize: number, s: number, d: number, k: number, op: number) => {
    const full = (inSize - 1) * s + d * (k - 1) + 1 + op; // output before cropping
    let p0 = rng.int(0, 3), p1 = rng.int(0, 3);
    while (full - p0 - p1 < 1) [p0, p1] = [Math.max(0, p0 - 1), Math.max(0, p1 - 1)];
    return [p0, p1];
  };
  const [pt, pb] = fit(H, sh, dh, kh, oph);
  const [pl, pr] = fit(W, sw, dw, kw, opw);
  return { H, W, C, O, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, groups, oph, opw };
}

function makeCase(r: KernelRow, rng: Rng, t: number): Case {
  const g = makeGeom(rng, t);
  const nb = t % 2 === 0 ? 1 : 3;
  const xPad = t % 3 === 1 ? rng.int(1, 7) : 0;
  const yPad = t % 3 === 2 ? rng.int(1, 7) : 0;
  const x = rng.floats(nb * g.H * g.W * g.C);
  return { nb, g, x, xPad, yPad, ...makeConvWeights(r, rng, t, g.O, g.kh * g.kw * (g.C / g.groups)) };
}

/** Runs one kernel; returns y as [nb][OH][OW][O] after checking guards and image padding. */
function run(h: KernelHarness, r: KernelRow, c: Case): Float32Array {
  h.reset();
  const { g, nb } = c;
  const imgX = g.H * g.W * g.C;
  const xStride = (imgX + c.xPad) * 4;
  const xb = new Float32Array((nb * xStride) / 4).fill(NaN); // padding is NaN: reading it shows up
  for (let b = 0; b < nb; b++) xb.set(c.x.subarray(b * imgX, (b + 1) * imgX), (b * xStride) / 4);
  const x = h.put(xb);
  const [OH, OW] = deconvOutShape(g);
  const imgY = OH * OW * g.O;
  const yStride = (imgY + c.yPad) * 4;
  const y = h.alloc(nb * yStride);
  new Uint32Array(h.memory.buffer, y, (nb * yStride) / 4).fill(SENTINEL);
  const K = g.kh * g.kw * (g.C / g.groups);
  const scratch = r.scratchBytes ? h.alloc(r.scratchBytes(nb, g.O, K)) : 0;
  const w = h.put(c.w.length ? c.w : new Uint8Array(1));
  const pal = c.pal ? h.put(c.pal) : 0;
  const mask = c.mask ? h.put(c.mask) : 0;
  const bias = c.bias ? h.put(c.bias) : 0;
  const cs = c.chscale ? h.put(c.chscale) : 0;
  const params = h.put(Int32Array.from([
    c.bits, c.groupRows, c.R, c.Cb, cs, scratch, 0, 0,
    g.H, g.W, g.C, g.O, g.kh, g.kw, g.sh, g.sw, g.pt, g.pl, g.pb, g.pr, g.dh, g.dw, g.groups, 0, g.oph, g.opw,
  ]));
  h.exports[r.name](nb, x, w, pal, mask, bias, y, xStride, yStride, params);
  h.checkGuards();
  const raw = new Uint32Array(h.memory.buffer, y, (nb * yStride) / 4);
  const rawF = new Float32Array(h.memory.buffer, y, (nb * yStride) / 4);
  const out = new Float32Array(nb * imgY);
  for (let b = 0; b < nb; b++) {
    for (let i = 0; i < yStride / 4; i++) {
      const o = (b * yStride) / 4 + i;
      if (i < imgY) out[b * imgY + i] = rawF[o];
      else if (raw[o] !== SENTINEL) throw new Error(`${r.name} wrote y padding of image ${b} at ${i}`);
    }
  }
  return out;
}

function check(what: string, got: Float32Array, want: ArrayLike<number>, tol: (i: number) => number): void {
  if (got.length !== want.length) throw new Error(`${what}: ${got.length} outputs, expected ${want.length}`);
  for (let i = 0; i < got.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= tol(i))) {
      throw new Error(`${what}: y[${i}] = ${got[i]}, expected ${want[i]} (|diff| ${Math.abs(got[i] - want[i])} > ${tol(i)})`);
    }
  }
}

const CASES_PER_ROW = 40;

describe.each(BUILDS)('deconv2d kernels, %s build', (build: Build) => {
  const h = new KernelHarness(build);
  it.each(ROWS.map((r) => [r.name, r] as const))('%s', (_name, r) => {
    expect(typeof h.exports[r.name]).toBe('function');
    const seed = seedOf(r.name, 'deconv2d');
    const rng = new Rng(seed);
    const ref = r.isa === 'ref' ? undefined : refFor(r);
    for (let t = 0; t < CASES_PER_ROW; t++) {
      const c = makeCase(r, rng, t);
      const g = c.g;
      const desc = `${r.name} case ${t}: n=${c.nb} HWC=${g.H}x${g.W}x${g.C} O=${g.O} k=${g.kh}x${g.kw} s=${g.sh},${g.sw} ` +
        `pad=${g.pt},${g.pl},${g.pb},${g.pr} d=${g.dh},${g.dw} groups=${g.groups} outpad=${g.oph},${g.opw} bits=${c.bits} ` +
        `grp=${c.groupRows} R=${c.R} C=${c.Cb} bias=${!!c.bias} cs=${!!c.chscale} xpad=${c.xPad} ypad=${c.yPad}`;
      withSeed(seed, () => {
        const got = run(h, r, c);
        const K = g.kh * g.kw * (g.C / g.groups);
        const { y, mag } = deconvOracle(c.nb, g, c.x, c.W, c.chscale, c.bias);
        check(`${desc} vs oracle`, got, y, (i) => f32Tol(K, mag[i]));
        if (ref) check(`${desc} vs ${ref.name}`, got, run(h, ref, c), (i) => 2 * f32Tol(K, mag[i]));
      });
    }
  });
});

describe('deconv2d preconditions (debug build asserts)', () => {
  const h = new KernelHarness('debug');
  const call = (name: string, slots: number[]) => {
    h.reset();
    const x = h.alloc(4096), y = h.alloc(8192), w = h.alloc(4096), scratch = h.alloc(8192);
    const p = h.put(Int32Array.from([0, 1, 0, 0, 0, scratch, 0, 0, ...slots]));
    return () => h.exports[name](1, x, w, 0, 0, 0, y, 0, 0, p);
  };
  //            H  W  C  O  kh kw sh sw pt pl pb pr dh dw groups - oph opw
  const ok = [5, 5, 4, 4, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1];
  it('accepts a valid geometry', () => {
    expect(call('f32_deconv2d_dense__ref', ok)).not.toThrow();
    expect(call('f32_deconv2d_dense_4x8__simd', ok)).not.toThrow();
  });
  it('rejects groups that do not divide the channels', () => {
    expect(call('f32_deconv2d_dense_4x8__simd', [5, 5, 4, 4, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 3, 0, 0, 0])).toThrow(/assert/);
  });
  it('rejects pads that crop the whole output', () => {
    expect(call('f32_deconv2d_dense__ref', [1, 1, 4, 4, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0])).toThrow(/assert/);
  });
  it('rejects a negative output padding', () => {
    expect(call('f32_deconv2d_dense__ref', [5, 5, 4, 4, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1, 1, 0, -1, 0])).toThrow(/assert/);
  });
});
