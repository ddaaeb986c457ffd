/**
 * An int8 FullyConnected with many rows per example (a transformer's tokens) runs on the i8 conv2d
 * kernel as a 1x1 conv (src/runtime/ops/fully-connected.ts). Its outputs must be the same bits as the
 * gemm int8 kernels give for the same rows fed one per example (the route a single row takes), on the
 * SIMD and the reference kernels, split over 2 threads by rows and by channels.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelWriter, loadModel } from '../../src/index.js';
import { encodeDense, encodePalettized } from '../../src/encode/palette.js';
import { int8FcRoute } from '../../src/runtime/ops/fully-connected.js';

const CONV_ROUTE_ROWS = int8FcRoute.minRows;
import { splitTuning } from '../../src/runtime/ops/parallel.js';
import { Rng } from '../util/rng.js';

interface Case { rows: number; k: number; n: number; bits: number; groupRows: number }
const CASES: Case[] = [
  { rows: CONV_ROUTE_ROWS, k: 64, n: 48, bits: 4, groupRows: 0 },
  { rows: 33, k: 203, n: 97, bits: 4, groupRows: 32 },
  { rows: 20, k: 96, n: 40, bits: 2, groupRows: 8 },
  { rows: 17, k: 80, n: 24, bits: 8, groupRows: 0 },
  { rows: 24, k: 48, n: 16, bits: 1, groupRows: 0 },
];

function fc(c: Case, rowsPerExample: number): Uint8Array {
  const rng = new Rng(c.k * 31 + c.bits);
  const w = new ModelWriter({ name: 'int8-fc' });
  const x = w.input('x', rowsPerExample === 1 ? [c.k] : [rowsPerExample, c.k]);
  const W = w.weight('w', [c.n, c.k], encodePalettized(rng.floats(c.n * c.k), c.n, c.k, { bits: c.bits, groupRows: c.groupRows, entryType: 'int8', seed: 3 }));
  const b = w.weight('b', [c.n], encodeDense(rng.floats(c.n, -0.1, 0.1)));
  w.output(w.op('FullyConnected', [x, W, b], { attrs: { int8: 1 }, output: 'y' }));
  return w.finish();
}

const bitsOf = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe('int8 FullyConnected with many rows per example', () => {
  const saved = { ...splitTuning };
  beforeAll(() => { splitTuning.work = 0; });
  afterAll(() => { Object.assign(splitTuning, saved); });
  for (const c of CASES) {
    it(`${c.rows} rows, K ${c.k}, n ${c.n}, ${c.bits}-bit${c.groupRows ? `, palettes of ${c.groupRows} rows` : ''}: the conv kernel gives the gemm kernel's bits`, async () => {
      const xs = new Rng(9).floats(2 * c.rows * c.k);
      for (const kernels of ['simd', 'ref'] as const) {
        const perRow = await loadModel(fc(c, 1), { kernels });
        expect(perRow.kernelPlan()[0]!.kernel).toMatch(/^i8_gemm_/);
        const want = perRow.run({ x: xs }).y!.data as Float32Array; // 2 * rows examples of one row each
        perRow.dispose();
        for (const [threads, axis] of [[1, 'auto'], [2, 'rows'], [2, 'channels']] as const) {
          splitTuning.axis = axis;
          const m = await loadModel(fc(c, c.rows), { kernels, threads });
          expect(m.kernelPlan()[0]!.kernel).toBe(kernels === 'ref' ? 'i8_conv2d_p8i8__ref' : 'i8_conv2d_p8i8_4x8__simd');
          const got = m.run({ x: xs }).y!.data as Float32Array; // 2 examples of `rows` rows
          expect(bitsOf(got).equals(bitsOf(want)), `${kernels} kernels, ${threads} thread(s) split by ${axis}`).toBe(true);
          m.dispose();
        }
        splitTuning.axis = 'auto';
      }
    });
  }

  it(`fewer than ${CONV_ROUTE_ROWS} rows per example stay on the gemm kernels`, async () => {
    const m = await loadModel(fc({ rows: CONV_ROUTE_ROWS - 1, k: 64, n: 48, bits: 4, groupRows: 0 }, CONV_ROUTE_ROWS - 1));
    expect(m.kernelPlan()[0]!.kernel).toMatch(/^i8_gemm_/);
    m.dispose();
  });
});
