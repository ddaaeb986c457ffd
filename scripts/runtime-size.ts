/**
 * The runtime's own size, what a page downloads to run a model: JavaScript + the kernel wasm,
 * raw and gzip (level 9), measured three ways:
 *   1. as shipped: every dist/ file the browser entry (dist/index.js) imports, statically, plus
 *      the one dependency it imports (flatbuffers, the files it uses), unminified;
 *   2. bundled + minified with esbuild (what an app would ship importing the whole API);
 *   3. bundled + minified importing only loadModel (the runtime alone: no writer, no encoders).
 * The worker entry (dist/worker/worker-entry.js) is reported as its own bundle.
 * Run after `npm run build`:  npx tsx scripts/runtime-size.ts [--json]
 */
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const gz = (b: Uint8Array | string) => gzipSync(b, { level: 9 }).length;

/** Static import graph of an ES module file (relative and bare specifiers; dynamic imports of node:* are not followed). */
function graph(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/^\s*(?:import|export)\s[^;]*?from\s*['"]([^'"]+)['"]/gm)) {
      const spec = m[1];
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
      else if (spec === 'flatbuffers') visit(join(ROOT, 'node_modules/flatbuffers/mjs/flatbuffers.js'));
      else if (!spec.startsWith('node:')) throw new Error(`${file}: unexpected bare import ${spec}`);
      else throw new Error(`${file}: static import of ${spec} on the browser path`);
    }
  };
  visit(entry);
  return [...seen];
}

async function bundle(contents: string): Promise<string> {
  const r = await build({
    stdin: { contents, resolveDir: ROOT, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    external: ['node:*'],
    logLevel: 'silent',
  });
  return r.outputFiles[0].text;
}

const entry = join(ROOT, 'dist/index.js');
const wasmPath = join(ROOT, 'build/wpal.simd.wasm');
if (!existsSync(entry) || !existsSync(wasmPath)) throw new Error('run `npm run build` first');
const wasm = readFileSync(wasmPath);
const files = graph(entry);
// Each file is its own request: gzip them one by one.
const sum = (fs: string[]) => fs.reduce((a, f) => { const b = readFileSync(f); return [a[0] + b.length, a[1] + gz(b)]; }, [0, 0]);
const [shippedRaw, shippedGz] = sum(files);
const [ownRaw, ownGz] = sum(files.filter((f) => !f.includes('node_modules')));
const full = await bundle(`export * from './dist/index.js';`);
const runtimeOnly = await bundle(`export { loadModel } from './dist/index.js';`);
const worker = await bundle(`import './dist/worker/worker-entry.js';`);

const rows: Array<[string, number, number]> = [
  [`kernel wasm (build/wpal.simd.wasm)`, wasm.length, gz(wasm)],
  [`JS as shipped: ${files.length} files from dist/index.js (+flatbuffers), unminified, gzip per file`, shippedRaw, shippedGz],
  [`  of which wasm-palette's own dist/ files`, ownRaw, ownGz],
  [`JS bundled + minified, whole API (esbuild)`, full.length, gz(full)],
  [`JS bundled + minified, loadModel only (esbuild)`, runtimeOnly.length, gz(runtimeOnly)],
  [`worker entry bundled + minified (dist/worker/worker-entry.js)`, worker.length, gz(worker)],
  [`runtime = wasm + loadModel-only JS`, wasm.length + runtimeOnly.length, gz(wasm) + gz(runtimeOnly)],
];

if (process.argv.includes('--json')) {
  console.log(JSON.stringify(rows.map(([what, raw, gzip]) => ({ what, raw, gzip })), null, 2));
} else {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  const w = Math.max(...rows.map((r) => r[0].length));
  console.log(`${'what'.padEnd(w)}  ${'raw'.padStart(10)}  ${'gzip -9'.padStart(10)}`);
  for (const [what, raw, gzip] of rows) console.log(`${what.padEnd(w)}  ${kb(raw).padStart(10)}  ${kb(gzip).padStart(10)}`);
}
