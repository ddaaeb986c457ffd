/**
 * The browser stand-in for bench/harness.ts (which reads the wasm with node:fs and times with
 * Benchmark.js): same exports, same meaning. bench/browser/run.ts swaps it in when it bundles
 * bench/kernels.bench.ts for the page, so the kernel bench logic is the Node bench's own.
 *
 * The kernel module must be compiled before use: `setBenchWasm(await WebAssembly.compile(...))`.
 * Timing: one sample = enough calls to take >= 20 ms (calibrated by doubling), samples until
 * maxTime has passed and at least 9 were taken; the result is the median time per call. The page
 * is cross-origin isolated, so performance.now() ticks every 5 us instead of 100 us.
 */
import { InstanceMemory } from '../module-memory.js';

let wasmModule: WebAssembly.Module | undefined;

export function setBenchWasm(m: WebAssembly.Module): void {
  wasmModule = m;
}

/** The kernel module given to setBenchWasm(). */
export class BenchModule extends InstanceMemory {
  constructor(_build = 'simd') {
    if (!wasmModule) throw new Error('setBenchWasm() first');
    super(wasmModule);
  }
}

export interface Timing {
  medianMs: number;
  samples: number;
  rmePct: number;
}

const MIN_SAMPLE_MS = 20;
const MIN_SAMPLES = 9;

export function time(fn: () => void, maxTime = 0.6): Timing {
  fn(); // warm-up (and tier-up of the calling JS)
  let count = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < count; i++) fn();
    const dt = performance.now() - t0;
    if (dt >= MIN_SAMPLE_MS || count >= 1 << 24) break;
    count *= dt < MIN_SAMPLE_MS / 8 ? 8 : 2;
  }
  const per: number[] = [];
  const end = performance.now() + maxTime * 1000;
  while (per.length < MIN_SAMPLES || performance.now() < end) {
    const t0 = performance.now();
    for (let i = 0; i < count; i++) fn();
    per.push((performance.now() - t0) / count);
  }
  const mean = per.reduce((a, b) => a + b, 0) / per.length;
  const sd = Math.sqrt(per.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, per.length - 1));
  return { medianMs: median(per), samples: per.length, rmePct: ((1.96 * sd) / Math.sqrt(per.length) / mean) * 100 };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
