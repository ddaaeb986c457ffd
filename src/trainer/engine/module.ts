/**
 * The trainer's own instance of the training kernel module (build/wpal.train.wasm, entry
 * assembly/kernels/train/standalone.ts) and its linear memory:
 *
 *   | module data | persistent: parameters, their gradients, optimizer state | step arena ... |
 *   0             heap_base                                                  arenaBase        arenaTop
 *
 * Persistent blocks are bump-allocated once (before training); the step arena is a bump allocator
 * reset at the start of every step, so after the first step (which grows the memory to its high
 * water mark) a step allocates nothing: no wasm growth, no typed arrays.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KERNELS } from '../../runtime/kernels.js';
import { TRAIN_KERNELS } from '../../runtime/kernels/train.js';

export type TrainBuild = 'simd' | 'debug';
/** Which kernels the engine calls: the SIMD ones (default) or the scalar references (tests). */
export type KernelIsa = 'simd' | 'ref';

const moduleCache = new Map<TrainBuild, WebAssembly.Module>();

export function trainModuleUrl(build: TrainBuild): URL {
  return new URL(build === 'simd' ? '../../../build/wpal.train.wasm' : '../../../build/wpal.train.debug.wasm', import.meta.url);
}

function compiled(build: TrainBuild): WebAssembly.Module {
  let m = moduleCache.get(build);
  if (!m) {
    const url = trainModuleUrl(build);
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = new Uint8Array(readFileSync(fileURLToPath(url)));
    } catch (e) {
      throw new Error(
        `cannot read the training kernel module ${fileURLToPath(url)}: ${(e as Error).message}. ` +
          'HINT: build it with `npx asc assembly/kernels/train/standalone.ts --config asconfig.json --target simd -o build/wpal.train.wasm`',
      );
    }
    m = new WebAssembly.Module(bytes);
    moduleCache.set(build, m);
  }
  return m;
}

/** The kernel functions the engine calls (names resolved once for the chosen ISA). */
export interface TrainKernels {
  tgemm(m: number, n: number, k: number, a: number, b: number, bias: number, c: number, sa: number, sb: number, sc: number, params: number): void;
  im2col(n: number, x: number, col: number, xs: number, params: number): void;
  col2im(n: number, col: number, x: number, xs: number, params: number): void;
  maxpool(n: number, x: number, y: number, xs: number, ys: number, params: number): void;
  maxpoolgrad(n: number, x: number, dy: number, dx: number, xs: number, ys: number, params: number): void;
  vrelu(n: number, x: number, y: number): void;
  vrelugrad(n: number, y: number, dy: number, dx: number, accumulate: number): void;
  colsum(m: number, n: number, x: number, y: number, xs: number, accumulate: number): void;
  softmaxce(m: number, n: number, x: number, labels: number, loss: number, dx: number, xs: number, dxs: number, params: number): void;
  sgd(n: number, w: number, g: number, v: number, params: number): void;
  adam(n: number, w: number, g: number, m: number, v: number, params: number): void;
}

/** The ops of TrainKernels, each found in the kernel table by op name. */
const ENGINE_OPS: readonly (keyof TrainKernels)[] = ['tgemm', 'im2col', 'col2im', 'maxpool', 'maxpoolgrad', 'vrelu', 'vrelugrad', 'colsum', 'softmaxce', 'sgd', 'adam'];

/**
 * The export name of `op`'s kernel for `isa`, from the one kernel table: the training rows
 * (runtime/kernels/train.ts) and the inference rows the training module also holds (runtime/kernels.ts:
 * maxpool, vrelu, layernorm, softmax, ...): the f32 row without a weight encoding (or dense), the
 * reference when no SIMD kernel exists.
 */
export function trainKernelName(op: string, isa: KernelIsa): string {
  const rows = [...TRAIN_KERNELS, ...KERNELS].filter((r) => r.op === op && r.act === 'f32' && (r.wenc === undefined || r.wenc === 'dense'));
  const pick = rows.filter((r) => r.isa === isa);
  const row = pick.length > 0 ? pick : rows.filter((r) => r.isa === 'ref');
  if (row.length !== 1) throw new Error(`kernel table: ${row.length === 0 ? 'no' : `${row.length}`} f32 ${op} kernel${row.length === 1 ? '' : 's'} for ${isa} (${row.map((r) => r.name).join(', ')})`);
  return row[0]!.name;
}


/** Number of 32-bit params slots the engine keeps for kernel calls (conv tables use 24). */
export const PARAM_SLOTS = 32;

export interface TrainModuleOptions {
  build?: TrainBuild;
  isa?: KernelIsa;
}

/** One instance of the training module: kernels, memory, the two allocators and a params block. */
export class TrainModule {
  readonly exports: Record<string, unknown>;
  readonly memory: WebAssembly.Memory;
  readonly k: TrainKernels;
  readonly build: TrainBuild;
  readonly isa: KernelIsa;
  /** The one params block every kernel call uses (calls are synchronous, one at a time). */
  readonly params: number;
  private persistTop = 0;
  private arenaBase = 0;
  private arenaTop = 0;
  private highWater = 0;
  private f32v: Float32Array;
  private i32v: Int32Array;

  constructor(opts: TrainModuleOptions = {}) {
    this.build = opts.build ?? 'simd';
    this.isa = opts.isa ?? 'simd';
    const instance = new WebAssembly.Instance(compiled(this.build), {
      env: {
        abort(_msg: number, _file: number, line: number, col: number) {
          throw new Error(`wasm assert failed in the training module at line ${line}:${col}`);
        },
      },
    });
    this.exports = instance.exports as Record<string, unknown>;
    this.memory = this.exports.memory as WebAssembly.Memory;
    this.k = resolveKernels<TrainKernels>(this, ENGINE_OPS);
    const base = Number((this.exports.heap_base as () => number)());
    this.persistTop = base;
    this.params = this.persist(PARAM_SLOTS * 4);
    this.f32v = new Float32Array(this.memory.buffer);
    this.i32v = new Int32Array(this.memory.buffer);
  }

  /** Float32 view of the whole memory (refreshed after growth; do not keep across allocations). */
  get f32(): Float32Array {
    if (this.f32v.buffer !== this.memory.buffer) this.refresh();
    return this.f32v;
  }

  get i32(): Int32Array {
    if (this.i32v.buffer !== this.memory.buffer) this.refresh();
    return this.i32v;
  }

  private refresh(): void {
    this.f32v = new Float32Array(this.memory.buffer);
    this.i32v = new Int32Array(this.memory.buffer);
  }

  private ensure(end: number): void {
    const need = end - this.memory.buffer.byteLength;
    if (need > 0) this.memory.grow(Math.ceil(need / 65536));
  }

  /**
   * A persistent 16-byte aligned block (zeroed). Meant to be taken before training; taken while
   * the arena holds data, the arena's current contents stay valid and its base moves past the block.
   */
  persist(bytes: number): number {
    const start = this.arenaTop > this.arenaBase ? this.arenaTop : this.persistTop;
    const ptr = (start + 15) & ~15;
    const end = ptr + bytes;
    this.ensure(end);
    new Uint8Array(this.memory.buffer, ptr, bytes).fill(0);
    this.persistTop = end;
    this.arenaBase = this.arenaTop = Math.max(this.arenaTop, (end + 15) & ~15);
    return ptr;
  }

  /** A 16-byte aligned arena block, not zeroed: valid until the next `resetArena()`. */
  alloc(bytes: number): number {
    const ptr = (this.arenaTop + 15) & ~15;
    const end = ptr + bytes;
    if (end > this.highWater) {
      this.ensure(end);
      this.highWater = end;
    }
    this.arenaTop = end;
    return ptr;
  }

  resetArena(): void {
    this.arenaTop = this.arenaBase;
  }

  /** Bytes in use by the arena now, and the memory size. */
  stats(): { persistent: number; arena: number; memory: number } {
    return { persistent: this.arenaBase, arena: this.arenaTop - this.arenaBase, memory: this.memory.buffer.byteLength };
  }

  /**
   * Zeroes the params block and returns its index in `f32` / `i32` (slot s is at index + s):
   * callers write the slots directly, so a kernel call allocates nothing.
   */
  slots(): number {
    const p = this.params >> 2;
    this.i32.fill(0, p, p + PARAM_SLOTS);
    return p;
  }
}

/**
 * The kernels of `ops` for the module's ISA, named by the kernel table (trainKernelName), or an
 * error that says to rebuild the module. The engine, the DKM and the text ops each resolve their
 * group once per module.
 */
export function resolveKernels<T>(mod: TrainModule, ops: readonly (keyof T & string)[]): T {
  const out: Record<string, unknown> = {};
  for (const op of ops) {
    const name = trainKernelName(op, mod.isa);
    const fn = mod.exports[name];
    if (typeof fn !== 'function') throw new Error(`training module lacks kernel ${name}: rebuild it with \`npm run build:wasm:train\``);
    out[op] = fn;
  }
  return out as T;
}
