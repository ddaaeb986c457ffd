/**
 * The DKM and pruning kernels of the training module (assembly/kernels/train/dkm-*.ts,
 * prune-*.ts; ABI in assembly/kernels/train/README.md), resolved once per TrainModule for its ISA.
 * Named by the kernel table (runtime/kernels/train.ts), as every trainer kernel is.
 */
import { resolveKernels, type TrainModule } from '../engine/module.js';

export interface DkmKernels {
  dkm(n: number, w: number, mask: number, c: number, k: number, out: number, sums: number, scratch: number, params: number): void;
  dkmgrad(n: number, w: number, mask: number, c: number, k: number, wt: number, g: number, dw: number, gsum: number, scratch: number, params: number): void;
  dkmitergrad(n: number, w: number, mask: number, cp: number, k: number, coef: number, dw: number, scratch: number, params: number): void;
  maskmul(n: number, x: number, mask: number, y: number, accumulate: number): void;
}

const cache = new WeakMap<TrainModule, DkmKernels>();

const OPS: readonly (keyof DkmKernels)[] = ['dkm', 'dkmgrad', 'dkmitergrad', 'maskmul'];

export function dkmKernels(mod: TrainModule): DkmKernels {
  let k = cache.get(mod);
  if (!k) cache.set(mod, (k = resolveKernels<DkmKernels>(mod, OPS)));
  return k;
}
