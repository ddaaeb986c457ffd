/**
 * Threads: how many, and the pool that runs slices of one kernel call on several threads.
 *
 * The main thread (the one that called loadModel) owns everything: it plans, allocates and runs
 * every op. For a heavy op it splits the kernel call into slices over disjoint output ranges
 * (src/runtime/ops/parallel.ts), publishes them in a small control SharedArrayBuffer, wakes the
 * kernel threads, claims slices itself too, and returns when every slice is counted done. Kernel
 * threads (thread-worker.ts) hold their own instance of the threaded kernel module
 * (build/wpal.threads.wasm, the same code on an imported shared memory) and only call kernels.
 *
 * Control words (Int32, the control buffer; indices):
 *
 *   0 CLAIM    (job seq << 8) | next unclaimed slice; 0xff while a job is being written
 *   1 SEQ      job seq (23 bits): kernel threads wait on it (Atomics.wait) for the next job
 *   2 DONE     slices finished in the current job; the main thread waits on it
 *   3 FN       kernel: index into the module's function exports, in WebAssembly.Module.exports order
 *   4 NSLICES  slices in the job (<= MAX_SLICES)
 *   5 PARG     argument that is the params pointer (-1: none): thread t adds t * PSTRIDE to it,
 *   6 PSTRIDE  so every thread has its own params block and, through its slot 5, its own scratch
 *   7 GEN      memory generation: a thread attached to another memory claims nothing
 *   8 EXIT     1: threads leave (dispose)
 *   9 ERR      1: a kernel call threw in a kernel thread
 *  10 WORKED   slices run by kernel threads so far (a statistic)
 *  11 PAGES    the memory's size in 64 KiB pages when the job was written. The main thread grows the
 *              shared memory (a bigger batch, scratch, arena); another thread's instance keeps its old
 *              bounds until it calls memory.grow(0), and a kernel there would trap on the new bytes
 *              ("memory access out of bounds", seen with 12 models loaded at once). A kernel thread
 *              refreshes whenever PAGES differs from what it last saw.
 *  16 ..      ARG_SLOTS i32 arguments per slice
 *
 * A slice is claimed by compare-and-swap on CLAIM, which carries the job's seq, so a thread that
 * woke late cannot claim a slice of the next job with the arguments of another. Whoever is free
 * claims the next slice: when a kernel thread is slow to wake (or is re-attaching after trim()),
 * the main thread runs its slices; slices are independent and each output element is computed by
 * the same instructions whoever runs it, so results do not depend on who ran what.
 *
 * Waiting: kernel threads poll for spinTuning.worker ms, then Atomics.wait. The main thread spins, then (Node, or
 * a model that lives in a worker) Atomics.wait; on a browser page's main thread, where Atomics.wait
 * is not allowed, it only spins: run() is synchronous there anyway, and the wait is for slices
 * running in parallel with the main thread's own. loadModelInWorker() keeps the page free.
 */
import { isNode } from './wasm.js';
import { WpalEngineError, WpalLoadError } from './errors.js';
import { THREAD_WORKER_SOURCE } from './thread-worker.js';

const CLAIM = 0, SEQ = 1, DONE = 2, FN = 3, NSLICES = 4, PARG = 5, PSTRIDE = 6, GEN = 7, EXIT = 8, ERR = 9, WORKED = 10, PAGES = 11;
const ARGS = 16;
export const ARG_SLOTS = 12;
export const MAX_SLICES = 64;
/** The most threads a model may ask for. */
export const MAX_THREADS = 16;
/**
 * Polling before sleeping in Atomics.wait, in milliseconds: `worker`, a kernel thread waiting for
 * the next job (the next kernel call of a run usually comes sooner than a sleeping thread would
 * wake: 6-20 us per wake on this VM; read when the pool starts); `main`, the main thread waiting
 * for the last slices of a job. Polling costs CPU that, on a machine busy with other work, the
 * slices themselves need: on this 2-core VM with both cores taken by other processes, ResNet-50 on
 * 2 threads took 0.80x the one-thread speed with 1 ms / 1 ms, 0.92x with 0.2 / 0.05 and 0.95x
 * without polling (same run).
 */
export const spinTuning = { worker: 0.2, main: 0.05 };
/** A slice unfinished this long means its kernel thread is gone: run() throws instead of hanging. */
const STALL_MS = 120_000;
/** Kernel threads that have not started this long after loadModel() asked for them count as failed. */
const START_MS = 20_000;

/** Whether SharedArrayBuffer and shared WebAssembly memory work here, and why not. */
export function threadSupport(): { ok: true } | { ok: false; why: string } {
  const g = globalThis as { crossOriginIsolated?: boolean };
  if (typeof SharedArrayBuffer !== 'function') {
    if (!isNode && g.crossOriginIsolated === false) {
      return {
        ok: false,
        why:
          'SharedArrayBuffer is not available because this page is not cross-origin isolated (crossOriginIsolated is false). ' +
          'Serve the page (and its workers) with the headers "Cross-Origin-Opener-Policy: same-origin" and ' +
          '"Cross-Origin-Embedder-Policy: require-corp" (or "credentialless") to enable threads; see docs/threads.md',
      };
    }
    return { ok: false, why: 'this JavaScript environment has no SharedArrayBuffer (in a browser: serve the page with the headers "Cross-Origin-Opener-Policy: same-origin" and "Cross-Origin-Embedder-Policy: require-corp"; see docs/threads.md)' };
  }
  if (!isNode && g.crossOriginIsolated === false) {
    return {
      ok: false,
      why:
        'this page is not cross-origin isolated (crossOriginIsolated is false), so SharedArrayBuffer cannot be shared with workers. ' +
        'Serve the page with the headers "Cross-Origin-Opener-Policy: same-origin" and "Cross-Origin-Embedder-Policy: require-corp" ' +
        '(or "credentialless"); see docs/threads.md',
    };
  }
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  } catch {
    return { ok: false, why: 'this engine has no shared WebAssembly memory (WebAssembly threads)' };
  }
  if (!isNode && typeof Worker !== 'function') return { ok: false, why: 'this environment has no Web Worker' };
  return { ok: true };
}

let warned = false;

/** Says once per page / process why a model runs on one thread. */
export function warnOneThread(why: string): void {
  if (warned) return;
  warned = true;
  console.warn(`wasm-palette: running models on one thread: ${why}. Pass { threads: 1 } to loadModel() to choose one thread without this warning.`);
}

/** @internal tests: forget that the warning was given. */
export function resetThreadWarning(): void {
  warned = false;
}

/** Logical cores: os.availableParallelism() in Node, navigator.hardwareConcurrency elsewhere. */
export async function hardwareThreads(): Promise<number> {
  if (isNode) {
    const os = await import(/* @vite-ignore */ 'node:os');
    return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  }
  const n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return typeof n === 'number' && n >= 1 ? n : 1;
}

/** The default thread count where threads work: min(logical cores, 4). */
export async function defaultThreads(): Promise<number> {
  return Math.max(1, Math.min(await hardwareThreads(), 4));
}

/** Checks LoadOptions.threads. */
export function checkThreadsOption(threads: unknown): number | undefined {
  if (threads === undefined) return undefined;
  if (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new WpalLoadError(`loadModel(): threads must be an integer from 1 to ${MAX_THREADS}, got ${String(threads)}`);
  }
  return threads;
}

/**
 * A new shared memory for the threaded build: up to 4 GiB (the module's own maximum), or less where
 * the engine cannot reserve that much address space (32-bit devices).
 */
export function sharedMemory(): WebAssembly.Memory {
  let last: unknown;
  for (const maximum of [65536, 16384, 4096]) {
    try {
      return new WebAssembly.Memory({ initial: 1, maximum, shared: true });
    } catch (e) {
      last = e;
    }
  }
  throw new WpalEngineError(`cannot create a shared WebAssembly memory: ${(last as Error).message}`);
}

let blockable: boolean | undefined;

/** Atomics.wait is allowed on this thread (not on a browser page's main thread). */
function canBlock(): boolean {
  if (blockable === undefined) {
    try {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
      blockable = true;
    } catch {
      blockable = false;
    }
  }
  return blockable;
}

/** One kernel thread, whatever runs it. */
interface KernelThread {
  post(message: unknown): void;
  onMessage(fn: (m: { type: string; gen?: number; message?: string }) => void): void;
  onError(fn: (e: Error) => void): void;
  /**
   * Node: whether the thread keeps the process alive. Only while the main thread waits for its
   * messages; it works only inside run(), so otherwise it must not (unref after adding listeners:
   * adding one refs it again).
   */
  hold(on: boolean): void;
  terminate(): void;
}

async function spawn(): Promise<KernelThread> {
  if (isNode) {
    const wt = await import(/* @vite-ignore */ 'node:worker_threads');
    const w = new wt.Worker(THREAD_WORKER_SOURCE, { eval: true, name: 'wasm-palette kernel thread' } as never);
    return {
      hold: (on) => (on ? w.ref() : w.unref()),
      post: (m) => w.postMessage(m),
      onMessage: (fn) => void w.on('message', fn),
      onError: (fn) => {
        w.on('error', fn);
        w.on('exit', (code: number) => fn(new WpalEngineError(`a kernel thread exited (code ${code})`)));
      },
      terminate: () => void w.terminate(),
    };
  }
  const url = URL.createObjectURL(new Blob([THREAD_WORKER_SOURCE], { type: 'text/javascript' }));
  let w: Worker;
  try {
    w = new Worker(url, { name: 'wasm-palette kernel thread' });
  } catch (e) {
    URL.revokeObjectURL(url);
    throw e;
  }
  let revoked = false;
  const revoke = () => {
    if (!revoked) URL.revokeObjectURL(url);
    revoked = true;
  };
  return {
    hold: () => {},
    post: (m) => w.postMessage(m),
    onMessage: (fn) =>
      w.addEventListener('message', (e: MessageEvent) => {
        revoke();
        fn(e.data);
      }),
    onError: (fn) =>
      w.addEventListener('error', (e: ErrorEvent) => {
        e.preventDefault?.();
        revoke();
        fn(new WpalEngineError(`a kernel thread failed: ${e.message || 'could not start it (a Content-Security-Policy without worker-src blob:?)'}`));
      }),
    terminate: () => {
      revoke();
      w.terminate();
    },
  };
}

/** How a step hands a job's arguments over: slice s's ARG_SLOTS arguments go to c[at .. at + ARG_SLOTS). */
export type FillSlice = (s: number, c: Int32Array, at: number) => void;

export class ThreadPool {
  /** Threads that run slices, the main thread included. */
  readonly threads: number;
  private readonly ctl: Int32Array;
  private readonly names: string[];
  private readonly ids: Map<string, number>;
  private workers: KernelThread[];
  private fns: Array<(...args: number[]) => void> = [];
  private seq = 0;
  private gen = 0;
  private attached: Array<() => void> = [];
  /** The memory the threads are attached to (its size goes into PAGES with every job). */
  private memory: WebAssembly.Memory | undefined;
  /** Per kernel thread: the memory generation it has answered an attach for (attached or failed). */
  private answered: number[];
  /** Per kernel thread: false once it has exited. */
  private live: boolean[];
  private failure: Error | undefined;
  private lastError = '';
  private readonly block = canBlock();

  private constructor(threads: number, names: string[], workers: KernelThread[], ctl: SharedArrayBuffer) {
    this.threads = threads;
    this.names = names;
    this.ids = new Map(names.map((n, i) => [n, i]));
    this.workers = workers;
    this.ctl = new Int32Array(ctl);
    this.answered = workers.map(() => -1);
    this.live = workers.map(() => true);
  }

  /**
   * Starts threads - 1 kernel threads for `module` (the threaded build) and waits until they run.
   * Rejects (a WpalLoadError saying why) when one does not start within START_MS.
   */
  static async create(module: WebAssembly.Module, threads: number): Promise<ThreadPool> {
    const names = WebAssembly.Module.exports(module).filter((e) => e.kind === 'function').map((e) => e.name);
    const ctl = new SharedArrayBuffer(4 * (16 + MAX_SLICES * ARG_SLOTS));
    const workers: KernelThread[] = [];
    try {
      for (let t = 1; t < threads; t++) workers.push(await spawn());
    } catch (e) {
      for (const w of workers) w.terminate();
      throw new WpalLoadError(`cannot start ${threads - 1} kernel thread(s): ${(e as Error).message}`, { cause: e });
    }
    const pool = new ThreadPool(threads, names, workers, ctl);
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const started = Promise.all(
        workers.map(
          (w, i) =>
            new Promise<void>((resolve, reject) => {
              w.onError((e) => {
                reject(e);
                pool.onGone(i);
              });
              w.onMessage((m) => pool.onMessage(i, m, resolve));
              w.post({ type: 'init', module, names, ctl, thread: i + 1, spinMs: spinTuning.worker });
            }),
        ),
      );
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${START_MS / 1000} s`)), START_MS);
      });
      await Promise.race([started, late]);
    } catch (e) {
      pool.dispose();
      throw new WpalLoadError(`a kernel thread did not start: ${(e as Error).message}`, { cause: e });
    } finally {
      clearTimeout(timer);
    }
    return pool;
  }

  private onMessage(i: number, m: { type: string; gen?: number; message?: string; during?: string }, started: () => void): void {
    if (m.type === 'ready') return started();
    if (m.type === 'error') this.lastError = m.message ?? '';
    // A thread that could not instantiate on the memory claims nothing: the main thread runs its share.
    if (m.type === 'attached' || (m.type === 'error' && m.during === 'attach')) {
      this.answered[i] = m.gen ?? -1;
      this.checkAttached();
    }
  }

  /** A kernel thread exited: attach no longer waits for it (the main thread runs what it would have). */
  private onGone(i: number): void {
    this.live[i] = false;
    this.checkAttached();
  }

  private checkAttached(): void {
    if (!this.workers.every((_, i) => !this.live[i] || this.answered[i] === this.gen)) return;
    for (const w of this.workers) w.hold(false);
    for (const f of this.attached.splice(0)) f();
  }

  /**
   * Points the pool at a (new) shared memory, whose main-thread instance exports `exports`. Kernel
   * threads instantiate the module on it in the background; the promise settles when all have.
   * Until then the main thread runs the slices they would have claimed.
   */
  attach(memory: WebAssembly.Memory, exports: Record<string, unknown>): Promise<void> {
    this.fns = this.names.map((n) => exports[n] as (...args: number[]) => void);
    this.memory = memory;
    this.gen = (this.gen + 1) & 0x3fffffff;
    for (const f of this.attached.splice(0)) f();
    Atomics.store(this.ctl, GEN, this.gen);
    const ready = new Promise<void>((resolve) => this.attached.push(resolve));
    for (const w of this.workers) {
      w.hold(true);
      w.post({ type: 'attach', memory, gen: this.gen });
    }
    // Threads sitting in the job loop leave it (GEN changed) to read the message.
    this.wake();
    this.checkAttached(); // no live threads left: nothing to wait for
    return ready;
  }

  private wake(): void {
    this.seq = (this.seq + 1) & 0x7fffff;
    Atomics.store(this.ctl, CLAIM, (this.seq << 8) | 0xff);
    Atomics.store(this.ctl, SEQ, this.seq);
    Atomics.notify(this.ctl, SEQ);
  }

  /** Slices the kernel threads (not the main thread) have run since the pool started. */
  get workerSlices(): number {
    return Atomics.load(this.ctl, WORKED);
  }

  /** Index of a kernel export, for run(). */
  fnId(name: string): number {
    const id = this.ids.get(name);
    if (id === undefined) throw new WpalEngineError(`kernel ${name} is missing from the threaded wasm module`);
    return id;
  }

  /**
   * Runs `nslices` calls of kernel `fn`, each with the arguments fill() writes for it, on all
   * threads; returns when every slice is done. The params argument (index pArg, -1 for none) of the
   * thread that runs a slice is the written one + thread * pStride.
   */
  run(fn: number, nslices: number, pArg: number, pStride: number, fill: FillSlice): void {
    this.checkFailure();
    if (nslices > MAX_SLICES || nslices < 1) throw new WpalEngineError(`internal: ${nslices} slices`);
    const c = this.ctl;
    const seq = (this.seq = (this.seq + 1) & 0x7fffff);
    Atomics.store(c, CLAIM, (seq << 8) | 0xff);
    c[FN] = fn;
    c[NSLICES] = nslices;
    c[PARG] = pArg;
    c[PSTRIDE] = pStride;
    if (this.memory) c[PAGES] = this.memory.buffer.byteLength >>> 16;
    for (let s = 0; s < nslices; s++) fill(s, c, ARGS + s * ARG_SLOTS);
    Atomics.store(c, DONE, 0);
    Atomics.store(c, CLAIM, seq << 8);
    Atomics.store(c, SEQ, seq);
    Atomics.notify(c, SEQ, nslices - 1);
    // The main thread is thread 0: it claims slices like the others.
    const f = this.fns[fn];
    for (;;) {
      const cl = Atomics.load(c, CLAIM);
      const s = cl & 0xff;
      if (s >= nslices) break;
      if (Atomics.compareExchange(c, CLAIM, cl, cl + 1) !== cl) continue;
      const at = ARGS + s * ARG_SLOTS;
      f(c[at], c[at + 1], c[at + 2], c[at + 3], c[at + 4], c[at + 5], c[at + 6], c[at + 7], c[at + 8], c[at + 9], c[at + 10], c[at + 11]);
      Atomics.add(c, DONE, 1);
    }
    let d = Atomics.load(c, DONE);
    if (d < nslices) {
      let t0 = performance.now();
      let progress = t0;
      let last = d;
      while (d < nslices) {
        for (let i = 0; i < 512 && d < nslices; i++) d = Atomics.load(c, DONE);
        if (d >= nslices) break;
        const now = performance.now();
        if (d !== last) {
          last = d;
          progress = now;
        } else if (now - progress > STALL_MS) {
          // A kernel thread took a slice and never finished it (it died, or was stopped).
          this.failure ??= new WpalEngineError(`a kernel thread has not finished its slice in ${STALL_MS / 1000} s`);
          this.checkFailure();
        }
        if (this.block && now - t0 > spinTuning.main) {
          Atomics.wait(c, DONE, d, 100);
          d = Atomics.load(c, DONE);
          t0 = performance.now();
        }
      }
    }
    if (c[ERR]) {
      c[ERR] = 0;
      throw new WpalEngineError(`a kernel call failed in a kernel thread${this.lastError ? `: ${this.lastError}` : ''}; please report this`);
    }
  }

  private checkFailure(): void {
    if (this.failure) throw new WpalEngineError(`a kernel thread failed: ${this.failure.message}; load the model again (or with { threads: 1 })`);
  }

  /** Ends the kernel threads. */
  dispose(): void {
    Atomics.store(this.ctl, EXIT, 1);
    this.wake();
    for (const w of this.workers) w.terminate();
    this.workers = [];
    this.fns = [];
    for (const f of this.attached.splice(0)) f();
  }
}
