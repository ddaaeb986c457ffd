/**
 * loadModelInWorker(): the Model API off the main thread — worker_threads in Node, a module Web
 * Worker in Chromium. Outputs must equal loadModel()'s on the calling thread. Needs `npm run build`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { loadModel, loadModelInWorker, WpalDisposedError, WpalInputError, WpalFormatError } from '../../dist/index.js';
import { buildLeNet5 } from '../../src/models/index.js';
import { startServer, type StaticServer } from './server.js';
import { launchChromium, skipBrowser, watchErrors, type Chromium } from './chromium.js';

const lenet = buildLeNet5({ name: 'lenet5-pal', compression: { palette: { bits: 4 } } }).bytes;
const x = (batch: number) => new Float32Array(784 * batch).map((_, i) => (Math.sin(i * 0.11) + 1) / 2);

async function reference(batch: number): Promise<number[]> {
  const m = await loadModel(lenet);
  const out = Array.from(m.run({ input: x(batch) }).logits.data);
  m.dispose();
  return out;
}

describe('worker: Node (worker_threads)', () => {
  it('runs like loadModel(), transfers inputs, and reports', async () => {
    const m = await loadModelInWorker(lenet);
    expect(m.inputs).toEqual([{ name: 'input', shape: [28, 28, 1], dtype: 'float32' }]);
    expect(m.metadata.name).toBe('lenet5-pal');
    const input = x(4);
    const out = await m.run({ input });
    expect(out.logits.shape).toEqual([4, 10]);
    expect(out.logits.data).toBeInstanceOf(Float32Array);
    expect(Array.from(out.logits.data)).toEqual(await reference(4));
    expect(input.length).toBe(0); // moved to the worker

    const kept = x(2);
    const out2 = await m.run({ input: { data: kept, shape: [2, 28, 28, 1] } }, { transfer: false });
    expect(kept.length).toBe(784 * 2);
    expect(Array.from(out2.logits.data)).toEqual(await reference(2));

    // A view into a larger buffer is copied, never detached.
    const big = new Float32Array(784 * 3);
    big.set(x(1), 784);
    const view = big.subarray(784, 784 * 2);
    const out3 = await m.run({ input: view });
    expect(big.length).toBe(784 * 3);
    expect(Array.from(out3.logits.data)).toEqual(await reference(1));

    expect((await m.sizeReport()).fileBytes).toBe(lenet.length);
    expect((await m.memoryReport()).fileBytes).toBe(lenet.length);
    expect((await m.kernelPlan()).length).toBeGreaterThan(0);
    await m.dispose();
    expect(m.disposed).toBe(true);
    await expect(m.run({ input: x(1) })).rejects.toBeInstanceOf(WpalDisposedError);
  });

  it('errors from the worker keep their class and message', async () => {
    const m = await loadModelInWorker(lenet);
    const e = await m.run({ input: new Float32Array(5) }).catch((err) => err);
    expect(e).toBeInstanceOf(WpalInputError);
    expect(e.message).toMatch(/input "input"/);
    await m.dispose();
    await expect(loadModelInWorker(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))).rejects.toBeInstanceOf(WpalFormatError);
  });

  it('concurrent calls are answered in order, each with its own outputs', async () => {
    const m = await loadModelInWorker(lenet);
    const ref1 = await reference(1);
    const outs = await Promise.all([1, 2, 3].map((b) => m.run({ input: x(b) })));
    outs.forEach((o, i) => expect(o.logits.shape).toEqual([i + 1, 10]));
    expect(Array.from(outs[0].logits.data)).toEqual(ref1);
    await m.dispose();
  });
});

describe.skipIf(skipBrowser)('worker: Chromium (module Web Worker)', () => {
  let server: StaticServer;
  let chrome: Chromium;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    server = await startServer();
    server.routes.set('/__test/blank.html', {
      body:
        '<!doctype html><meta charset="utf-8"><title>wpal worker test</title><body>' +
        '<script type="module">import * as wpal from "/dist/index.js"; window.wpal = wpal;</script>',
    });
    server.routes.set('/__test/lenet.wpal', { body: lenet });
    chrome = await launchChromium();
    page = await chrome.context.newPage();
    errors = watchErrors(page);
    await page.goto(`${server.base}/__test/blank.html`);
    await page.waitForFunction(() => (globalThis as any).wpal !== undefined, undefined, { timeout: 10_000 });
  });
  afterAll(async () => {
    await chrome?.close();
    await server?.close();
  });

  it('runs in a Web Worker with the same outputs as Node, and the page keeps running meanwhile', async () => {
    const batch = 1024;
    const r = await page.evaluate(
      async ({ x, batch }) => {
        const wpal = (globalThis as any).wpal;
        const m = await wpal.loadModelInWorker('lenet.wpal'); // relative to the page
        const input = new Float32Array(x);
        const small = await m.run({ input: input.slice(0, 784 * 2) });
        // Timer ticks on the page while the worker runs a big batch (a blocked page would get none).
        let ticks = 0;
        let maxGap = 0;
        let last = performance.now();
        let on = true;
        const tick = () => {
          const now = performance.now();
          maxGap = Math.max(maxGap, now - last);
          last = now;
          ticks++;
          if (on) setTimeout(tick, 0);
        };
        setTimeout(tick, 0);
        const big = new Float32Array(784 * batch);
        for (let b = 0; b < batch; b++) big.set(input.subarray(0, 784), b * 784);
        const t0 = performance.now();
        const out = await m.run({ input: big });
        const ms = performance.now() - t0;
        on = false;
        // Every row is example 0 again (a bigger batch may tile differently: close, not bit-equal).
        const lastRow = Array.from(out.logits.data.subarray((batch - 1) * 10) as Float32Array);
        const sameRows = lastRow.every((v, i) => Math.abs(v - small.logits.data[i]) <= 1e-4 * (1 + Math.abs(v)));
        const size = await m.sizeReport();
        await m.dispose();
        let disposedError = '';
        await m.run({ input: new Float32Array(784) }).catch((e: Error) => (disposedError = e.name));
        return {
          logits: Array.from(small.logits.data as Float32Array),
          bigDetached: big.length === 0,
          ms,
          ticks,
          maxGap,
          sameRows,
          fileBytes: size.fileBytes,
          disposedError,
          worker: typeof Worker,
        };
      },
      { x: Array.from(x(2)), batch },
    );
    expect(r.logits).toEqual(await reference(2));
    expect(r.bigDetached).toBe(true);
    expect(r.sameRows).toBe(true);
    expect(r.fileBytes).toBe(lenet.length);
    expect(r.disposedError).toBe('WpalDisposedError');
    console.log(`Web Worker: batch ${batch} LeNet-5 in ${r.ms.toFixed(1)} ms; page timer ticked ${r.ticks}x, longest gap ${r.maxGap.toFixed(1)} ms`);
    expect(r.ticks).toBeGreaterThan(2);
    expect(r.maxGap).toBeLessThan(Math.max(r.ms, 50));
    expect(errors).toEqual([]);
    expect(server.log.map((l) => l.path)).toContain('/dist/worker/worker-entry.js');
  });
});
