/**
 * Bad input through the public API: truncated, flipped and random files; wrong inputs; use after
 * dispose. Each gets a typed WpalError with a message, never another exception, a hang or a
 * silently wrong answer.
 */
import { describe, expect, it } from 'vitest';
import {
  loadModel, readModel, WpalError, WpalFormatError, WpalInputError, WpalDisposedError, WpalLoadError,
} from '../../src/index.js';
import { decodeWeight, runOracle } from '../oracle/model.js';
import { expectClose } from '../util/compare.js';
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

  it('seeded byte flips: a typed error, or a model that still runs like the oracle of what it says', async () => {
    const seed = 99;
    const rng = new Rng(seed);
    const deadline = Date.now() + 8000; // bounded fuzz time in CI
    let loaded = 0;
    let rejected = 0;
    for (let iter = 0; iter < 3000 && Date.now() < deadline; iter++) {
      const bytes = good.slice();
      const flips = rng.int(1, 4);
      for (let f = 0; f < flips; f++) bytes[rng.int(0, bytes.length - 1)] ^= 1 << rng.int(0, 7);
      let model;
      try {
        model = await loadModel(bytes);
      } catch (e) {
        if (!(e instanceof WpalError)) throw new Error(`[seed ${seed} iter ${iter}] non-Wpal error: ${(e as Error)?.stack}`);
        rejected++;
        continue;
      }
      // It loaded: the flip hit a value (a weight, a palette entry, metadata). Then the runtime
      // must compute exactly what the (changed) file says.
      loaded++;
      const info = readModel(bytes);
      const x = rng.floats(model.inputs[0].shape.reduce((a, b) => a * b, 1));
      const out = model.run({ [model.inputs[0].name]: x });
      // A flipped exponent bit can make a weight huge (up to 3e38): float32 sums then overflow where
      // the float64 oracle does not, so compare only while every weight stays in a sane range.
      const sane = info.tensors.every((t) => !t.weight || decodeWeight(info, t.weight).every((v) => Math.abs(v) < 1e4));
      if (!sane) continue;
      const want = runOracle(info, { [model.inputs[0].name]: x }, 1);
      for (const name of Object.keys(want)) {
        expectClose(out[name].data, want[name], { abs: 1e-3, rel: 1e-3 }, `[seed ${seed} iter ${iter}] ${name}`);
      }
      model.dispose();
    }
    expect(rejected + loaded).toBeGreaterThan(50);
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
