/**
 * What bench:browser runs inside the page (bundled by run.ts with esbuild): the Node kernel bench
 * (bench/kernels.bench.ts, unchanged, with ./harness.ts swapped in) and a small model bench:
 * wasm-palette (dense and compressed files) next to onnxruntime-web (wasm EP, one thread) on the
 * same dense weights, batch 1, interleaved rounds, median.
 */
import { runKernelBench, type KernelResult } from '../kernels.bench.js';
import { setBenchWasm, median } from './harness.js';
import { loadModel, type Model } from '../../src/index.js';
import { hasRelaxedSimd } from '../../src/runtime/wasm.js';
import { buildLeNet300100, buildLeNet5, buildMobileNetV1, buildResNet, type BuiltModel, type CompressionConfig } from '../../src/models/index.js';
import { createOrtRunner } from '../peers/ort.js';

export interface ModelRow {
  model: string;
  runtime: string;
  config: string;
  fileBytes: number;
  medianMs: number;
  vsOrt: number;
  maxRelDiff?: number;
}

const SETTINGS: Array<{ label: string; c?: CompressionConfig }> = [
  { label: 'dense f32' },
  { label: 'pal 4-bit', c: { palette: { bits: 4 } } },
  { label: 'pal 2-bit + bs16x1 90%', c: (l) => (l.count >= 4096 ? { palette: { bits: 2 }, sparse: { block: [16, 1], sparsity: 0.9 } } : { palette: { bits: 4 } }) },
];

const ARCHS: Array<{ label: string; build: (c?: CompressionConfig) => BuiltModel }> = [
  { label: 'LeNet-300-100', build: (c) => buildLeNet300100({ compression: c }) },
  { label: 'LeNet-5', build: (c) => buildLeNet5({ compression: c }) },
];

async function runModelBench(budgetMs: number, log: (s: string) => void): Promise<ModelRow[]> {
  const rows: ModelRow[] = [];
  for (const arch of ARCHS) {
    const dense = arch.build();
    const x = new Float32Array(dense.inputs[0].shape.reduce((a, b) => a * b, 1)).map((_, i) => (Math.sin(i * 0.7) + 1) / 2);
    const feeds = { [dense.inputs[0].name]: x };
    const ort = await createOrtRunner(dense, feeds);
    const runners: Array<{ runtime: string; config: string; bytes: number; fn: () => Promise<Float32Array> | Float32Array; samples: number[]; model?: Model }> = [
      { runtime: 'onnxruntime-web', config: 'dense f32', bytes: ort.modelBytes ?? 0, fn: () => ort.run(), samples: [] },
    ];
    for (const s of SETTINGS) {
      const built = s.c ? arch.build(s.c) : dense;
      const model = await loadModel(built.bytes);
      const name = model.inputs[0].name;
      const out = model.outputs[0].name;
      runners.push({ runtime: 'wasm-palette', config: s.label, bytes: built.bytes.length, fn: () => model.run({ [name]: x })[out].data, samples: [], model });
    }
    // Outputs agree (dense vs onnxruntime) before timing.
    const ref = await runners[1].fn();
    const peer = await runners[0].fn();
    const scale = Math.max(...Array.from(ref, Math.abs));
    const diff = Math.max(...Array.from(ref, (v, i) => Math.abs(v - peer[i]))) / scale;
    if (!(diff < 1e-3)) throw new Error(`${arch.label}: onnxruntime-web disagrees with wasm-palette dense (max rel diff ${diff})`);
    for (const r of runners) for (let i = 0; i < 5; i++) await r.fn();
    // Interleaved rounds; a sample is >= ~1 ms (the mean of enough calls).
    const inner: number[] = [];
    for (const r of runners) {
      const t0 = performance.now();
      let n = 0;
      while (performance.now() - t0 < 1) {
        await r.fn();
        n++;
      }
      inner.push(Math.max(1, n));
    }
    const end = performance.now() + budgetMs * runners.length;
    let rounds = 0;
    while (rounds < 15 || performance.now() < end) {
      for (const [j, r] of runners.entries()) {
        const t0 = performance.now();
        for (let i = 0; i < inner[j]; i++) await r.fn();
        r.samples.push((performance.now() - t0) / inner[j]);
      }
      rounds++;
    }
    const ortMs = median(runners[0].samples);
    for (const r of runners) {
      const ms = median(r.samples);
      rows.push({ model: arch.label, runtime: r.runtime, config: r.config, fileBytes: r.bytes, medianMs: ms, vsOrt: ortMs / ms, ...(r.runtime === 'onnxruntime-web' ? { maxRelDiff: diff } : {}) });
      log(`  ${arch.label} ${r.runtime} ${r.config}: ${ms.toFixed(3)} ms (${r.samples.length} samples)`);
      r.model?.dispose();
    }
    await ort.dispose();
  }
  return rows;
}

export interface BrowserBenchReport {
  userAgent: string;
  crossOriginIsolated: boolean;
  timerTickMs: number;
  kernels: KernelResult[];
  models: ModelRow[];
  /** The relaxed-SIMD build (when this browser runs it): its int8 kernels, and int8 models on both builds. */
  relaxed?: { kernels: KernelResult[]; models: RelaxedModelRow[] };
}

export interface RelaxedModelRow {
  model: string;
  config: string;
  /** Median ms, batch 1, one thread: baseline SIMD build, relaxed-SIMD build. */
  baselineMs: number;
  relaxedMs: number;
  /** The dense f32 model on the baseline build (the int8 kernels' own baseline). */
  denseMs: number;
  /** Outputs of the two builds are the same bits (checked before timing). */
  identical: boolean;
}

/** The int8 kernel rows of the kernel bench, and dense f32 for their ratio. */
const RELAXED_KERNEL_CONFIGS = ['dense f32', 'pal 8-bit int8', 'pal 4-bit int8', 'pal 2-bit int8'];

const INT8: CompressionConfig = { palette: { bits: 4, entryType: 'int8' }, int8: true };
const RELAXED_ARCHS: Array<{ label: string; build: (c?: CompressionConfig) => BuiltModel }> = [
  { label: 'LeNet-300-100', build: (c) => buildLeNet300100({ compression: c }) },
  { label: 'LeNet-5', build: (c) => buildLeNet5({ compression: c }) },
  { label: 'MobileNet-v1 224', build: (c) => buildMobileNetV1({ compression: c }) },
  { label: 'ResNet-18 224', build: (c) => buildResNet({ depth: 18, compression: c }) },
];

/** Int8 models (4-bit int8 palettes, int8 compute in every FC and conv) on the baseline and relaxed builds, interleaved. */
async function runRelaxedModelBench(budgetMs: number, log: (s: string) => void): Promise<RelaxedModelRow[]> {
  const rows: RelaxedModelRow[] = [];
  for (const arch of RELAXED_ARCHS) {
    const dense = arch.build();
    const built = arch.build(INT8);
    const shape = dense.inputs[0].shape;
    const x = new Float32Array(shape.reduce((a, b) => a * b, 1)).map((_, i) => (Math.sin(i * 0.7) + 1) / 2);
    const models = [
      await loadModel(dense.bytes, { relaxedSimd: false, threads: 1 }),
      await loadModel(built.bytes, { relaxedSimd: false, threads: 1 }),
      await loadModel(built.bytes, { relaxedSimd: true, threads: 1 }),
    ];
    const fns = models.map((m) => () => m.run({ [m.inputs[0].name]: x })[m.outputs[0].name].data as Float32Array);
    const a = fns[1](), b = fns[2]();
    const identical = a.length === b.length && new Uint32Array(a.buffer, a.byteOffset, a.length).every((v, i) => v === new Uint32Array(b.buffer, b.byteOffset, b.length)[i]);
    for (const f of fns) for (let i = 0; i < 3; i++) f();
    const samples: number[][] = fns.map(() => []);
    const end = performance.now() + budgetMs * fns.length;
    let rounds = 0;
    while (rounds < 9 || performance.now() < end) {
      for (const [j, f] of fns.entries()) {
        const t0 = performance.now();
        f();
        samples[j].push(performance.now() - t0);
      }
      rounds++;
    }
    const [denseMs, baselineMs, relaxedMs] = samples.map(median);
    rows.push({ model: arch.label, config: 'pal 4-bit int8', baselineMs, relaxedMs, denseMs, identical });
    log(`  ${arch.label} pal 4-bit int8: baseline ${baselineMs.toFixed(3)} ms, relaxed ${relaxedMs.toFixed(3)} ms, dense ${denseMs.toFixed(3)} ms, identical ${identical}`);
    for (const m of models) m.dispose();
  }
  return rows;
}

/** The smallest step performance.now() takes here (5 us when isolated, 100 us when not). */
function timerTick(): number {
  let best = Infinity;
  for (let i = 0; i < 50; i++) {
    const a = performance.now();
    let b = a;
    while (b === a) b = performance.now();
    best = Math.min(best, b - a);
  }
  return best;
}

async function run(opts: {
  shapes?: string[]; batches?: number[]; maxTime?: number; modelBudgetMs?: number; skipKernels?: boolean; skipModels?: boolean; skipRelaxed?: boolean;
}): Promise<BrowserBenchReport> {
  const log = (s: string) => console.log(s);
  setBenchWasm(await WebAssembly.compileStreaming(fetch('/build/wpal.simd.wasm')));
  const kernels = opts.skipKernels ? [] : runKernelBench({ shapes: opts.shapes, batches: opts.batches, maxTime: opts.maxTime, log });
  const models = opts.skipModels ? [] : await runModelBench(opts.modelBudgetMs ?? 400, log);
  let relaxed: BrowserBenchReport['relaxed'];
  if (!opts.skipRelaxed && hasRelaxedSimd()) {
    log('relaxed-SIMD build:');
    setBenchWasm(await WebAssembly.compileStreaming(fetch('/build/wpal.relaxed.wasm')));
    const rk = opts.skipKernels ? [] : runKernelBench({ shapes: opts.shapes, batches: opts.batches, maxTime: opts.maxTime, log, configs: RELAXED_KERNEL_CONFIGS });
    const rm = opts.skipModels ? [] : await runRelaxedModelBench(opts.modelBudgetMs ?? 400, log);
    relaxed = { kernels: rk, models: rm };
  } else if (!opts.skipRelaxed) {
    log('this browser has no (exact) relaxed SIMD: the relaxed-SIMD build is not measured');
  }
  return { userAgent: navigator.userAgent, crossOriginIsolated, timerTickMs: timerTick(), kernels, models, ...(relaxed ? { relaxed } : {}) };
}

(globalThis as unknown as { wpalBench: typeof run }).wpalBench = run;
