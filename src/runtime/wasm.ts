/**
 * The one place that finds, compiles and instantiates the kernel module.
 *
 * Feature detection follows onnxruntime-web: WebAssembly.validate on a tiny module. The module
 * below is, in WAT:
 *   (module (func (result v128) i32.const 0 i8x16.splat i8x16.popcnt))
 * It validates only where fixed-width SIMD (simd128) is available.
 */
import { WpalEngineError, WpalLoadError } from './errors.js';

const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

let simdSupported: boolean | undefined;

/** True when this engine runs WebAssembly SIMD (simd128). */
export function hasSimd(): boolean {
  if (simdSupported === undefined) {
    simdSupported = typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  }
  return simdSupported;
}

/**
 * Relaxed-SIMD probe, in WAT:
 *   (module (func (export "f") (result i32)
 *     v128.const i8x16 -3 x16   v128.const i8x16 100 x16   v128.const i32x4 7 7 7 7
 *     i32x4.relaxed_dot_i8x16_i7x16_add_s   i32x4.extract_lane 0))
 * It must return 7 + 4 * (-3 * 100) = -1193. Validating is not enough: Node 20's baseline compiler
 * (V8 Liftoff, behind --experimental-wasm-relaxed-simd) returns twice the dot (PROBE.md), so the
 * probe runs once, and an engine that gets it wrong keeps the baseline build.
 */
const RELAXED_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 127, 3, 2, 1, 0, 7, 5, 1, 1, 102, 0, 0, 10, 64, 1, 62, 0,
  253, 12, ...new Array<number>(16).fill(253),
  253, 12, ...new Array<number>(16).fill(100),
  253, 12, ...[7, 0, 0, 0, 7, 0, 0, 0, 7, 0, 0, 0, 7, 0, 0, 0],
  253, 147, 2, 253, 27, 0, 11,
]);

let relaxedSupported: boolean | undefined;

/**
 * True when this engine runs relaxed SIMD and computes i32x4.relaxed_dot_i8x16_i7x16_add_s exactly
 * (Chromium 114+, Firefox 120+; not Safari; Node 20 only behind a flag, where it is wrong).
 */
export function hasRelaxedSimd(): boolean {
  if (relaxedSupported === undefined) {
    relaxedSupported = false;
    try {
      if (hasSimd() && WebAssembly.validate(RELAXED_PROBE)) {
        const f = new WebAssembly.Instance(new WebAssembly.Module(RELAXED_PROBE)).exports.f as () => number;
        relaxedSupported = f() === -1193;
      }
    } catch {
      relaxedSupported = false;
    }
  }
  return relaxedSupported;
}

/** Where the kernel module is, or its bytes. */
export type WasmSource = URL | string | ArrayBuffer | Uint8Array | WebAssembly.Module;

export const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/**
 * The packaged builds, next to this file in both src/runtime and dist/runtime: single-thread or
 * threaded (the same kernels on an imported shared memory, LoadOptions.threads > 1), each baseline
 * SIMD or relaxed SIMD (the int8 kernels use i32x4.relaxed_dot_i8x16_i7x16_add_s with operands in
 * the range where every engine agrees: outputs are bit-identical to the baseline build).
 */
export function defaultWasmUrl(relaxed = false): URL {
  // one literal new URL(...) per file: bundlers find the wasm assets by that pattern
  return relaxed ? new URL('../../build/wpal.relaxed.wasm', import.meta.url) : new URL('../../build/wpal.simd.wasm', import.meta.url);
}

/** The threaded build (see defaultWasmUrl). */
export function defaultThreadsWasmUrl(relaxed = false): URL {
  return relaxed
    ? new URL('../../build/wpal.threads-relaxed.wasm', import.meta.url)
    : new URL('../../build/wpal.threads.wasm', import.meta.url);
}

/** A kernel module built for threads imports its (shared) memory; the single-thread build exports its own. */
export function isThreadedModule(module: WebAssembly.Module): boolean {
  return WebAssembly.Module.imports(module).some((i) => i.kind === 'memory');
}

/** Reads a URL: fetch in browsers and for http(s) in Node; the file system for file: URLs in Node. */
export async function readUrl(url: URL): Promise<Uint8Array> {
  if (url.protocol === 'file:' && isNode) {
    const fs = await import(/* @vite-ignore */ 'node:fs/promises');
    const { fileURLToPath } = await import(/* @vite-ignore */ 'node:url');
    try {
      return new Uint8Array(await fs.readFile(fileURLToPath(url)));
    } catch (e) {
      throw new WpalLoadError(`cannot read ${url.href}: ${(e as Error).message}`);
    }
  }
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new WpalLoadError(`cannot fetch ${url.href}: ${(e as Error).message}`);
  }
  if (!res.ok) throw new WpalLoadError(`cannot fetch ${url.href}: HTTP ${res.status} ${res.statusText}`);
  return new Uint8Array(await res.arrayBuffer());
}

const compiled = new Map<string, Promise<WebAssembly.Module>>();

/** Compiles the kernel module once per source and caches it. */
export function compileKernels(source: WasmSource = defaultWasmUrl()): Promise<WebAssembly.Module> {
  if (!hasSimd()) {
    return Promise.reject(
      new WpalEngineError(
        'this JavaScript engine has no WebAssembly SIMD (simd128); wasm-palette needs it ' +
          '(Chrome/Edge 91+, Firefox 89+, Safari 16.4+, Node 16.4+)',
      ),
    );
  }
  if (source instanceof WebAssembly.Module) return Promise.resolve(source);
  const key = source instanceof URL ? source.href : typeof source === 'string' ? source : undefined;
  const cached = key ? compiled.get(key) : undefined;
  if (cached) return cached;
  const p = (async () => {
    const bytes =
      source instanceof URL ? await readUrl(source)
      : typeof source === 'string' ? await readUrl(new URL(source, isNode ? `file://${process.cwd()}/` : globalThis.location?.href))
      : source instanceof Uint8Array ? source
      : new Uint8Array(source);
    try {
      return await WebAssembly.compile(bytes as BufferSource);
    } catch (e) {
      throw new WpalEngineError(`the kernel module does not compile here: ${(e as Error).message}`);
    }
  })();
  if (key) {
    compiled.set(key, p);
    p.catch(() => compiled.delete(key));
  }
  return p;
}

/** The exports every kernel module has. Kernels are looked up by name from the kernel table. */
export interface KernelExports {
  memory: WebAssembly.Memory;
  heap_base(): number;
  /** 1 in a relaxed-SIMD build (older modules lack it: 0). */
  relaxed_simd_build?(): number;
  [kernel: string]: unknown;
}

/** An instance of the kernel module; `memory` is the shared memory a threaded build imports. */
export function instantiateKernels(module: WebAssembly.Module, memory?: WebAssembly.Memory): KernelExports {
  const instance = new WebAssembly.Instance(module, {
    env: {
      ...(memory ? { memory } : {}),
      // Only the debug build imports abort (asserts); a failed assert is a bug in wasm-palette.
      abort(_msg: number, _file: number, line: number, col: number): never {
        throw new WpalEngineError(`internal kernel assertion failed (line ${line}:${col}); please report this`);
      },
    },
  });
  return instance.exports as unknown as KernelExports;
}
