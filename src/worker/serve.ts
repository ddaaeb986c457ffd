/**
 * The model's side of a worker: loads one model and answers requests. Used by worker-entry.ts
 * (Web Worker) and worker-entry-node.ts (worker_threads); both only connect it to a port.
 */
import { loadModel } from '../runtime/load.js';
import type { Model } from '../runtime/model.js';
import { WpalDisposedError, WpalLoadError } from '../runtime/errors.js';
import { serializeError, transferables, type Endpoint, type LoadedInfo, type Reply, type Request } from './protocol.js';

export function serve(port: Endpoint): (req: Request) => Promise<void> {
  let model: Model | undefined;
  let disposed = false;

  const reply = (r: Reply, transfer: Transferable[] = []) => port.postMessage(r, transfer);

  return async function handle(req: Request): Promise<void> {
    try {
      switch (req.type) {
        case 'load': {
          if (model) throw new WpalLoadError('this worker already holds a model; start another worker for another model');
          model = await loadModel(req.source, {
            wasm: req.wasm,
            kernels: req.kernels,
            verifyChecksums: req.verifyChecksums,
            allowNonFinite: req.allowNonFinite,
            retainArenaBytes: req.retainArenaBytes,
            threads: req.threads,
            relaxedSimd: req.relaxedSimd,
          });
          const info: LoadedInfo = {
            inputs: [...model.inputs], outputs: [...model.outputs], metadata: model.metadata, threads: model.threads, relaxedSimd: model.relaxedSimd,
          };
          return reply({ id: req.id, ok: true, value: info });
        }
        case 'dispose':
          model?.dispose();
          model = undefined;
          disposed = true;
          return reply({ id: req.id, ok: true, value: undefined });
      }
      if (!model) throw disposed ? new WpalDisposedError() : new WpalLoadError('no model loaded in this worker');
      switch (req.type) {
        case 'run': {
          const out = model.run(req.inputs, { allowNonFinite: req.allowNonFinite });
          // Outputs are fresh arrays: move them back instead of copying.
          return reply({ id: req.id, ok: true, value: out }, transferables(Object.values(out).map((o) => o.data)));
        }
        case 'sizeReport':
          return reply({ id: req.id, ok: true, value: model.sizeReport() });
        case 'memoryReport':
          return reply({ id: req.id, ok: true, value: model.memoryReport() });
        case 'kernelPlan':
          return reply({ id: req.id, ok: true, value: model.kernelPlan() });
        case 'trim':
          model.trim();
          return reply({ id: req.id, ok: true, value: undefined });
        default:
          throw new Error(`unknown request ${JSON.stringify((req as { type: unknown }).type)}`);
      }
    } catch (e) {
      reply({ id: req.id, ok: false, error: serializeError(e) });
    }
  };
}
