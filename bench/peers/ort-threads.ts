/**
 * onnxruntime-web peer at a given thread count, for the Node model bench: as ort.ts (the wasm EP on
 * an ONNX file: the export of the dense weights, or its quantized form), but in a worker. ORT takes its thread count once per
 * instance (env.wasm.numThreads, when the first session is created; SessionOptions.intraOpNumThreads
 * is not read by the wasm backend), so every runner lives in its own worker_threads Worker
 * (ort-worker.mjs) with `numThreads = threads`, and times its samples there.
 */
import { Worker } from 'node:worker_threads';
import type { BuiltModel } from '../../src/models/index.js';
import type { PeerRunner, Feeds } from './types.js';

type Reply = { type: 'ready' | 'disposed' } | { type: 'out'; data: Float32Array } | { type: 'time'; ms: number } | { type: 'error'; message: string };

/** `onnx`: the model file (exportOnnx of `built`, dense or quantized); `config`: its label in the tables. */
export async function createOrtThreadsRunner(onnx: Uint8Array, built: BuiltModel, feeds: Feeds, threads: number, config = 'dense f32'): Promise<PeerRunner> {
  const inputs = built.inputs.map((i) => {
    const v = feeds[i.name];
    return { name: i.name, type: v instanceof Int32Array ? 'int32' : 'float32', data: v.slice(), dims: [1, ...i.shape] };
  });
  const worker = new Worker(new URL('./ort-worker.mjs', import.meta.url), { workerData: { onnx, threads, inputs, output: built.outputs[0].name } });
  let pending: ((r: Reply) => void) | undefined;
  let failed: Error | undefined;
  worker.on('message', (r: Reply) => {
    if (r.type === 'error') failed = new Error(`onnxruntime-web worker: ${r.message}`);
    const p = pending;
    pending = undefined;
    p?.(r);
  });
  worker.on('error', (e) => {
    failed = e;
    const p = pending;
    pending = undefined;
    p?.({ type: 'error', message: e.message });
  });
  const ask = (msg: unknown): Promise<Reply> =>
    new Promise((resolve, reject) => {
      if (failed) return reject(failed);
      pending = (r) => (r.type === 'error' ? reject(failed ?? new Error(r.message)) : resolve(r));
      if (msg) worker.postMessage(msg);
    });
  await ask(undefined); // 'ready'
  return {
    name: 'onnxruntime-web',
    config,
    threads,
    modelBytes: onnx.length,
    async run() {
      const r = await ask({ type: 'run' });
      return (r as { data: Float32Array }).data;
    },
    async time(calls: number) {
      const r = await ask({ type: 'time', calls });
      return (r as { ms: number }).ms;
    },
    async dispose() {
      await ask({ type: 'dispose' }).catch(() => {});
      await worker.terminate();
    },
  };
}
