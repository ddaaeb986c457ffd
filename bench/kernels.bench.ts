/**
 * Fully connected kernels against the dense f32 SIMD kernel, in the same run, on real layer
 * shapes (bench/shapes/fully-connected.json), batch 1 and 8. Each weight encoding is run by the
 * kernel the runtime would choose for it (chooseGemm), so this measures what users get.
 *
 * Weights are random (timing does not depend on values): random palette indices packed with the
 * project's bit packer, random masks with an exact kept fraction.
 */
import { readFileSync } from 'node:fs';
import { chooseGemm, type GemmNeed } from '../src/runtime/kernels.js';
import { packRows, packStream } from '../src/encode/bitpack.js';
import { blockGrid, packMask, maskBytes } from '../src/encode/blocksparse.js';
import { BenchModule, time } from './harness.js';

export interface Config {
  label: string;
  need: GemmNeed;
  /** Fraction of blocks dropped (block-sparse configs). */
  sparsity?: number;
}

export const CONFIGS: Config[] = [
  { label: 'dense f32', need: { act: 'f32', wenc: 'dense' } },
  { label: 'dense f16', need: { act: 'f32', wenc: 'f16' } },
  ...[8, 6, 4, 3, 2, 1].map((bits) => ({ label: `pal ${bits}-bit f32`, need: { act: 'f32', wenc: 'palettized', bits } as GemmNeed })),
  ...[8, 4, 2].map((bits) => ({ label: `pal ${bits}-bit int8`, need: { act: 'i8', wenc: 'palettized', bits } as GemmNeed })),
  ...([[1, 4], [4, 1], [4, 4], [8, 1], [16, 1]] as Array<[number, number]>).map(([r, c]) => ({
    label: `bs${r}x${c} 90% f32`,
    need: { act: 'f32', wenc: 'dense', sparse: [r, c] } as GemmNeed,
    sparsity: 0.9,
  })),
  { label: 'bs16x1 90% + pal 4-bit', need: { act: 'f32', wenc: 'palettized', bits: 4, sparse: [16, 1] }, sparsity: 0.9 },
  { label: 'bs4x4 90% + pal 4-bit', need: { act: 'f32', wenc: 'palettized', bits: 4, sparse: [4, 4] }, sparsity: 0.9 },
  { label: 'bs16x1 50% + pal 4-bit', need: { act: 'f32', wenc: 'palettized', bits: 4, sparse: [16, 1] }, sparsity: 0.5 },
];

export interface KernelResult {
  shape: string;
  n: number;
  k: number;
  batch: number;
  config: string;
  kernel: string;
  medianMs: number;
  /** dense f32 time / this time (> 1 = faster than dense) */
  speedup: number;
  /** Weight payload bytes the kernel reads (indices/values + masks + palettes). */
  weightBytes: number;
  weightGBs: number;
  rmePct: number;
  /**
   * int8 fast path only: relative RMS error of its outputs against the exact f32-palette path on
   * the same weights and inputs (the accuracy cost of quantizing activations to int8).
   */
  int8RelError?: number;
}

/** Runs the exact f32-palette kernel on an int8 config's weights; returns rel. RMS error of y. */
function int8Error(mod: BenchModule, cfg: Config, p: Prepared, m: number, n: number, k: number, x: number, y: number): number {
  const exact = chooseGemm({ act: 'f32', wenc: 'palettized', bits: cfg.need.bits, sparse: cfg.need.sparse }, 'simd')!;
  const yi8 = new Float32Array(mod.memory.buffer, y, m * n).slice();
  const slots = new Int32Array(mod.memory.buffer, p.params, 8).slice();
  // Allocate first, then write: a memory grow detaches earlier views.
  const pal = mod.put(Float32Array.from(p.i8Palette!, (v) => v / 127));
  slots[5] = mod.alloc(exact.scratchBytes?.(m, n, k) ?? 0);
  const params = mod.put(slots);
  const yEx = mod.alloc(m * n * 4);
  (mod.exports[exact.name] as (...a: number[]) => void)(m, n, k, x, p.w, pal, p.mask, 0, yEx, k * 4, n * 4, params);
  const ye = new Float32Array(mod.memory.buffer, yEx, m * n);
  let num = 0;
  let den = 0;
  for (let i = 0; i < m * n; i++) {
    num += (yi8[i] - ye[i]) ** 2;
    den += ye[i] ** 2;
  }
  return Math.sqrt(num / den);
}

/** Deterministic filler (xorshift) so every run times the same data. */
function filler(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

interface Prepared {
  /** int8 configs: the palette entries (scale 1/127), to rerun the exact path on the same weights. */
  i8Palette?: Int8Array;
  w: number;
  pal: number;
  mask: number;
  weightBytes: number;
  params: number;
}

function prepare(mod: BenchModule, cfg: Config, n: number, k: number, scratch: number): Prepared {
  const rnd = filler(n * 31 + k);
  const need = cfg.need;
  let w = 0;
  let pal = 0;
  let mask = 0;
  let weightBytes = 0;
  let i8Palette: Int8Array | undefined;
  let kept = n * k;
  let grid;
  if (need.sparse) {
    const [R, C] = need.sparse;
    grid = blockGrid(n, k, R, C);
    const flags = new Uint8Array(grid.gridRows * grid.gridCols).map(() => (rnd() >= (cfg.sparsity ?? 0) ? 1 : 0));
    const maskBytesArr = packMask(flags, grid);
    mask = mod.put(maskBytesArr);
    weightBytes += maskBytes(grid);
    kept = flags.reduce((a, b) => a + b, 0) * R * C;
  }
  if (need.wenc === 'palettized') {
    const bits = need.bits!;
    const idx = new Uint8Array(kept).map(() => Math.floor(rnd() * (1 << bits)));
    const packed = need.sparse ? packStream(idx, bits) : packRows(idx, n, k, bits);
    w = mod.put(packed);
    weightBytes += packed.length;
    const entries = 1 << bits;
    if (need.act === 'i8') {
      i8Palette = new Int8Array(entries).map(() => Math.round((rnd() * 2 - 1) * 127));
      pal = mod.put(i8Palette);
      weightBytes += entries;
    } else {
      pal = mod.put(new Float32Array(entries).map(() => rnd() * 2 - 1));
      weightBytes += entries * 4;
    }
  } else {
    const bytesPer = need.wenc === 'f16' ? 2 : 4;
    const vals = need.wenc === 'f16'
      ? new Uint16Array(kept).map(() => 0x3000 + Math.floor(rnd() * 0x800))
      : new Float32Array(kept).map(() => rnd() * 2 - 1);
    w = mod.put(vals);
    weightBytes += kept * bytesPer;
  }
  const palScale = need.act === 'i8' ? mod.put(new Float32Array([1 / 127])) : 0;
  const params = mod.alloc(32);
  const slots = new Int32Array(mod.memory.buffer, params, 8);
  slots[0] = need.bits ?? 0;
  slots[1] = n; // one palette for the tensor
  slots[2] = need.sparse?.[0] ?? 0;
  slots[3] = need.sparse?.[1] ?? 0;
  slots[5] = scratch;
  slots[6] = palScale;
  return { w, pal, mask, weightBytes, params, i8Palette };
}

export function runKernelBench(
  opts: { shapes?: string[]; batches?: number[]; maxTime?: number; log?: (s: string) => void; configs?: string[] } = {},
): KernelResult[] {
  const shapes: Array<{ name: string; n: number; k: number }> = JSON.parse(
    readFileSync(new URL('./shapes/fully-connected.json', import.meta.url), 'utf8'),
  ).shapes.filter((s: { name: string }) => !opts.shapes || opts.shapes.includes(s.name));
  const batches = opts.batches ?? [1, 8];
  const log = opts.log ?? (() => {});
  const results: KernelResult[] = [];
  const mod = new BenchModule('simd');
  for (const { name, n, k } of shapes) {
    for (const m of batches) {
      let denseMs = 0;
      for (const cfg of CONFIGS.filter((c) => !opts.configs || opts.configs.includes(c.label))) {
        const row = chooseGemm(cfg.need, 'simd');
        if (!row) {
          log(`  (no kernel for ${cfg.label})`);
          continue;
        }
        mod.reset();
        const x = mod.put(new Float32Array(m * k).map((_, i) => Math.sin(i)));
        const y = mod.alloc(m * n * 4);
        const scratch = mod.alloc(row.scratchBytes?.(m, n, k) ?? 0);
        const p = prepare(mod, cfg, n, k, scratch);
        const fn = mod.exports[row.name] as (...a: number[]) => void;
        const t = time(() => fn(m, n, k, x, p.w, p.pal, p.mask, 0, y, k * 4, n * 4, p.params), opts.maxTime);
        if (cfg.label === 'dense f32') denseMs = t.medianMs;
        const r: KernelResult = {
          shape: name, n, k, batch: m, config: cfg.label, kernel: row.name,
          medianMs: t.medianMs,
          speedup: denseMs / t.medianMs,
          weightBytes: p.weightBytes,
          weightGBs: p.weightBytes / (t.medianMs * 1e6),
          rmePct: t.rmePct,
        };
        if (cfg.need.act === 'i8') r.int8RelError = int8Error(mod, cfg, p, m, n, k, x, y);
        results.push(r);
        log(`  ${name} m=${m} ${cfg.label.padEnd(24)} ${t.medianMs.toFixed(3).padStart(8)} ms  x${r.speedup.toFixed(2)}  ${row.name}`);
      }
    }
  }
  return results;
}
