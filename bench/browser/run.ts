/**
 * `npm run bench:browser`: the kernel bench and a model bench inside headless Chromium (Debian's
 * /usr/bin/chromium via playwright-core), in a cross-origin isolated localhost page (5 us timer),
 * with onnxruntime-web in the same page. Prints the same kernel table as `npm run bench`, then the
 * model table; writes bench/results/browser-*.json.
 *
 *   npm run bench:browser                      all shapes, batch 1 and 8, models
 *   npm run bench:browser -- --quick           1024x1024 only, short sampling
 *   npm run bench:browser -- --shapes 4096x4096 --batches 1 --no-models
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { startServer, REPO_ROOT } from '../../test/browser/server.js';
import { launchChromium } from '../../test/browser/chromium.js';
import type { KernelResult } from '../kernels.bench.js';
import type { BrowserBenchReport, ModelRow } from './page.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const quick = process.argv.includes('--quick');
const opts = {
  shapes: arg('shapes')?.split(',') ?? (quick ? ['1024x1024'] : undefined),
  batches: arg('batches')?.split(',').map(Number) ?? [1, 8],
  maxTime: quick ? 0.15 : 0.6,
  modelBudgetMs: quick ? 150 : 500,
  skipKernels: process.argv.includes('--no-kernels'),
  skipModels: process.argv.includes('--no-models'),
  skipRelaxed: process.argv.includes('--no-relaxed'),
};

/** bench/kernels.bench.ts for the page: its harness and its one readFileSync (the shapes file) swapped. */
const browserSwaps: Plugin = {
  name: 'wpal-browser-swaps',
  setup(b) {
    b.onResolve({ filter: /^\.\/harness\.js$/ }, (a) =>
      a.importer.endsWith(join('bench', 'kernels.bench.ts')) ? { path: join(REPO_ROOT, 'bench/browser/harness.ts') } : undefined,
    );
    b.onResolve({ filter: /^node:fs$/ }, () => ({ path: 'node-fs-shim', namespace: 'shim' }));
    b.onResolve({ filter: /^onnxruntime-web$/ }, () => ({ path: 'onnxruntime-web', external: true }));
    b.onLoad({ filter: /.*/, namespace: 'shim' }, () => ({
      contents: `const shapes = ${JSON.stringify(readFileSync(join(REPO_ROOT, 'bench/shapes/fully-connected.json'), 'utf8'))};
        export function readFileSync(url) {
          if (String(url).endsWith('shapes/fully-connected.json')) return shapes;
          throw new Error('readFileSync is not available in the browser: ' + url);
        }`,
      loader: 'js',
    }));
  },
};

const bundle = await build({
  entryPoints: [join(REPO_ROOT, 'bench/browser/page.ts')],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  write: false,
  external: ['node:*'],
  plugins: [browserSwaps],
  logLevel: 'warning',
});

const server = await startServer();
server.routes.set('/bench/browser/page.js', { body: bundle.outputFiles[0].text });
const chrome = await launchChromium();
let report: BrowserBenchReport;
try {
  const page = await chrome.context.newPage();
  page.on('console', (m) => console.log(m.type() === 'error' ? `[page error] ${m.text()}` : m.text()));
  page.on('pageerror', (e) => console.log(`[page error] ${e.message}`));
  await page.goto(`${server.base}/bench/browser/index.html`);
  await page.waitForFunction(() => typeof (globalThis as any).wpalBench === 'function', undefined, { timeout: 20_000 });
  report = await page.evaluate((o) => (globalThis as any).wpalBench(o), opts);
} finally {
  await chrome.close();
  await server.close();
}

console.log(`\nwasm-palette browser bench — ${report.userAgent}`);
console.log(`cross-origin isolated: ${report.crossOriginIsolated}, timer tick ${(report.timerTickMs * 1000).toFixed(1)} us`);

// The same table as bench/index.ts.
function kernelTable(rows: KernelResult[]): string {
  const head = '| shape (n x k) | batch | weights | kernel | ms (median) | vs dense f32 | weight bytes | GB/s |';
  const sep = '|---|---|---|---|---|---|---|---|';
  const body = rows.map(
    (r) =>
      `| ${r.shape} | ${r.batch} | ${r.config} | \`${r.kernel}\` | ${r.medianMs.toFixed(3)} | ${r.speedup.toFixed(2)}x | ${r.weightBytes.toLocaleString('en-US')} | ${r.weightGBs.toFixed(1)} |`,
  );
  return [head, sep, ...body].join('\n');
}
function modelTable(rows: ModelRow[]): string {
  const head = '| model | runtime | weights | file bytes | ms (median, batch 1) | vs onnxruntime-web |';
  const sep = '|---|---|---|---|---|---|';
  const body = rows.map((r) => `| ${r.model} | ${r.runtime} | ${r.config} | ${r.fileBytes.toLocaleString('en-US')} | ${r.medianMs.toFixed(3)} | ${r.vsOrt.toFixed(2)}x |`);
  return [head, sep, ...body].join('\n');
}
if (report.kernels.length) console.log('\n' + kernelTable(report.kernels) + '\n');
if (report.models.length) console.log('Models (Chromium, one thread; onnxruntime-web wasm EP on the ONNX export of the dense weights):\n\n' + modelTable(report.models) + '\n');
if (report.relaxed) {
  // The int8 kernels of the relaxed-SIMD build against the same kernels of the baseline build (both
  // runs above, same page): ratio > 1 = the relaxed build is faster.
  const base = new Map(report.kernels.map((r) => [`${r.shape}|${r.batch}|${r.config}`, r]));
  const rows = report.relaxed.kernels.filter((r) => r.config !== 'dense f32').map((r) => {
    const b = base.get(`${r.shape}|${r.batch}|${r.config}`);
    return `| ${r.shape} | ${r.batch} | ${r.config} | \`${r.kernel}\` | ${b ? b.medianMs.toFixed(3) : '–'} | ${r.medianMs.toFixed(3)} | ${b ? (b.medianMs / r.medianMs).toFixed(2) + 'x' : '–'} | ${b ? b.speedup.toFixed(2) + 'x' : '–'} | ${r.speedup.toFixed(2)}x |`;
  });
  if (rows.length) {
    console.log('Relaxed-SIMD build, int8 kernels (ms, median; "vs dense" = dense f32 of the same run / this):\n');
    console.log('| shape (n x k) | batch | weights | kernel | baseline ms | relaxed ms | relaxed vs baseline | baseline vs dense | relaxed vs dense |');
    console.log('|---|---|---|---|---|---|---|---|---|');
    console.log(rows.join('\n') + '\n');
  }
  if (report.relaxed.models.length) {
    console.log('Relaxed-SIMD build, int8 models (4-bit int8 palettes, int8 compute; one thread, batch 1, ms median):\n');
    console.log('| model | dense f32 (baseline build) | int8, baseline build | int8, relaxed build | relaxed vs baseline | relaxed vs dense | outputs identical |');
    console.log('|---|---|---|---|---|---|---|');
    for (const r of report.relaxed.models) {
      console.log(`| ${r.model} | ${r.denseMs.toFixed(3)} | ${r.baselineMs.toFixed(3)} | ${r.relaxedMs.toFixed(3)} | ${(r.baselineMs / r.relaxedMs).toFixed(2)}x | ${(r.denseMs / r.relaxedMs).toFixed(2)}x | ${r.identical} |`);
    }
    console.log('');
  }
}

const dir = join(REPO_ROOT, 'bench/results');
mkdirSync(dir, { recursive: true });
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const json = JSON.stringify({ when: new Date().toISOString(), quick, ...report }, null, 2);
for (const name of [`browser-${stamp}.json`, 'browser-latest.json']) writeFileSync(join(dir, name), json);
console.log(`wrote bench/results/browser-${stamp}.json and browser-latest.json`);
