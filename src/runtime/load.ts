/** loadModel(): bytes, an ArrayBuffer, a URL (fetch) or, in Node, a file path. */
import { readModel } from '../format/read.js';
import { Model } from './model.js';
import { compileKernels, defaultThreadsWasmUrl, defaultWasmUrl, hasRelaxedSimd, isNode, isThreadedModule, readUrl, type WasmSource } from './wasm.js';
import { WpalLoadError } from './errors.js';
import type { KernelPreference } from './kernels.js';
import type { ModelInfo } from '../format/types.js';
import { checkThreadsOption, defaultThreads, threadSupport, ThreadPool, warnOneThread } from './threads.js';
import { DEFAULT_THREADS_MIN_WORK, splittableWork } from './ops/parallel.js';

export type ModelSource = Uint8Array | ArrayBuffer | URL | string;

export interface LoadOptions {
  /**
   * The kernel module: a URL, bytes or a compiled WebAssembly.Module (default: the packaged build,
   * build/wpal.simd.wasm for one thread, build/wpal.threads.wasm for more). A module given here
   * decides: the single-thread build runs on one thread, the threaded build on `threads`.
   */
  wasm?: WasmSource;
  /**
   * Threads that run the model's heavy kernel calls (GEMM/GEMV split over output channels, convs
   * over output rows), the calling thread included. Outputs are bit-identical for any count.
   * Default: min(logical cores, 4) where SharedArrayBuffer can be used (always in Node; in browsers
   * on cross-origin isolated pages, i.e. served with COOP/COEP headers) and the model has enough
   * work to split at batch 1; otherwise 1. Where threads cannot run (a page that is not
   * cross-origin isolated), the model runs on one thread and a warning says why, once. 1 never
   * starts a thread. See docs/threads.md.
   */
  threads?: number;
  /**
   * Run the relaxed-SIMD build of the kernels where the engine has relaxed SIMD and computes it
   * exactly (Chromium 114+, Firefox 120+; not Safari, not Node 20). Its int8 kernels use
   * i32x4.relaxed_dot_i8x16_i7x16_add_s with one operand kept in [0, 127], where every engine gives
   * the same result, so outputs are bit-identical to the baseline build. Default false: on x64
   * without AVX-VNNI (measured: Chromium on AMD Zen 3) V8 expands that instruction into about as
   * many as the baseline kernels use, and the relaxed build ran 0.5-1.0x as fast
   * (docs/relaxed-simd.md); ARM's sdot should favour it, unmeasured here. true where it cannot run
   * warns once and runs the baseline build. Ignored when `wasm` is given (that module decides).
   */
  relaxedSimd?: boolean;
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
  const requested = checkThreadsOption(options.threads);
  const [bytes, given] = await Promise.all([readSource(source), options.wasm !== undefined ? compileKernels(options.wasm) : undefined]);
  const info = readModel(bytes, { verifyChecksums: options.verifyChecksums !== false });
  let threads = await chooseThreads(requested, info, given);
  const relaxed = !given && chooseRelaxed(options.relaxedSimd);
  let module = given ?? (await compileKernels(threads > 1 ? defaultThreadsWasmUrl(relaxed) : defaultWasmUrl(relaxed)));
  let pool: ThreadPool | undefined;
  if (threads > 1) {
    try {
      pool = await ThreadPool.create(module, threads);
    } catch (e) {
      warnOneThread(
        `${threads - 1} kernel thread(s) could not start (${(e as Error).message}); ` +
          'a Content-Security-Policy must allow them (worker-src blob:)',
      );
      threads = 1;
      if (!given) module = await compileKernels(defaultWasmUrl(relaxed));
    }
  }
  try {
    const model = new Model(info, module, {
      kernels: options.kernels ?? 'simd',
      ...(options.allowNonFinite !== undefined ? { allowNonFinite: options.allowNonFinite } : {}),
      ...(options.retainArenaBytes !== undefined ? { retainArenaBytes: options.retainArenaBytes } : {}),
      ...(pool ? { pool } : {}),
      relaxedSimd: relaxed,
    });
    await model.threadsReady();
    return model;
  } catch (e) {
    pool?.dispose();
    throw e;
  }
}

let warnedRelaxed = false;

/** Whether the packaged relaxed-SIMD build runs (LoadOptions.relaxedSimd: asked for, and exact here). */
function chooseRelaxed(asked: boolean | undefined): boolean {
  if (asked !== true) return false;
  const ok = hasRelaxedSimd();
  if (!ok && !warnedRelaxed) {
    warnedRelaxed = true;
    console.warn(
      'wasm-palette: relaxedSimd: true was asked for, but this engine has no relaxed SIMD (or computes ' +
        'i32x4.relaxed_dot_i8x16_i7x16_add_s wrongly, as Node 20 behind --experimental-wasm-relaxed-simd does); ' +
        'running the baseline SIMD build (same outputs, slower int8 kernels)',
    );
  }
  return ok;
}

/** The thread count a model gets (LoadOptions.threads). */
async function chooseThreads(requested: number | undefined, info: ModelInfo, given: WebAssembly.Module | undefined): Promise<number> {
  if (requested === 1) return 1;
  if (given && !isThreadedModule(given)) {
    if (requested !== undefined) {
      warnOneThread(`threads: ${requested} was asked for, but options.wasm is the single-thread build of the kernels (pass build/wpal.threads.wasm, or leave wasm out)`);
    }
    return 1;
  }
  // By default, a model too small to gain from threads starts none (and needs no warning).
  if (requested === undefined && splittableWork(info) < DEFAULT_THREADS_MIN_WORK) return 1;
  const support = threadSupport();
  if (!support.ok) {
    warnOneThread(requested !== undefined ? `threads: ${requested} was asked for, but ${support.why}` : support.why);
    return 1;
  }
  return requested ?? (await defaultThreads());
}
