/**
 * Messages between a WorkerModel (the caller's thread) and the worker entry (the model's thread).
 * One request at a time per id; replies carry the same id. Typed arrays travel as transferables.
 */
import type { KernelPreference } from '../runtime/kernels.js';
import type { MemoryReport, Output, ShapedInput, TensorData, TensorSpec } from '../runtime/model.js';
import type { SizeReport } from '../format/size.js';
import type { MetadataInfo } from '../format/types.js';

/** A model or kernel source that can cross a thread boundary (URLs travel as their href). */
export type PortableSource = Uint8Array | ArrayBuffer | string;
export type PortableWasm = PortableSource | WebAssembly.Module;

export type Request =
  | {
      id: number;
      type: 'load';
      source: PortableSource;
      wasm?: PortableWasm;
      kernels?: KernelPreference;
      verifyChecksums?: boolean;
      allowNonFinite?: boolean;
      retainArenaBytes?: number;
      threads?: number;
      relaxedSimd?: boolean;
    }
  | { id: number; type: 'run'; inputs: Record<string, TensorData | ShapedInput>; allowNonFinite?: boolean }
  | { id: number; type: 'trim' }
  | { id: number; type: 'sizeReport' }
  | { id: number; type: 'memoryReport' }
  | { id: number; type: 'kernelPlan' }
  | { id: number; type: 'dispose' };

/** A request before its id is given. */
export type RequestBody = Request extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

export interface LoadedInfo {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  metadata: MetadataInfo;
  /** Model.threads in the worker. */
  threads: number;
  /** Model.relaxedSimd in the worker. */
  relaxedSimd: boolean;
}

export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  stack?: string;
  /** Own enumerable fields of the error (e.g. opType, fileMajor). */
  fields?: Record<string, unknown>;
}

export type Reply =
  | { id: number; ok: true; value: LoadedInfo | Record<string, Output> | SizeReport | MemoryReport | unknown }
  | { id: number; ok: false; error: SerializedError };

/** Where messages are posted and heard: `self` in a Web Worker, parentPort / a Worker in Node. */
export interface Endpoint {
  postMessage(message: unknown, transfer?: Transferable[]): void;
}

/**
 * The ArrayBuffers of these typed arrays, once each, if they can be moved: not shared, not detached.
 */
export function transferables(arrays: Iterable<ArrayBufferView>): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const a of arrays) {
    const buf = a.buffer;
    if (typeof SharedArrayBuffer !== 'undefined' && buf instanceof SharedArrayBuffer) continue;
    if (buf.byteLength === 0) continue;
    out.add(buf as ArrayBuffer);
  }
  return [...out];
}

export function serializeError(e: unknown): SerializedError {
  if (e instanceof Error) {
    const fields: Record<string, unknown> = {};
    const plain = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);
    for (const [k, v] of Object.entries(e)) {
      // Primitive fields, and lists of them (WpalFormatError.damagedTensors).
      if (plain(v) || (Array.isArray(v) && v.every(plain))) fields[k] = Array.isArray(v) ? [...v] : v;
    }
    return { name: e.name, message: e.message, code: (e as { code?: string }).code, stack: e.stack, fields };
  }
  return { name: 'Error', message: String(e) };
}
