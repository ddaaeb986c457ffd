/**
 * The wake-word demo (examples/wake-word/) in Chromium, with a fake microphone that plays an
 * espeak-ng phrase (Chromium's --use-file-for-fake-audio-capture loops the file): press Start as a
 * person would, and the page must show "alexa" detected for "alexa" and nothing detected for a
 * sentence without a wake word. The worker's scores must equal Node's WakeWordStream on the same
 * 16 kHz chunks (the page records them with ?record). Saves test/browser/artifacts/wake-word*.png.
 * Needs `npm run build`; builds the models (from node_modules, ~5 s) itself.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, type Model } from '../../dist/index.js';
import { parseWav } from '../../dist/examples/wake-word/audio.js';
import { CHUNK } from '../../dist/examples/wake-word/chain.js';
import { wpalRunners } from '../../dist/examples/wake-word/runners.js';
import { WakeWordStream } from '../../dist/examples/wake-word/stream.js';
import { makeModels, MODELS_DIR, type DemoChain } from '../../examples/wake-word/make-models.js';
import { startServer, REPO_ROOT, type StaticServer } from './server.js';
import { launchChromium, skipBrowser, watchErrors } from './chromium.js';

const ARTIFACTS = join(REPO_ROOT, 'test/browser/artifacts');
const SILENCE_S = 1.5;

/** espeak-ng's WAV of `text` with SILENCE_S of silence before and after (the fake microphone loops it). */
function phraseWav(dir: string, name: string, text: string): { path: string; seconds: number } {
  const raw = join(dir, `${name}.raw.wav`);
  execFileSync('espeak-ng', ['-w', raw, text]);
  const { sampleRate, samples } = parseWav(readFileSync(raw));
  const pad = Math.round(SILENCE_S * sampleRate);
  const n = pad + samples.length + pad;
  const wav = Buffer.alloc(44 + 2 * n);
  wav.write('RIFF', 0);
  wav.writeUInt32LE(36 + 2 * n, 4);
  wav.write('WAVEfmt ', 8);
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(1, 22); // mono
  wav.writeUInt32LE(sampleRate, 24);
  wav.writeUInt32LE(2 * sampleRate, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36);
  wav.writeUInt32LE(2 * n, 40);
  for (let i = 0; i < samples.length; i++) wav.writeInt16LE(samples[i], 44 + 2 * (pad + i));
  const path = join(dir, `${name}.wav`);
  writeFileSync(path, wav);
  return { path, seconds: n / sampleRate };
}

interface PageRun {
  max: Record<string, number>;
  detections: { word: string; chunk: number; score: number }[];
  states: Record<string, string | null>;
  log: string | null;
  chunks: number;
  latency: { median: number; stages: { mel: number; embedding: number; classifiers: number } };
  history: { chunk: number; scores: Record<string, number | null> }[];
  recording: number[];
}

describe.skipIf(skipBrowser)('demo: examples/wake-word with a fake microphone', () => {
  let dir: string;
  let server: StaticServer;
  let info: DemoChain;
  const node: Record<string, Model> = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wpal-wake-'));
    info = await makeModels();
    for (const m of info.models) node[m.onnx] = await loadModel(join(MODELS_DIR, m.file));
    server = await startServer();
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 180_000);
  afterAll(async () => {
    for (const m of Object.values(node)) m.dispose();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const classifiers = () => info.models.filter((m) => m.role !== 'mel' && m.role !== 'embedding').map((m) => m.role);

  /** Opens the page with the phrase as the microphone, presses Start, waits for `until`, and reads the page. */
  async function run(name: string, text: string, until: (loopChunks: number) => string, screenshot: string): Promise<PageRun> {
    const wav = phraseWav(dir, name, text);
    const chrome = await launchChromium({ args: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-audio-capture=${wav.path}`] });
    try {
      const page = await chrome.context.newPage();
      const errors = watchErrors(page);
      await page.goto(`${server.base}/examples/wake-word/?record`);
      await page.waitForFunction(() => (globalThis as any).wakeDemo?.ready || (globalThis as any).wakeDemo?.error, undefined, { timeout: 90_000 });
      expect(await page.evaluate(() => (globalThis as any).wakeDemo.error)).toBeUndefined();
      await page.getByTestId('start').click();
      // The page's own state decides when to look, never a fixed sleep: a loaded machine only takes longer.
      const condition = until(Math.ceil((wav.seconds * 16000) / CHUNK));
      await page.waitForFunction(condition, undefined, { timeout: 150_000, polling: 100 });
      const height = await page.evaluate(() => Math.ceil(document.body.getBoundingClientRect().bottom) + 16);
      await page.screenshot({ path: join(ARTIFACTS, screenshot), clip: { x: 0, y: 0, width: 1000, height: Math.min(700, height) } });
      const states: Record<string, string | null> = {};
      for (const w of classifiers()) states[w] = await page.getByTestId(`state-${w}`).textContent();
      const log = await page.getByTestId('log').textContent();
      const demo = await page.evaluate(async () => {
        const d = (globalThis as any).wakeDemo;
        const recording = Array.from((await d.recording()) as Float32Array);
        return { max: d.max, detections: d.detections, chunks: d.chunks, latency: d.latency, history: d.history, error: d.error, recording };
      });
      expect(demo.error).toBeUndefined();
      await page.getByTestId('stop').click();
      await page.waitForFunction(() => !(globalThis as any).wakeDemo.running);
      expect(errors).toEqual([]);
      return { ...demo, states, log } as PageRun;
    } finally {
      await chrome.close();
    }
  }

  /** Node's WakeWordStream on the chunks the page recorded: the same scores, chunk for chunk. */
  async function expectNodeScores(r: PageRun): Promise<void> {
    const stream = new WakeWordStream(wpalRunners(node, classifiers()));
    const audio = Float32Array.from(r.recording);
    const chunks = audio.length / CHUNK;
    expect(chunks).toBeGreaterThan(0);
    expect(r.history.length).toBeGreaterThanOrEqual(chunks);
    for (let c = 0; c < chunks; c++) {
      const step = await stream.push(audio.subarray(c * CHUNK, (c + 1) * CHUNK));
      expect(r.history[c].chunk).toBe(c);
      expect(r.history[c].scores, `chunk ${c}`).toEqual(step.scores);
    }
  }

  const report = (text: string, r: PageRun) =>
    console.log(
      `"${text}": ${r.chunks} chunks heard; max scores ${JSON.stringify(Object.fromEntries(Object.entries(r.max).map(([k, v]) => [k, Math.round(v * 1000) / 1000])))}; ` +
        `detections ${JSON.stringify(r.detections.map((d) => `${d.word}@${d.chunk}:${d.score.toFixed(3)}`))}; median ${r.latency.median.toFixed(2)} ms per chunk ` +
        `(mel ${r.latency.stages.mel.toFixed(2)}, embedding ${r.latency.stages.embedding.toFixed(2)}, classifiers ${r.latency.stages.classifiers.toFixed(2)})`,
    );

  it('"alexa" into the microphone: the page shows alexa detected, and only alexa', async () => {
    // Two detections (two loops of the file, so not only the first window after the warm-up),
    // then the alexa card itself saying "detected" (what a person sees).
    const until = () => `globalThis.wakeDemo.detections.length >= 2 && document.querySelector('[data-testid=state-alexa]')?.textContent === 'detected'`;
    const r = await run('alexa', 'alexa', until, 'wake-word.png');
    report('alexa', r);
    expect(r.states.alexa).toBe('detected');
    expect(r.log).toMatch(/^alexa at [\d.]+ s \(score [01]\.\d\d\)/);
    expect(r.max.alexa).toBeGreaterThan(0.5);
    expect(r.detections.length).toBeGreaterThanOrEqual(2);
    expect(r.detections.every((d) => d.word === 'alexa')).toBe(true);
    for (const w of ['timer', 'weather', 'hey_mycroft']) expect(r.max[w], w).toBeLessThan(0.5);
    expect(r.latency.median).toBeGreaterThan(0);
    await expectNodeScores(r);
  }, 300_000);

  it('a sentence without a wake word: every classifier scores, none is detected', async () => {
    const text = 'please open the window';
    // Every classifier has heard the whole phrase at least twice (two loops after its warm-up).
    const until = (loop: number) => `(() => { const d = globalThis.wakeDemo; return d.chunks >= d.warmup + 2 * ${loop} + 4; })()`;
    const r = await run('negative', text, until, 'wake-word-negative.png');
    report(text, r);
    expect(r.detections).toEqual([]);
    for (const [w, s] of Object.entries(r.max)) expect(s, w).toBeLessThan(0.5);
    for (const [w, s] of Object.entries(r.states)) expect(s, w).toBe('listening');
    expect(r.log).toBe('');
    await expectNodeScores(r);
  }, 300_000);
});
