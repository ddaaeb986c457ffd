/**
 * The browser path: the built package (dist/ + build/*.wasm) loaded as plain ES modules in a
 * cross-origin isolated localhost page in headless Chromium, a model run there, and the outputs
 * compared with the same model run in Node. Needs `npm run build` first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { loadModel } from '../../dist/index.js';
import { buildLeNet5 } from '../../src/models/index.js';
import { buildMlp } from '../e2e/models.js';
import { startServer, REPO_ROOT, type StaticServer } from './server.js';
import { launchChromium, skipBrowser, watchErrors, type Chromium } from './chromium.js';

const lenetPal = buildLeNet5({
  name: 'lenet5-pal',
  compression: (l) => (l.kind === 'fc' && l.index === 2 ? { palette: { bits: 2 }, sparse: { block: [4, 4], sparsity: 0.5 } } : { palette: { bits: 4 } }),
}).bytes;
const lenetDense = buildLeNet5({ name: 'lenet5-dense' }).bytes;
// int8 convs and FCs: the kernels that differ between the baseline and relaxed-SIMD builds
const lenetInt8 = buildLeNet5({ name: 'lenet5-int8', compression: { palette: { bits: 4, entryType: 'int8' }, int8: true } }).bytes;
const mlp = buildMlp(7);

function input(n: number, seed: number): Float32Array {
  return new Float32Array(n).map((_, i) => Math.sin(i * 0.37 + seed) * 0.5 + 0.5);
}

async function nodeRun(bytes: Uint8Array, name: string, x: Float32Array) {
  const m = await loadModel(bytes);
  const out = m.run({ [name]: x });
  m.dispose();
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, { data: Array.from(v.data), shape: v.shape }]));
}

describe.skipIf(skipBrowser)('browser: the package in Chromium', () => {
  let server: StaticServer;
  let chrome: Chromium;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    server = await startServer();
    server.routes.set('/__test/blank.html', {
      // The package as plain ES modules; vitest rewrites import() inside evaluate(), so the page imports it.
      body:
        '<!doctype html><meta charset="utf-8"><title>wpal test</title><body>' +
        '<script type="module">import * as wpal from "/dist/index.js"; window.wpal = wpal;</script>',
    });
    server.routes.set('/__test/lenet-pal.wpal', { body: lenetPal });
    server.routes.set('/__test/lenet-dense.wpal', { body: lenetDense });
    server.routes.set('/__test/mlp.wpal', { body: mlp });
    server.routes.set('/__test/lenet-int8.wpal', { body: lenetInt8 });
    chrome = await launchChromium();
    page = await chrome.context.newPage();
    errors = watchErrors(page);
    await page.goto(`${server.base}/__test/blank.html`);
    await page.waitForFunction(() => (globalThis as any).wpal !== undefined, undefined, { timeout: 10_000 }).catch((e) => {
      throw new Error(`the package did not load in the page: ${errors.join('; ') || e.message}`);
    });
  });
  afterAll(async () => {
    await chrome?.close();
    await server?.close();
  });

  it('the page is cross-origin isolated and has WebAssembly SIMD', async () => {
    const r = await page.evaluate(async () => {
      const wpal = (globalThis as any).wpal;
      return { isolated: globalThis.crossOriginIsolated, simd: wpal.hasSimd() as boolean, relaxed: wpal.hasRelaxedSimd() as boolean };
    });
    // Chromium has relaxed SIMD on by default (since 114) and computes the dot exactly
    expect(r).toEqual({ isolated: true, simd: true, relaxed: true });
  });

  for (const [file, bytes, inName, n] of [
    ['lenet-pal.wpal', lenetPal, 'input', 28 * 28],
    ['lenet-dense.wpal', lenetDense, 'input', 28 * 28],
    ['mlp.wpal', mlp, 'input', 203],
    ['lenet-int8.wpal', lenetInt8, 'input', 28 * 28],
  ] as const) {
    it(`${file}: loaded from a URL and run in the page, outputs equal Node's`, async () => {
      const batch = 3;
      const x = input(n * batch, file.length);
      const inPage = await page.evaluate(
        async ({ url, inName, x }) => {
          const wpal = (globalThis as any).wpal;
          const m = await wpal.loadModel(new URL(url, location.href), { relaxedSimd: true });
          const out = m.run({ [inName]: new Float32Array(x) });
          const mem = m.memoryReport();
          const relaxed = m.relaxedSimd as boolean;
          m.dispose();
          return {
            outputs: Object.fromEntries(Object.entries(out).map(([k, v]: [string, any]) => [k, { data: Array.from(v.data as Float32Array), shape: v.shape }])),
            fileBytes: mem.fileBytes,
            relaxed,
          };
        },
        { url: `/__test/${file}`, inName, x: Array.from(x) },
      );
      const inNode = await nodeRun(bytes, inName, x);
      expect(inPage.fileBytes).toBe(bytes.length);
      expect(inPage.relaxed).toBe(true); // the page runs the relaxed-SIMD build (asked for), Node 20 the baseline one
      expect(Object.keys(inPage.outputs)).toEqual(Object.keys(inNode));
      for (const k of Object.keys(inNode)) {
        expect(inPage.outputs[k].shape).toEqual(inNode[k].shape);
        // Relaxed-SIMD build in the page, baseline build in Node: the relaxed dot runs only where
        // every engine agrees (tile order and sums otherwise the same), so bit-identical, not just close.
        expect(inPage.outputs[k].data).toEqual(inNode[k].data);
      }
    });
  }

  it('loads from bytes with the wasm given as bytes (the CDN / bundler path)', async () => {
    const wasm = readFileSync(`${REPO_ROOT}/build/wpal.simd.wasm`);
    const x = input(28 * 28, 1);
    const r = await page.evaluate(
      async ({ model, wasm, x }) => {
        const wpal = (globalThis as any).wpal;
        const m = await wpal.loadModel(new Uint8Array(model), { wasm: new Uint8Array(wasm) });
        return Array.from(m.run({ input: new Float32Array(x) }).logits.data as Float32Array);
      },
      { model: Array.from(lenetPal), wasm: Array.from(wasm), x: Array.from(x) },
    );
    expect(r).toEqual((await nodeRun(lenetPal, 'input', x)).logits.data);
  });

  it('errors are the typed errors, with their messages', async () => {
    const r = await page.evaluate(async () => {
      const wpal = (globalThis as any).wpal;
      const m = await wpal.loadModel('/__test/lenet-pal.wpal');
      const caught: string[] = [];
      try {
        m.run({ input: new Float32Array(5) });
      } catch (e) {
        caught.push(`${(e as Error).name}|${e instanceof wpal.WpalInputError}|${(e as Error).message}`);
      }
      try {
        await wpal.loadModel('/__test/missing.wpal');
      } catch (e) {
        caught.push(`${(e as Error).name}|${e instanceof wpal.WpalLoadError}|${(e as Error).message}`);
      }
      return caught;
    });
    expect(r[0]).toMatch(/^WpalInputError\|true\|.*input "input"/);
    expect(r[1]).toMatch(/^WpalLoadError\|true\|.*404/);
  });

  it('without WebAssembly SIMD, loadModel() rejects with a WpalEngineError that says so', async () => {
    // No engine flag turns SIMD off any more; this page's WebAssembly.validate says "no" instead.
    const p2 = await chrome.context.newPage();
    await p2.addInitScript(() => {
      WebAssembly.validate = () => false;
    });
    await p2.goto(`${server.base}/__test/blank.html`);
    await p2.waitForFunction(() => (globalThis as any).wpal !== undefined);
    const r = await p2.evaluate(async () => {
      const wpal = (globalThis as any).wpal;
      try {
        await wpal.loadModel('/__test/lenet-pal.wpal');
        return 'loaded';
      } catch (e) {
        return `${(e as Error).name}|${e instanceof wpal.WpalEngineError}|${wpal.hasSimd()}|${(e as Error).message}`;
      }
    });
    await p2.close();
    expect(r).toMatch(/^WpalEngineError\|true\|false\|.*no WebAssembly SIMD/);
  });

  it('fetched nothing but the package, the wasm and the models; no console errors', () => {
    const paths = server.log.map((l) => l.path);
    expect(paths.some((p) => p.includes('node:'))).toBe(false);
    expect(paths).toContain('/build/wpal.simd.wasm'); // the default
    expect(paths).toContain('/build/wpal.relaxed.wasm'); // relaxedSimd: true
    const failed = server.log.filter((l) => l.status !== 200 && l.path !== '/__test/missing.wpal');
    expect(failed).toEqual([]);
    // The deliberate 404 above logs one console error (a failed fetch); nothing else may.
    expect(errors.filter((e) => !e.includes('404'))).toEqual([]);
  });
});
