/**
 * Tensors of the training engine and the reverse-mode tape. A tensor's values live in the linear
 * memory of a TrainModule (arena for activations, persistent blocks for parameters); its gradient,
 * once some backward step writes it, likewise. Gradients follow an overwrite-then-accumulate rule:
 * the first backward contribution to a tensor's gradient overwrites it (kernel beta / accumulate
 * = 0), later ones add (= 1), so no gradient buffer is ever zero-filled.
 */
import type { TrainModule } from './module.js';

export class Tensor {
  /** Elements (product of the shape). */
  readonly size: number;
  /** Gradient pointer (0 until allocated) and whether it holds a value for this step. */
  grad = 0;
  gradReady = false;

  constructor(
    readonly shape: readonly number[],
    /** Byte offset of the f32 values in the module's memory. */
    readonly ptr: number,
    readonly requiresGrad: boolean,
    /** A view (flatten / reshape) shares values and gradient with its base. */
    readonly base: Tensor | null = null,
    /** Parameter name (parameters only). */
    readonly name = '',
  ) {
    this.size = shape.reduce((a, b) => a * b, 1);
  }

  /** The tensor that owns the gradient state (itself unless a view). */
  get root(): Tensor {
    return this.base ? this.base.root : this;
  }
}

/** A step of the backward pass, recorded by an op in forward order. */
interface Node {
  out: Tensor;
  backward: () => void;
}

/**
 * The tape: creates tensors in the arena, records backward closures and runs them in reverse.
 * One Engine per TrainModule; a step is beginStep() .. forward .. backward(loss) .. optimizer.
 */
export class Engine {
  private nodes: Node[] = [];
  /** Off: ops compute values only (evaluation). */
  gradEnabled = true;
  private readonly params: Tensor[] = [];

  constructor(readonly mod: TrainModule) {}

  /** Frees every activation of the previous step and clears the tape and the parameter gradients. */
  beginStep(): void {
    this.mod.resetArena();
    this.nodes.length = 0;
    for (const p of this.params) p.gradReady = false;
  }

  /** An uninitialized arena tensor. */
  tensor(shape: readonly number[], requiresGrad = false): Tensor {
    const size = shape.reduce((a, b) => a * b, 1);
    return new Tensor(shape, this.mod.alloc(size * 4), requiresGrad && this.gradEnabled);
  }

  /** A persistent parameter tensor (values zeroed, gradient allocated), trained by the optimizers. */
  parameter(name: string, shape: readonly number[], values?: ArrayLike<number>): Tensor {
    const size = shape.reduce((a, b) => a * b, 1);
    const t = new Tensor(shape, this.mod.persist(size * 4), true, null, name);
    t.grad = this.mod.persist(size * 4);
    if (values) this.write(t, values);
    this.params.push(t);
    return t;
  }

  /** A persistent tensor that is not trained (a graph constant: BatchNorm statistics, a scalar); no gradient. */
  constant(name: string, shape: readonly number[], values: ArrayLike<number>): Tensor {
    const size = shape.reduce((a, b) => a * b, 1);
    const t = new Tensor(shape, this.mod.persist(size * 4), false, null, name);
    this.write(t, values);
    return t;
  }

  /** An arena tensor holding a copy of `values` (no gradient). */
  input(values: ArrayLike<number>, shape: readonly number[]): Tensor {
    const t = this.tensor(shape, false);
    this.write(t, values);
    return t;
  }

  /** A view of `x` with another shape of the same size (flatten / reshape): no copy, shared gradient. */
  view(x: Tensor, shape: readonly number[]): Tensor {
    const t = new Tensor(shape, x.ptr, x.requiresGrad, x);
    if (t.size !== x.size) throw new Error(`view: shape [${shape}] does not hold the ${x.size} elements of [${x.shape}]`);
    return t;
  }

  write(t: Tensor, values: ArrayLike<number>): void {
    if (values.length !== t.size) throw new Error(`write: ${values.length} values for a tensor of ${t.size}`);
    this.mod.f32.set(values, t.ptr >> 2);
  }

  /** A copy of the values (for tests and export; allocates). */
  read(t: Tensor): Float32Array {
    return this.mod.f32.slice(t.ptr >> 2, (t.ptr >> 2) + t.size);
  }

  /** A copy of the gradient, or zeros if none was written this step. */
  readGrad(t: Tensor): Float32Array {
    const r = t.root;
    if (!r.gradReady) return new Float32Array(t.size);
    return this.mod.f32.slice(r.grad >> 2, (r.grad >> 2) + t.size);
  }

  /** Records a backward step for `out` (skipped when no gradient can flow). */
  record(out: Tensor, backward: () => void): void {
    if (this.gradEnabled && out.requiresGrad) this.nodes.push({ out, backward });
  }

  /** The gradient buffer of `t` (allocated in the arena on first use). */
  gradPtr(t: Tensor): number {
    const r = t.root;
    if (!r.grad) r.grad = this.mod.alloc(r.size * 4);
    return r.grad;
  }

  /** 1 if `t`'s gradient already holds a contribution this step (add to it), else 0 (overwrite). */
  accum(t: Tensor): number {
    return t.root.gradReady ? 1 : 0;
  }

  /**
   * The f32 index of `t`'s gradient for a backward step that adds into it (+=): zeroed first when
   * nothing was written to it this step. Take every such index before reading `mod.f32`: allocating
   * a gradient may grow (and detach) the memory.
   */
  sumGrad(t: Tensor): number {
    const p = this.gradPtr(t) >> 2;
    if (!this.accum(t)) this.mod.f32.fill(0, p, p + t.size);
    return p;
  }

  /** Marks `t`'s gradient as written. */
  wrote(t: Tensor): void {
    t.root.gradReady = true;
  }

  /** Reverse pass from a scalar: seeds d(loss)/d(loss) = 1 and runs the tape backwards. */
  backward(loss: Tensor): void {
    if (loss.size !== 1) throw new Error(`backward: the loss must be a scalar, got shape [${loss.shape}]`);
    this.mod.f32[this.gradPtr(loss) >> 2] = 1;
    this.wrote(loss);
    this.runTape();
  }

  /** Reverse pass from any tensor with a given output gradient (vector-Jacobian product). */
  backwardFrom(out: Tensor, seed: ArrayLike<number>): void {
    if (seed.length !== out.size) throw new Error(`backwardFrom: ${seed.length} seed values for a tensor of ${out.size}`);
    // Allocate first: a memory grow detaches views made before it.
    const ptr = this.gradPtr(out);
    this.mod.f32.set(seed, ptr >> 2);
    this.wrote(out);
    this.runTape();
  }

  private runTape(): void {
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const node = this.nodes[i];
      if (node.out.root.gradReady) node.backward();
    }
    this.nodes.length = 0;
  }

  /** Parameters created through this engine, in creation order. */
  parameters(): readonly Tensor[] {
    return this.params;
  }
}
