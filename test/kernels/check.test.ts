/**
 * f32_vfinite (the input check of Model.run): every row x both builds against the definition
 * (index of the first NaN / +-Infinity, else -1), on lengths around the 16-float block, with
 * the bad value at every position, several of them, and the finite extremes (max, subnormal, -0).
 */
import { describe, expect, it } from 'vitest';
import { CHECK_KERNELS } from '../../src/runtime/kernels/check.js';
import { BUILDS, KernelHarness } from '../util/wasm.js';
import { Rng } from '../util/rng.js';

const rows = CHECK_KERNELS;

/** The definition: the first i with x[i] not finite. */
const oracle = (x: Float32Array) => x.findIndex((v) => !Number.isFinite(v));

describe('f32_vfinite', () => {
  it('has a ref and a SIMD row', () => {
    expect(rows.map((r) => r.isa).sort()).toEqual(['ref', 'simd']);
  });
  for (const build of BUILDS) {
    for (const row of rows) {
      it(`${build} ${row.name}: the first non-finite index, or -1`, () => {
        const h = new KernelHarness(build);
        const fn = h.exports[row.name] as (n: number, x: number) => number;
        const rng = new Rng(17);
        const finite = [3.4028234663852886e38, -3.4028234663852886e38, 1e-45, -0, 0, 1];
        for (const n of [0, 1, 3, 4, 15, 16, 17, 31, 32, 33, 64, 65, 100, 257]) {
          for (let at = -1; at < n; at++) {
            for (const bad of [NaN, Infinity, -Infinity]) {
              h.reset();
              const x = rng.floats(n);
              for (let k = 0; k < n; k += 7) x[k] = finite[k % finite.length]!;
              if (at >= 0) {
                x[at] = bad;
                if (at + 5 < n) x[at + 5] = bad; // a later one does not matter
              }
              const ptr = h.put(x);
              expect(fn(n, ptr), `n ${n}, ${bad} at ${at}`).toBe(oracle(x));
              h.checkGuards();
              if (at < 0) break;
            }
          }
        }
        // A NaN with any payload, and a signalling NaN pattern.
        h.reset();
        const u = new Uint32Array([0x3f800000, 0x7f800001, 0xffc00000]);
        expect(fn(3, h.put(u))).toBe(1);
      });
    }
  }
});
