/**
 * The sentiment demo (examples/sentiment/) in Chromium: a person types a clearly positive and a
 * clearly negative sentence; the compressed SST-2 transformer (models/) scores each in a Web Worker.
 * The scores' signs, the file size and the latency on the page are checked, and the page's ids
 * and logits equal Node's: the CLI's tokenization (hashedIds with the file's seq and buckets) and
 * the same file. Screenshot: test/browser/artifacts/sentiment.png. Needs `npm run build`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { loadModel, type Model } from '../../dist/index.js';
import { hashedIds } from '../../src/trainer/data/hashed.js';
import { textEncodingOf } from '../../src/trainer/data/for-model.js';
import { startServer, REPO_ROOT, type StaticServer } from './server.js';
import { launchChromium, skipBrowser, watchErrors, type Chromium } from './chromium.js';

const FILE = join(REPO_ROOT, 'models/sst2-transformer-1bit.wpal');
const ARTIFACTS = join(REPO_ROOT, 'test/browser/artifacts');

interface Scored {
  sentence: string;
  words: string[];
  ids: number[];
  logits: number[];
  margin: number;
  ms: number;
}

describe.skipIf(skipBrowser)('demo: examples/sentiment', () => {
  let server: StaticServer;
  let chrome: Chromium;
  let page: Page;
  let errors: string[];
  let node: Model;

  beforeAll(async () => {
    node = await loadModel(FILE);
    server = await startServer();
    chrome = await launchChromium();
    page = await chrome.context.newPage();
    errors = watchErrors(page);
    await page.goto(`${server.base}/examples/sentiment/`);
    await page.waitForFunction(() => (globalThis as any).wpalSentiment?.ready || (globalThis as any).wpalSentiment?.error, undefined, { timeout: 20_000 });
  });
  afterAll(async () => {
    node?.dispose();
    await chrome?.close();
    await server?.close();
  });

  /** Types the sentence into the box as a person would and waits for its score. */
  async function type(sentence: string): Promise<Scored> {
    const box = page.getByTestId('text');
    await box.fill('');
    await box.pressSequentially(sentence, { delay: 15 });
    await page.waitForFunction((s) => (globalThis as any).wpalSentiment.last?.sentence === s, sentence);
    return page.evaluate(() => (globalThis as any).wpalSentiment.last as Scored);
  }

  it('loads the compressed file into a worker and shows its size', async () => {
    const state = await page.evaluate(() => (globalThis as any).wpalSentiment);
    expect(state.error).toBeUndefined();
    const bytes = statSync(FILE).size;
    expect(state.fileBytes).toBe(bytes);
    expect(await page.getByTestId('file-size').textContent()).toContain(`${bytes.toLocaleString('en-US')} B`);
  });

  it('a clearly positive sentence scores positive, a clearly negative one negative; ids and logits equal Node\'s; latency shown', async () => {
    const sentences = [
      { text: 'A wonderful, moving film with brilliant performances. I loved it!', positive: true },
      { text: "A dull, boring mess. The worst movie I've seen this year.", positive: false },
    ];
    const encoding = textEncodingOf(node.metadata.properties, FILE);
    for (const { text, positive } of sentences) {
      const r = await type(text);
      // The CLI's encoding of the same sentence, and the same file in Node.
      const ids = hashedIds(text, encoding);
      expect(r.ids).toEqual(Array.from(ids));
      const logits = Array.from(node.run({ input_ids: ids }).logits.data);
      expect(r.logits).toEqual(logits);
      expect(r.margin > 0).toBe(positive);
      expect(await page.getByTestId('verdict').textContent()).toBe(positive ? 'positive' : 'negative');
      expect(await page.getByTestId('latency').textContent()).toMatch(/^latency \d+\.\d\d ms/);
      expect(await page.getByTestId('tokens').textContent()).toContain(r.words[0]);
      console.log(`"${text}": margin ${r.margin.toFixed(3)} (${positive ? 'positive' : 'negative'} expected), ${r.ms.toFixed(2)} ms in the worker; words ${r.words.join(' ')}`);
      if (!positive) {
        mkdirSync(ARTIFACTS, { recursive: true });
        await page.screenshot({ path: join(ARTIFACTS, 'sentiment.png'), fullPage: true });
      }
    }
    expect(errors).toEqual([]);
  });
});
