/**
 * Every row of GEMM_KERNELS x a shape sweep derived from its tile, on both builds, against the
 * float64 oracle (test/oracle/gemm.ts, tolerances stated there) and, for SIMD rows, against the
 * family's reference kernel. Cases are sampled from the sweep with a seeded RNG (seed printed on failure).
 */
import { describe, expect, it } from 'vitest';
import { GEMM_KERNELS } from '../../src/runtime/kernels/gemm.js';
import type { KernelRow } from '../../src/runtime/kernel-types.js';
import { packRows, packStream } from '../../src/encode/bitpack.js';
import { blockGrid, gatherKept, packMask } from '../../src/encode/blocksparse.js';
import { BUILDS_WITH_RELAXED, KernelHarness, type Build } from '../util/wasm.js';
import { Rng, withSeed } from '../util/rng.js';
import { bitField, decodeBlockSparse, decodeRows, f16Value, f32Tol, gemmOracle, i8Tol } from '../oracle/gemm.js';
import { nextPrime } from '../util/sweep.js';

type Kind = 'dense' | 'f16' | 'pal';

const kindOf = (r: KernelRow): Kind => (r.wenc === 'dense' ? 'dense' : r.wenc === 'f16' ? 'f16' : 'pal');

function refFor(r: KernelRow): KernelRow {
  const ref = GEMM_KERNELS.find(
    (q) => q.isa === 'ref' && q.act === r.act && kindOf(q) === kindOf(r) && (q.sparse === undefined) === (r.sparse === undefined),
  );
  if (!ref) throw new Error(`no ref kernel for ${r.name}`);
  return ref;
}

const uniq = (a: number[]) => [...new Set(a.filter((v) => v >= 1))];

/** One encoded problem: inputs for the kernel plus the dense float64 W the oracle uses. */
interface Case {
  m: number; n: number; k: number; bits: number; groupRows: number; R: number; C: number;
  x: Float32Array; w: Uint8Array; pal?: Uint8Array; mask?: Uint8Array; bias?: Float32Array;
  chscale?: Float32Array; palscale?: Float32Array; xStride: number; yStride: number;
  W: Float64Array; special?: boolean;
}

const SHAPES_ANY: Array<[number, number]> = [[1, 1], [2, 3], [3, 5], [4, 4], [1, 4], [4, 1], [16, 1], [5, 2]];

function randomF16(rng: Rng): number {
  // any finite half: exponent 0..30 (subnormals and zeros included)
  return (rng.int(0, 1) << 15) | (rng.int(0, 30) << 10) | rng.int(0, 1023);
}

function makeCase(r: KernelRow, rng: Rng, t: number): Case {
  const [MR, NR] = r.tile ?? [4, 4];
  const kind = kindOf(r);
  const sparse = r.sparse;
  let [R, C] = sparse === undefined ? [0, 0] : sparse === 'any' ? SHAPES_ANY[t % SHAPES_ANY.length] : sparse;
  // slab kernels switch paths on m: reach well past the switch (7 values, coprime with the 8 bit widths);
  // the int8 kernels run batch 1-2 fused and from 3 rows on a row buffer
  const ms = uniq([1, MR - 1, MR, MR + 1, 2 * MR + 1, ...(r.act === 'i8' ? [2] : []), ...(r.variant === 'slab' ? [9, 17, 33] : [])]);
  const ns = uniq([1, NR - 1, NR, NR + 1, 2 * NR + 3, 5 * NR + 1, R, 3 * R + 1, 4 * R - 1]);
  const ks = uniq([1, 3, 4, 5, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 200, 257, C, 3 * C + 1, 5 * C - 1]);
  const m = ms[t % ms.length];
  const n = ns[rng.int(0, ns.length - 1)];
  const k = ks[(t * 7 + rng.int(0, 2)) % ks.length];
  if (sparse === 'any' && t % 11 === 10) [R, C] = [n, k]; // whole columns / whole rows
  const minBits = r.minBits ?? 1;
  const bits = kind === 'pal' ? minBits + (t % ((r.maxBits ?? 8) - minBits + 1)) : 0;
  const groupRows = [n, 1, rng.int(1, n), Math.max(1, n - 1)][(t >> 3) % 4]; // every bit width meets every grouping
  const xStride = (t % 3 === 1 ? nextPrime(k) : k) * 4;
  const yStride = (t % 3 === 2 ? nextPrime(n) : n) * 4;
  const x = rng.floats(m * k);
  if (r.act === 'i8' && t % 5 === 4) x.forEach((v, i) => (x[i] = Math.abs(v))); // after a ReLU: the int8 kernels' no-negatives path
  const bias = t % 2 === 0 ? rng.floats(n) : undefined;
  const chscale = t % 4 < 2 ? rng.floats(n, 0.5, 2) : undefined;

  // dense values / indices of the full [n, k] matrix
  let Wfull: Float64Array;
  let valuesF32: Float32Array | undefined;
  let valuesIdx: Uint8Array | undefined;
  let w: Uint8Array;
  let pal: Uint8Array | undefined;
  let palscale: Float32Array | undefined;
  let special = false;
  const numPal = Math.ceil(n / Math.max(1, groupRows));
  if (kind === 'dense') {
    valuesF32 = rng.floats(n * k);
    w = new Uint8Array(valuesF32.buffer);
    Wfull = Float64Array.from(valuesF32);
  } else if (kind === 'f16') {
    const h = new Uint16Array(n * k);
    for (let i = 0; i < h.length; i++) h[i] = randomF16(rng);
    if (t % 9 === 8 && r.isa === 'ref') {
      // inf / nan rows: the reference keeps them (the SIMD kernels may assume finite weights, which
      // the format guarantees: src/format/validate-values.ts rejects a file with any other)
      special = true;
      h[0] = 0x7c00;
      if (h.length > 1) h[h.length - 1] = 0xfc00;
      if (n > 2) h[k] = 0x7e01;
    }
    w = new Uint8Array(h.buffer);
    Wfull = Float64Array.from(h, f16Value);
  } else {
    valuesIdx = new Uint8Array(n * k);
    for (let i = 0; i < valuesIdx.length; i++) valuesIdx[i] = rng.int(0, (1 << bits) - 1);
    w = new Uint8Array(0);
    Wfull = new Float64Array(0);
    if (r.act === 'f32') {
      const p = rng.floats(numPal << bits);
      pal = new Uint8Array(p.buffer);
    } else {
      pal = new Uint8Array(numPal << bits);
      for (let i = 0; i < pal.length; i++) pal[i] = rng.int(0, 255);
      palscale = new Float32Array(numPal);
      for (let i = 0; i < numPal; i++) palscale[i] = 2 ** rng.uniform(-8, -4);
    }
  }
  // palette value of index idx for output row j, decoded from the palette bytes as the definition says
  const palValue = (j: number, idx: number): number => {
    const p = Math.floor(j / groupRows);
    if (r.act === 'f32') return new Float32Array(pal!.buffer, pal!.byteOffset)[(p << bits) + idx];
    const e = pal![(p << bits) + idx];
    return (e >= 128 ? e - 256 : e) * palscale![p];
  };

  let mask: Uint8Array | undefined;
  if (sparse !== undefined) {
    const g = blockGrid(n, k, R, C);
    const density = [1, 0.5, 0][t % 3];
    const keep = new Uint8Array(g.gridRows * g.gridCols);
    for (let i = 0; i < keep.length; i++) keep[i] = rng.next() < density ? 1 : 0;
    if (density === 0.5 && g.gridRows > 1) keep.fill(0, 0, g.gridCols); // an empty block row
    mask = packMask(keep, g);
    if (valuesF32) {
      const kept = gatherKept(valuesF32, mask, g);
      w = new Uint8Array(kept.buffer);
      Wfull = decodeBlockSparse(n, k, R, C, mask, (v) => kept[v]);
    } else {
      const kept = gatherKept(valuesIdx!, mask, g);
      w = packStream(kept, bits);
      const keptBytes = w;
      // oracle: decode the stream itself, then map each kept position to its palette by row
      const idx = decodeBlockSparse(n, k, R, C, mask, (v) => bitField(keptBytes, 0, v, bits));
      const kept01 = decodeBlockSparse(n, k, R, C, mask, () => 1);
      Wfull = new Float64Array(n * k);
      for (let j = 0; j < n; j++) for (let c = 0; c < k; c++) if (kept01[j * k + c]) Wfull[j * k + c] = palValue(j, idx[j * k + c]);
    }
  } else if (valuesIdx) {
    w = packRows(valuesIdx, n, k, bits);
    const idx = decodeRows(w, n, k, bits);
    Wfull = new Float64Array(n * k);
    for (let j = 0; j < n; j++) for (let c = 0; c < k; c++) Wfull[j * k + c] = palValue(j, idx[j * k + c]);
  }
  return { m, n, k, bits, groupRows, R, C, x, w, pal, mask, bias, chscale, palscale, xStride, yStride, W: Wfull, special };
}

const SENTINEL = 0x7fc0dead; // a NaN: padding between rows must keep it

/** Runs one kernel on a case; returns y as [m*n] after checking guards and row padding. */
function run(h: KernelHarness, r: KernelRow, c: Case): Float32Array {
  h.reset();
  const { m, n, k } = c;
  const xb = new Float32Array((m * c.xStride) / 4).fill(NaN); // padding is NaN: reading it shows up
  for (let i = 0; i < m; i++) xb.set(c.x.subarray(i * k, i * k + k), (i * c.xStride) / 4);
  const x = h.put(xb);
  const w = h.put(c.w.length ? c.w : new Uint8Array(1));
  const pal = c.pal ? h.put(c.pal) : 0;
  const mask = c.mask ? h.put(c.mask) : 0;
  const bias = c.bias ? h.put(c.bias) : 0;
  const cs = c.chscale ? h.put(c.chscale) : 0;
  const ps = c.palscale ? h.put(c.palscale) : 0;
  const sb = r.scratchBytes ? r.scratchBytes(m, n, k) : 0;
  const scratch = sb ? h.alloc(sb) : 0;
  const yBytes = m * c.yStride;
  const y = h.alloc(yBytes);
  new Uint32Array(h.memory.buffer, y, yBytes / 4).fill(SENTINEL);
  const params = h.put(Int32Array.of(c.bits, c.groupRows, c.R, c.C, cs, scratch, ps, 0));
  h.exports[r.name](m, n, k, x, w, pal, mask, bias, y, c.xStride, c.yStride, params);
  h.checkGuards();
  const raw = new Uint32Array(h.memory.buffer, y, yBytes / 4);
  const out = new Float32Array(m * n);
  const rawF = new Float32Array(h.memory.buffer, y, yBytes / 4);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < c.yStride / 4; j++) {
      const o = (i * c.yStride) / 4 + j;
      if (j < n) out[i * n + j] = rawF[o];
      else if (raw[o] !== SENTINEL) throw new Error(`${r.name} wrote y padding at row ${i} col ${j}`);
    }
  }
  return out;
}

function check(what: string, got: Float32Array, want: ArrayLike<number>, tol: (i: number) => number): void {
  for (let i = 0; i < got.length; i++) {
    const a = got[i];
    const e = want[i];
    const ok = Number.isNaN(e) ? Number.isNaN(a) : !Number.isFinite(e) ? a === e : Math.abs(a - e) <= tol(i);
    if (!ok) throw new Error(`${what}: y[${i}] = ${a}, expected ${e} (|diff| ${Math.abs(a - e)} > ${tol(i)})`);
  }
}

const CASES_PER_ROW = 36;

describe.each(BUILDS_WITH_RELAXED)('gemm kernels, %s build', (build: Build) => {
  const h = new KernelHarness(build);
  it.each(GEMM_KERNELS.map((r) => [r.name, r] as const))('%s', (_name, r) => {
    expect(typeof h.exports[r.name]).toBe('function');
    const seed = (0x9e3779b1 ^ [...r.name].reduce((a, ch) => (a * 31 + ch.charCodeAt(0)) >>> 0, 7)) >>> 0;
    const rng = new Rng(seed);
    const ref = r.isa === 'ref' ? undefined : refFor(r);
    const nb = r.maxBits ? r.maxBits - (r.minBits ?? 1) + 1 : 1;
    const cases = Math.max(CASES_PER_ROW, 5 * nb);
    for (let t = 0; t < cases; t++) {
      const c = makeCase(r, rng, t);
      const desc = `${r.name} case ${t}: m=${c.m} n=${c.n} k=${c.k} bits=${c.bits} group=${c.groupRows} R=${c.R} C=${c.C} xs=${c.xStride} ys=${c.yStride} bias=${!!c.bias} cs=${!!c.chscale}`;
      withSeed(seed, () => {
        const got = run(h, r, c);
        const { y, mag } = gemmOracle(c.m, c.n, c.k, c.x, c.W, c.chscale, c.bias);
        if (r.act === 'f32') {
          check(`${desc} vs oracle`, got, y, (i) => f32Tol(c.k, mag[i]));
        } else {
          const tol = i8Tol(c.m, c.n, c.k, c.x, c.W, mag, c.chscale);
          check(`${desc} vs oracle`, got, y, (i) => tol[i]);
        }
        if (ref) {
          const want = run(h, ref, c);
          if (r.act === 'f32') check(`${desc} vs ${ref.name}`, got, want, (i) => 2 * f32Tol(c.k, mag[i]));
          else check(`${desc} vs ${ref.name}`, got, want, () => 0);
        }
      });
    }
  });
});
