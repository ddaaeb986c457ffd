/**
 * loadModelInWorker(src, { threads }) in Node: the model's worker_threads Worker starts the kernel
 * threads itself; outputs are bit-identical to one thread on the calling thread; dispose() ends the
 * worker and its kernel threads. Runs the built package (dist/, `npm run build`).
 */
import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/index.js';
import { buildMobileNetV1 } from '../../src/models/index.js';

const dist = new URL('../../dist/index.js', import.meta.url);
const osThreads = () => readdirSync('/proc/self/task').length;

describe('loadModelInWorker with threads (Node)', () => {
  it.skipIf(!existsSync(dist))('runs on 3 threads in the worker, bit-identical to one thread; dispose() ends them all', async () => {
    const api = (await import(dist.href)) as typeof import('../../src/index.js');
    const b = buildMobileNetV1({ inputSize: 64, alpha: 0.5, classes: 10 });
    const x = new Float32Array(64 * 64 * 3).map((_, i) => Math.sin(i * 0.1));
    const one = await loadModel(b.bytes, { threads: 1 });
    const want = one.run({ [b.inputs[0].name]: x })[b.outputs[0].name].data;
    one.dispose();

    await new Promise((r) => setTimeout(r, 200));
    const before = process.platform === 'linux' ? osThreads() : 0;
    const m = await api.loadModelInWorker(b.bytes, { threads: 3 });
    expect(m.threads).toBe(3);
    // The worker and its two kernel threads (and their V8 helper threads).
    if (process.platform === 'linux') expect(osThreads()).toBeGreaterThanOrEqual(before + 3);
    for (let i = 0; i < 3; i++) {
      const got = (await m.run({ [b.inputs[0].name]: x.slice() }))[b.outputs[0].name].data;
      expect(Array.from(new Uint32Array(got.buffer, got.byteOffset, got.length))).toEqual(Array.from(new Uint32Array(want.buffer, want.byteOffset, want.length)));
    }
    await m.dispose();
    if (process.platform === 'linux') {
      const end = Date.now() + 10_000;
      while (osThreads() > before && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      expect(osThreads()).toBeLessThanOrEqual(before);
    }
  }, 60_000);
});
