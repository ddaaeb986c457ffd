/**
 * onnxruntime-web peer: the wasm execution provider, one thread (its SIMD build: 1.30 ships no
 * other), on the ONNX export of a built model with its dense float32 weights (exportOnnx with
 * `weights: built.weights`, NCHW inside). In Node it loads its wasm from node_modules.
 */
import * as ort from 'onnxruntime-web';
import { exportOnnx } from '../../src/onnx/index.js';
import type { BuiltModel } from '../../src/models/index.js';
import type { PeerRunner, Feeds } from './types.js';

export const ORT_VERSION: string = (ort.env as { versions?: { web?: string } }).versions?.web ?? '1.30';

export async function createOrtRunner(built: BuiltModel, feeds: Feeds): Promise<PeerRunner> {
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  const onnx = exportOnnx(built, { weights: built.weights, batch: 1 });
  const session = await ort.InferenceSession.create(onnx, {
    executionProviders: ['wasm'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  });
  const inputs: Record<string, ort.Tensor> = {};
  for (const i of built.inputs) {
    const v = feeds[i.name];
    inputs[i.name] = v instanceof Int32Array ? new ort.Tensor('int32', v, [1, ...i.shape]) : new ort.Tensor('float32', v, [1, ...i.shape]);
  }
  const outName = built.outputs[0].name;
  return {
    name: 'onnxruntime-web',
    modelBytes: onnx.length,
    async run() {
      const out = await session.run(inputs);
      return out[outName].data as Float32Array;
    },
    async dispose() {
      await session.release();
    },
  };
}
