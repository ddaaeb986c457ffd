/**
 * onnxruntime-web in its own worker_threads Worker (bench/peers/ort-threads.ts): ORT sets its thread count
 * once per instance (env.wasm.numThreads, read when the first session is created), so each thread
 * count gets its own worker. Samples are timed inside the worker, so message passing is not in them.
 *
 *   workerData: { onnx: Uint8Array, threads, inputs: [{ name, type, data, dims }], output }
 *   in:  { type: 'run' } -> { type: 'out', data }      first output, read back to JS
 *        { type: 'time', calls } -> { type: 'time', ms }  wall time of `calls` runs
 *        { type: 'dispose' }
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-web';

const { onnx, threads, inputs, output } = workerData;
ort.env.wasm.numThreads = threads;
ort.env.wasm.proxy = false;
const session = await ort.InferenceSession.create(onnx, {
  executionProviders: ['wasm'],
  graphOptimizationLevel: 'all',
  executionMode: 'sequential',
});
const feeds = {};
for (const i of inputs) feeds[i.name] = new ort.Tensor(i.type, i.data, i.dims);

parentPort.on('message', async (m) => {
  try {
    if (m.type === 'run') {
      const out = await session.run(feeds);
      parentPort.postMessage({ type: 'out', data: out[output].data });
    } else if (m.type === 'time') {
      const t = performance.now();
      for (let i = 0; i < m.calls; i++) await session.run(feeds);
      parentPort.postMessage({ type: 'time', ms: performance.now() - t });
    } else if (m.type === 'dispose') {
      await session.release();
      parentPort.postMessage({ type: 'disposed' });
      process.exit(0);
    }
  } catch (e) {
    parentPort.postMessage({ type: 'error', message: String(e?.stack ?? e) });
  }
});
parentPort.postMessage({ type: 'ready', version: ort.env.versions?.web ?? '?' });
