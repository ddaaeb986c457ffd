/**
 * The kernels of the transformer ops (src/trainer/engine/text-ops.ts), resolved once per
 * TrainModule for its ISA. Forward passes are the runtime's kernels (layernorm, softmax, gelu, add,
 * dense embedding lookup; re-exported by assembly/kernels/train/standalone.ts), backward passes the
 * training kernels of assembly/kernels/train (ABI in its README); named by the kernel table, as
 * every trainer kernel is (module.ts, trainKernelName).
 */
import { resolveKernels, type TrainModule } from './module.js';

export interface TextKernels {
  layernorm(m: number, n: number, x: number, y: number, gamma: number, beta: number, xs: number, ys: number, params: number): void;
  layernormgrad(m: number, n: number, x: number, dy: number, gamma: number, dx: number, dgamma: number, dbeta: number, xs: number, dys: number, dxs: number, params: number): void;
  softmax(m: number, n: number, x: number, y: number, xs: number, ys: number): void;
  softmaxgrad(m: number, n: number, y: number, dy: number, dx: number, ys: number, dys: number, dxs: number, accumulate: number): void;
  vgelu(n: number, x: number, y: number): void;
  vgelugrad(n: number, x: number, dy: number, dx: number, accumulate: number): void;
  vadd(n: number, a: number, b: number, y: number): void;
  embed(m: number, n: number, vocab: number, ids: number, w: number, pal: number, y: number, ys: number, params: number): void;
  embedgrad(m: number, n: number, vocab: number, ids: number, dy: number, dw: number, dys: number, accumulate: number): void;
  seqmean(batch: number, T: number, n: number, x: number, y: number): void;
  seqmeangrad(batch: number, T: number, n: number, dy: number, dx: number, accumulate: number): void;
}

const OPS: readonly (keyof TextKernels)[] = ['layernorm', 'layernormgrad', 'softmax', 'softmaxgrad', 'vgelu', 'vgelugrad', 'vadd', 'embed', 'embedgrad', 'seqmean', 'seqmeangrad'];

const cache = new WeakMap<TrainModule, TextKernels>();

export function textKernels(mod: TrainModule): TextKernels {
  let k = cache.get(mod);
  if (!k) cache.set(mod, (k = resolveKernels<TextKernels>(mod, OPS)));
  return k;
}
