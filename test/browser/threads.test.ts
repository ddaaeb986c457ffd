/**
 * Threads in Chromium (the built package, dist/): on a cross-origin isolated page (the test
 * server's COOP/COEP headers) a model runs on 2 threads, on the page's main thread and inside
 * loadModelInWorker, with outputs bit-identical to one thread and to Node; on a page without those
 * headers it runs on one thread and warns once, saying why. Needs `npm run build` first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { loadModel } from '../../dist/index.js';
import { buildMobileNetV1 } from '../../src/models/index.js';
import { startServer, type StaticServer } from './server.js';
import { launchChromium, skipBrowser, watchErrors, type Chromium } from './chromium.js';

// Enough work at batch 1 (about 26M multiply-adds) for the default to start threads.
const net = buildMobileNetV1({ inputSize: 96, alpha: 0.5, classes: 10 });
const inName = net.inputs[0].name;
const outName = net.outputs[0].name;
const x = new Float32Array(96 * 96 * 3).map((_, i) => Math.sin(i * 0.37) * 0.5 + 0.5);

// vitest rewrites import() inside evaluate(), so the page imports what the tests use.
const PAGE =
  '<!doctype html><meta charset="utf-8"><title>wpal threads test</title><body>' +
  '<script type="module">import * as wpal from "/dist/index.js"; import { splitTuning } from "/dist/runtime/ops/parallel.js"; ' +
  'window.wpalSplit = splitTuning; window.wpal = wpal;</script>';

async function open(chrome: Chromium, server: StaticServer): Promise<{ page: Page; errors: string[]; warnings: string[] }> {
  const page = await chrome.context.newPage();
  const errors = watchErrors(page);
  const warnings: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'warning') warnings.push(m.text());
  });
  await page.goto(`${server.base}/__test/threads.html`);
  await page.waitForFunction(() => (globalThis as any).wpal !== undefined, undefined, { timeout: 10_000 });
  return { page, errors, warnings };
}

describe.skipIf(skipBrowser)('threads: Chromium', () => {
  let isolated: StaticServer;
  let plain: StaticServer;
  let chrome: Chromium;
  let nodeOut: number[];

  beforeAll(async () => {
    isolated = await startServer();
    plain = await startServer({ isolate: false });
    for (const s of [isolated, plain]) {
      s.routes.set('/__test/threads.html', { body: PAGE });
      s.routes.set('/__test/net.wpal', { body: net.bytes });
    }
    chrome = await launchChromium();
    const m = await loadModel(net.bytes, { threads: 1 });
    nodeOut = Array.from(m.run({ [inName]: x })[outName].data);
    m.dispose();
  });
  afterAll(async () => {
    await chrome?.close();
    await isolated?.close();
    await plain?.close();
  });

  it('isolated page: 2 threads on the main thread and in a worker, bit-identical to one thread and to Node', async () => {
    const { page, errors, warnings } = await open(chrome, isolated);
    const r = await page.evaluate(
      async ({ x, inName, outName }) => {
        const wpal = (globalThis as any).wpal;
        // Split every call that can be split, so the kernel threads surely take part.
        const splitTuning = (globalThis as any).wpalSplit;
        splitTuning.work = 0;
        splitTuning.elements = 0;
        const input = new Float32Array(x);
        const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
        const one = await wpal.loadModel('net.wpal', { threads: 1 });
        const two = await wpal.loadModel('net.wpal', { threads: 2 });
        const dflt = await wpal.loadModel('net.wpal');
        const want = one.run({ [inName]: input })[outName].data;
        // The page's thread takes slices too, so on a loaded machine one call can finish before a
        // kernel thread wakes: run until the kernel threads have run a slice (bounded), every
        // output checked against one thread's.
        const got = two.run({ [inName]: input })[outName].data;
        let allSame = true;
        for (let i = 0; i < 200 && two.pool.workerSlices === 0; i++) {
          const again = two.run({ [inName]: input })[outName].data;
          allSame &&= JSON.stringify(bits(again)) === JSON.stringify(bits(want));
          await new Promise((r) => setTimeout(r, 5));
        }
        const inWorker = await wpal.loadModelInWorker('net.wpal', { threads: 2 });
        const w = (await inWorker.run({ [inName]: input.slice() }))[outName].data;
        const result = {
          isolated: globalThis.crossOriginIsolated,
          threads: [one.threads, two.threads, dflt.threads, inWorker.threads],
          hardware: navigator.hardwareConcurrency,
          values: Array.from(want as Float32Array),
          sameMain: allSame && JSON.stringify(bits(got)) === JSON.stringify(bits(want)),
          sameWorker: JSON.stringify(bits(w)) === JSON.stringify(bits(want)),
          // Slices the kernel threads of the main-thread model ran (the rest ran on the page's thread).
          workerSlices: two.pool.workerSlices as number,
        };
        one.dispose();
        two.dispose();
        dflt.dispose();
        await inWorker.dispose();
        return result;
      },
      { x: Array.from(x), inName, outName },
    );
    expect(r.isolated).toBe(true);
    expect(r.threads).toEqual([1, 2, Math.min(r.hardware, 4), 2]);
    expect(r.sameMain).toBe(true);
    expect(r.sameWorker).toBe(true);
    expect(r.workerSlices).toBeGreaterThan(0);
    expect(r.values).toEqual(nodeOut);
    expect(warnings.filter((w) => w.includes('wasm-palette'))).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('page without COOP/COEP: one thread, and one warning that names the headers', async () => {
    const { page, errors, warnings } = await open(chrome, plain);
    const r = await page.evaluate(async ({ x, inName, outName }) => {
      const wpal = (globalThis as any).wpal;
      const a = await wpal.loadModel('net.wpal');
      const b = await wpal.loadModel('net.wpal', { threads: 2 });
      const out = Array.from(a.run({ [inName]: new Float32Array(x) })[outName].data as Float32Array);
      const threads = [a.threads, b.threads];
      a.dispose();
      b.dispose();
      return { isolated: globalThis.crossOriginIsolated, threads, out };
    }, { x: Array.from(x), inName, outName });
    expect(r.isolated).toBe(false);
    expect(r.threads).toEqual([1, 1]);
    expect(r.out).toEqual(nodeOut);
    const ours = warnings.filter((w) => w.includes('wasm-palette'));
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatch(/not cross-origin isolated/);
    expect(ours[0]).toMatch(/Cross-Origin-Opener-Policy: same-origin/);
    expect(ours[0]).toMatch(/Cross-Origin-Embedder-Policy: require-corp/);
    expect(errors).toEqual([]);
  });
});
