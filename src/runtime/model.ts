/**
 * A loaded model: the file copied once into the kernel module's linear memory, weights read in
 * place by the kernels, activations in an arena planned from tensor lifetimes.
 *
 * Linear memory of one model:
 *
 *   0          heapBase    fileBase             staticEnd           arenaBase
 *   | kernel    |  (pad)  | the .wpal file ... | palettes, params | scratch | activation arena |
 *   | statics   |         | (weights in place) | (load-time, tiny)|         | (bytesPerExample * batch)
 *
 * With threads (LoadOptions.threads > 1) the memory is a shared one that the kernel threads'
 * instances import (src/runtime/threads.ts), and the scratch is one region per thread.
 */
import type { ModelInfo, MetadataInfo, OpInfo } from '../format/types.js';
import { sizeReport, type SizeReport } from '../format/size.js';
import { WpalError, WpalUnsupportedOpError } from '../format/errors.js';
import { Heap, OpContext, align16, type Step, type RunState } from './context.js';
import { planArena, type ArenaPlan, type PlanTensor } from './plan.js';
import { compileFullyConnected } from './ops/fully-connected.js';
import { compileElementwise, isElementwise } from './ops/elementwise.js';
import { compileConv2D } from './ops/conv.js';
import { compilePool, isPool } from './ops/pool.js';
import { compileBatchNorm, compileLayerNorm } from './ops/norm.js';
import { compileMatMul } from './ops/matmul.js';
import { compileConcat, compileTranspose } from './ops/layout.js';
import { compileEmbedding } from './ops/embedding.js';
import { SPATIAL_COMPILERS } from './ops/spatial.js';
import { compileUnary, UNARY_1_1_TYPES } from './ops/unary.js';
import { compileBinary } from './ops/binary.js';
import { compileReduce } from './ops/reduce.js';
import { BINARY_OPS_1_1, REDUCE_OPS_1_1 } from '../format/ops-elementwise.js';
import { WpalDisposedError, WpalInputError, WpalEngineError } from './errors.js';
import { instantiateKernels, isThreadedModule, type KernelExports } from './wasm.js';
import { sharedMemory, type ThreadPool } from './threads.js';
import type { KernelPreference } from './kernels.js';
import { batchOf, nonFiniteError, type ShapedInput, type TensorData, type TensorSpec } from './inputs.js';
import { WpalLoadError } from './errors.js';

export type { ShapedInput, TensorData, TensorSpec } from './inputs.js';

export interface Output {
  data: Float32Array;
  /** [batch, ...model output shape] */
  shape: number[];
}

export interface MemoryReport {
  /** Bytes of the .wpal file, held once in linear memory. */
  fileBytes: number;
  /** Load-time data besides the file: f32 palettes converted from f16/int8, kernel params. */
  preparedBytes: number;
  /** The kernel module's own static data. */
  kernelStaticBytes: number;
  /** Kernel scratch reserved now (as arenaBytes). */
  scratchBytes: number;
  /** Activation arena reserved now: for the largest batch since load or the last trim(). */
  arenaBytes: number;
  /** Activation arena per example (the plan). */
  arenaBytesPerExample: number;
  /** What the model holds in memory for its weights: the file plus prepared data. */
  weightsInMemoryBytes: number;
  /** The whole WebAssembly memory (a multiple of 64 KiB pages). */
  wasmMemoryBytes: number;
}

const MAX_BATCH_BYTES = 2 ** 31;

/** Default of ModelOptions.retainArenaBytes: 64 MiB of activations (arena + scratch) kept between runs. */
export const DEFAULT_RETAIN_ARENA_BYTES = 64 * 2 ** 20;

/** @internal What loadModel passes on to a Model. */
export interface ModelOptions {
  kernels: KernelPreference;
  /** Let NaN / Infinity inputs run (default false: a WpalInputError). run() can say otherwise. */
  allowNonFinite?: boolean;
  /** After a run whose activations took more than this, the model gives the memory back (trim()). */
  retainArenaBytes?: number;
  /** Kernel threads (module is then the threaded build); the model ends them on dispose(). */
  pool?: ThreadPool;
  /** The kernel module is a relaxed-SIMD build (reported by Model.relaxedSimd). */
  relaxedSimd?: boolean;
}

export interface ModelRunOptions {
  /** Let NaN and +-Infinity inputs through (default: the model's load option, else false). */
  allowNonFinite?: boolean;
}

/** One instance of the kernel module holding one copy of the model, and its compiled ops. */
interface Instance {
  heap: Heap;
  steps: Step[];
  staticEnd: number;
  heapBase: number;
  vfinite: (n: number, ptr: number) => number;
}

/** Op glue by op type (element-wise ops and pools are matched by family below). */
const COMPILERS: Record<string, (ctx: OpContext, op: OpInfo) => Step> = {
  FullyConnected: compileFullyConnected,
  Conv2D: compileConv2D,
  BatchNormalization: compileBatchNorm,
  LayerNorm: compileLayerNorm,
  MatMul: compileMatMul,
  Transpose: compileTranspose,
  Concat: compileConcat,
  Embedding: compileEmbedding,
  ...SPATIAL_COMPILERS,
  // format 1.1: unary ops, broadcasting binary ops (Add and Mul included), reductions
  ...Object.fromEntries(UNARY_1_1_TYPES.map((t) => [t, compileUnary])),
  ...Object.fromEntries(BINARY_OPS_1_1.map((t) => [t, compileBinary])),
  ...Object.fromEntries(REDUCE_OPS_1_1.map((t) => [t, compileReduce])),
};

export class Model {
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  readonly metadata: MetadataInfo;
  /**
   * Threads that run the model's heavy kernel calls, the calling thread included (1: everything on
   * the calling thread). See LoadOptions.threads.
   */
  readonly threads: number;
  /**
   * True when the kernels run from the relaxed-SIMD build (LoadOptions.relaxedSimd); outputs are
   * bit-identical to the baseline build.
   */
  readonly relaxedSimd: boolean;
  /** Everything that holds memory; undefined once disposed, so all of it can be collected. */
  private inst: Instance | undefined;
  private info: ModelInfo | undefined;
  private module: WebAssembly.Module | undefined;
  private readonly plan: ArenaPlan;
  /** Arena slot of each tensor: index of the tensor whose storage it uses (Reshape aliases). */
  private readonly storage: number[];
  private batchCapacity = 0;
  private scratch = 0;
  private scratchStride = 0;
  private arenaBase = 0;
  private pool: ThreadPool | undefined;
  /** Settles when the kernel threads run on the current memory. */
  private attached: Promise<void> = Promise.resolve();

  /** @internal use loadModel() */
  constructor(
    info: ModelInfo,
    module: WebAssembly.Module,
    private readonly options: ModelOptions,
  ) {
    this.info = info;
    this.module = module;
    this.pool = options.pool;
    this.threads = options.pool?.threads ?? 1;
    this.relaxedSimd = options.relaxedSimd ?? false;
    this.storage = info.tensors.map((_, i) => i);
    for (const op of info.ops) {
      // Same bytes, new shape: the output shares the input's arena slot.
      if (op.type === 'Reshape' || op.type === 'Flatten') this.storage[op.outputs[0]] = this.storage[op.inputs[0]];
    }
    this.inst = this.instantiate();
    this.plan = planArena(this.lifetimes());
    this.metadata = info.metadata;
    const spec = (t: number): TensorSpec => ({
      name: info.tensors[t].name,
      shape: [...info.tensors[t].shape],
      dtype: info.tensors[t].dtype === 'int32' ? 'int32' : 'float32',
    });
    this.inputs = info.inputs.map(spec);
    this.outputs = info.outputs.map(spec);
  }

  /**
   * A fresh instance of the kernel module with the file copied in and every op compiled: at load,
   * and again by trim() (WebAssembly memory cannot shrink; a new, smaller one replaces it).
   */
  private instantiate(): Instance {
    const info = this.info!;
    let exports: KernelExports;
    try {
      // The threaded build imports a shared memory: one per instance, which the kernel threads share.
      const memory = isThreadedModule(this.module!) ? sharedMemory() : undefined;
      exports = instantiateKernels(this.module!, memory);
      if (this.pool && memory) this.attached = this.pool.attach(memory, exports);
    } catch (e) {
      if (e instanceof WpalError) throw e;
      throw new WpalLoadError(
        `cannot create the model's WebAssembly instance (it needs at least ${info.bytes.length + 65536} bytes of memory: ` +
          `the ${info.bytes.length}-byte file plus the kernels' own): ${(e as Error).message}. ` +
          'Dispose models you no longer use, or load fewer at once',
        { cause: e },
      );
    }
    const heap = new Heap(exports.memory);
    const heapBase = align16(Number(exports.heap_base()));
    const fileBase = heapBase;
    try {
      heap.ensure(fileBase + info.bytes.length);
    } catch (e) {
      throw new WpalLoadError(`cannot hold the model: it needs ${fileBase + info.bytes.length} bytes of WebAssembly memory (${(e as Error).message})`, { cause: e });
    }
    heap.u8.set(info.bytes, fileBase);
    // Kernels read the copy from here on; the caller's bytes may be dropped.
    const ctx = new OpContext(info, exports, heap, fileBase, this.options.kernels, this.pool);
    const steps: Step[] = [];
    for (const op of info.ops) {
      if (op.type === 'Reshape' || op.type === 'Flatten') continue;
      const compile = COMPILERS[op.type] ?? (isElementwise(op.type) ? compileElementwise : isPool(op.type) ? compilePool : undefined);
      if (!compile) throw new WpalUnsupportedOpError(op.type, op.index);
      steps.push(compile(ctx, op));
    }
    const vfinite = ctx.kernel(this.options.kernels === 'ref' ? 'f32_vfinite__ref' : 'f32_vfinite__simd') as unknown as (n: number, ptr: number) => number;
    return { heap, steps, staticEnd: ctx.staticEnd, heapBase, vfinite };
  }

  /** Lifetime of every arena slot, in op positions; graph inputs from -1, outputs to the end. */
  private lifetimes(): Array<PlanTensor | undefined> {
    const info = this.info!;
    const end = info.ops.length;
    const slots: Array<PlanTensor | undefined> = info.tensors.map(() => undefined);
    const touch = (t: number, at: number) => {
      const s = this.storage[t];
      const cur = slots[s];
      if (cur) {
        cur.first = Math.min(cur.first, at);
        cur.last = Math.max(cur.last, at);
      } else {
        slots[s] = { bytes: 4 * info.tensors[s].shape.reduce((a, b) => a * b, 1), first: at, last: at };
      }
    };
    for (const t of info.inputs) touch(t, -1);
    info.ops.forEach((op, i) => {
      for (const t of op.inputs) if (t >= 0 && !info.tensors[t].weight) touch(t, i);
      for (const t of op.outputs) touch(t, i);
    });
    for (const t of info.outputs) touch(t, end);
    return slots;
  }

  /** @internal loadModel() waits for the kernel threads before it hands the model out. */
  threadsReady(): Promise<void> {
    return this.attached;
  }

  /** Grows scratch + arena for `batch` examples if needed. */
  private reserve(inst: Instance, batch: number): void {
    if (batch <= this.batchCapacity) return;
    // One scratch per thread: a slice runs with the scratch of the thread that claimed it.
    this.scratchStride = align16(Math.max(0, ...inst.steps.map((s) => s.scratchBytes(batch))));
    const scratch = this.scratchStride * this.threads;
    const arenaBytes = this.plan.bytesPerExample * batch;
    if (scratch + arenaBytes > MAX_BATCH_BYTES) {
      throw new WpalInputError(
        `batch ${batch} needs ${scratch + arenaBytes} bytes of activations, over the 2 GiB this runtime allows; run smaller batches`,
      );
    }
    this.scratch = inst.staticEnd;
    this.arenaBase = align16(this.scratch + scratch);
    inst.heap.ensure(this.arenaBase + arenaBytes);
    this.batchCapacity = batch;
  }

  /**
   * Runs the model on a batch. Each input is a Float32Array (Int32Array for token ids) holding
   * batch x (input shape) values
   * (or `{ data, shape }` with shape [batch, ...]); every input must have the same batch.
   * Float inputs must be finite (a NaN or Infinity is a WpalInputError naming the input and the
   * first bad index) unless `{ allowNonFinite: true }`.
   * Returns each output by name as `{ data, shape }`, with freshly allocated data.
   * A batch whose activations take more than the model's retainArenaBytes (64 MiB by default)
   * gives that memory back when it ends (see trim()).
   */
  run(inputs: Record<string, TensorData | ShapedInput>, options: ModelRunOptions = {}): Record<string, Output> {
    if (!this.inst) throw new WpalDisposedError();
    if (!inputs || typeof inputs !== 'object') throw new WpalInputError('run() takes an object of named inputs');
    const allowNonFinite = options?.allowNonFinite ?? this.options.allowNonFinite ?? false;
    // Everything that can run the caller's code (getters, proxies) happens here, before memory is touched.
    const known = new Set(this.inputs.map((s) => s.name));
    for (const name of Object.keys(inputs)) {
      if (!known.has(name)) throw new WpalInputError(`unknown input "${name}"; this model's inputs are: ${[...known].join(', ')}`);
    }
    let batch = 0;
    const given = this.inputs.map((spec) => {
      if (!(spec.name in inputs)) throw new WpalInputError(`missing input "${spec.name}" ([batch, ${spec.shape.join(', ')}])`);
      const g = batchOf(spec.name, inputs[spec.name], spec);
      if (batch && g.batch !== batch) throw new WpalInputError(`input "${spec.name}" has batch ${g.batch}, other inputs have ${batch}`);
      batch = g.batch;
      return g.data;
    });
    const inst = this.inst;
    const info = this.info;
    if (!inst || !info) throw new WpalDisposedError('this model was disposed while run() was reading its inputs');

    this.reserve(inst, batch);
    const heap = inst.heap;
    const base = this.arenaBase;
    const offsets = this.plan.offsets;
    const storage = this.storage;
    const fileTensors = info.tensors;
    const rs: RunState = {
      batch,
      scratch: this.scratch,
      scratchStride: this.scratchStride,
      ptr: (t) => {
        if (fileTensors[t].weight) throw new WpalEngineError(`internal: tensor ${t} is a weight, not an activation`);
        return base + offsets[storage[t]] * batch;
      },
    };
    info.inputs.forEach((t, i) => {
      const g = given[i];
      const ptr = rs.ptr(t);
      if (g instanceof Int32Array) return heap.i32(ptr, g.length).set(g);
      heap.f32(ptr, g.length).set(g);
      if (allowNonFinite) return;
      const bad = inst.vfinite(g.length, ptr);
      if (bad >= 0) throw nonFiniteError(this.inputs[i], g, bad);
    });
    for (const step of inst.steps) step.run(rs);
    const result: Record<string, Output> = {};
    info.outputs.forEach((t, i) => {
      const spec = this.outputs[i];
      const n = batch * spec.shape.reduce((a, b) => a * b, 1);
      result[spec.name] = { data: heap.f32(rs.ptr(t), n).slice(), shape: [batch, ...spec.shape] };
    });
    if (this.activationBytes() > (this.options.retainArenaBytes ?? DEFAULT_RETAIN_ARENA_BYTES)) this.trim();
    return result;
  }

  /** Bytes of scratch + arena reserved now. */
  private activationBytes(): number {
    return this.arenaBase ? this.arenaBase - this.scratch + this.plan.bytesPerExample * this.batchCapacity : 0;
  }

  /**
   * Gives back the memory grown for the largest batch run so far: WebAssembly memory cannot
   * shrink, so the model moves to a new instance holding only the file and its load-time data
   * (it costs about what loading costs, minus reading and checking the file). The next run
   * grows a new arena for its own batch. run() calls this itself after a batch whose activations
   * took more than `retainArenaBytes` (64 MiB by default; a loadModel() option).
   */
  trim(): void {
    if (!this.inst) throw new WpalDisposedError();
    const before = this.inst.heap.memory.buffer.byteLength;
    if (before <= align16(this.inst.staticEnd) + 65536) return; // nothing to give back
    this.inst = this.instantiate();
    this.batchCapacity = 0;
    this.scratch = 0;
    this.arenaBase = 0;
  }

  /** Bytes of the file by layer and by kind (palettes, indices, masks, dense, graph+metadata). */
  sizeReport(): SizeReport {
    if (!this.info) throw new WpalDisposedError();
    return sizeReport(this.info);
  }

  /** What the model holds in memory now. */
  memoryReport(): MemoryReport {
    const inst = this.inst;
    if (!inst || !this.info) throw new WpalDisposedError();
    const fileBytes = this.info.bytes.length;
    const preparedBytes = inst.staticEnd - align16(inst.heapBase + fileBytes);
    return {
      fileBytes,
      preparedBytes,
      kernelStaticBytes: inst.heapBase,
      scratchBytes: this.arenaBase ? this.arenaBase - this.scratch : 0,
      arenaBytes: this.plan.bytesPerExample * this.batchCapacity,
      arenaBytesPerExample: this.plan.bytesPerExample,
      weightsInMemoryBytes: fileBytes + preparedBytes,
      wasmMemoryBytes: inst.heap.memory.buffer.byteLength,
    };
  }

  /** The kernel each op runs, in order (ops without a kernel, like Reshape, are left out). */
  kernelPlan(): Array<{ op: number; type: string; kernel: string }> {
    if (!this.inst) throw new WpalDisposedError();
    return this.inst.steps.filter((s) => s.kernel).map((s) => ({ op: s.op.index, type: s.op.type, kernel: s.kernel! }));
  }

  /**
   * Frees the model: the WebAssembly instance, its memory, the compiled ops and the file are
   * dropped here, so they can be collected even while this object is still referenced.
   * run() and the reports afterwards throw WpalDisposedError.
   */
  dispose(): void {
    this.pool?.dispose();
    this.pool = undefined;
    this.inst = undefined;
    this.info = undefined;
    this.module = undefined;
    this.batchCapacity = 0;
  }

  get disposed(): boolean {
    return this.inst === undefined;
  }
}
