/**
 * The DKM and pruning kernels of the training module (assembly/kernels/train/dkm-*.ts,
 * prune-*.ts; ABI in assembly/kernels/train/README.md), resolved once per TrainModule for its ISA.
 * The engine's TrainKernels table does not list them, so they are looked up here by name.
 */
import type { TrainModule } from '../engine/module.js';

export interface DkmKernels {
  dkm(n: number, w: number, mask: number, c: number, k: number, out: number, sums: number, scratch: number, params: number): void;
  dkmgrad(n: number, w: number, mask: number, c: number, k: number, wt: number, g: number, dw: number, gsum: number, scratch: number, params: number): void;
  dkmitergrad(n: number, w: number, mask: number, cp: number, k: number, coef: number, dw: number, scratch: number, params: number): void;
  maskmul(n: number, x: number, mask: number, y: number, accumulate: number): void;
}

const cache = new WeakMap<TrainModule, DkmKernels>();

export function dkmKernels(mod: TrainModule): DkmKernels {
  let k = cache.get(mod);
  if (k) return k;
  const out: Record<string, unknown> = {};
  for (const op of ['dkm', 'dkmgrad', 'dkmitergrad', 'maskmul']) {
    const name = `f32_${op}__${mod.isa}`;
    const fn = mod.exports[name];
    if (typeof fn !== 'function') throw new Error(`training module lacks kernel ${name}: rebuild it with \`npm run build:wasm:train\``);
    out[op] = fn;
  }
  k = out as unknown as DkmKernels;
  cache.set(mod, k);
  return k;
}
