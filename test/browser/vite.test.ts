/**
 * examples/vite: a Vite app importing 'wasm-palette' with no Vite config is built with Vite's API
 * (the package linked into node_modules, as `npm install` of a file: dependency does), served,
 * and run in Chromium: the main-thread model and the worker model must both equal Node's output.
 * Needs `npm run build` (the package's dist/ and build/*.wasm).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel } from '../../dist/index.js';
import { startServer, REPO_ROOT, type StaticServer } from './server.js';
import { launchChromium, skipBrowser, watchErrors, type Chromium } from './chromium.js';

// The published, trained LeNet-5 (models/README.md): examples ship trained models, not random weights.
const model = new Uint8Array(readFileSync(join(REPO_ROOT, 'models/lenet5-mnist-400x.wpal')));

describe.skipIf(skipBrowser)('examples/vite: built by Vite, run in Chromium', () => {
  let dir: string;
  let server: StaticServer;
  let chrome: Chromium;
  let assets: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wpal-vite-'));
    cpSync(join(REPO_ROOT, 'examples/vite'), dir, { recursive: true, filter: (src) => !/node_modules|[/\\]dist$/.test(src) });
    mkdirSync(join(dir, 'public'), { recursive: true });
    writeFileSync(join(dir, 'public/model.wpal'), model);
    mkdirSync(join(dir, 'node_modules'), { recursive: true });
    symlinkSync(REPO_ROOT, join(dir, 'node_modules/wasm-palette'), 'dir');
    const vite = await import('vite');
    await vite.build({ root: dir, configFile: false, logLevel: 'warn' });
    const walk = (d: string): string[] => readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]));
    assets = walk(join(dir, 'dist')).map((f) => f.slice(dir.length + '/dist/'.length));
    server = await startServer({ root: join(dir, 'dist') });
    chrome = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await chrome?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('emits the kernel wasm and a worker chunk', () => {
    expect(assets.some((a) => /wpal\.simd.*\.wasm$/.test(a))).toBe(true);
    // The threaded build too (loadModel(src, { threads }) on a cross-origin isolated page).
    expect(assets.some((a) => /wpal\.threads.*\.wasm$/.test(a))).toBe(true);
    expect(assets.some((a) => /worker-entry.*\.js$/.test(a))).toBe(true);
  });

  it('runs the model on the main thread and in a worker, equal to Node', async () => {
    const page = await chrome.context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${server.base}/`);
    await page.waitForFunction(() => (globalThis as any).wpalResult !== undefined, undefined, { timeout: 20_000 });
    const r = await page.evaluate(() => (globalThis as any).wpalResult);
    expect(r.error).toBeUndefined();
    const m = await loadModel(model);
    const x = new Float32Array(28 * 28).map((_, i) => (Math.sin(i * 0.3) + 1) / 2);
    const ref = Array.from(m.run({ input: x }).logits.data);
    expect(r.logits).toEqual(ref);
    expect(r.workerLogits).toEqual(ref);
    expect(r.fileBytes).toBe(model.length);
    expect(errors).toEqual([]);
    expect(server.log.filter((l) => l.status !== 200)).toEqual([]);
  });
});
