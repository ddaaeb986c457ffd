/**
 * A loaded model: the file copied once into the kernel module's linear memory, weights read in
 * place by the kernels, activations in an arena planned from tensor lifetimes.
 *
 * Linear memory of one model:
 *
 *   0          heapBase    fileBase             staticEnd           arenaBase
 *   | kernel    |  (pad)  | the .wpal file ... | palettes, params | scratch | activation arena |
 *   | statics   |         | (weights in place) | (load-time, tiny)|         | (bytesPerExample * batch)
 */
import type { ModelInfo, MetadataInfo, OpInfo } from '../format/types.js';
import { sizeReport, type SizeReport } from '../format/size.js';
import { WpalUnsupportedOpError } from '../format/errors.js';
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
import { compileUnary, UNARY_1_1_TYPES } from './ops/unary.js';
import { compileBinary } from './ops/binary.js';
import { compileReduce } from './ops/reduce.js';
import { BINARY_OPS_1_1, REDUCE_OPS_1_1 } from '../format/ops-elementwise.js';
import { WpalDisposedError, WpalInputError, WpalEngineError } from './errors.js';
import type { KernelExports } from './wasm.js';
import type { KernelPreference } from './kernels.js';

/** Name, per-example shape and element type of a model input or output. */
export interface TensorSpec {
  name: string;
  /** Without the batch dimension. */
  shape: number[];
  /** float32 for activations; int32 for token ids (Embedding inputs). */
  dtype: 'float32' | 'int32';
}

/** The typed array that carries a tensor of each dtype. */
export type TensorData = Float32Array | Int32Array;

/** An input given with its shape: [batch, ...model input shape]. */
export interface ShapedInput {
  data: TensorData;
  shape: number[];
}

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
  /** Kernel scratch for the largest batch run so far. */
  scratchBytes: number;
  /** Activation arena for the largest batch run so far. */
  arenaBytes: number;
  /** Activation arena per example (the plan). */
  arenaBytesPerExample: number;
  /** What the model holds in memory for its weights: the file plus prepared data. */
  weightsInMemoryBytes: number;
  /** The whole WebAssembly memory (a multiple of 64 KiB pages). */
  wasmMemoryBytes: number;
}

const MAX_BATCH_BYTES = 2 ** 31;

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
  // format 1.1: unary ops, broadcasting binary ops (Add and Mul included), reductions
  ...Object.fromEntries(UNARY_1_1_TYPES.map((t) => [t, compileUnary])),
  ...Object.fromEntries(BINARY_OPS_1_1.map((t) => [t, compileBinary])),
  ...Object.fromEntries(REDUCE_OPS_1_1.map((t) => [t, compileReduce])),
};

export class Model {
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  readonly metadata: MetadataInfo;
  private heap: Heap | undefined;
  private readonly steps: Step[];
  private readonly plan: ArenaPlan;
  /** Arena slot of each tensor: index of the tensor whose storage it uses (Reshape aliases). */
  private readonly storage: number[];
  private readonly staticEnd: number;
  private readonly heapBase: number;
  private batchCapacity = 0;
  private scratch = 0;
  private arenaBase = 0;

  /** @internal use loadModel() */
  constructor(
    private readonly info: ModelInfo,
    exports: KernelExports,
    pref: KernelPreference,
  ) {
    const heap = new Heap(exports.memory);
    this.heapBase = align16(Number(exports.heap_base()));
    const fileBase = this.heapBase;
    heap.ensure(fileBase + info.bytes.length);
    heap.u8.set(info.bytes, fileBase);
    // Kernels read the copy from here on; the caller's bytes may be dropped.
    const ctx = new OpContext(info, exports, heap, fileBase, pref);

    this.storage = info.tensors.map((_, i) => i);
    this.steps = [];
    for (const op of info.ops) {
      if (op.type === 'Reshape' || op.type === 'Flatten') {
        // Same bytes, new shape: the output shares the input's arena slot.
        this.storage[op.outputs[0]] = this.storage[op.inputs[0]];
        continue;
      }
      const compile = COMPILERS[op.type] ?? (isElementwise(op.type) ? compileElementwise : isPool(op.type) ? compilePool : undefined);
      if (!compile) throw new WpalUnsupportedOpError(op.type, op.index);
      this.steps.push(compile(ctx, op));
    }
    this.staticEnd = ctx.staticEnd;
    this.plan = planArena(this.lifetimes());
    this.heap = heap;
    this.metadata = info.metadata;
    const spec = (t: number): TensorSpec => ({
      name: info.tensors[t].name,
      shape: [...info.tensors[t].shape],
      dtype: info.tensors[t].dtype === 'int32' ? 'int32' : 'float32',
    });
    this.inputs = info.inputs.map(spec);
    this.outputs = info.outputs.map(spec);
  }

  /** Lifetime of every arena slot, in op positions; graph inputs from -1, outputs to the end. */
  private lifetimes(): Array<PlanTensor | undefined> {
    const info = this.info;
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

  /** Grows scratch + arena for `batch` examples if needed. */
  private reserve(batch: number): void {
    if (batch <= this.batchCapacity) return;
    const scratch = Math.max(0, ...this.steps.map((s) => s.scratchBytes(batch)));
    const arenaBytes = this.plan.bytesPerExample * batch;
    if (scratch + arenaBytes > MAX_BATCH_BYTES) {
      throw new WpalInputError(
        `batch ${batch} needs ${scratch + arenaBytes} bytes of activations, over the 2 GiB this runtime allows; run smaller batches`,
      );
    }
    this.scratch = this.staticEnd;
    this.arenaBase = align16(this.scratch + scratch);
    this.heap!.ensure(this.arenaBase + arenaBytes);
    this.batchCapacity = batch;
  }

  private batchOf(name: string, value: unknown, spec: TensorSpec): { data: TensorData; batch: number } {
    const Want = spec.dtype === 'int32' ? Int32Array : Float32Array;
    const per = spec.shape.reduce((a, b) => a * b, 1);
    const expect = `[batch, ${spec.shape.join(', ')}] (${per} floats per example)`;
    let data: unknown = value;
    if (value && typeof value === 'object' && !ArrayBuffer.isView(value) && 'data' in value) {
      const shaped = value as ShapedInput;
      data = shaped.data;
      const shape = shaped.shape;
      if (!Array.isArray(shape) || shape.length !== spec.shape.length + 1 || spec.shape.some((d, i) => d !== shape[i + 1])) {
        throw new WpalInputError(`input "${name}": shape [${String(shape)}] does not match ${expect}`);
      }
      if (!(data instanceof Want) || data.length !== shape.reduce((a: number, b: number) => a * b, 1)) {
        throw new WpalInputError(`input "${name}": data length does not match its shape [${shape.join(', ')}]`);
      }
    }
    if (!(data instanceof Want)) {
      const got = data === null ? 'null' : ArrayBuffer.isView(data) ? data.constructor.name : typeof data;
      throw new WpalInputError(`input "${name}": expected a ${Want.name}, got ${got}`);
    }
    const batch = data.length / per;
    if (!Number.isInteger(batch) || batch < 1) {
      throw new WpalInputError(`input "${name}": ${data.length} floats is not a whole number of examples of ${expect}`);
    }
    return { data, batch };
  }

  /**
   * Runs the model on a batch. Each input is a Float32Array (Int32Array for token ids) holding
   * batch x (input shape) values
   * (or `{ data, shape }` with shape [batch, ...]); every input must have the same batch.
   * Returns each output by name as `{ data, shape }`, with freshly allocated data.
   */
  run(inputs: Record<string, TensorData | ShapedInput>): Record<string, Output> {
    const heap = this.heap;
    if (!heap) throw new WpalDisposedError();
    if (!inputs || typeof inputs !== 'object') throw new WpalInputError('run() takes an object of named inputs');
    const known = new Set(this.inputs.map((s) => s.name));
    for (const name of Object.keys(inputs)) {
      if (!known.has(name)) throw new WpalInputError(`unknown input "${name}"; this model's inputs are: ${[...known].join(', ')}`);
    }
    let batch = 0;
    const given = this.inputs.map((spec) => {
      if (!(spec.name in inputs)) throw new WpalInputError(`missing input "${spec.name}" ([batch, ${spec.shape.join(', ')}])`);
      const g = this.batchOf(spec.name, inputs[spec.name], spec);
      if (batch && g.batch !== batch) throw new WpalInputError(`input "${spec.name}" has batch ${g.batch}, other inputs have ${batch}`);
      batch = g.batch;
      return g.data;
    });

    this.reserve(batch);
    const base = this.arenaBase;
    const offsets = this.plan.offsets;
    const storage = this.storage;
    const fileTensors = this.info.tensors;
    const rs: RunState = {
      batch,
      scratch: this.scratch,
      ptr: (t) => {
        if (fileTensors[t].weight) throw new WpalEngineError(`internal: tensor ${t} is a weight, not an activation`);
        return base + offsets[storage[t]] * batch;
      },
    };
    this.info.inputs.forEach((t, i) => {
      const g = given[i];
      (g instanceof Int32Array ? heap.i32(rs.ptr(t), g.length) : heap.f32(rs.ptr(t), g.length)).set(g);
    });
    for (const step of this.steps) step.run(rs);
    const result: Record<string, Output> = {};
    this.info.outputs.forEach((t, i) => {
      const spec = this.outputs[i];
      const n = batch * spec.shape.reduce((a, b) => a * b, 1);
      result[spec.name] = { data: heap.f32(rs.ptr(t), n).slice(), shape: [batch, ...spec.shape] };
    });
    return result;
  }

  /** Bytes of the file by layer and by kind (palettes, indices, masks, dense, graph+metadata). */
  sizeReport(): SizeReport {
    return sizeReport(this.info);
  }

  /** What the model holds in memory now. */
  memoryReport(): MemoryReport {
    if (!this.heap) throw new WpalDisposedError();
    const fileBytes = this.info.bytes.length;
    const preparedBytes = this.staticEnd - align16(this.heapBase + fileBytes);
    return {
      fileBytes,
      preparedBytes,
      kernelStaticBytes: this.heapBase,
      scratchBytes: this.arenaBase ? this.arenaBase - this.scratch : 0,
      arenaBytes: this.plan.bytesPerExample * this.batchCapacity,
      arenaBytesPerExample: this.plan.bytesPerExample,
      weightsInMemoryBytes: fileBytes + preparedBytes,
      wasmMemoryBytes: this.heap.memory.buffer.byteLength,
    };
  }

  /** The kernel each op runs, in order (ops without a kernel, like Reshape, are left out). */
  kernelPlan(): Array<{ op: number; type: string; kernel: string }> {
    return this.steps.filter((s) => s.kernel).map((s) => ({ op: s.op.index, type: s.op.type, kernel: s.kernel! }));
  }

  /** Frees the model's memory; run() afterwards throws WpalDisposedError. */
  dispose(): void {
    this.heap = undefined;
  }

  get disposed(): boolean {
    return this.heap === undefined;
  }
}
