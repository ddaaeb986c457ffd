/**
 * `npm run bench`: the kernel section (every fully connected kernel the runtime would pick, against
 * the dense f32 SIMD kernel measured in the same run) and the model section (whole architectures,
 * batch 1, against onnxruntime-web and TensorFlow.js wasm); prints tables and the targets, writes
 * bench/results/*.json (and, after a full model run, docs/bench-models.md + .svg).
 *
 *   npm run bench                     kernels (all shapes, batch 1 and 8) and models (all architectures)
 *   npm run bench -- --quick          a smoke run: 1024x1024 kernels, three small models, short sampling
 *   npm run bench -- --kernels        kernels only;  --shapes 4096x4096 --batches 1
 *   npm run bench -- --models         models only;   --archs lenet5,resnet18 (ids: bench/models.bench.ts);
 *                                     --threads 1,2 (default: wasm-palette and onnxruntime-web at 1 and 2 threads);
 *                                     --configs "dense f32,pal 4-bit" (wasm-palette weight settings, labels as in the tables);
 *                                     --ort dense,qint8,quint8,nbits4 (onnxruntime-web files: dense, quantize_dynamic with
 *                                     QInt8 / QUInt8 weights, 4-bit MatMulNBits; default all)
 *   npm run bench -- --imported       imported ONNX models (the openWakeWord chain) against onnxruntime-web only
 *   npm run bench -- --integrity      checksum throughput and load-time cost, the non-finite input check
 *   npm run bench -- --split          where splitting one kernel call over 2 threads starts to pay (the thresholds)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { runKernelBench, type KernelResult } from './kernels.bench.js';
import { runModelBench } from './models.bench.js';
import { importedTable, runImportedBench } from './imported.bench.js';
import { runIntegrityBench } from './integrity.bench.js';
import { runSplitBench, splitTable } from './split.bench.js';
import { detailTable, refOpsText, summaryTable, targetsText, threadsTable, writeModelDocs } from './chart.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const quick = process.argv.includes('--quick');
const onlyModels = process.argv.includes('--models');
const onlyKernels = process.argv.includes('--kernels');
const onlyImported = process.argv.includes('--imported');
const onlyIntegrity = process.argv.includes('--integrity');
const onlySplit = process.argv.includes('--split');
const all = !onlyModels && !onlyKernels && !onlyImported && !onlyIntegrity && !onlySplit;
const doKernels = onlyKernels || all;
const doModels = onlyModels || all;
const doImported = onlyImported || all;
const doIntegrity = onlyIntegrity || all;
const stamp = new Date().toISOString().replace(/[:.]/g, '-');

function writeResults(prefix: string, json: string): void {
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  for (const name of [`${prefix}-${stamp}.json`, `${prefix}-latest.json`]) writeFileSync(new URL(`./results/${name}`, import.meta.url), json);
  console.log(`\nwrote bench/results/${prefix}-${stamp}.json and ${prefix}-latest.json`);
}

if (doKernels) kernelSection();
if (doModels) await modelSection();
if (doImported) await importedSection();
if (doIntegrity) await integritySection();
if (onlySplit) await splitSection();

async function splitSection(): Promise<void> {
  console.log(`\nwasm-palette split bench (one kernel call, 1 thread vs split over 2) — node ${process.version}, ${os.cpus()[0]?.model ?? '?'} x${os.cpus().length}`);
  const rows = await runSplitBench({ quick, log: (s) => console.log(s) });
  console.log('\n' + splitTable(rows) + '\n');
  writeResults('split', JSON.stringify({ when: new Date().toISOString(), node: process.version, cpu: os.cpus()[0]?.model, quick, rows }, null, 2));
}

async function importedSection(): Promise<void> {
  console.log(`\nwasm-palette imported-model bench (openWakeWord chain vs onnxruntime-web, 1 thread) — node ${process.version}, ${os.cpus()[0]?.model ?? '?'}`);
  const report = await runImportedBench({ quick, log: (s) => console.log(s) });
  console.log('\n' + importedTable(report) + '\n');
  console.log('Ratios are onnxruntime-web time / wasm-palette time in the same run (> 1: wasm-palette is faster).');
  writeResults('imported', JSON.stringify(report, null, 2));
}

async function integritySection(): Promise<void> {
  console.log(`\nwasm-palette integrity bench — node ${process.version}, ${os.cpus()[0]?.model ?? '?'} x${os.cpus().length}${quick ? ' (quick)' : ''}`);
  const report = await runIntegrityBench({ quick, log: (s) => console.log(s) });
  console.log('\nTargets (reported, not asserted):');
  const ours = report.hash.filter((h) => h.impl.startsWith('ours'));
  const big = ours.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  console.log(`  ${big.gbPerS > 5 ? 'MET ' : 'MISS'} XXH64 > 5 GB/s on ${(big.bytes / 1e6).toFixed(0)} MB: ${big.gbPerS.toFixed(2)} GB/s`);
  for (const l of report.load) console.log(`  ${l.costPct < 5 ? 'MET ' : 'MISS'} checksum < 5% of load time, ${l.file} from ${l.source}: ${l.costPct.toFixed(1)}%`);
  for (const f of report.finiteCheck.filter((f) => f.batch === 1)) console.log(`  ${f.costPct < 1 ? 'MET ' : 'MISS'} non-finite check < 1% of a run, ${f.model} batch 1: ${f.costPct.toFixed(2)}%`);
  writeResults('integrity', JSON.stringify({ when: new Date().toISOString(), node: process.version, cpu: os.cpus()[0]?.model, quick, ...report }, null, 2));
}

async function modelSection(): Promise<void> {
  const archs = arg('archs')?.split(',');
  const threads = arg('threads')?.split(',').map(Number);
  const configs = arg('configs')?.split(',').map((c) => c.trim());
  const ort = arg('ort')?.split(',').map((c) => c.trim());
  console.log(`\nwasm-palette model bench — node ${process.version}, ${os.cpus()[0]?.model ?? '?'} x${os.cpus().length}${quick ? ' (quick)' : ''}`);
  const report = await runModelBench({ archs, quick, threads, configs, ort, log: (s) => console.log(s) });
  report.command = `npm run bench -- ${process.argv.slice(2).map((a) => (/[ "]/.test(a) ? JSON.stringify(a) : a)).join(' ')}`;
  console.log('\n' + summaryTable(report) + '\n');
  if ((report.threads ?? [1]).length > 1) console.log(threadsTable(report) + '\n');
  console.log(detailTable(report) + '\n');
  console.log('Targets (reported, not asserted):');
  console.log(targetsText(report));
  console.log('\nOps on reference (__ref) kernels:');
  console.log(refOpsText(report));
  const skipped = new Map<string, { reason: string; archs: string[] }>();
  for (const a of report.archs) for (const s of a.skipped) skipped.set(s.config, { reason: s.reason, archs: [...(skipped.get(s.config)?.archs ?? []), a.label] });
  for (const [config, s] of skipped) console.log(`\nskipped ${config} (${s.archs.length === report.archs.length ? 'every architecture' : s.archs.join(', ')}): ${s.reason}`);
  writeResults('models', JSON.stringify(report, null, 2));
  if (!quick && !archs && !threads && !configs && !ort) console.log(`wrote ${writeModelDocs(report).join(' and ')}`);
  else console.log('(docs/bench-models.* are written by full runs only; `npx tsx bench/chart.ts <results.json>` renders any results file)');
}

function kernelSection(): void {
  const shapes = arg('shapes')?.split(',') ?? (quick ? ['1024x1024'] : undefined);
  const batches = arg('batches')?.split(',').map(Number) ?? [1, 8];
  const maxTime = quick ? 0.15 : 0.6;

  console.log(`wasm-palette kernel bench — node ${process.version}, ${os.cpus()[0]?.model ?? '?'} x${os.cpus().length}`);
  const results = runKernelBench({ shapes, batches, maxTime, log: (s) => console.log(s) });

  function table(rows: KernelResult[]): string {
    const head = '| shape (n x k) | batch | weights | kernel | ms (median) | vs dense f32 | weight bytes | GB/s |';
    const sep = '|---|---|---|---|---|---|---|---|';
    const body = rows.map(
      (r) =>
        `| ${r.shape} | ${r.batch} | ${r.config} | \`${r.kernel}\` | ${r.medianMs.toFixed(3)} | ${r.speedup.toFixed(2)}x | ${r.weightBytes.toLocaleString('en-US')} | ${r.weightGBs.toFixed(1)} |`,
    );
    return [head, sep, ...body].join('\n');
  }

  interface Target {
    what: string;
    want: number;
    pick: (r: KernelResult) => boolean;
  }
  const TARGETS: Target[] = [
    { what: '4096x4096 batch 1, 4-bit palettized (best path) >= 2.5x', want: 2.5, pick: (r) => r.shape === '4096x4096' && r.batch === 1 && /pal 4-bit/.test(r.config) && !/bs/.test(r.config) },
    { what: '4096x4096 batch 1, 2-bit palettized (best path) >= 4x', want: 4, pick: (r) => r.shape === '4096x4096' && r.batch === 1 && /pal 2-bit/.test(r.config) && !/bs/.test(r.config) },
    { what: '4096x4096 batch 1, 90% block-sparse (best block shape) >= 5x', want: 5, pick: (r) => r.shape === '4096x4096' && r.batch === 1 && /^bs.*90% f32$/.test(r.config) },
  ];

  console.log('\n' + table(results) + '\n');
  console.log('Targets (reported, not asserted):');
  const targetReport = TARGETS.map((t) => {
    const rows = results.filter(t.pick);
    if (!rows.length) return { target: t.what, measured: null, met: null };
    const best = rows.reduce((a, b) => (b.speedup > a.speedup ? b : a));
    const met = best.speedup >= t.want;
    console.log(`  ${met ? 'MET ' : 'MISS'} ${t.what}: ${best.speedup.toFixed(2)}x (${best.config}, ${best.kernel})`);
    return { target: t.what, measured: best.speedup, config: best.config, met };
  });
  const slow = results.filter((r) => r.shape === '1024x1024' && r.config !== 'dense f32' && r.speedup < 0.8);
  console.log(
    `  ${slow.length ? 'MISS' : 'MET '} 1024x1024: no compressed kernel slower than 0.8x dense` +
      (slow.length ? ` (slower: ${slow.map((r) => `${r.config} m=${r.batch} ${r.speedup.toFixed(2)}x`).join('; ')})` : ''),
  );

  const int8Rows = results.filter((r) => r.int8RelError !== undefined);
  if (int8Rows.length) {
    console.log('\nAccuracy cost of the int8 fast path (relative RMS error of outputs vs the exact f32-palette path, same weights):');
    for (const r of int8Rows) console.log(`  ${r.shape} m=${r.batch} ${r.config}: ${(r.int8RelError! * 100).toFixed(3)}%`);
  }

  const json = JSON.stringify(
    { when: new Date().toISOString(), node: process.version, cpu: os.cpus()[0]?.model, quick, results, targets: targetReport, slowAt1024: slow.map((r) => r.config) },
    null,
    2,
  );
  writeResults('kernels', json);
}
