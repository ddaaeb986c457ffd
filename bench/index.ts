/**
 * `npm run bench`: every fully connected kernel the runtime would pick, against the dense f32 SIMD
 * kernel measured in the same run; prints a table and the targets, writes bench/results/*.json.
 *
 *   npm run bench                     all shapes, batch 1 and 8
 *   npm run bench -- --quick          1024x1024 only, shorter sampling (a smoke run)
 *   npm run bench -- --shapes 4096x4096 --batches 1
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { runKernelBench, type KernelResult } from './kernels.bench.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const quick = process.argv.includes('--quick');
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

mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const json = JSON.stringify(
  { when: new Date().toISOString(), node: process.version, cpu: os.cpus()[0]?.model, quick, results, targets: targetReport, slowAt1024: slow.map((r) => r.config) },
  null,
  2,
);
for (const name of [`kernels-${stamp}.json`, 'kernels-latest.json']) writeFileSync(new URL(`./results/${name}`, import.meta.url), json);
console.log(`\nwrote bench/results/kernels-${stamp}.json and kernels-latest.json`);
