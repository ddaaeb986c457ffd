/**
 * A model's life: memory comes back on dispose() (measured in a child process with --expose-gc and
 * RSS) and after a large batch (trim(), by hand or after the run); non-finite inputs are refused
 * with the input and index; every failure on the way is a typed WpalError (out of memory at load,
 * a model disposed while run() reads its inputs).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadModel, WpalDisposedError, WpalInputError, WpalLoadError } from '../../src/index.js';
import { buildMlp, buildWide } from './models.js';
import { Rng } from '../util/rng.js';

const published = new Uint8Array(readFileSync(new URL('../../models/lenet5-mnist-400x.wpal', import.meta.url)));

afterEach(() => {
  vi.restoreAllMocks();
});

describe('memory comes back', () => {
  it('dispose() frees the instance and its memory while the Model object is still referenced (RSS, --expose-gc)', () => {
    const child = fileURLToPath(new URL('./dispose-rss-child.ts', import.meta.url));
    const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', child, '20000'], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const m = JSON.parse(r.stdout) as { held: number; rss0: number; rssLoaded: number; rssDisposed: number; disposed: boolean };
    console.log(
      `three models after a batch-20,000 run: wasm memory ${(m.held / 2 ** 20).toFixed(0)} MiB, RSS ${(m.rss0 / 2 ** 20).toFixed(0)} MiB before load, ` +
        `${(m.rssLoaded / 2 ** 20).toFixed(0)} MiB loaded, ${(m.rssDisposed / 2 ** 20).toFixed(0)} MiB after dispose() + gc with the objects still referenced`,
    );
    expect(m.disposed).toBe(true);
    expect(m.held).toBeGreaterThan(500 * 2 ** 20);
    expect(m.rssLoaded - m.rss0).toBeGreaterThan(0.8 * m.held);
    // At least 90% of what the models held is given back.
    expect(m.rssLoaded - m.rssDisposed).toBeGreaterThan(0.9 * m.held);
  }, 150_000);

  it('after dispose(), every method throws WpalDisposedError', async () => {
    const model = await loadModel(published);
    model.dispose();
    expect(model.disposed).toBe(true);
    for (const call of [() => model.run({ input: new Float32Array(784) }), () => model.memoryReport(), () => model.sizeReport(), () => model.kernelPlan(), () => model.trim()]) {
      expect(call).toThrow(WpalDisposedError);
    }
    model.dispose(); // twice is fine
  });

  it('trim() gives back the arena of a large batch; the model answers the same afterwards', async () => {
    const model = await loadModel(published, { retainArenaBytes: Infinity });
    const loaded = model.memoryReport().wasmMemoryBytes;
    const x = new Rng(3).floats(784 * 3000, 0, 1);
    const before = model.run({ input: x }).logits!.data;
    const big = model.memoryReport();
    expect(big.arenaBytes).toBe(3000 * big.arenaBytesPerExample);
    expect(big.wasmMemoryBytes).toBeGreaterThan(loaded + big.arenaBytes);
    model.trim();
    const trimmed = model.memoryReport();
    console.log(
      `published LeNet-5: wasm memory ${loaded} B after load, ${big.wasmMemoryBytes} B after a batch of 3,000 ` +
        `(arena ${big.arenaBytes} B), ${trimmed.wasmMemoryBytes} B after trim()`,
    );
    expect(trimmed.arenaBytes).toBe(0);
    expect(trimmed.wasmMemoryBytes).toBe(loaded);
    expect(model.run({ input: x }).logits!.data).toEqual(before);
    model.trim(); // twice is fine
  });

  it('a batch whose activations exceed retainArenaBytes gives its memory back when the run ends', async () => {
    const model = await loadModel(published, { retainArenaBytes: 4 * 2 ** 20 });
    const loaded = model.memoryReport().wasmMemoryBytes;
    const small = model.run({ input: new Float32Array(784 * 10).fill(0.5) }).logits!.data;
    expect(model.memoryReport().arenaBytes).toBe(10 * model.memoryReport().arenaBytesPerExample); // small batch: kept
    const out = model.run({ input: new Float32Array(784 * 2000).fill(0.5) }).logits!.data;
    expect(out.subarray(0, 100)).toEqual(small);
    expect(model.memoryReport()).toMatchObject({ arenaBytes: 0, wasmMemoryBytes: loaded });
    // The default keeps 64 MiB.
    const dflt = await loadModel(published);
    dflt.run({ input: new Float32Array(784 * 2000).fill(0.5) });
    expect(dflt.memoryReport().arenaBytes).toBeGreaterThan(0);
  });
});

describe('inputs must be finite', () => {
  const good = buildMlp(21); // input [203] -> ... -> probs [10]

  it('NaN, Infinity and -Infinity anywhere: WpalInputError naming the input, the first bad index, the example', async () => {
    const model = await loadModel(good);
    const rng = new Rng(8);
    for (const bad of [NaN, Infinity, -Infinity]) {
      for (const at of [0, 1, 15, 16, 202, 203, 203 * 3 + 100, 203 * 4 - 1]) {
        const x = rng.floats(203 * 4);
        x[at] = bad;
        x[203 * 4 - 1] = at === 203 * 4 - 1 ? bad : x[203 * 4 - 1]!;
        let err: unknown;
        try {
          model.run({ input: x });
        } catch (e) {
          err = e;
        }
        expect(err, `${bad} at ${at}`).toBeInstanceOf(WpalInputError);
        expect((err as Error).message).toContain(`input "input": value ${at} is ${bad} (example ${Math.floor(at / 203)}, element ${at % 203})`);
      }
    }
    // Largest finite values, subnormals and -0 are fine.
    const edge = new Float32Array(203).fill(3.4028234663852886e38);
    edge[1] = 1e-45;
    edge[2] = -0;
    expect(() => model.run({ input: edge })).not.toThrow();
  });

  it('{ allowNonFinite: true } lets them through, per run or for the model', async () => {
    const x = new Float32Array(203).fill(0.1);
    x[7] = NaN;
    const model = await loadModel(good);
    expect(() => model.run({ input: x })).toThrow(WpalInputError);
    const out = model.run({ input: x }, { allowNonFinite: true });
    expect(Number.isNaN(out.probs!.data[0])).toBe(true);
    const lenient = await loadModel(good, { allowNonFinite: true });
    expect(() => lenient.run({ input: x })).not.toThrow();
    expect(() => lenient.run({ input: x }, { allowNonFinite: false })).toThrow(WpalInputError);
  });
});

describe('typed errors', () => {
  it('disposing the model from inside an input getter: WpalDisposedError, not a TypeError', async () => {
    const model = await loadModel(published);
    const inputs = {
      get input() {
        model.dispose();
        return new Float32Array(784);
      },
    };
    expect(() => model.run(inputs)).toThrow(WpalDisposedError);
    const shaped = await loadModel(published);
    const data = new Float32Array(784);
    expect(() =>
      shaped.run({
        input: {
          data,
          get shape() {
            shaped.dispose();
            return [1, 28, 28, 1];
          },
        },
      }),
    ).toThrow(WpalDisposedError);
  });

  it('out of memory when the instance is created: WpalLoadError with the bytes it needed', async () => {
    vi.spyOn(WebAssembly, 'Instance').mockImplementation(() => {
      throw new RangeError('WebAssembly.Instance(): Out of memory: Cannot allocate Wasm memory for new instance');
    });
    const e = await loadModel(published).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WpalLoadError);
    expect((e as Error).message).toContain(`needs at least ${published.length + 65536} bytes`);
    expect((e as Error).message).toContain('Out of memory');
  });

  it('out of memory when the file is copied in: WpalLoadError with the bytes it needed', async () => {
    vi.spyOn(WebAssembly.Memory.prototype, 'grow').mockImplementation(() => {
      throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded');
    });
    const big = buildWide(3).bytes; // larger than the module's initial memory
    await expect(loadModel(big)).rejects.toThrow(WpalLoadError);
    await expect(loadModel(big)).rejects.toThrow(/cannot hold the model: it needs \d+ bytes of WebAssembly memory/);
  });
});

describe('worker', () => {
  const dist = new URL('../../dist/index.js', import.meta.url);
  // worker_threads runs the built entry (dist/worker/worker-entry-node.js): built by `npm run build`.
  it.skipIf(!existsSync(dist))('an input the worker cannot receive (a function): WpalInputError; damage and NaN come back typed', async () => {
    const api = (await import(dist.href)) as typeof import('../../src/index.js');
    const model = await api.loadModelInWorker(published);
    try {
      const err = await model.run({ input: (() => 1) as unknown as Float32Array }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(api.WpalInputError);
      expect((err as Error).message).toMatch(/cannot be sent to the worker/);
      const x = new Float32Array(784);
      x[5] = NaN;
      await expect(model.run({ input: x.slice() })).rejects.toThrow(api.WpalInputError);
      expect((await model.run({ input: x }, { allowNonFinite: true })).logits!.shape).toEqual([1, 10]);
      await model.trim();
    } finally {
      await model.dispose();
    }
    const bad = published.slice();
    bad[published.length - 40] ^= 4;
    const e = await api.loadModelInWorker(bad).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(api.WpalFormatError);
    expect((e as { damagedTensors?: string[] }).damagedTensors).toBeDefined();
  }, 60_000);
});
