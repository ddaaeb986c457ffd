/**
 * What op glue sees while a model is being compiled and run: the validated file, the kernel
 * module, where the file sits in linear memory, and a bump allocator for the small load-time
 * data (f32 palettes converted from f16/int8 entries, kernel params).
 */
import type { ModelInfo, ByteRange, OpInfo } from '../format/types.js';
import type { KernelExports } from './wasm.js';
import type { KernelPreference } from './kernels.js';
import type { ThreadPool } from './threads.js';
import { WpalEngineError } from './errors.js';

export const WASM_PAGE = 65536;
export const align16 = (n: number) => (n + 15) & ~15;

/** Linear memory of one model instance; views are re-made after every grow. */
export class Heap {
  constructor(readonly memory: WebAssembly.Memory) {}

  /** Makes sure bytes [0, end) exist. */
  ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    try {
      this.memory.grow(Math.ceil((end - have) / WASM_PAGE));
    } catch {
      throw new WpalEngineError(
        `cannot grow WebAssembly memory to ${end} bytes (the engine refused); use a smaller batch or model`,
      );
    }
  }
  get u8(): Uint8Array {
    return new Uint8Array(this.memory.buffer);
  }
  f32(ptr: number, n: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, n);
  }
  i32(ptr: number, n: number): Int32Array {
    return new Int32Array(this.memory.buffer, ptr, n);
  }
}

/** State a step reads at run time. */
export interface RunState {
  batch: number;
  /** Address of a tensor: weights in the file, activations in the arena for this batch. */
  ptr(tensor: number): number;
  /** 16-byte aligned scratch, at least max(step.scratchBytes(batch)) bytes: the calling thread's. */
  scratch: number;
  /** Bytes from one thread's scratch to the next (thread t's is scratch + t * scratchStride). */
  scratchStride: number;
}

/** One compiled op. */
export interface Step {
  op: OpInfo;
  /** Kernel name, for reports; undefined for ops that run no kernel (Reshape). */
  kernel?: string;
  scratchBytes(batch: number): number;
  run(rs: RunState): void;
}

export class OpContext {
  private staticTop: number;

  constructor(
    readonly info: ModelInfo,
    readonly exports: KernelExports,
    readonly heap: Heap,
    /** Address of byte 0 of the file in linear memory. */
    readonly fileBase: number,
    readonly pref: KernelPreference,
    /** The threads that split heavy kernel calls (undefined: everything on the calling thread). */
    readonly pool?: ThreadPool,
  ) {
    this.staticTop = align16(fileBase + info.bytes.length);
  }

  /** Address of a byte range of the file. */
  at(range: ByteRange): number {
    return this.fileBase + range.offset;
  }

  /** 16-byte aligned load-time bytes after the file (zeroed). */
  allocStatic(bytes: number): number {
    const ptr = this.staticTop;
    this.staticTop = align16(ptr + bytes);
    this.heap.ensure(this.staticTop);
    this.heap.u8.fill(0, ptr, this.staticTop);
    return ptr;
  }

  /** First byte after the load-time data: scratch and arena start here. */
  get staticEnd(): number {
    return this.staticTop;
  }

  /** Elements of one example of an activation tensor. */
  elements(tensor: number): number {
    return this.info.tensors[tensor].shape.reduce((a, b) => a * b, 1);
  }

  kernel(name: string): (...args: number[]) => void {
    const fn = this.exports[name];
    if (typeof fn !== 'function') throw new WpalEngineError(`kernel ${name} is missing from the wasm module`);
    return fn as (...args: number[]) => void;
  }
}
