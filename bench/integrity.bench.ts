/**
 * Integrity costs, reported, not asserted (issue targets: checksum > 5 GB/s and < 5% of load time
 * on a 100 MB file and on the 4 KB published LeNet-5; the non-finite input check < 1% of a
 * LeNet-5 run):
 *   - XXH64 throughput: ours (src/format/checksum.ts) and hash-wasm's, 100 MB and 4 KB;
 *   - loadModel with and without checksum verification (bytes in memory, and a path);
 *   - run() with and without the non-finite input check.
 *
 *   npm run bench -- --integrity
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createXXHash64 } from 'hash-wasm';
import { xxh64 } from '../src/format/checksum.js';
import { ModelWriter } from '../src/format/write.js';
import { encodeDense } from '../src/encode/palette.js';
import { loadModel, type LoadOptions } from '../src/runtime/load.js';
import { buildLeNet5 } from '../src/models/lenet.js';
import { BenchModule, median, time } from './harness.js';
import { fileChecksum } from '../src/format/integrity.js';
import { peekHeader } from '../src/format/verify-structure.js';

export interface IntegrityReport {
  hash: Array<{ impl: string; bytes: number; ms: number; gbPerS: number }>;
  /** costPct = the file checksum's own time (as readModel computes it) / the load time with verification. */
  load: Array<{ file: string; bytes: number; source: 'bytes' | 'path'; msVerified: number; msUnverified: number; msChecksum: number; costPct: number }>;
  /** costPct = the check kernel's own time on the batch's inputs / the run time with the check. */
  finiteCheck: Array<{ model: string; batch: number; msChecked: number; msUnchecked: number; msCheck: number; costPct: number }>;
}

/** A dense model of about `mb` MB: one fully connected layer of float32 weights. */
function denseFile(mb: number): Uint8Array {
  const n = Math.round(Math.sqrt((mb * 1e6) / 4));
  const w = new ModelWriter({ name: `dense-${mb}mb` });
  const x = w.input('input', [n]);
  const values = new Float32Array(n * n);
  for (let i = 0; i < values.length; i++) values[i] = ((i * 2654435761) % 1000) / 1000 - 0.5;
  w.output(w.op('FullyConnected', [x, w.weight('fc.weight', [n, n], encodeDense(values))], { output: 'y' }));
  return w.finish();
}

async function loadMs(source: Uint8Array | string, options: LoadOptions, reps: number): Promise<number> {
  const t: number[] = [];
  for (let k = 0; k < reps + 2; k++) {
    const t0 = performance.now();
    const m = await loadModel(source, options);
    const dt = performance.now() - t0;
    m.dispose();
    if (k >= 2) t.push(dt); // two warm-up loads
  }
  return median(t);
}

export async function runIntegrityBench(opts: { quick?: boolean; log: (s: string) => void }): Promise<IntegrityReport> {
  const log = opts.log;
  const report: IntegrityReport = { hash: [], load: [], finiteCheck: [] };
  const big = denseFile(opts.quick ? 20 : 100);
  const published = new Uint8Array(readFileSync(new URL('../models/lenet5-mnist-400x.wpal', import.meta.url)));

  // --- hash throughput
  const hw = await createXXHash64();
  for (const [what, data] of [['100 MB', big], ['4 KB', published]] as const) {
    const ours = time(() => void xxh64([data]), opts.quick ? 0.3 : 1).medianMs;
    const theirs = time(() => {
      hw.init();
      hw.update(data);
      hw.digest('binary');
    }, opts.quick ? 0.3 : 1).medianMs;
    for (const [impl, ms] of [['ours (wasm, src/format/checksum.ts)', ours], ['hash-wasm 4.13 xxhash64', theirs]] as const) {
      report.hash.push({ impl, bytes: data.length, ms, gbPerS: data.length / ms / 1e6 });
      log(`XXH64 ${what.padEnd(6)} ${impl.padEnd(36)} ${ms.toFixed(4).padStart(9)} ms  ${(data.length / ms / 1e6).toFixed(2)} GB/s`);
    }
  }

  // --- load time, with and without checksum verification
  const dir = mkdtempSync(join(tmpdir(), 'wpal-bench-'));
  try {
    const bigPath = join(dir, 'big.wpal');
    writeFileSync(bigPath, big);
    const cases: Array<[string, Uint8Array | string, number, 'bytes' | 'path']> = [
      [`dense ${(big.length / 1e6).toFixed(0)} MB`, big, opts.quick ? 3 : 9, 'bytes'],
      [`dense ${(big.length / 1e6).toFixed(0)} MB`, bigPath, opts.quick ? 3 : 9, 'path'],
      ['published LeNet-5', published, opts.quick ? 50 : 300, 'bytes'],
    ];
    for (const [file, source, reps, kind] of cases) {
      // alternate so that drift on this shared VM hits both alike
      const on: number[] = [];
      const off: number[] = [];
      for (let round = 0; round < 3; round++) {
        on.push(await loadMs(source, {}, reps));
        off.push(await loadMs(source, { verifyChecksums: false }, reps));
      }
      const msVerified = median(on);
      const msUnverified = median(off);
      // The difference of two loads is within this VM's noise; the checksum's own time is not.
      const bytes = typeof source === 'string' ? big : source;
      const at = peekHeader(bytes).checksum!.offset;
      const msChecksum = time(() => void fileChecksum(bytes, at), opts.quick ? 0.3 : 1).medianMs;
      const costPct = (msChecksum / msVerified) * 100;
      report.load.push({ file, bytes: bytes.length, source: kind, msVerified, msUnverified, msChecksum, costPct });
      log(
        `load ${file} from ${kind.padEnd(5)}: ${msVerified.toFixed(3)} ms verified, ${msUnverified.toFixed(3)} ms without; ` +
          `the checksum itself ${msChecksum.toFixed(4)} ms = ${costPct.toFixed(2)}% of load`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // --- the non-finite input check
  const kernels = new BenchModule('simd');
  const full = buildLeNet5({ weights: { seed: 1 } }).bytes;
  for (const [name, bytes] of [['published LeNet-5 (5,10,32)', published], ['LeNet-5 (20,50,500)', full]] as const) {
    const model = await loadModel(bytes);
    for (const batch of [1, 64]) {
      const x = new Float32Array(784 * batch).map((_, i) => (i % 17) / 17);
      const msChecked = time(() => void model.run({ input: x }), opts.quick ? 0.3 : 1).medianMs;
      const msUnchecked = time(() => void model.run({ input: x }, { allowNonFinite: true }), opts.quick ? 0.3 : 1).medianMs;
      // As for the checksum: the check kernel's own time, on the same number of floats.
      kernels.reset();
      const ptr = kernels.put(x);
      const check = kernels.exports['f32_vfinite__simd'] as (n: number, p: number) => number;
      const msCheck = time(() => void check(x.length, ptr), opts.quick ? 0.3 : 1).medianMs;
      const costPct = (msCheck / msChecked) * 100;
      report.finiteCheck.push({ model: name, batch, msChecked, msUnchecked, msCheck, costPct });
      log(
        `run ${name} batch ${batch}: ${msChecked.toFixed(4)} ms checked, ${msUnchecked.toFixed(4)} ms unchecked; ` +
          `the check itself ${(msCheck * 1000).toFixed(3)} us = ${costPct.toFixed(2)}% of the run`,
      );
    }
    model.dispose();
  }
  return report;
}
