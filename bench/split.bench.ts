/**
 * Where splitting a kernel call over threads starts to pay: single-op models of growing size run on
 * one thread and, split on every call (splitTuning forced to 0), on 2 threads; the ratio of the
 * medians is the speedup of the split at that size. The runtime's thresholds (splitTuning in
 * src/runtime/ops/parallel.ts) sit where this crosses ~1.2x.
 *
 *   npm run bench -- --split
 */
import { loadModel, ModelWriter, encodeDense, type Model } from '../src/index.js';
import { splitTuning } from '../src/runtime/ops/parallel.js';
import { median } from './harness.js';

export interface SplitRow {
  op: string;
  shape: string;
  /** Multiply-adds (gemm, conv) or elements (element-wise) of one call. */
  work: number;
  oneMs: number;
  twoMs: number;
  speedup: number;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 8) / 16777216 - 0.5;
}

function fcModel(n: number, k: number): Uint8Array {
  const r = rng(n * 31 + k);
  const w = new ModelWriter({ name: 'fc' });
  const x = w.input('input', [k]);
  w.output(w.op('FullyConnected', [x, w.weight('w', [n, k], encodeDense(Float32Array.from({ length: n * k }, r)))], { output: 'y' }));
  return w.finish();
}

function convModel(hw: number, c: number, o: number): Uint8Array {
  const r = rng(hw * 7 + c);
  const w = new ModelWriter({ name: 'conv' });
  const x = w.input('input', [hw, hw, c]);
  const W = w.weight('w', [o, 3, 3, c], encodeDense(Float32Array.from({ length: o * 9 * c }, r)));
  w.output(w.op('Conv2D', [x, W], { attrs: { strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], groups: 1 }, output: 'y' }));
  return w.finish();
}

/**
 * CHAIN element-wise ops in a row: copying the input in and the output out runs on one thread, so a
 * single op would measure mostly that; per op, the chain's time is the kernels'.
 */
const CHAIN = 8;

function unaryModel(op: string, n: number): Uint8Array {
  const w = new ModelWriter({ name: op });
  let x = w.input('input', [n]);
  for (let i = 0; i < CHAIN; i++) x = w.op(op, [x], i === CHAIN - 1 ? { output: 'y' } : {});
  w.output(x);
  return w.finish();
}

/** Relu, then Add of the Relu's input (as a residual connection runs), CHAIN / 2 times. */
function addModel(n: number): Uint8Array {
  const w = new ModelWriter({ name: 'add' });
  let x = w.input('input', [n]);
  for (let i = 0; i < CHAIN / 2; i++) x = w.op('Add', [w.op('Relu', [x]), x], i === CHAIN / 2 - 1 ? { output: 'y' } : {});
  w.output(x);
  return w.finish();
}

/** A conv of real geometry (stride, pads, groups = 1 or depthwise). */
function windowModel(hw: number, c: number, o: number, k: number, stride: number, depthwise: boolean): Uint8Array {
  const r = rng(hw * 13 + c + k);
  const w = new ModelWriter({ name: 'window' });
  const x = w.input('input', [hw, hw, c]);
  const cg = depthwise ? 1 : c;
  const W = w.weight('w', [o, k, k, cg], encodeDense(Float32Array.from({ length: o * k * k * cg }, r)));
  const p = (k - 1) >> 1;
  w.output(w.op('Conv2D', [x, W], { attrs: { strides: [stride, stride], pads: [p, p, p, p], dilations: [1, 1], groups: depthwise ? c : 1 }, output: 'y' }));
  return w.finish();
}

interface Case {
  op: string;
  shape: string;
  work: number;
  bytes: Uint8Array;
  batch: number;
}

function cases(): Case[] {
  const out: Case[] = [];
  // gemm: n = k = 256 (65,536 multiply-adds per row), m rows; and smaller GEMVs
  for (const n of [64, 128]) out.push({ op: 'FullyConnected', shape: `m=1 n=${n} k=${n}`, work: n * n, bytes: fcModel(n, n), batch: 1 });
  for (const m of [1, 2, 4, 8, 16, 64]) out.push({ op: 'FullyConnected', shape: `m=${m} n=256 k=256`, work: m * 256 * 256, bytes: fcModel(256, 256), batch: m });
  // GEMV, growing n = k
  for (const n of [384, 768, 1536]) out.push({ op: 'FullyConnected', shape: `m=1 n=${n} k=${n}`, work: n * n, bytes: fcModel(n, n), batch: 1 });
  // 3x3 conv, 16 -> 16 channels, growing image
  for (const hw of [4, 8, 16, 32]) out.push({ op: 'Conv2D 3x3', shape: `${hw}x${hw}x16 -> 16`, work: hw * hw * 16 * 9 * 16, bytes: convModel(hw, 16, 16), batch: 1 });
  // stems and depthwise layers of MobileNet-v1 / ResNet-50
  out.push({ op: 'Conv2D 3x3 s2', shape: '224x224x3 -> 32', work: 112 * 112 * 32 * 27, bytes: windowModel(224, 3, 32, 3, 2, false), batch: 1 });
  out.push({ op: 'Conv2D 7x7 s2', shape: '224x224x3 -> 64', work: 112 * 112 * 64 * 147, bytes: windowModel(224, 3, 64, 7, 2, false), batch: 1 });
  for (const [hw, c] of [[112, 32], [56, 128], [28, 256], [14, 512], [7, 1024]]) {
    out.push({ op: 'depthwise 3x3', shape: `${hw}x${hw}x${c}`, work: hw * hw * c * 9, bytes: windowModel(hw, c, c, 3, 1, true), batch: 1 });
  }
  // element-wise, CHAIN ops per model (work = elements of one op): Tanh (compute-bound), Relu and Add (memory-bound)
  for (const n of [4096, 16384, 65536, 262144]) out.push({ op: `Tanh x${CHAIN}`, shape: `${n}`, work: n, bytes: unaryModel('Tanh', n), batch: 1 });
  for (const n of [16384, 65536, 200704, 802816]) out.push({ op: `Relu x${CHAIN}`, shape: `${n}`, work: n, bytes: unaryModel('Relu', n), batch: 1 });
  for (const n of [65536, 200704, 802816]) out.push({ op: `(Relu, Add) x${CHAIN / 2}`, shape: `${n}`, work: n, bytes: addModel(n), batch: 1 });
  return out;
}

async function timePair(models: Model[], feeds: Record<string, Float32Array>, budgetMs: number): Promise<number[]> {
  for (const m of models) for (let i = 0; i < 20; i++) m.run(feeds);
  // Calls per sample: about a millisecond.
  const t0 = performance.now();
  models[0].run(feeds);
  const inner = Math.max(1, Math.min(2000, Math.ceil(1 / Math.max(1e-3, performance.now() - t0))));
  const samples: number[][] = models.map(() => []);
  const end = performance.now() + budgetMs;
  while (performance.now() < end || samples[0].length < 9) {
    models.forEach((m, i) => {
      const s = performance.now();
      for (let j = 0; j < inner; j++) m.run(feeds);
      samples[i].push((performance.now() - s) / inner);
    });
  }
  return samples.map(median);
}

export async function runSplitBench(opts: { quick?: boolean; log?: (s: string) => void } = {}): Promise<SplitRow[]> {
  const log = opts.log ?? (() => {});
  const saved = { ...splitTuning };
  splitTuning.work = 0;
  splitTuning.elements = 0;
  const rows: SplitRow[] = [];
  try {
    for (const c of cases()) {
      const one = await loadModel(c.bytes, { threads: 1 });
      const two = await loadModel(c.bytes, { threads: 2 });
      const per = one.inputs[0].shape.reduce((a, b) => a * b, 1);
      const feeds = { input: Float32Array.from({ length: per * c.batch }, rng(c.work)) };
      const [oneMs, twoMs] = await timePair([one, two], feeds, opts.quick ? 150 : 600);
      one.dispose();
      two.dispose();
      const row = { op: c.op, shape: c.shape, work: c.work, oneMs, twoMs, speedup: oneMs / twoMs };
      log(`  ${c.op.padEnd(15)} ${c.shape.padEnd(20)} ${String(c.work).padStart(9)}  1 thread ${(oneMs * 1000).toFixed(1).padStart(8)} us  2 threads ${(twoMs * 1000).toFixed(1).padStart(8)} us  ${row.speedup.toFixed(2)}x`);
      rows.push(row);
    }
  } finally {
    Object.assign(splitTuning, saved);
  }
  return rows;
}

export function splitTable(rows: SplitRow[]): string {
  const lines = ['| op | shape | work (MACs or elements) | 1 thread us | 2 threads us (every call split) | speedup |', '|---|---|---:|---:|---:|---:|'];
  for (const r of rows) lines.push(`| ${r.op} | ${r.shape} | ${r.work.toLocaleString('en-US')} | ${(r.oneMs * 1000).toFixed(1)} | ${(r.twoMs * 1000).toFixed(1)} | ${r.speedup.toFixed(2)}x |`);
  return lines.join('\n');
}
