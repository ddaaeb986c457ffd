/**
 * Optimizers over the engine's parameters: the update is one SIMD kernel per parameter tensor;
 * state (momentum, Adam moments) is allocated persistently at construction. A parameter whose
 * gradient was not written this step is skipped (PyTorch skips `grad is None`).
 */
import type { Engine, Tensor } from './tensor.js';

export interface Optimizer {
  /** Applies one update from the gradients of the last backward pass. */
  step(): void;
  /** Learning rate (may be changed between steps for a schedule). */
  lr: number;
}

export interface SgdOptions {
  lr: number;
  momentum?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

/** SGD with momentum and L2 weight decay, as torch.optim.SGD. */
export class SGD implements Optimizer {
  lr: number;
  readonly momentum: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  private readonly state: number[];

  constructor(private readonly e: Engine, private readonly params: readonly Tensor[], opts: SgdOptions) {
    this.lr = opts.lr;
    this.momentum = opts.momentum ?? 0;
    this.weightDecay = opts.weightDecay ?? 0;
    this.nesterov = opts.nesterov ?? false;
    this.state = params.map((p) => (this.momentum !== 0 ? e.mod.persist(p.size * 4) : 0));
  }

  step(): void {
    const mod = this.e.mod;
    for (let i = 0; i < this.params.length; i++) {
      const p = this.params[i];
      if (!p.gradReady) continue;
      const s = mod.slots();
      const f = mod.f32;
      f[s] = this.lr; f[s + 1] = this.momentum; f[s + 2] = this.weightDecay;
      mod.i32[s + 3] = this.nesterov ? 1 : 0;
      mod.k.sgd(p.size, p.ptr, p.grad, this.state[i], mod.params);
    }
  }
}

export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Decoupled (AdamW) weight decay; 0 = Adam. */
  weightDecay?: number;
}

/** Adam / AdamW with bias correction, as torch.optim.AdamW (weightDecay 0 = torch.optim.Adam). */
export class Adam implements Optimizer {
  lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  private t = 0;
  private readonly m: number[];
  private readonly v: number[];

  constructor(private readonly e: Engine, private readonly params: readonly Tensor[], opts: AdamOptions) {
    this.lr = opts.lr;
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0;
    this.m = params.map((p) => e.mod.persist(p.size * 4));
    this.v = params.map((p) => e.mod.persist(p.size * 4));
  }

  step(): void {
    const mod = this.e.mod;
    this.t++;
    const c1 = 1 / (1 - Math.pow(this.beta1, this.t));
    const c2 = 1 / (1 - Math.pow(this.beta2, this.t));
    for (let i = 0; i < this.params.length; i++) {
      const p = this.params[i];
      if (!p.gradReady) continue;
      const s = mod.slots();
      const f = mod.f32;
      f[s] = this.lr; f[s + 1] = this.beta1; f[s + 2] = this.beta2; f[s + 3] = this.eps;
      f[s + 4] = this.weightDecay; f[s + 5] = c1; f[s + 6] = c2;
      mod.k.adam(p.size, p.ptr, p.grad, this.m[i], this.v[i], mod.params);
    }
  }
}
