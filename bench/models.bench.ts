/**
 * End-to-end model bench: batch-1 latency of whole architectures (src/models) in wasm-palette,
 * dense and compressed, against onnxruntime-web (wasm EP) and TensorFlow.js (wasm backend) on the
 * same dense weights. wasm-palette and onnxruntime-web run at each thread count of `threads`
 * (default 1 and 2: LoadOptions.threads, ORT's env.wasm.numThreads); TensorFlow.js on one thread.
 *
 * For each architecture: one dense float32 build (its `weights` feed the peers: exportOnnx for
 * onnxruntime, tfjs-core ops for TensorFlow.js) and one build per compression setting (same seed,
 * so the same dense values before compression). onnxruntime-web runs the dense ONNX export and the
 * files its users make from it with onnxruntime's quantization tools (ORT_CONFIGS: quantize_dynamic
 * with QInt8 weights, its default, and with QUInt8 weights; MatMul4BitsQuantizer's 4-bit
 * MatMulNBits), written in TypeScript by exportOnnx({ quantize }) (src/onnx/quantize.ts); a
 * quantized file identical to the dense one (nothing its tool quantizes) is skipped. Before any
 * timing, the dense peers' outputs must agree with wasm-palette dense within 1e-3 of the output
 * scale (max |a - b| / max |dense|), the quantized files' within their tolerance (QUANT_TOL), else
 * the bench throws.
 *
 * Timing: every runner of an architecture is alive at once and sampled in interleaved rounds
 * (a shared 2-core machine drifts; interleaving keeps the ratios fair). Each runner is warmed up,
 * then timed for `budget` seconds split over the rounds, with at least MIN_RUNS samples; a sample
 * is one call (or, for sub-millisecond models, the mean of a few calls, so a sample is >= ~1 ms).
 * The result is the median sample. Every call includes copying the inputs in and reading the
 * output back to JS, for all three runtimes. onnxruntime-web sets its thread count once per
 * instance, so each of its runners lives in a worker_threads Worker and times its samples there
 * (bench/peers/ort-threads.ts); wasm-palette and TensorFlow.js are timed on the bench's thread.
 * wasm-palette's outputs at every thread count must equal its one-thread outputs bit for bit.
 */
import os from 'node:os';
import { loadModel, readModel, type Model } from '../src/index.js';
import {
  buildDistilBert, buildLeNet300100, buildLeNet5, buildMobileNetV1, buildResNet,
  type BuiltModel, type CompressionConfig, type LayerDesc, type WeightCompression,
} from '../src/models/index.js';
import { maxRelDiff, median, relRms } from './harness.js';
import { ORT_VERSION } from './peers/ort.js';
import { createOrtFileRunners, ORT_CONFIGS, ORT_INT8, QUANT_TOL } from './peers/ort-files.js';
import { createTfjsRunner, TFJS_VERSION } from './peers/tfjs.js';
import type { Feeds } from './peers/types.js';

export const MIN_RUNS = 5;
/** Peers must match wasm-palette dense within this fraction of the output scale. */
export const AGREE_TOL = 1e-3;
/** Architectures with the target "wasm-palette 4-bit >= 1.3x onnxruntime-web int8 at 2 threads, file <= half". */
export const INT8_TARGET_ARCHS = ['mobilenet', 'resnet18', 'resnet50'];

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
/** Architectures with the threads target (2 threads >= 1.8x one thread). */
export const THREAD_TARGET_ARCHS = ['mobilenet', 'resnet50', 'distilbert'];

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
    { label: 'pal 4-bit int8 FC', compression: (l: LayerDesc) => ({ palette: { bits: 4, entryType: 'int8' }, int8: l.kind === 'fc' }) },
    // the same weights, and every conv but the depthwise ones on int8 activations too
    { label: 'pal 4-bit int8', compression: { palette: { bits: 4, entryType: 'int8' }, int8: true } },
  ];
}

export interface ModelRow {
  runtime: 'wasm-palette' | 'onnxruntime-web' | 'tfjs-wasm';
  config: string;
  /** Threads the runtime ran on (absent in results from before threads: 1). */
  threads?: number;
  medianMs: number;
  /** Fastest sample and the interquartile range of the samples (a noise gauge on a shared machine). */
  minMs: number;
  q1Ms: number;
  q3Ms: number;
  samples: number;
  /** Calls per sample (> 1 only for sub-millisecond models). */
  callsPerSample: number;
  /** onnxruntime dense ms at the same thread count / this ms (> 1 = faster than onnxruntime). */
  vsOrt: number;
  /** wasm-palette: the faster onnxruntime int8 file's ms at the same thread count / this ms. */
  vsOrtInt8?: number;
  /** wasm-palette: this file's bytes / that int8 file's bytes. */
  vsOrtInt8Bytes?: number;
  /** sqrt(sum (this - wasm-palette dense)^2 / sum (wasm-palette dense)^2) on the bench input (peers and compressed files). */
  relRms?: number;
  /** The same runtime and weights on one thread: its ms / this ms (threads > 1 only). */
  vsOneThread?: number;
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
  /** Thread counts wasm-palette and onnxruntime-web ran at. */
  threads?: number[];
  method: string;
  /** The bench's command-line arguments (set by bench/index.ts). */
  command?: string;
  /** 1-minute load average when the run started and ended (a busy machine skews every figure, 2 threads most). */
  loadAvg?: [number, number];
  archs: ArchResult[];
  targets: Array<{ target: string; arch: string; config: string; ratio: number; met: boolean; fileRatio?: number }>;
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

interface Timed {
  runtime: ModelRow['runtime'];
  config: string;
  threads: number;
  fn: () => unknown;
  /** Wall ms of `calls` calls, timed where the runtime runs (peers in workers); else fn is timed here. */
  time?: (calls: number) => Promise<number>;
  inner: number;
  samples: number[];
}

const now = () => performance.now();

async function call(fn: () => unknown): Promise<void> {
  const r = fn();
  if (r instanceof Promise) await r;
}

/** Warm-up, then interleaved rounds of samples (see the file comment). */
/** Wall ms of `calls` calls of a runner. */
async function timeCalls(t: Timed, calls: number): Promise<number> {
  if (t.time) return t.time(calls);
  const s = now();
  for (let i = 0; i < calls; i++) await call(t.fn);
  return now() - s;
}

async function timeAll(timed: Timed[], budgetS: number, rounds: number, log: (s: string) => void): Promise<void> {
  for (const t of timed) {
    // Warm-up: at least 2 calls and ~10% of the budget; also sizes the calls per sample.
    let calls = 0;
    let ms = 0;
    do {
      ms += await timeCalls(t, 1);
      calls++;
    } while (calls < 2 || (ms < budgetS * 100 && calls < 50));
    const per = ms / calls;
    t.inner = Math.max(1, Math.min(1000, Math.ceil(1 / per)));
  }
  const perRound = (budgetS * 1000) / rounds;
  const minPerRound = Math.ceil(MIN_RUNS / rounds);
  for (let r = 0; r < rounds; r++) {
    for (const t of timed) {
      const start = now();
      let n = 0;
      while (n < minPerRound || now() - start < perRound) {
        t.samples.push((await timeCalls(t, t.inner)) / t.inner);
        n++;
      }
    }
  }
  for (const t of timed) {
    log(
      `    ${t.runtime.padEnd(16)} ${t.config.padEnd(26)} ${String(t.threads).padStart(2)}t ${median(t.samples).toFixed(3).padStart(9)} ms  ` +
        `(min ${Math.min(...t.samples).toFixed(3)}, ${t.samples.length} samples x ${t.inner})`,
    );
  }
}

/** Output values that differ in any bit. */
function bitDiffs(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  let n = 0;
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) n++;
  return n;
}

function describeRef(model: Model): string[] {
  return model.kernelPlan().filter((k) => k.kernel.endsWith('__ref')).map((k) => `op ${k.op} ${k.type}: ${k.kernel}`);
}

export async function runModelBench(
  opts: { archs?: string[]; quick?: boolean; threads?: number[]; configs?: string[]; ort?: string[]; log?: (s: string) => void } = {},
): Promise<ModelsReport> {
  const log = opts.log ?? (() => {});
  const loadAtStart = os.loadavg()[0];
  const quick = opts.quick ?? false;
  const threadCounts = opts.threads ?? [1, 2];
  if (!threadCounts.includes(1)) throw new Error('--threads must include 1 (the reference the others are checked against)');
  const want = opts.archs ?? (quick ? QUICK_ARCHS : ARCHS.map((a) => a.id));
  const unknown = want.filter((id) => !ARCHS.some((a) => a.id === id));
  if (unknown.length) throw new Error(`--archs: unknown ${unknown.join(', ')}; known: ${ARCHS.map((a) => a.id).join(', ')}`);
  const configs = wpalConfigs().filter((c) => !opts.configs || opts.configs.includes(c.label));
  const ortConfigs = ORT_CONFIGS.filter((c) => !opts.ort || opts.ort.includes(c.id));
  if (!ortConfigs.length || ortConfigs[0].id !== 'dense') throw new Error(`--ort must include "dense"; known: ${ORT_CONFIGS.map((c) => c.id).join(', ')}`);
  if (!configs.length || configs[0].label !== 'dense f32') throw new Error(`--configs must include "dense f32"; known: ${wpalConfigs().map((c) => c.label).join(', ')}`);
  const results: ArchResult[] = [];

  for (const arch of ARCHS.filter((a) => want.includes(a.id))) {
    log(`\n${arch.label}`);
    const tb = now();
    const dense = arch.build(undefined);
    const feeds = feedsFor(dense);
    const skipped: ArchResult['skipped'] = [];
    const wpal: Array<{ cfg: WpalConfig; bytes: number; threads: number; model: Model }> = [];
    for (const cfg of configs) {
      if (cfg.skip) {
        skipped.push({ config: cfg.label, reason: cfg.skip });
        continue;
      }
      const bytes = cfg.compression ? arch.build(cfg.compression).bytes : dense.bytes;
      for (const threads of threadCounts) wpal.push({ cfg, bytes: bytes.length, threads, model: await loadModel(bytes, { threads }) });
    }
    const buildSeconds = (now() - tb) / 1000;
    log(`  built + loaded ${wpal.length} .wpal models in ${buildSeconds.toFixed(1)} s`);

    // Reference output: wasm-palette dense, one thread.
    const outName = dense.outputs[0].name;
    const ref = wpal[0].model.run(feeds)[outName].data;
    const { runners: ortRunners, files: ortFiles } = await createOrtFileRunners(dense, feeds, threadCounts, ortConfigs, skipped);
    const tfjs = await createTfjsRunner(dense, feeds);
    const diffs: Record<string, { max: number; rms: number }> = {};
    for (const peer of [...ortRunners, tfjs]) {
      const got = await peer.run();
      const d = maxRelDiff(got, ref);
      const rms = relRms(got, ref);
      const cfg = peer.config ?? 'dense f32';
      diffs[`${peer.name}|${cfg}@${peer.threads ?? 1}`] = { max: d, rms };
      const quant = ortConfigs.find((c) => c.label === cfg)?.quantize;
      const tol = quant ? QUANT_TOL[quant] : AGREE_TOL;
      log(`  ${peer.name} ${cfg} (${peer.threads ?? 1} thread(s)) vs wasm-palette dense: max |diff| / max |y| = ${d.toExponential(2)}, relative RMS ${rms.toExponential(2)} (tolerance ${tol})`);
      if (!(d <= tol)) {
        throw new Error(`${arch.label}: ${peer.name} ${cfg} disagrees with wasm-palette dense (max |diff| / max |y| = ${d}, tolerance ${tol}); not timing it`);
      }
    }
    const oneThread = new Map<string, Float32Array>();
    const wpalErr = new Map<string, number>();
    for (const w of wpal) {
      const y = w.model.run(feeds)[outName].data;
      wpalErr.set(w.cfg.label, relRms(y, ref));
      if (!y.every(Number.isFinite)) throw new Error(`${arch.label} ${w.cfg.label}: non-finite outputs`);
      if (w.model.threads !== w.threads) log(`  note: ${w.cfg.label} asked for ${w.threads} threads, runs on ${w.model.threads}`);
      const one = oneThread.get(w.cfg.label);
      if (!one) oneThread.set(w.cfg.label, y);
      else if (bitDiffs(y, one)) throw new Error(`${arch.label} ${w.cfg.label}: ${w.threads} threads give ${bitDiffs(y, one)} outputs that differ from one thread`);
    }
    if (threadCounts.length > 1) log(`  wasm-palette outputs at ${threadCounts.join(', ')} threads: bit-identical to one thread`);

    const timed: Timed[] = [
      ...ortRunners.map((o): Timed => ({ runtime: 'onnxruntime-web', config: o.config ?? 'dense f32', threads: o.threads ?? 1, fn: () => o.run(), time: o.time?.bind(o), inner: 1, samples: [] })),
      { runtime: 'tfjs-wasm', config: 'dense f32', threads: 1, fn: () => tfjs.run(), inner: 1, samples: [] },
      ...wpal.map((w): Timed => ({ runtime: 'wasm-palette', config: w.cfg.label, threads: w.threads, fn: () => w.model.run(feeds), inner: 1, samples: [] })),
    ];
    await timeAll(timed, quick ? Math.min(0.25, arch.budget) : arch.budget, quick ? 2 : 5, log);

    const ortMs = new Map(timed.filter((t) => t.runtime === 'onnxruntime-web' && t.config === 'dense f32').map((t) => [t.threads, median(t.samples)]));
    /** The faster onnxruntime int8 file at a thread count: its ms and bytes. */
    const ortInt8 = (threads: number) => {
      const c = timed.filter((t) => t.runtime === 'onnxruntime-web' && t.threads === threads && ORT_INT8.includes(t.config));
      if (!c.length) return undefined;
      const best = c.reduce((a, b) => (median(b.samples) < median(a.samples) ? b : a));
      return { ms: median(best.samples), bytes: ortFiles.get(best.config)! };
    };
    const msOf = (runtime: string, config: string, threads: number) => {
      const t = timed.find((x) => x.runtime === runtime && x.config === config && x.threads === threads);
      return t ? median(t.samples) : undefined;
    };
    const denseBytes = wpal[0].bytes;
    const rows: ModelRow[] = timed.map((t) => {
      const ms = median(t.samples);
      const sorted = [...t.samples].sort((a, b) => a - b);
      const q = (f: number) => sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))];
      const row: ModelRow = {
        runtime: t.runtime, config: t.config, threads: t.threads, medianMs: ms, minMs: sorted[0], q1Ms: q(0.25), q3Ms: q(0.75),
        samples: t.samples.length, callsPerSample: t.inner, vsOrt: (ortMs.get(t.threads) ?? ortMs.get(1)!) / ms,
      };
      if (t.threads > 1) {
        const one = msOf(t.runtime, t.config, 1);
        if (one !== undefined) row.vsOneThread = one / ms;
      }
      if (t.runtime === 'onnxruntime-web') {
        const o = ortRunners.find((r) => r.threads === t.threads && r.config === t.config)!;
        row.fileBytes = o.modelBytes;
        row.vsDenseBytes = o.modelBytes! / denseBytes;
        const d = diffs[`${o.name}|${t.config}@${t.threads}`];
        row.maxRelDiff = d.max;
        row.relRms = d.rms;
      } else if (t.runtime === 'tfjs-wasm') {
        const d = diffs[`${tfjs.name}|dense f32@1`];
        row.maxRelDiff = d.max;
        row.relRms = d.rms;
      } else {
        const w = wpal.find((x) => x.cfg.label === t.config && x.threads === t.threads)!;
        row.fileBytes = w.bytes;
        row.vsDenseBytes = w.bytes / denseBytes;
        row.relRms = wpalErr.get(t.config);
        const i8 = ortInt8(t.threads);
        if (i8) {
          row.vsOrtInt8 = i8.ms / ms;
          row.vsOrtInt8Bytes = w.bytes / i8.bytes;
        }
        row.refOps = describeRef(w.model);
        row.kernels = [...new Set(w.model.kernelPlan().map((k) => k.kernel))];
        row.weightsInMemoryBytes = w.model.memoryReport().weightsInMemoryBytes;
      }
      return row;
    });
    for (const r of rows) if (r.refOps?.length && r.threads === 1) log(`  ${r.config}: ${r.refOps.length} op(s) on reference kernels: ${r.refOps.join('; ')}`);
    results.push({ id: arch.id, label: arch.label, params: dense.params, rows, skipped, buildSeconds, note: arch.note });

    for (const o of ortRunners) await o.dispose();
    await tfjs.dispose();
    for (const w of wpal) w.model.dispose();
  }

  const targets: ModelsReport['targets'] = [];
  for (const a of results) {
    for (const r of a.rows.filter((r) => r.runtime === 'wasm-palette' && (r.threads ?? 1) === 1)) {
      if (r.config === 'dense f32') targets.push({ target: 'wasm-palette dense within 10% of onnxruntime (>= 0.9x)', arch: a.label, config: r.config, ratio: r.vsOrt, met: r.vsOrt >= 0.9 });
      else targets.push({ target: 'compressed >= 1.0x onnxruntime dense (stretch 1.5x)', arch: a.label, config: r.config, ratio: r.vsOrt, met: r.vsOrt >= 1 });
    }
    if (INT8_TARGET_ARCHS.includes(a.id)) {
      const top = Math.max(...threadCounts);
      for (const r of a.rows.filter((r) => r.runtime === 'wasm-palette' && r.threads === top && r.config.startsWith('pal 4-bit') && r.vsOrtInt8 !== undefined)) {
        targets.push({
          target: `4-bit >= 1.3x onnxruntime-web int8 dynamic (the faster file) at ${top} threads, file <= 0.5x`,
          arch: a.label, config: r.config, ratio: r.vsOrtInt8!, met: r.vsOrtInt8! >= 1.3 && r.vsOrtInt8Bytes! <= 0.5, fileRatio: r.vsOrtInt8Bytes,
        });
      }
    }
    if (!THREAD_TARGET_ARCHS.includes(a.id)) continue;
    for (const r of a.rows.filter((r) => r.runtime === 'wasm-palette' && r.threads === 2 && r.vsOneThread !== undefined)) {
      targets.push({ target: '2 threads >= 1.8x one thread', arch: a.label, config: r.config, ratio: r.vsOneThread!, met: r.vsOneThread! >= 1.8 });
    }
  }
  return {
    when: new Date().toISOString(),
    node: process.version,
    cpu: os.cpus()[0]?.model ?? '?',
    cpus: os.cpus().length,
    quick,
    versions: { onnxruntimeWeb: ORT_VERSION, tfjs: TFJS_VERSION },
    threads: threadCounts,
    loadAvg: [loadAtStart, os.loadavg()[0]],
    method:
      `batch 1; wasm-palette and onnxruntime-web at ${threadCounts.join(' and ')} thread(s) (LoadOptions.threads; env.wasm.numThreads, one worker per count, ` +
      `samples timed inside it), TensorFlow.js on one; median of >= ${MIN_RUNS} timed samples after warm-up, runners interleaved in rounds; ` +
      'each call copies inputs in and reads the output back. "vs ORT" compares with onnxruntime-web dense at the same thread count. ' +
      'Peers run the dense float32 weights of the same network ' +
      `(onnxruntime-web wasm EP on exportOnnx, graph optimization "all"; tfjs-core wasm backend, single-threaded SIMD). ` +
      'onnxruntime-web also runs the files its quantization tools make from that export, written in TypeScript with their default settings ' +
      '(exportOnnx quantize, src/onnx/quantize.ts): "int8 dynamic" = quantize_dynamic (QInt8 per-tensor symmetric weights, uint8 dynamic activations, ' +
      'ConvInteger / MatMulInteger, Gather tables uint8, Gemm left float32); "int8 dynamic, u8 weights" = the same with weight_type=QUInt8; ' +
      '"4-bit MatMulNBits" = MatMul4BitsQuantizer (blocks of 128, asymmetric; MatMul only). "vs ORT int8" compares with the faster int8 file at the same thread count. ' +
      `Peers checked against wasm-palette dense before timing (max |diff| / max |y| <= ${AGREE_TOL} for dense files; ` +
      `${QUANT_TOL['dynamic-qint8']} for int8, ${QUANT_TOL['matmul-4bits']} for 4-bit files).`,
    archs: results,
    targets,
  };
}
