/**
 * What bench:browser runs inside the page (bundled by run.ts with esbuild): the Node kernel bench
 * (bench/kernels.bench.ts, unchanged, with ./harness.ts swapped in) and a small model bench:
 * wasm-palette (dense and compressed files) next to onnxruntime-web (wasm EP, one thread) on the
 * same dense weights, batch 1, interleaved rounds, median.
 */
import { runKernelBench, type KernelResult } from '../kernels.bench.js';
import { setBenchWasm, median } from './harness.js';
import { loadModel, type Model } from '../../src/index.js';
import { buildLeNet300100, buildLeNet5, type BuiltModel, type CompressionConfig } from '../../src/models/index.js';
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

async function run(opts: { shapes?: string[]; batches?: number[]; maxTime?: number; modelBudgetMs?: number; skipKernels?: boolean; skipModels?: boolean }): Promise<BrowserBenchReport> {
  const log = (s: string) => console.log(s);
  setBenchWasm(await WebAssembly.compileStreaming(fetch('/build/wpal.simd.wasm')));
  const kernels = opts.skipKernels ? [] : runKernelBench({ shapes: opts.shapes, batches: opts.batches, maxTime: opts.maxTime, log });
  const models = opts.skipModels ? [] : await runModelBench(opts.modelBudgetMs ?? 400, log);
  return { userAgent: navigator.userAgent, crossOriginIsolated, timerTickMs: timerTick(), kernels, models };
}

(globalThis as unknown as { wpalBench: typeof run }).wpalBench = run;
