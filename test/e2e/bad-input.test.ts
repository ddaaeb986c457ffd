/**
 * Bad input through the public API: truncated, flipped and random files; wrong inputs; use after
 * dispose. Each gets a typed WpalError with a message, never another exception, a hang or a
 * silently wrong answer.
 */
import { describe, expect, it } from 'vitest';
import {
  loadModel, WpalError, WpalFormatError, WpalInputError, WpalDisposedError, WpalLoadError,
} from '../../src/index.js';
import { Rng } from '../util/rng.js';
import { buildMlp } from './models.js';

const good = buildMlp(21);

async function expectWpalError(p: Promise<unknown>, kind: Function = WpalError): Promise<Error> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(kind);
    expect((e as Error).message.length).toBeGreaterThan(10);
    return e as Error;
  }
  throw new Error('expected a WpalError, but loading succeeded');
}

describe('bad model files', () => {
  it('every prefix of a small model is rejected with a WpalFormatError', async () => {
    // Every prefix: a file cut anywhere must never load.
    for (let n = 0; n < good.length; n++) {
      await expectWpalError(loadModel(good.slice(0, n)), WpalFormatError);
    }
  });

  it('seeded bit flips: every one a typed error (the checksum covers every byte)', async () => {
    const seed = 99;
    const rng = new Rng(seed);
    for (let iter = 0; iter < 1000; iter++) {
      const bytes = good.slice();
      const flips = rng.int(1, 4);
      for (let f = 0; f < flips; f++) bytes[rng.int(0, bytes.length - 1)] ^= 1 << rng.int(0, 7);
      if (bytes.every((b, i) => b === good[i])) continue;
      await expectWpalError(loadModel(bytes), WpalFormatError);
    }
  });

  it('random bytes and wrong identifiers are rejected', async () => {
    const rng = new Rng(5);
    for (let i = 0; i < 200; i++) await expectWpalError(loadModel(rng.bytes(rng.int(0, 400))), WpalFormatError);
    const renamed = good.slice();
    renamed.set([0x4e, 0x4f, 0x50, 0x45], 4); // file identifier "NOPE"
    const e = await expectWpalError(loadModel(renamed), WpalFormatError);
    expect(e.message).toMatch(/WPAL|identifier/i);
  });

  it('a missing file and a bad source type get WpalLoadError', async () => {
    await expectWpalError(loadModel('/nonexistent/dir/model.wpal'), WpalLoadError);
    await expectWpalError(loadModel(42 as unknown as string), WpalLoadError);
  });
});

describe('bad run() input', () => {
  it('wrong names, types, sizes and batches get WpalInputError; dispose stops runs', async () => {
    const model = await loadModel(good);
    const bad: unknown[] = [
      {},
      { input: new Float32Array(202) },
      { input: new Float32Array(0) },
      { input: new Float64Array(203) },
      { input: Array.from({ length: 203 }, () => 0) },
      { input: null },
      { input: new Float32Array(203), extra: new Float32Array(1) },
      { wrong: new Float32Array(203) },
      { input: { data: new Float32Array(406), shape: [2, 200] } },
      { input: { data: new Float32Array(405), shape: [2, 203] } },
    ];
    for (const inputs of bad) {
      expect(() => model.run(inputs as never), JSON.stringify(Object.keys(inputs as object))).toThrow(WpalInputError);
    }
    expect(() => model.run(undefined as never)).toThrow(WpalInputError);
    // A good run still works after the bad ones, with the shaped form too.
    const ok = model.run({ input: { data: new Float32Array(406).fill(0.1), shape: [2, 203] } });
    expect(ok.probs.shape).toEqual([2, 10]);
    model.dispose();
    expect(() => model.run({ input: new Float32Array(203) })).toThrow(WpalDisposedError);
    expect(() => model.memoryReport()).toThrow(WpalDisposedError);
  });
});
