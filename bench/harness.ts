/**
 * Bench harness: one instance of the release kernel module, a bump allocator over its memory,
 * and a timer built on Benchmark.js samples (median seconds per call).
 */
import Benchmark from 'benchmark';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InstanceMemory } from './module-memory.js';

/** The release (or debug) build of the kernel module, read from build/. */
export class BenchModule extends InstanceMemory {
  constructor(build = 'simd') {
    const path = fileURLToPath(new URL(`../build/wpal.${build}.wasm`, import.meta.url));
    super(new WebAssembly.Module(readFileSync(path)));
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

/** sqrt(sum (got - want)^2 / sum want^2). */
export function relRms(got: Float32Array, want: Float32Array): number {
  if (got.length !== want.length) return Infinity;
  let e = 0;
  let s = 0;
  for (let i = 0; i < want.length; i++) {
    e += (got[i] - want[i]) ** 2;
    s += want[i] ** 2;
  }
  return Math.sqrt(e / (s || 1));
}

/** max |got - want| / max |want| (Infinity on NaN or a length mismatch). */
export function maxRelDiff(got: Float32Array, want: Float32Array): number {
  if (got.length !== want.length) return Infinity;
  let scale = 0;
  let diff = 0;
  for (let i = 0; i < want.length; i++) {
    scale = Math.max(scale, Math.abs(want[i]));
    const d = Math.abs(got[i] - want[i]);
    diff = Number.isNaN(d) ? Infinity : Math.max(diff, d);
  }
  return diff / (scale || 1);
}
