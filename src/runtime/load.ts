/** loadModel(): bytes, an ArrayBuffer, a URL (fetch) or, in Node, a file path. */
import { readModel } from '../format/read.js';
import { Model } from './model.js';
import { compileKernels, isNode, readUrl, type WasmSource } from './wasm.js';
import { WpalLoadError } from './errors.js';
import type { KernelPreference } from './kernels.js';

export type ModelSource = Uint8Array | ArrayBuffer | URL | string;

export interface LoadOptions {
  /** The kernel module: a URL, bytes or a compiled WebAssembly.Module (default: the packaged build). */
  wasm?: WasmSource;
  /** 'simd' (default) runs SIMD kernels where they exist; 'ref' runs the scalar reference kernels. */
  kernels?: KernelPreference;
  /**
   * Verify the file's checksum before loading (default true; files of format 1.2 on carry one).
   * Pass false only when you have verified the bytes already, e.g. fetched them with subresource
   * integrity (`fetch(url, { integrity: 'sha384-...' })`) or checked a digest you trust: a
   * damaged file then loads and can answer wrongly.
   */
  verifyChecksums?: boolean;
  /** Let NaN and +-Infinity inputs run (default false: run() throws a WpalInputError naming the input and index). */
  allowNonFinite?: boolean;
  /**
   * Activation memory (arena + scratch) a model keeps between runs, in bytes (default 64 MiB).
   * After a larger batch, the model gives the memory back (Model.trim()), so one huge batch does
   * not stay in memory for the model's life. Infinity keeps it; 0 gives it back after every run.
   */
  retainArenaBytes?: number;
}

const URL_LIKE = /^(https?|blob|data|file):/i;

async function readSource(source: ModelSource): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (source instanceof URL) return readUrl(source);
  if (typeof source === 'string') {
    if (URL_LIKE.test(source)) return readUrl(new URL(source));
    if (isNode) {
      const { pathToFileURL } = await import(/* @vite-ignore */ 'node:url');
      return readUrl(pathToFileURL(source));
    }
    return readUrl(new URL(source, globalThis.location?.href));
  }
  throw new WpalLoadError(`loadModel() takes a Uint8Array, an ArrayBuffer, a URL or a path, got ${source === null ? 'null' : typeof source}`);
}

/**
 * Loads and validates a .wpal model. The file's checksum (format 1.2 on) and every offset, length
 * and shape in it are checked before any kernel runs; a bad file raises a WpalFormatError (or
 * WpalVersionError, WpalUnsupportedOpError) that says what is wrong, e.g.
 * "tensor fc1.weight is damaged (checksum mismatch)".
 */
export async function loadModel(source: ModelSource, options: LoadOptions = {}): Promise<Model> {
  const [bytes, module] = await Promise.all([readSource(source), compileKernels(options.wasm)]);
  const info = readModel(bytes, { verifyChecksums: options.verifyChecksums !== false });
  return new Model(info, module, {
    kernels: options.kernels ?? 'simd',
    ...(options.allowNonFinite !== undefined ? { allowNonFinite: options.allowNonFinite } : {}),
    ...(options.retainArenaBytes !== undefined ? { retainArenaBytes: options.retainArenaBytes } : {}),
  });
}
