/**
 * Test harness for raw kernel calls: instantiates one build of the kernel module and hands out
 * 16-byte aligned scratch regions from a bump allocator, with guard bytes after each region so a
 * write past the end is caught by `checkGuards()`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { hasRelaxedSimd } from '../../src/runtime/wasm.js';

export type Build = 'debug' | 'simd' | 'relaxed';
export const BUILDS: Build[] = ['debug', 'simd'];
/**
 * The builds plus the relaxed-SIMD one, for the kernels that have relaxed-SIMD code (the int8
 * ones). Node 20 runs relaxed SIMD only behind --experimental-wasm-relaxed-simd, and its baseline
 * compiler (Liftoff) gets i32x4.relaxed_dot_i8x16_i7x16_add_s wrong: this test process turns the
 * flag on and Liftoff off before the relaxed build compiles (the runtime's probe refuses Liftoff's
 * answer, so users of Node 20 run the baseline build).
 */
export const BUILDS_WITH_RELAXED: Build[] = ['debug', 'simd', 'relaxed'];

function enableRelaxedSimd(): void {
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  v8.setFlagsFromString('--no-liftoff');
  if (!hasRelaxedSimd()) throw new Error('this engine cannot run the relaxed-SIMD build correctly, even with the V8 flags');
}

const GUARD = 16;
const GUARD_BYTE = 0xa5;

const modules = new Map<Build, WebAssembly.Module>();

function moduleFor(build: Build): WebAssembly.Module {
  let m = modules.get(build);
  if (!m) {
    if (build === 'relaxed') enableRelaxedSimd();
    // WPAL_KERNEL_BUILD_DIR lets one kernel family be built and tested on its own while others
    // are being edited (asc <family>/index.ts -o $DIR/wpal.<build>.wasm).
    const dir = process.env.WPAL_KERNEL_BUILD_DIR;
    const path = dir
      ? `${dir}/wpal.${build}.wasm`
      : fileURLToPath(new URL(`../../build/wpal.${build}.wasm`, import.meta.url));
    m = new WebAssembly.Module(readFileSync(path));
    modules.set(build, m);
  }
  return m;
}

export class KernelHarness {
  readonly exports: Record<string, any>;
  readonly memory: WebAssembly.Memory;
  private top: number;
  private readonly base: number;
  private guards: Array<[number, number]> = [];

  constructor(readonly build: Build) {
    const instance = new WebAssembly.Instance(moduleFor(build), {
      env: {
        abort(msg: number, file: number, line: number, col: number) {
          throw new Error(`wasm assert failed at line ${line}:${col}`);
        },
      },
    });
    this.exports = instance.exports as Record<string, any>;
    this.memory = this.exports.memory as WebAssembly.Memory;
    this.base = this.top = Number(this.exports.heap_base());
  }

  /** Frees everything allocated so far. */
  reset(): void {
    this.top = this.base;
    this.guards = [];
  }

  /** A 16-byte aligned region of `bytes` bytes (zeroed), followed by guard bytes. */
  alloc(bytes: number): number {
    const ptr = (this.top + 15) & ~15;
    const end = ptr + bytes + GUARD;
    const need = end - this.memory.buffer.byteLength;
    if (need > 0) this.memory.grow(Math.ceil(need / 65536));
    new Uint8Array(this.memory.buffer, ptr, bytes).fill(0);
    new Uint8Array(this.memory.buffer, ptr + bytes, GUARD).fill(GUARD_BYTE);
    this.guards.push([ptr + bytes, GUARD]);
    this.top = end;
    return ptr;
  }

  /** Copies `data` into a fresh region and returns its pointer. */
  put(data: ArrayBufferView): number {
    const src = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const ptr = this.alloc(src.length);
    new Uint8Array(this.memory.buffer, ptr, src.length).set(src);
    return ptr;
  }

  f32(ptr: number, n: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, n).slice();
  }

  /** Throws if any guard region was written. */
  checkGuards(): void {
    const mem = new Uint8Array(this.memory.buffer);
    for (const [p, n] of this.guards) {
      for (let i = 0; i < n; i++) {
        if (mem[p + i] !== GUARD_BYTE) throw new Error(`kernel wrote past the end of a buffer (guard at ${p + i})`);
      }
    }
  }
}
