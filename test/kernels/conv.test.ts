/**
 * Every row of CONV_KERNELS (conv2d, dwconv2d, pools) x a seeded shape sweep, on both builds,
 * against the float64 oracle (test/oracle/conv.ts, tolerances stated there) and, for SIMD rows,
 * against the family's reference kernel. The sweep: odd H/W, channels not multiples of 4, kernel
 * 1/3/5, stride 1/2, asymmetric padding 0..2, dilation 1/2, groups 1/2 and depthwise, batch 1/3,
 * bits 1..8, per-tensor and grouped palettes, sparsity 1/0.5/0, padded image strides. Seeds are
 * printed on failure.
 */
import { describe, expect, it } from 'vitest';
import { CONV_KERNELS } from '../../src/runtime/kernels/conv.js';
import type { KernelRow } from '../../src/runtime/kernel-types.js';
import { BUILDS, KernelHarness, type Build } from '../util/wasm.js';
import { Rng, withSeed } from '../util/rng.js';
import { f32Tol } from '../oracle/gemm.js';
import { isPal, makeConvWeights } from '../util/conv-weights.js';
import { convOracle, gavgpoolOracle, outDim, outShape, poolOracle, type Geom } from '../oracle/conv.js';

const SENTINEL = 0x7fc0dead; // a NaN: y padding between images must keep it
const pick = <T>(rng: Rng, a: readonly T[]): T => a[rng.int(0, a.length - 1)];

// The i8 rows (int8 palettes, quantized activations) have their own test: test/kernels/conv-i8.test.ts.
const F32_ROWS = CONV_KERNELS.filter((r) => r.act === 'f32');

function refFor(r: KernelRow): KernelRow {
  const ref = F32_ROWS.find(
    (q) => q.isa === 'ref' && q.op === r.op && isPal(q) === isPal(r) && (q.sparse === undefined) === (r.sparse === undefined),
  );
  if (!ref) throw new Error(`no ref kernel for ${r.name}`);
  return ref;
}

interface Case {
  nb: number; g: Geom; bits: number; groupRows: number; R: number; Cb: number;
  x: Float32Array; w: Uint8Array; pal?: Float32Array; mask?: Uint8Array; bias?: Float32Array; chscale?: Float32Array;
  W: Float64Array; xPad: number; yPad: number;
}

/** An input size >= 1 that gives at least one output for this window. */
function fitSize(rng: Rng, k: number, d: number, p0: number, p1: number, max: number): number {
  const need = Math.max(1, d * (k - 1) + 1 - p0 - p1);
  let s = Math.max(need, rng.int(1, max));
  if (s % 2 === 0 && rng.next() < 0.8) s++; // mostly odd
  return s;
}

function makeGeom(rng: Rng, t: number, op: string): Geom {
  const ks = [1, 3, 5];
  const kh = ks[t % 3];
  const kw = ks[(t + (t >> 1)) % 3];
  const sh = 1 + ((t >> 1) % 2), sw = 1 + ((t >> 2) % 2);
  const pool = op === 'maxpool' || op === 'avgpool';
  const dh = pool ? 1 : 1 + ((t >> 3) % 2), dw = pool ? 1 : 1 + ((t >> 2) % 2);
  const padMax = (k: number) => (pool ? Math.min(2, k - 1) : 2);
  const pt = rng.int(0, padMax(kh)), pb = rng.int(0, padMax(kh)), pl = rng.int(0, padMax(kw)), pr = rng.int(0, padMax(kw));
  const big = t % 10 === 9 ? 23 : 13; // some larger images: tiles whose windows lie inside the image
  const H = fitSize(rng, kh, dh, pt, pb, big), W = fitSize(rng, kw, dw, pl, pr, big);
  let groups = 1, C: number, O: number;
  if (op === 'conv2d') {
    groups = t % 4 < 2 ? 1 : 2;
    C = groups * pick(rng, [1, 2, 3, 5, 6, 9]);
    O = groups * pick(rng, [1, 3, 5, 8, 9, 13, 17]);
  } else {
    C = pick(rng, [1, 3, 4, 5, 7, 8, 9, 13, 16, 17, 21]);
    O = C;
    if (op === 'dwconv2d') groups = C;
  }
  return { H, W, C, O, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, groups };
}

function makeCase(r: KernelRow, rng: Rng, t: number): Case {
  const g = makeGeom(rng, t, r.op);
  const nb = t % 2 === 0 ? 1 : 3;
  const xPad = t % 3 === 1 ? rng.int(1, 7) : 0;
  const yPad = t % 3 === 2 ? rng.int(1, 7) : 0;
  const x = rng.floats(nb * g.H * g.W * g.C);
  const pool = r.op === 'maxpool' || r.op === 'avgpool' || r.op === 'gavgpool';
  if (pool && t % 5 === 4) for (let i = 0; i < 3; i++) x[rng.int(0, x.length - 1)] = NaN; // NaN propagates
  const base = { nb, g, bits: 0, groupRows: 1, R: 0, Cb: 0, x, w: new Uint8Array(0), W: new Float64Array(0), xPad, yPad };
  if (r.op !== 'conv2d' && r.op !== 'dwconv2d') return base;
  return { ...base, ...makeConvWeights(r, rng, t, g.O, g.kh * g.kw * (g.C / g.groups)) };
}

function outPixels(r: KernelRow, g: Geom): [number, number] {
  if (r.op === 'gavgpool') return [1, g.C];
  if (r.op === 'maxpool' || r.op === 'avgpool') return [outDim(g.H, g.kh, g.sh, g.pt, g.pb, 1) * outDim(g.W, g.kw, g.sw, g.pl, g.pr, 1), g.C];
  const [OH, OW] = outShape(g);
  return [OH * OW, g.O];
}

/**
 * Runs one kernel; returns y as [nb][pixels][channels] after checking guards and image padding.
 * yPixel > 0: params slot 23 (floats between output pixels; dwconv2d: also between input pixels,
 * whose extra floats are NaN), the floats past the channels of each output pixel must stay untouched.
 */
function run(h: KernelHarness, r: KernelRow, c: Case, yPixel = 0): Float32Array {
  h.reset();
  const { g, nb } = c;
  const xPix = yPixel && r.op === 'dwconv2d' ? yPixel : g.C;
  const imgX = g.H * g.W * xPix;
  const xStride = (imgX + c.xPad) * 4;
  const xb = new Float32Array((nb * xStride) / 4).fill(NaN); // padding is NaN: reading it shows up
  for (let b = 0; b < nb; b++) {
    for (let p = 0; p < g.H * g.W; p++) xb.set(c.x.subarray((b * g.H * g.W + p) * g.C, (b * g.H * g.W + p + 1) * g.C), (b * xStride) / 4 + p * xPix);
  }
  const x = h.put(xb);
  const [pix, ch0] = outPixels(r, g);
  const ch = yPixel || ch0;
  const imgY = pix * ch;
  const yStride = (imgY + c.yPad) * 4;
  const y = h.alloc(nb * yStride);
  new Uint32Array(h.memory.buffer, y, (nb * yStride) / 4).fill(SENTINEL);
  const params = h.alloc(24 * 4);
  const K = g.kh * g.kw * (g.C / g.groups);
  let scratch = 0;
  if (r.scratchBytes) scratch = h.alloc(r.scratchBytes(nb, g.O, K));
  const fill = (cs: number) => new Int32Array(h.memory.buffer, params, 24).set([
    c.bits, c.groupRows, c.R, c.Cb, cs, scratch, 0, 0,
    g.H, g.W, g.C, g.O, g.kh, g.kw, g.sh, g.sw, g.pt, g.pl, g.pb, g.pr, g.dh, g.dw, g.groups, yPixel,
  ]);
  if (r.op === 'conv2d' || r.op === 'dwconv2d') {
    const w = h.put(c.w.length ? c.w : new Uint8Array(1));
    const pal = c.pal ? h.put(c.pal) : 0;
    const mask = c.mask ? h.put(c.mask) : 0;
    const bias = c.bias ? h.put(c.bias) : 0;
    fill(c.chscale ? h.put(c.chscale) : 0);
    h.exports[r.name](nb, x, w, pal, mask, bias, y, xStride, yStride, params);
  } else {
    fill(0);
    h.exports[r.name](nb, x, y, xStride, yStride, params);
  }
  h.checkGuards();
  const raw = new Uint32Array(h.memory.buffer, y, (nb * yStride) / 4);
  const rawF = new Float32Array(h.memory.buffer, y, (nb * yStride) / 4);
  const out = new Float32Array(nb * pix * ch0);
  for (let b = 0; b < nb; b++) {
    for (let i = 0; i < yStride / 4; i++) {
      const o = (b * yStride) / 4 + i;
      if (i < imgY && i % ch < ch0) out[b * pix * ch0 + Math.floor(i / ch) * ch0 + (i % ch)] = rawF[o];
      else if (raw[o] !== SENTINEL) throw new Error(`${r.name} wrote y padding of image ${b} at ${i}`);
    }
  }
  return out;
}

function check(what: string, got: Float32Array, want: ArrayLike<number>, tol: (i: number) => number): void {
  if (got.length !== want.length) throw new Error(`${what}: ${got.length} outputs, expected ${want.length}`);
  for (let i = 0; i < got.length; i++) {
    const ok = Number.isNaN(want[i]) ? Number.isNaN(got[i]) : Math.abs(got[i] - want[i]) <= tol(i);
    if (!ok) {
      throw new Error(`${what}: y[${i}] = ${got[i]}, expected ${want[i]} (|diff| ${Math.abs(got[i] - want[i])} > ${tol(i)})`);
    }
  }
}

const CASES_PER_ROW = 40;

describe.each(BUILDS)('conv / pool kernels, %s build', (build: Build) => {
  const h = new KernelHarness(build);
  it.each(F32_ROWS.map((r) => [r.name, r] as const))('%s', (_name, r) => {
    expect(typeof h.exports[r.name]).toBe('function');
    const seed = (0x85ebca6b ^ [...r.name].reduce((a, ch) => (a * 31 + ch.charCodeAt(0)) >>> 0, 7)) >>> 0;
    const rng = new Rng(seed);
    const ref = r.isa === 'ref' ? undefined : refFor(r);
    for (let t = 0; t < CASES_PER_ROW; t++) {
      const c = makeCase(r, rng, t);
      const g = c.g;
      const desc = `${r.name} case ${t}: n=${c.nb} HWC=${g.H}x${g.W}x${g.C} O=${g.O} k=${g.kh}x${g.kw} s=${g.sh},${g.sw} ` +
        `pad=${g.pt},${g.pl},${g.pb},${g.pr} d=${g.dh},${g.dw} groups=${g.groups} bits=${c.bits} grp=${c.groupRows} ` +
        `R=${c.R} C=${c.Cb} bias=${!!c.bias} cs=${!!c.chscale} xpad=${c.xPad} ypad=${c.yPad}`;
      withSeed(seed, () => {
        const got = run(h, r, c);
        if (r.op === 'conv2d' || r.op === 'dwconv2d') {
          const K = g.kh * g.kw * (g.C / g.groups);
          const { y, mag } = convOracle(c.nb, g, c.x, c.W, c.chscale, c.bias);
          check(`${desc} vs oracle`, got, y, (i) => f32Tol(K, mag[i]));
          if (ref) check(`${desc} vs ${ref.name}`, got, run(h, ref, c), (i) => 2 * f32Tol(K, mag[i]));
        } else {
          const { y, tol } = r.op === 'gavgpool' ? gavgpoolOracle(c.nb, g.H, g.W, g.C, c.x) : poolOracle(r.op === 'maxpool' ? 'max' : 'avg', c.nb, g, c.x);
          check(`${desc} vs oracle`, got, y, (i) => tol[i]);
          if (ref) check(`${desc} vs ${ref.name}`, got, run(h, ref, c), () => 0);
        }
      });
    }
  });
});

/**
 * The block-sparse SIMD kernels skip dropped blocks per tile of 8 output channels (one block row
 * when R is a multiple of 8, else the union of the tile's rows): block rows of 8/16/32 channels and
 * 1..3 columns, densities from 0.1 to 0.9, more channels than the general sweep (several tiles per
 * block row, a partial last one), big enough images for interior tiles, against ref and oracle.
 */
describe.each(BUILDS)('conv2d block-sparse kernels, tall blocks and low density, %s build', (build: Build) => {
  const h = new KernelHarness(build);
  const rows = F32_ROWS.filter((r) => r.op === 'conv2d' && r.sparse !== undefined && r.isa !== 'ref');
  it.each(rows.map((r) => [r.name, r] as const))('%s', (_name, r) => {
    const seed = 0x5eed16 ^ r.name.length;
    const rng = new Rng(seed);
    const ref = refFor(r);
    const shapes: Array<[number, number]> = [[16, 1], [8, 1], [32, 1], [16, 2], [8, 3], [2, 1]];
    for (let t = 0; t < 24; t++) {
      const [R, Cb] = shapes[t % shapes.length];
      const density = [0.1, 0.25, 0.5, 0.75, 0.9][t % 5];
      const k = [3, 1, 5][t % 3];
      const groups = t % 4 === 3 ? 2 : 1;
      const C = groups * pick(rng, [3, 7, 12, 20]);
      const O = groups * pick(rng, [16, 24, 40, 45, 48]);
      const pad = t % 2 === 0 ? (k - 1) >> 1 : 0;
      const g: Geom = {
        H: rng.int(k, 19), W: rng.int(k, 19), C, O, kh: k, kw: k, sh: 1 + (t % 3 === 2 ? 1 : 0), sw: 1,
        pt: pad, pl: pad, pb: pad, pr: pad, dh: 1, dw: t % 6 === 5 ? 2 : 1, groups,
      };
      if (g.W < g.dw * (k - 1) + 1) g.W = g.dw * (k - 1) + 1;
      const nb = t % 3 === 0 ? 2 : 1;
      const K = k * k * (C / groups);
      const c: Case = {
        nb, g, x: rng.floats(nb * g.H * g.W * C), xPad: t % 4 === 1 ? 3 : 0, yPad: t % 4 === 2 ? 5 : 0,
        // (t * 5) % 32: bits 1..8 and the four palette groupings spread over the block shapes
        ...makeConvWeights(r, rng, (t * 5) % 32, O, K, { R, Cb, density }),
      };
      const desc = `${r.name} case ${t}: n=${nb} HWC=${g.H}x${g.W}x${C} O=${O} k=${k} s=${g.sh} pad=${pad} d=${g.dw} groups=${groups} ` +
        `bits=${c.bits} grp=${c.groupRows} R=${R} C=${Cb} density=${density}`;
      withSeed(seed, () => {
        const got = run(h, r, c);
        const { y, mag } = convOracle(nb, g, c.x, c.W, c.chscale, c.bias);
        check(`${desc} vs oracle`, got, y, (i) => f32Tol(K, mag[i]));
        check(`${desc} vs ${ref.name}`, got, run(h, ref, c), (i) => 2 * f32Tol(K, mag[i]));
      });
    }
  });
});

describe.each(BUILDS)('conv2d / dwconv2d params slot 23 (pixel stride, for channel slices), %s build', (build: Build) => {
  const h = new KernelHarness(build);
  const rows = F32_ROWS.filter((r) => r.op === 'conv2d' || r.op === 'dwconv2d');
  it.each(rows.map((r) => [r.name, r] as const))('%s: same values, pixels wider, the gap neither read nor written', (_name, r) => {
    const seed = 0x2357 ^ r.name.length;
    const rng = new Rng(seed);
    for (let t = 0; t < 12; t++) {
      const c = makeCase(r, rng, t);
      withSeed(seed, () => {
        const want = run(h, r, c);
        const got = run(h, r, c, c.g.O + 1 + (t % 5));
        expect(Array.from(new Uint32Array(got.buffer)), `case ${t}`).toEqual(Array.from(new Uint32Array(want.buffer)));
      });
    }
  });
});

describe('conv table', () => {
  it('lists every kernel of the standalone conv build, refs first', () => {
    const h = new KernelHarness('simd');
    const exported = Object.keys(h.exports).filter((k) => k !== 'memory' && k !== 'heap_base' && /_(conv2d|dwconv2d|maxpool|avgpool|gavgpool)_/.test(k));
    expect(exported.sort()).toEqual(CONV_KERNELS.map((r) => r.name).sort());
    const firstSimd = CONV_KERNELS.findIndex((r) => r.isa !== 'ref');
    expect(CONV_KERNELS.slice(firstSimd).every((r) => r.isa !== 'ref')).toBe(true);
  });
});

describe('conv / pool preconditions (debug build asserts)', () => {
  const h = new KernelHarness('debug');
  const call = (name: string, slots: number[]) => {
    h.reset();
    const x = h.alloc(4096), y = h.alloc(4096), w = h.alloc(4096), scratch = h.alloc(8192);
    const p = h.put(Int32Array.from([0, 1, 0, 0, 0, scratch, 0, 0, ...slots, 0]));
    if (name.includes('pool')) return () => h.exports[name](1, x, y, 0, 0, p);
    return () => h.exports[name](1, x, w, 0, 0, 0, y, 0, 0, p);
  };
  //            H  W  C  O  kh kw sh sw pt pl pb pr dh dw groups
  const ok = [5, 5, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1];
  it('accepts a valid geometry', () => {
    expect(call('f32_conv2d_dense__ref', ok)).not.toThrow();
    expect(call('f32_maxpool__ref', ok)).not.toThrow();
  });
  it('rejects groups that do not divide the channels', () => {
    expect(call('f32_conv2d_dense_4x8__simd', [5, 5, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 3])).toThrow(/assert/);
  });
  it('rejects a window larger than the padded input', () => {
    expect(call('f32_conv2d_dense__ref', [2, 2, 4, 4, 5, 5, 1, 1, 0, 0, 0, 0, 1, 1, 1])).toThrow(/assert/);
  });
  it('rejects pool padding >= the window (a window of padding only)', () => {
    expect(call('f32_avgpool__simd', [5, 5, 4, 4, 2, 2, 1, 1, 2, 0, 0, 0, 1, 1, 1])).toThrow(/assert/);
  });
  it('rejects a depthwise call whose groups != channels', () => {
    expect(call('f32_dwconv2d_dense_1x8__simd', [5, 5, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1])).toThrow(/assert/);
  });
});
