import { describe, expect, it } from 'vitest';
import { kmeans1d, nearestIndices } from '../../src/encode/kmeans.js';
import { Rng, withSeed } from '../util/rng.js';

function normals(seed: number, n: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.normal());
}

/** Max |v - nearest centroid| must not exceed half the largest gap, for values inside the centroid range. */
function checkQuantization(values: Float32Array, c: Float64Array): void {
  let maxGap = 0;
  for (let j = 1; j < c.length; j++) maxGap = Math.max(maxGap, c[j] - c[j - 1]);
  const idx = nearestIndices(values, c);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const err = Math.abs(v - c[idx[i]]);
    for (const e of c) expect(err).toBeLessThanOrEqual(Math.abs(v - e) + 1e-12); // nearest
    if (v >= c[0] && v <= c[c.length - 1]) expect(err).toBeLessThanOrEqual(maxGap / 2 + 1e-12);
  }
}

describe('kmeans1d', () => {
  it('is deterministic for a seed, sorted, and nearest-assigned', () => {
    withSeed(11, () => {
      const v = normals(11, 5000);
      const a = kmeans1d(v, 16, { seed: 3 });
      const b = kmeans1d(v, 16, { seed: 3 });
      expect(a).toEqual(b);
      expect([...a]).toEqual([...a].sort((x, y) => x - y));
      checkQuantization(v.subarray(0, 500), a);
    });
  });
  it('finds exact centroids when there are at most k distinct values', () => {
    const v = Float32Array.from([3, 1, 1, 2, 3, 3, 2]);
    expect([...kmeans1d(v, 4)]).toEqual([1, 2, 3, 3]);
    expect([...kmeans1d(v, 3)]).toEqual([1, 2, 3]);
    expect([...kmeans1d(new Float32Array(0), 2)]).toEqual([0, 0]);
  });
  it('converges to the known 2-cluster split', () => {
    const v = Float32Array.from([0, 0.1, 0.2, 10, 10.1, 10.2]);
    const c = kmeans1d(v, 2);
    expect(c[0]).toBeCloseTo(0.1, 6);
    expect(c[1]).toBeCloseTo(10.1, 6);
  });
  it('beats a uniform grid on normal data (MSE)', () => {
    const v = normals(12, 20000);
    const k = 8;
    const c = kmeans1d(v, k, { seed: 1 });
    let min = Infinity;
    let max = -Infinity;
    for (const x of v) (min = Math.min(min, x)), (max = Math.max(max, x));
    const grid = Float64Array.from({ length: k }, (_, j) => min + ((j + 0.5) * (max - min)) / k);
    const mse = (cs: Float64Array) => {
      const idx = nearestIndices(v, cs);
      let s = 0;
      for (let i = 0; i < v.length; i++) s += (v[i] - cs[idx[i]]) ** 2;
      return s / v.length;
    };
    expect(mse(c)).toBeLessThan(mse(grid) * 0.8);
  });
  it('handles a 4096 x 4096 tensor (histogram path; its time is printed, not asserted: timings belong in the bench)', () => {
    const n = 4096 * 4096;
    const v = new Float32Array(n);
    const rng = new Rng(13);
    for (let i = 0; i < n; i++) v[i] = rng.next() - 0.5;
    const t0 = performance.now();
    const c = kmeans1d(v, 16, { seed: 1 });
    console.log(`kmeans1d on 4096 x 4096 values: ${Math.round(performance.now() - t0)} ms`);
    // Uniform data: optimal 16-level centroids are the cell midpoints.
    for (let j = 0; j < 16; j++) expect(c[j]).toBeCloseTo(-0.5 + (j + 0.5) / 16, 2);
    checkQuantization(v.subarray(0, 2000), c);
  });
  it('rejects non-finite values', () => {
    expect(() => kmeans1d(Float32Array.from([1, NaN]), 2)).toThrow(RangeError);
  });
});
