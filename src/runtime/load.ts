/** loadModel(): bytes, an ArrayBuffer, a URL (fetch) or, in Node, a file path. */
import { readModel } from '../format/read.js';
import { Model } from './model.js';
import { compileKernels, instantiateKernels, isNode, readUrl, type WasmSource } from './wasm.js';
import { WpalLoadError } from './errors.js';
import type { KernelPreference } from './kernels.js';

export type ModelSource = Uint8Array | ArrayBuffer | URL | string;

export interface LoadOptions {
  /** The kernel module: a URL, bytes or a compiled WebAssembly.Module (default: the packaged build). */
  wasm?: WasmSource;
  /** 'simd' (default) runs SIMD kernels where they exist; 'ref' runs the scalar reference kernels. */
  kernels?: KernelPreference;
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
 * Loads and validates a .wpal model. Every offset, length and shape in the file is checked
 * before any kernel runs; a bad file raises a WpalFormatError (or WpalVersionError,
 * WpalUnsupportedOpError) that says what is wrong.
 */
export async function loadModel(source: ModelSource, options: LoadOptions = {}): Promise<Model> {
  const [bytes, module] = await Promise.all([readSource(source), compileKernels(options.wasm)]);
  return new Model(readModel(bytes), instantiateKernels(module), options.kernels ?? 'simd');
}
