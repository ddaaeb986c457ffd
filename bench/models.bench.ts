/**
 * End-to-end model bench: batch-1 latency of whole architectures (src/models) in wasm-palette,
 * dense and compressed, against onnxruntime-web (wasm EP) and TensorFlow.js (wasm backend) on the
 * same dense weights, all single-threaded.
 *
 * For each architecture: one dense float32 build (its `weights` feed the peers: exportOnnx for
 * onnxruntime, tfjs-core ops for TensorFlow.js) and one build per compression setting (same seed,
 * so the same dense values before compression). Before any timing, the peers' outputs must agree
 * with wasm-palette dense within 1e-3 of the output scale (max |a - b| / max |dense|), else the
 * bench throws.
 *
 * Timing: every runner of an architecture is alive at once and sampled in interleaved rounds
 * (a shared 2-core machine drifts; interleaving keeps the ratios fair). Each runner is warmed up,
 * then timed for `budget` seconds split over the rounds, with at least MIN_RUNS samples; a sample
 * is one call (or, for sub-millisecond models, the mean of a few calls, so a sample is >= ~1 ms).
 * The result is the median sample. Every call includes copying the inputs in and reading the
 * output back to JS, for all three runtimes.
 */
import os from 'node:os';
import { loadModel, readModel, type Model } from '../src/index.js';
import {
  buildDistilBert, buildLeNet300100, buildLeNet5, buildMobileNetV1, buildResNet,
  type BuiltModel, type CompressionConfig, type LayerDesc, type WeightCompression,
} from '../src/models/index.js';
import { median } from './harness.js';
import { createOrtRunner, ORT_VERSION } from './peers/ort.js';
import { createTfjsRunner, TFJS_VERSION } from './peers/tfjs.js';
import type { Feeds } from './peers/types.js';

export const MIN_RUNS = 5;
/** Peers must match wasm-palette dense within this fraction of the output scale. */
export const AGREE_TOL = 1e-3;
/** Block shape of the block-sparse setting (rows x cols of the [O, K] weight view). */
export const SPARSE_BLOCK: [number, number] = [16, 1];

export interface ArchSpec {
  id: string;
  label: string;
  build: (compression?: CompressionConfig) => BuiltModel;
  /** Time budget per runner in seconds (full run); quick runs use a fraction. */
  budget: number;
  /** Notes shown with the results (e.g. reduced sizes). */
  note?: string;
}

const DISTILBERT_SEQ = 128;

export const ARCHS: ArchSpec[] = [
  { id: 'lenet300', label: 'LeNet-300-100', build: (c) => buildLeNet300100({ compression: c }), budget: 0.8 },
  { id: 'lenet5', label: 'LeNet-5', build: (c) => buildLeNet5({ compression: c }), budget: 0.8 },
  { id: 'mobilenet', label: 'MobileNet-v1 224', build: (c) => buildMobileNetV1({ compression: c }), budget: 1.5 },
  { id: 'resnet18', label: 'ResNet-18 224', build: (c) => buildResNet({ depth: 18, compression: c }), budget: 2.5 },
  { id: 'resnet50', label: 'ResNet-50 224', build: (c) => buildResNet({ depth: 50, compression: c }), budget: 3 },
  {
    id: 'distilbert',
    label: `DistilBERT-shaped (seq ${DISTILBERT_SEQ})`,
    build: (c) => buildDistilBert({ seq: DISTILBERT_SEQ, compression: c }),
    budget: 3,
  },
];

export const QUICK_ARCHS = ['lenet300', 'lenet5', 'mobilenet'];

/** wasm-palette settings. */
export interface WpalConfig {
  label: string;
  compression?: CompressionConfig;
  /** Why a setting is left out, when it is. */
  skip?: string;
}

/**
 * 4-bit + 50% block sparsity on every conv and fc weight. Depthwise convs and embedding tables stay
 * 4-bit palettized only: the runtime has no block-sparse kernel for them (not even a reference
 * one; loading such a file fails). A weight with fewer rows than the block (a 10-class classifier)
 * gets a clamped block (10x1), which only the reference kernel runs: kernelPlan() shows it.
 */
function sparseSetting(layer: LayerDesc): WeightCompression {
  const pal = { bits: 4 };
  if (layer.kind === 'dwconv' || layer.kind === 'embedding') return { palette: pal };
  return { palette: pal, sparse: { block: SPARSE_BLOCK, sparsity: 0.5 } };
}

export function wpalConfigs(): WpalConfig[] {
  return [
    { label: 'dense f32' },
    { label: 'pal 4-bit', compression: { palette: { bits: 4 } } },
    { label: 'pal 2-bit', compression: { palette: { bits: 2 } } },
    { label: `pal 4-bit + bs${SPARSE_BLOCK.join('x')} 50%`, compression: sparseSetting },
    // int8 palette entries everywhere; FullyConnected layers run on the int8 fast path (only they
    // carry the attribute), convolutions on the exact path with the same palette values.
    { label: 'pal 4-bit int8 FC', compression: { palette: { bits: 4, entryType: 'int8' }, int8: true } },
  ];
}

export interface ModelRow {
  runtime: 'wasm-palette' | 'onnxruntime-web' | 'tfjs-wasm';
  config: string;
  medianMs: number;
  /** Fastest sample and the interquartile range of the samples (a noise gauge on a shared machine). */
  minMs: number;
  q1Ms: number;
  q3Ms: number;
  samples: number;
  /** Calls per sample (> 1 only for sub-millisecond models). */
  callsPerSample: number;
  /** onnxruntime dense ms / this ms (> 1 = faster than onnxruntime). */
  vsOrt: number;
  /** .wpal bytes (wasm-palette), ONNX bytes (onnxruntime). */
  fileBytes?: number;
  /** fileBytes / dense f32 .wpal bytes. */
  vsDenseBytes?: number;
  /** Peers: max |this - wasm-palette dense| / max |wasm-palette dense|. */
  maxRelDiff?: number;
  /** wasm-palette: ops that run on reference (`__ref`) kernels. */
  refOps?: string[];
  /** wasm-palette: distinct kernels the model runs. */
  kernels?: string[];
  /** wasm-palette: memory the loaded model holds for its weights (file + prepared palettes/params). */
  weightsInMemoryBytes?: number;
}

export interface ArchResult {
  id: string;
  label: string;
  params: number;
  rows: ModelRow[];
  skipped: Array<{ config: string; reason: string }>;
  buildSeconds: number;
  note?: string;
}

export interface ModelsReport {
  when: string;
  node: string;
  cpu: string;
  cpus: number;
  quick: boolean;
  versions: { onnxruntimeWeb: string; tfjs: string };
  method: string;
  archs: ArchResult[];
  targets: Array<{ target: string; arch: string; config: string; ratio: number; met: boolean }>;
}

/** Deterministic inputs: images in [0, 1), token ids spread over the vocabulary, positions 0..T-1. */
export function feedsFor(built: BuiltModel): Feeds {
  const feeds: Feeds = {};
  for (const i of built.inputs) {
    const n = i.shape.reduce((a, b) => a * b, 1);
    if (i.dtype === 'int32') {
      feeds[i.name] = i.name === 'position_ids' ? Int32Array.from({ length: n }, (_, j) => j) : Int32Array.from({ length: n }, (_, j) => (j * 7919 + 101) % 30522);
    } else {
      let s = 12345;
      feeds[i.name] = Float32Array.from({ length: n }, () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 8) / 16777216);
    }
  }
  return feeds;
}

function maxRelDiff(got: Float32Array, want: Float32Array): number {
  if (got.length !== want.length) return Infinity;
  let scale = 0;
  let diff = 0;
  for (let i = 0; i < want.length; i++) {
    scale = Math.max(scale, Math.abs(want[i]));
    const d = Math.abs(got[i] - want[i]);
    diff = Number.isNaN(d) ? Infinity : Math.max(diff, d);
  }
  return diff / (scale || 1);
}

interface Timed {
  runtime: ModelRow['runtime'];
  config: string;
  fn: () => unknown;
  inner: number;
  samples: number[];
}

const now = () => performance.now();

async function call(fn: () => unknown): Promise<void> {
  const r = fn();
  if (r instanceof Promise) await r;
}

/** Warm-up, then interleaved rounds of samples (see the file comment). */
async function timeAll(timed: Timed[], budgetS: number, rounds: number, log: (s: string) => void): Promise<void> {
  for (const t of timed) {
    // Warm-up: at least 2 calls and ~10% of the budget; also sizes the calls per sample.
    const t0 = now();
    let calls = 0;
    do {
      await call(t.fn);
      calls++;
    } while (calls < 2 || (now() - t0 < budgetS * 100 && calls < 50));
    const per = (now() - t0) / calls;
    t.inner = Math.max(1, Math.min(1000, Math.ceil(1 / per)));
  }
  const perRound = (budgetS * 1000) / rounds;
  const minPerRound = Math.ceil(MIN_RUNS / rounds);
  for (let r = 0; r < rounds; r++) {
    for (const t of timed) {
      const start = now();
      let n = 0;
      while (n < minPerRound || now() - start < perRound) {
        const s = now();
        for (let i = 0; i < t.inner; i++) await call(t.fn);
        t.samples.push((now() - s) / t.inner);
        n++;
      }
    }
  }
  for (const t of timed) {
    log(`    ${t.runtime.padEnd(16)} ${t.config.padEnd(26)} ${median(t.samples).toFixed(3).padStart(9)} ms  (min ${Math.min(...t.samples).toFixed(3)}, ${t.samples.length} samples x ${t.inner})`);
  }
}

function describeRef(model: Model): string[] {
  return model.kernelPlan().filter((k) => k.kernel.endsWith('__ref')).map((k) => `op ${k.op} ${k.type}: ${k.kernel}`);
}

export async function runModelBench(opts: { archs?: string[]; quick?: boolean; log?: (s: string) => void } = {}): Promise<ModelsReport> {
  const log = opts.log ?? (() => {});
  const quick = opts.quick ?? false;
  const want = opts.archs ?? (quick ? QUICK_ARCHS : ARCHS.map((a) => a.id));
  const unknown = want.filter((id) => !ARCHS.some((a) => a.id === id));
  if (unknown.length) throw new Error(`--archs: unknown ${unknown.join(', ')}; known: ${ARCHS.map((a) => a.id).join(', ')}`);
  const configs = wpalConfigs();
  const results: ArchResult[] = [];

  for (const arch of ARCHS.filter((a) => want.includes(a.id))) {
    log(`\n${arch.label}`);
    const tb = now();
    const dense = arch.build(undefined);
    const feeds = feedsFor(dense);
    const skipped: ArchResult['skipped'] = [];
    const wpal: Array<{ cfg: WpalConfig; bytes: number; model: Model }> = [];
    for (const cfg of configs) {
      if (cfg.skip) {
        skipped.push({ config: cfg.label, reason: cfg.skip });
        continue;
      }
      const bytes = cfg.compression ? arch.build(cfg.compression).bytes : dense.bytes;
      wpal.push({ cfg, bytes: bytes.length, model: await loadModel(bytes) });
    }
    const buildSeconds = (now() - tb) / 1000;
    log(`  built + loaded ${wpal.length} .wpal models in ${buildSeconds.toFixed(1)} s`);

    // Reference output: wasm-palette dense.
    const ref = wpal[0].model.run(feeds)[dense.outputs[0].name].data;
    const ort = await createOrtRunner(dense, feeds);
    const tfjs = await createTfjsRunner(dense, feeds);
    const diffs: Record<string, number> = {};
    for (const peer of [ort, tfjs]) {
      const got = await peer.run();
      const d = maxRelDiff(got, ref);
      diffs[peer.name] = d;
      log(`  ${peer.name} vs wasm-palette dense: max |diff| / max |y| = ${d.toExponential(2)}`);
      if (!(d <= AGREE_TOL)) {
        throw new Error(`${arch.label}: ${peer.name} disagrees with wasm-palette dense (max |diff| / max |y| = ${d}, tolerance ${AGREE_TOL}); not timing it`);
      }
    }
    for (const w of wpal.slice(1)) {
      const y = w.model.run(feeds)[dense.outputs[0].name].data;
      if (!y.every(Number.isFinite)) throw new Error(`${arch.label} ${w.cfg.label}: non-finite outputs`);
    }

    const timed: Timed[] = [
      { runtime: 'onnxruntime-web', config: 'dense f32', fn: () => ort.run(), inner: 1, samples: [] },
      { runtime: 'tfjs-wasm', config: 'dense f32', fn: () => tfjs.run(), inner: 1, samples: [] },
      ...wpal.map((w): Timed => ({ runtime: 'wasm-palette', config: w.cfg.label, fn: () => w.model.run(feeds), inner: 1, samples: [] })),
    ];
    await timeAll(timed, quick ? Math.min(0.25, arch.budget) : arch.budget, quick ? 2 : 5, log);

    const ortMs = median(timed[0].samples);
    const denseBytes = wpal[0].bytes;
    const rows: ModelRow[] = timed.map((t, i) => {
      const ms = median(t.samples);
      const sorted = [...t.samples].sort((a, b) => a - b);
      const q = (f: number) => sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))];
      const row: ModelRow = {
        runtime: t.runtime, config: t.config, medianMs: ms, minMs: sorted[0], q1Ms: q(0.25), q3Ms: q(0.75),
        samples: t.samples.length, callsPerSample: t.inner, vsOrt: ortMs / ms,
      };
      if (i === 0) {
        row.fileBytes = ort.modelBytes;
        row.maxRelDiff = diffs[ort.name];
      } else if (i === 1) row.maxRelDiff = diffs[tfjs.name];
      else {
        const w = wpal[i - 2];
        row.fileBytes = w.bytes;
        row.vsDenseBytes = w.bytes / denseBytes;
        row.refOps = describeRef(w.model);
        row.kernels = [...new Set(w.model.kernelPlan().map((k) => k.kernel))];
        row.weightsInMemoryBytes = w.model.memoryReport().weightsInMemoryBytes;
      }
      return row;
    });
    for (const r of rows) if (r.refOps?.length) log(`  ${r.config}: ${r.refOps.length} op(s) on reference kernels: ${r.refOps.join('; ')}`);
    results.push({ id: arch.id, label: arch.label, params: dense.params, rows, skipped, buildSeconds, note: arch.note });

    await ort.dispose();
    await tfjs.dispose();
    for (const w of wpal) w.model.dispose();
  }

  const targets: ModelsReport['targets'] = [];
  for (const a of results) {
    for (const r of a.rows.filter((r) => r.runtime === 'wasm-palette')) {
      if (r.config === 'dense f32') targets.push({ target: 'wasm-palette dense within 10% of onnxruntime (>= 0.9x)', arch: a.label, config: r.config, ratio: r.vsOrt, met: r.vsOrt >= 0.9 });
      else targets.push({ target: 'compressed >= 1.0x onnxruntime dense (stretch 1.5x)', arch: a.label, config: r.config, ratio: r.vsOrt, met: r.vsOrt >= 1 });
    }
  }
  return {
    when: new Date().toISOString(),
    node: process.version,
    cpu: os.cpus()[0]?.model ?? '?',
    cpus: os.cpus().length,
    quick,
    versions: { onnxruntimeWeb: ORT_VERSION, tfjs: TFJS_VERSION },
    method:
      `batch 1, one thread each; median of >= ${MIN_RUNS} timed samples after warm-up, runners interleaved in rounds; ` +
      'each call copies inputs in and reads the output back. Peers run the dense float32 weights of the same network ' +
      `(onnxruntime-web wasm EP on exportOnnx, graph optimization "all"; tfjs-core wasm backend, single-threaded SIMD). ` +
      `Peers checked against wasm-palette dense before timing (max |diff| / max |y| <= ${AGREE_TOL}).`,
    archs: results,
    targets,
  };
}
