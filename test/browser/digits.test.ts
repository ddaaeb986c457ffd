/**
 * The digits demo (examples/digits/) in Chromium: draw a "7" on the canvas with the mouse, read
 * both predictions from the page, check them against Node running the same files on the same
 * 28x28 input, and save a screenshot to test/browser/artifacts/digits.png. Needs `npm run build`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { loadModel } from '../../dist/index.js';
import { makeModels, MODELS_DIR } from '../../examples/digits/make-models.js';
import { startServer, REPO_ROOT, type StaticServer } from './server.js';
import { launchChromium, skipBrowser, watchErrors, type Chromium } from './chromium.js';

export const ARTIFACTS = join(REPO_ROOT, 'test/browser/artifacts');

describe.skipIf(skipBrowser)('demo: examples/digits', () => {
  let server: StaticServer;
  let chrome: Chromium;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    makeModels();
    server = await startServer();
    chrome = await launchChromium();
    page = await chrome.context.newPage();
    errors = watchErrors(page);
    await page.goto(`${server.base}/examples/digits/`);
    await page.waitForFunction(() => (globalThis as any).wpalDemo?.ready || (globalThis as any).wpalDemo?.error, undefined, { timeout: 15_000 });
  });
  afterAll(async () => {
    await chrome?.close();
    await server?.close();
  });

  it('loads both files, says the weights are untrained, and shows the file sizes', async () => {
    const demo = await page.evaluate(() => (globalThis as any).wpalDemo);
    expect(demo.error).toBeUndefined();
    const models = JSON.parse(readFileSync(join(MODELS_DIR, 'models.json'), 'utf8'));
    expect(demo.untrained).toBe(!models.trained);
    if (!models.trained) await expect(page.getByTestId('untrained').isVisible()).resolves.toBe(true);
    expect(await page.getByTestId('file-compressed').textContent()).toMatch(/KB/);
    expect(await page.getByTestId('file-dense').textContent()).toMatch(/MB/);
    expect(models.compressed.bytes).toBeLessThan(models.dense.bytes / 20);
  });

  it('drawing a digit gives a prediction from each file, equal to Node on the same input; screenshot', async () => {
    const box = (await page.getByTestId('canvas').boundingBox())!;
    const at = (x: number, y: number) => [box.x + (x / 280) * box.width, box.y + (y / 280) * box.height] as const;
    // A "7": the top bar, then the diagonal.
    const path = [[70, 60], [210, 60], [180, 120], [150, 180], [125, 240]];
    await page.mouse.move(...at(path[0][0], path[0][1]));
    await page.mouse.down();
    for (const [x, y] of path.slice(1)) await page.mouse.move(...at(x, y), { steps: 8 });
    await page.mouse.up();
    await page.waitForFunction(() => (globalThis as any).wpalDemo.runs > 0 && (globalThis as any).wpalDemo.input);
    await page.waitForTimeout(100); // the last animation frame's run
    const demo = await page.evaluate(() => (globalThis as any).wpalDemo);

    const predC = await page.getByTestId('pred-compressed').textContent();
    const predD = await page.getByTestId('pred-dense').textContent();
    expect(predC).toMatch(/^[0-9]$/);
    expect(predD).toMatch(/^[0-9]$/);
    expect(Number(predC)).toBe(demo.compressed.label);
    expect(Number(predD)).toBe(demo.dense.label);
    expect(await page.getByTestId('latency-compressed').textContent()).toMatch(/latency \d/);

    // Ink landed in the input, centred like MNIST.
    const x = new Float32Array(demo.input);
    expect(x.reduce((a, b) => a + b, 0)).toBeGreaterThan(20);

    // Node, same files, same input: the same logits, bit for bit.
    for (const [file, r] of [['lenet5.wpal', demo.compressed], ['lenet5-dense.wpal', demo.dense]] as const) {
      const m = await loadModel(join(MODELS_DIR, file));
      expect(Array.from(m.run({ input: x }).logits.data)).toEqual(r.logits);
      m.dispose();
    }

    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = join(ARTIFACTS, 'digits.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`screenshot: ${shot}; compressed says ${predC} in ${demo.compressed.ms.toFixed(3)} ms, dense says ${predD} in ${demo.dense.ms.toFixed(3)} ms`);
    expect(errors).toEqual([]);
  });
});
