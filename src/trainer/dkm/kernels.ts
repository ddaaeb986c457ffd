/**
 * The DKM and pruning kernels of the training module (assembly/kernels/train/dkm-*.ts,
 * prune-*.ts; ABI in assembly/kernels/train/README.md), resolved once per TrainModule for its ISA.
 * The engine's TrainKernels table does not list them, so they are looked up here by name.
 */
import { resolveKernels, type TrainModule } from '../engine/module.js';

export interface DkmKernels {
  dkm(n: number, w: number, mask: number, c: number, k: number, out: number, sums: number, scratch: number, params: number): void;
  dkmgrad(n: number, w: number, mask: number, c: number, k: number, wt: number, g: number, dw: number, gsum: number, scratch: number, params: number): void;
  dkmitergrad(n: number, w: number, mask: number, cp: number, k: number, coef: number, dw: number, scratch: number, params: number): void;
  maskmul(n: number, x: number, mask: number, y: number, accumulate: number): void;
}

const cache = new WeakMap<TrainModule, DkmKernels>();

const NAMES: Record<keyof DkmKernels, string> = { dkm: 'f32_dkm', dkmgrad: 'f32_dkmgrad', dkmitergrad: 'f32_dkmitergrad', maskmul: 'f32_maskmul' };

export function dkmKernels(mod: TrainModule): DkmKernels {
  let k = cache.get(mod);
  if (!k) cache.set(mod, (k = resolveKernels<DkmKernels>(mod, NAMES)));
  return k;
}
