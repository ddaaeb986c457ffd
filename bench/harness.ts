/**
 * Bench harness: one instance of the release kernel module, a bump allocator over its memory,
 * and a timer built on Benchmark.js samples (median seconds per call).
 */
import Benchmark from 'benchmark';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export class BenchModule {
  readonly exports: Record<string, any>;
  readonly memory: WebAssembly.Memory;
  private top: number;
  private readonly base: number;

  constructor(build = 'simd') {
    const path = fileURLToPath(new URL(`../build/wpal.${build}.wasm`, import.meta.url));
    const inst = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(path)), { env: { abort() { throw new Error('abort'); } } });
    this.exports = inst.exports as Record<string, any>;
    this.memory = this.exports.memory;
    this.base = this.top = Number(this.exports.heap_base());
  }
  reset(): void {
    this.top = this.base;
  }
  alloc(bytes: number): number {
    const ptr = (this.top + 15) & ~15;
    this.top = ptr + bytes;
    const need = this.top - this.memory.buffer.byteLength;
    if (need > 0) this.memory.grow(Math.ceil(need / 65536));
    new Uint8Array(this.memory.buffer, ptr, bytes).fill(0); // regions are reused after reset()
    return ptr;
  }
  put(data: ArrayBufferView): number {
    const src = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const ptr = this.alloc(src.length);
    new Uint8Array(this.memory.buffer, ptr, src.length).set(src);
    return ptr;
  }
}

export interface Timing {
  medianMs: number;
  samples: number;
  rmePct: number;
}

/** Median time of `fn` over Benchmark.js samples (each sample runs fn many times). */
export function time(fn: () => void, maxTime = 0.6): Timing {
  const b = new Benchmark(fn, { maxTime, minSamples: 9, initCount: 1, minTime: 0.02 });
  b.run();
  if (b.error) throw b.error;
  const s = [...b.stats.sample].sort((x, y) => x - y);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { medianMs: median * 1e3, samples: s.length, rmePct: b.stats.rme };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
