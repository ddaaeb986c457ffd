/**
 * The digits demo (examples/digits/) in Chromium, with the trained LeNet-5s of models/:
 * - the page shows both file sizes and their ratio;
 * - a person draws 0-9 with the mouse: each file must be right on at least 9 of 10, and the
 *   page's logits equal Node's on the same 28x28 input (screenshot: test/browser/artifacts/digits.png);
 * - 200 MNIST test images painted into the canvas: the page's predictions, inputs and accuracy
 *   equal Node's through the same preprocessing (examples/digits/preprocess.js).
 * Needs `npm run build` and the MNIST test set (data directory: $WPAL_DATA, else ../shared/data).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { loadModel, type Model } from '../../dist/index.js';
import { loadImageDataset } from '../../src/trainer/data/index.js';
import { mnistInput } from '../../examples/digits/preprocess.js'; // the page's own module
import { DIGIT_STROKES } from './digit-strokes.js';
import { startServer, REPO_ROOT, type StaticServer } from './server.js';
import { launchChromium, skipBrowser, watchErrors, type Chromium } from './chromium.js';

const ARTIFACTS = join(REPO_ROOT, 'test/browser/artifacts');
const FILES = { compressed: 'models/lenet5-mnist-600x.wpal', dense: 'models/lenet5-mnist-dense.wpal' } as const;
type Kind = keyof typeof FILES;
const KINDS = Object.keys(FILES) as Kind[];

interface PageResult {
  label: number;
  logits: number[];
  ms: number;
}
interface DemoState {
  ready: boolean;
  error?: string;
  drawn: number;
  predicted: number;
  input: number[] | null;
  compressed?: PageResult;
  dense?: PageResult;
  files: Record<Kind, { file: string; bytes: number }>;
}

const argmax = (z: ArrayLike<number>) => {
  let best = 0;
  for (let i = 1; i < z.length; i++) if (z[i]! > z[best]!) best = i;
  return best;
};

describe.skipIf(skipBrowser)('demo: examples/digits', () => {
  let server: StaticServer;
  let chrome: Chromium;
  let page: Page;
  let errors: string[];
  const node = {} as Record<Kind, Model>;
  const state = () => page.evaluate(() => (globalThis as any).wpalDemo as DemoState);

  beforeAll(async () => {
    for (const k of KINDS) node[k] = await loadModel(join(REPO_ROOT, FILES[k]));
    server = await startServer();
    chrome = await launchChromium();
    page = await chrome.context.newPage();
    errors = watchErrors(page);
    await page.goto(`${server.base}/examples/digits/`);
    await page.waitForFunction(() => (globalThis as any).wpalDemo?.ready || (globalThis as any).wpalDemo?.error, undefined, { timeout: 15_000 });
  });
  afterAll(async () => {
    for (const k of KINDS) node[k]?.dispose();
    await chrome?.close();
    await server?.close();
  });

  it('loads both trained files and shows their sizes and the ratio', async () => {
    const demo = await state();
    expect(demo.error).toBeUndefined();
    const bytes = { compressed: statSync(join(REPO_ROOT, FILES.compressed)).size, dense: statSync(join(REPO_ROOT, FILES.dense)).size };
    expect(demo.files.compressed.bytes).toBe(bytes.compressed);
    expect(demo.files.dense.bytes).toBe(bytes.dense);
    const sizes = (await page.getByTestId('sizes').textContent())!;
    expect(sizes).toContain(`${bytes.compressed.toLocaleString('en-US')} B`);
    expect(sizes).toContain(`${bytes.dense.toLocaleString('en-US')} B`);
    expect(await page.getByTestId('ratio').textContent()).toBe(`${(bytes.dense / bytes.compressed).toFixed(0)}x`);
    expect(await page.getByTestId('file-compressed').textContent()).toContain('lenet5-mnist-600x.wpal');
    expect(await page.getByTestId('file-dense').textContent()).toContain('lenet5-mnist-dense.wpal');
    expect(await page.locator('body').textContent()).not.toMatch(/untrained|random weights/i);
    // Each file's recorded accuracy claim (what `wpal verify` checks), as the page shows it.
    for (const k of KINDS) {
      const recorded = Number(node[k].metadata.properties['accuracy']);
      expect(recorded, k).toBeGreaterThan(0.98);
      expect(await page.getByTestId(`acc-${k}`).textContent()).toBe(`MNIST test accuracy ${(recorded * 100).toFixed(2)}%`);
    }
  });

  it('digits 0-9 drawn with the mouse: each file is right on at least 9 of 10; logits equal Node\'s; screenshot', async () => {
    const box = (await page.getByTestId('canvas').boundingBox())!;
    const at = (p: readonly [number, number]) => [box.x + (p[0] / 280) * box.width, box.y + (p[1] / 280) * box.height] as const;
    const said: Record<Kind, number[]> = { compressed: [], dense: [] };
    for (let digit = 0; digit <= 9; digit++) {
      await page.getByTestId('clear').click();
      for (const stroke of DIGIT_STROKES[digit]!) {
        await page.mouse.move(...at(stroke[0]!));
        await page.mouse.down();
        for (const p of stroke.slice(1)) await page.mouse.move(...at(p), { steps: 4 });
        await page.mouse.up();
      }
      // The page predicts on the next animation frame after the last change.
      await page.waitForFunction(() => {
        const d = (globalThis as any).wpalDemo;
        return d.input !== null && d.predicted === d.drawn;
      });
      const demo = await state();
      const x = new Float32Array(demo.input!);
      for (const k of KINDS) {
        const shown = Number(await page.getByTestId(`pred-${k}`).textContent());
        expect(shown).toBe(demo[k]!.label);
        said[k].push(shown);
        // Node, same file, same input: the same logits, bit for bit.
        expect(Array.from(node[k].run({ input: x }).logits.data)).toEqual(demo[k]!.logits);
      }
      if (digit === 7) {
        mkdirSync(ARTIFACTS, { recursive: true });
        // The page's content only (docs/digits-demo.png is this picture).
        const bottom = (await page.getByTestId('agree').boundingBox())!;
        await page.screenshot({ path: join(ARTIFACTS, 'digits.png'), clip: { x: 0, y: 0, width: 980, height: Math.ceil(bottom.y + bottom.height + 14) } });
      }
    }
    const right = (k: Kind) => said[k].filter((label, digit) => label === digit).length;
    console.log(`digits drawn 0-9: compressed says ${said.compressed.join(' ')} (${right('compressed')}/10), dense says ${said.dense.join(' ')} (${right('dense')}/10); screenshot ${join(ARTIFACTS, 'digits.png')}`);
    expect(right('compressed')).toBeGreaterThanOrEqual(9);
    expect(right('dense')).toBeGreaterThanOrEqual(9);
    expect(await page.getByTestId('latency-compressed').textContent()).toMatch(/latency \d/);
    expect(errors).toEqual([]);
  });

  it('200 MNIST test images painted into the canvas: in-page accuracy and predictions equal Node\'s (same preprocessing)', async () => {
    const N = 200;
    const test = loadImageDataset('mnist', 'test');
    const images: number[][] = [];
    for (let n = 0; n < N; n++) images.push(Array.from(test.x.subarray(n * 784, (n + 1) * 784), (v) => Math.round(v * 255)));

    // The page: each image scaled up 10x (whole pixels) into the 280x280 canvas, then the demo's own path.
    const inPage = await page.evaluate((imgs) => {
      const canvas = document.querySelector('#draw') as HTMLCanvasElement;
      const ctx = canvas.getContext('2d')!;
      const demo = (globalThis as any).wpalDemo;
      return imgs.map((img) => {
        const big = ctx.createImageData(280, 280);
        for (let y = 0; y < 280; y++) {
          for (let x = 0; x < 280; x++) {
            const v = img[Math.floor(y / 10) * 28 + Math.floor(x / 10)]!;
            big.data.set([v, v, v, 255], (y * 280 + x) * 4);
          }
        }
        ctx.putImageData(big, 0, 0);
        demo.drawn++;
        demo.predictNow();
        return { input: demo.input as number[], compressed: demo.compressed.logits as number[], dense: demo.dense.logits as number[] };
      });
    }, images);

    // Node: the same scaling and the same preprocessing module, the same files.
    const correct = { page: { compressed: 0, dense: 0 }, node: { compressed: 0, dense: 0 }, raw: { compressed: 0, dense: 0 } };
    for (let n = 0; n < N; n++) {
      const big = new Uint8Array(280 * 280);
      for (let y = 0; y < 280; y++) for (let x = 0; x < 280; x++) big[y * 280 + x] = images[n]![Math.floor(y / 10) * 28 + Math.floor(x / 10)]!;
      const input = mnistInput(big, 280, 280)!;
      expect(Array.from(input)).toEqual(inPage[n]!.input);
      for (const k of KINDS) {
        const logits = node[k].run({ input }).logits.data;
        expect(Array.from(logits)).toEqual(inPage[n]![k]);
        if (argmax(logits) === test.y[n]) correct.node[k]++;
        if (argmax(inPage[n]![k]) === test.y[n]) correct.page[k]++;
        if (argmax(node[k].run({ input: test.x.subarray(n * 784, (n + 1) * 784) }).logits.data) === test.y[n]) correct.raw[k]++;
      }
    }
    const pct = (c: number) => `${((c / N) * 100).toFixed(1)}%`;
    console.log(
      `first ${N} MNIST test images through the canvas: compressed ${pct(correct.page.compressed)} in the page, ${pct(correct.node.compressed)} in Node ` +
        `(${pct(correct.raw.compressed)} on the raw images); dense ${pct(correct.page.dense)} in the page, ${pct(correct.node.dense)} in Node (${pct(correct.raw.dense)} raw)`,
    );
    expect(correct.page).toEqual(correct.node);
    // The preprocessing keeps MNIST digits MNIST-like: the canvas path loses at most 1 image of 200.
    for (const k of KINDS) expect(correct.page[k]).toBeGreaterThanOrEqual(correct.raw[k] - 1);
    expect(errors).toEqual([]);
  });
});
