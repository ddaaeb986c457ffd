/**
 * loadModelInWorker(): the Model API, run off the calling thread. In browsers the model lives in
 * a module Web Worker; in Node in a worker_threads Worker. Same method names as Model, but every
 * call returns a Promise. Input arrays are transferred to the worker (not copied) and output
 * arrays are transferred back.
 *
 *   const model = await loadModelInWorker('/models/lenet5.wpal');
 *   const { logits } = await model.run({ input });     // page stays responsive meanwhile
 *   await model.dispose();                              // ends the worker
 */
import { isNode } from '../runtime/wasm.js';
import type { LoadOptions, ModelSource } from '../runtime/load.js';
import type { MemoryReport, ModelRunOptions, Output, ShapedInput, TensorData, TensorSpec } from '../runtime/model.js';
import type { SizeReport } from '../format/size.js';
import type { MetadataInfo } from '../format/types.js';
import { WpalError, WpalFormatError, WpalUnsupportedOpError, WpalVersionError } from '../format/errors.js';
import { WpalDisposedError, WpalEngineError, WpalInputError, WpalLoadError } from '../runtime/errors.js';
import { transferables, type LoadedInfo, type PortableSource, type PortableWasm, type Reply, type RequestBody, type Request, type SerializedError } from './protocol.js';

export interface WorkerLoadOptions extends LoadOptions {
  /**
   * A worker you created yourself, already running wasm-palette's entry script
   * (`wasm-palette/worker-entry` in browsers, `wasm-palette/worker-entry-node` in Node). Use it when
   * a bundler does not pick up the default `new Worker(new URL('./worker-entry.js', import.meta.url))`.
   * WorkerModel.dispose() terminates it.
   */
  worker?: WebWorkerLike | NodeWorkerLike;
}

/** What is used of a Web Worker (structural, so no DOM types are needed to compile against this). */
export interface WebWorkerLike {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: string, listener: (e: any) => void): void;
  terminate(): void;
}

/** What is used of a worker_threads Worker. */
export interface NodeWorkerLike {
  postMessage(message: unknown, transfer?: readonly any[]): void;
  on(event: string, listener: (...args: any[]) => void): unknown;
  terminate(): unknown;
  ref(): void;
  unref(): void;
}

export interface RunOptions extends ModelRunOptions {
  /**
   * Move the inputs' ArrayBuffers to the worker (default true): no copy, but the caller's arrays
   * become empty (length 0) afterwards. false copies them. An array that is a view into a larger
   * buffer is always copied (moving it would detach the rest of the buffer).
   */
  transfer?: boolean;
}

/** A model running in a worker: Model's methods, asynchronous. */
export interface WorkerModel {
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  readonly metadata: MetadataInfo;
  /** Threads the model runs on inside its worker, the worker's own included (LoadOptions.threads). */
  readonly threads: number;
  /** Model.relaxedSimd in the worker: its kernels run from the relaxed-SIMD build. */
  readonly relaxedSimd: boolean;
  run(inputs: Record<string, TensorData | ShapedInput>, options?: RunOptions): Promise<Record<string, Output>>;
  sizeReport(): Promise<SizeReport>;
  memoryReport(): Promise<MemoryReport>;
  kernelPlan(): Promise<Array<{ op: number; type: string; kernel: string }>>;
  /** Model.trim() in the worker: gives back the memory grown for a large batch. */
  trim(): Promise<void>;
  /** Frees the model and terminates the worker; later calls reject with WpalDisposedError. */
  dispose(): Promise<void>;
  readonly disposed: boolean;
}

const ERRORS: Record<string, new (...args: never[]) => Error> = {
  WpalError,
  WpalFormatError,
  WpalVersionError,
  WpalUnsupportedOpError,
  WpalLoadError,
  WpalEngineError,
  WpalInputError,
  WpalDisposedError,
  TypeError,
  RangeError,
};

/** Rebuilds an error from the worker as the same class, so `instanceof WpalInputError` holds. */
function reviveError(s: SerializedError): Error {
  const Ctor = ERRORS[s.name] ?? Error;
  const e = Object.create(Ctor.prototype) as Error;
  Object.assign(e, s.fields ?? {});
  Object.defineProperty(e, 'message', { value: s.message, writable: true, configurable: true });
  Object.defineProperty(e, 'name', { value: s.name, writable: true, configurable: true });
  // The worker's stack says where it failed; add this thread's for where it was called.
  Object.defineProperty(e, 'stack', {
    value: `${s.stack ?? `${s.name}: ${s.message}`}\n    --- in the worker; called from ---${(new Error().stack ?? '').replace(/^Error\n?/, '\n')}`,
    writable: true,
    configurable: true,
  });
  return e;
}

function portable(source: ModelSource | LoadOptions['wasm'], what: string): PortableWasm | undefined {
  if (source === undefined) return undefined;
  if (source instanceof URL) return source.href;
  if (typeof source === 'string') {
    // The worker resolves relative URLs against its own script; resolve them here, against the page.
    if (!isNode && !/^[a-z][a-z0-9+.-]*:/i.test(source) && globalThis.location) return new URL(source, globalThis.location.href).href;
    return source;
  }
  if (source instanceof Uint8Array || source instanceof ArrayBuffer || source instanceof WebAssembly.Module) return source;
  throw new WpalLoadError(`loadModelInWorker(): ${what} must be a Uint8Array, an ArrayBuffer, a URL or a path`);
}

/** The inputs as they will be posted, and the buffers that are moved rather than copied. */
function prepareInputs(inputs: Record<string, TensorData | ShapedInput>, transfer: boolean): { msg: typeof inputs; moved: ArrayBuffer[] } {
  if (!inputs || typeof inputs !== 'object') throw new WpalInputError('run() takes an object of named inputs');
  const msg: Record<string, TensorData | ShapedInput> = {};
  const moved: ArrayBufferView[] = [];
  for (const [name, v] of Object.entries(inputs)) {
    const data: unknown = ArrayBuffer.isView(v) ? v : v && typeof v === 'object' && 'data' in v ? v.data : undefined;
    if (!(data instanceof Float32Array || data instanceof Int32Array)) {
      msg[name] = v; // the worker's run() says what is wrong with it
      continue;
    }
    let sent: TensorData = data;
    if (data.byteOffset !== 0 || data.byteLength !== data.buffer.byteLength) {
      // Structured clone would copy the view's whole buffer, and moving it would detach the rest:
      // send a tight copy (ours, so it is moved).
      sent = data.slice();
      moved.push(sent);
    } else if (transfer) {
      moved.push(sent);
    }
    msg[name] = ArrayBuffer.isView(v) ? sent : { ...(v as ShapedInput), data: sent };
  }
  return { msg, moved: transferables(moved) };
}

/**
 * A request that could not be posted, as a typed error: structured clone refuses functions,
 * symbols, DOM nodes and the like (DataCloneError), and a detached buffer cannot be moved.
 */
function postError(type: RequestBody['type'], e: unknown): Error {
  const why = e instanceof Error ? e.message : String(e);
  if (type === 'run') {
    return new WpalInputError(`run(): the inputs cannot be sent to the worker (${why}); inputs are Float32Array / Int32Array, or { data, shape }`, { cause: e });
  }
  if (type === 'load') return new WpalLoadError(`loadModelInWorker(): the model source cannot be sent to the worker (${why})`, { cause: e });
  return new WpalEngineError(`a ${type} request cannot be sent to the worker (${why})`, { cause: e });
}

interface Channel {
  post(req: Request, transfer: Transferable[]): void;
  terminate(): void;
  /** Keeps a Node process alive only while requests are pending. */
  hold(on: boolean): void;
}

async function openChannel(options: WorkerLoadOptions, onReply: (r: Reply) => void, onFatal: (e: Error) => void): Promise<Channel> {
  if (isNode && !options.worker && typeof (globalThis as { Worker?: unknown }).Worker !== 'function') {
    const wt = await import(/* @vite-ignore */ 'node:worker_threads');
    // A variable, not a literal: bundlers must not treat the Node entry as a browser asset.
    const NODE_ENTRY = './worker-entry-node.js';
    return nodeChannel(new wt.Worker(new URL(NODE_ENTRY, import.meta.url)), onReply, onFatal);
  }
  if (options.worker) {
    const w = options.worker;
    return 'on' in w && typeof w.on === 'function' ? nodeChannel(w as NodeWorkerLike, onReply, onFatal) : webChannel(w as WebWorkerLike, onReply, onFatal);
  }
  if (typeof Worker !== 'function') throw new WpalEngineError('this environment has no Web Worker; use loadModel() instead');
  return webChannel(new Worker(new URL('./worker-entry.js', import.meta.url), { type: 'module', name: 'wasm-palette' }) as WebWorkerLike, onReply, onFatal);
}

function nodeChannel(w: NodeWorkerLike, onReply: (r: Reply) => void, onFatal: (e: Error) => void): Channel {
  w.on('message', onReply);
  w.on('error', (e: Error) => onFatal(e));
  w.on('exit', (code: number) => onFatal(new WpalEngineError(`the model's worker exited (code ${code})`)));
  return {
    post: (req, transfer) => w.postMessage(req, transfer),
    terminate: () => void w.terminate(),
    hold: (on) => (on ? w.ref() : w.unref()),
  };
}

function webChannel(w: WebWorkerLike, onReply: (r: Reply) => void, onFatal: (e: Error) => void): Channel {
  w.addEventListener('message', (e: MessageEvent<Reply>) => onReply(e.data));
  w.addEventListener('error', (e: ErrorEvent) => {
    e.preventDefault?.();
    onFatal(new WpalEngineError(`the model's worker failed: ${e.message || 'could not start the worker script (see the console)'}`));
  });
  w.addEventListener('messageerror', () => onFatal(new WpalEngineError("a message to or from the model's worker could not be cloned")));
  return { post: (req, transfer) => w.postMessage(req, transfer), terminate: () => w.terminate(), hold: () => {} };
}

/**
 * Loads a .wpal model in a new worker and returns a handle with Model's methods, asynchronous.
 * `source` as for loadModel(); bytes are copied to the worker (the caller keeps them).
 * One model per worker: call it again for another model. With `threads` (LoadOptions.threads) the
 * worker starts the kernel threads itself, and it may block in Atomics.wait while they run, which a
 * page's main thread may not; dispose() ends them with the worker.
 */
export async function loadModelInWorker(source: ModelSource, options: WorkerLoadOptions = {}): Promise<WorkerModel> {
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let dead: Error | undefined;
  let disposed = false;

  const settle = (r: Reply) => {
    const p = pending.get(r.id);
    if (!p) return;
    pending.delete(r.id);
    if (pending.size === 0) channel?.hold(false);
    if (r.ok) p.resolve(r.value);
    else p.reject(reviveError(r.error));
  };
  const fatal = (e: Error) => {
    if (disposed) return;
    dead ??= e;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
    channel?.terminate();
  };
  let channel: Channel | undefined;
  channel = await openChannel(options, settle, fatal);
  const ch = channel;

  const call = <T>(req: RequestBody, transfer: Transferable[] = []): Promise<T> => {
    if (disposed) return Promise.reject(new WpalDisposedError());
    if (dead) return Promise.reject(dead);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      if (pending.size === 1) ch.hold(true);
      try {
        ch.post({ ...req, id } as Request, transfer);
      } catch (e) {
        pending.delete(id);
        if (pending.size === 0) ch.hold(false);
        reject(postError(req.type, e));
      }
    });
  };

  let info: LoadedInfo;
  try {
    info = await call<LoadedInfo>({
      type: 'load',
      source: portable(source, 'the model source') as PortableSource,
      wasm: portable(options.wasm, 'options.wasm'),
      kernels: options.kernels,
      verifyChecksums: options.verifyChecksums,
      allowNonFinite: options.allowNonFinite,
      retainArenaBytes: options.retainArenaBytes,
      threads: options.threads,
      relaxedSimd: options.relaxedSimd,
    });
  } catch (e) {
    disposed = true;
    ch.terminate();
    throw e;
  }

  return {
    inputs: info.inputs,
    outputs: info.outputs,
    metadata: info.metadata,
    threads: info.threads,
    relaxedSimd: info.relaxedSimd,
    run(inputs, runOptions = {}) {
      let prepared;
      try {
        prepared = prepareInputs(inputs, runOptions.transfer ?? true);
      } catch (e) {
        return Promise.reject(e);
      }
      return call<Record<string, Output>>({ type: 'run', inputs: prepared.msg, allowNonFinite: runOptions.allowNonFinite }, prepared.moved);
    },
    trim: () => call<void>({ type: 'trim' }),
    sizeReport: () => call<SizeReport>({ type: 'sizeReport' }),
    memoryReport: () => call<MemoryReport>({ type: 'memoryReport' }),
    kernelPlan: () => call<Array<{ op: number; type: string; kernel: string }>>({ type: 'kernelPlan' }),
    async dispose() {
      if (disposed) return;
      try {
        if (!dead) await call<void>({ type: 'dispose' });
      } finally {
        disposed = true;
        ch.terminate();
      }
    },
    get disposed() {
      return disposed;
    },
  };
}
