/**
 * Deterministic 1-D k-means (Lloyd with k-means++ init) for weight clustering.
 *
 * 1-D makes it cheap: the values are summarized once as sorted (position, weight) points (the
 * distinct values for small inputs, a 65536-bin histogram of bin means for large ones), so every
 * Lloyd step is a binary search per centroid over prefix sums (O(k log m)) instead of a pass over
 * the data. Large inputs then get exact Lloyd passes over the real values (O(n log k) each) so the
 * result does not depend on the bin width. A 4096 x 4096 tensor takes about a second.
 */

/** mulberry32: a small seeded PRNG (no Math.random anywhere in the encoders). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    let t = (state = (state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface KMeansOptions {
  /** Seed of the k-means++ draws (default 1). */
  seed?: number;
  /** Lloyd iterations at most, per start (default 100). */
  iters?: number;
  /**
   * Importance of each value (>= 0, same length as the values): minimizes sum w_i (v_i - c)^2
   * instead of the plain squared error (sensitivity-weighted k-means, as coremltools' SKM and
   * SqueezeLLM do). Default: all 1.
   */
  weights?: ArrayLike<number>;
}

const EXACT_LIMIT = 65536;
const BINS = 65536;

/** Sorted (position, weight) summary of the values. */
function summarize(values: ArrayLike<number>, weights?: ArrayLike<number>): { pos: Float64Array; wt: Float64Array } {
  const n = values.length;
  const w = (i: number) => (weights ? weights[i] : 1);
  if (weights) {
    if (weights.length !== n) throw new RangeError(`kmeans1d: ${weights.length} weights for ${n} values`);
    for (let i = 0; i < n; i++) if (!(weights[i] >= 0 && Number.isFinite(weights[i]))) throw new RangeError(`kmeans1d: weight ${weights[i]} at ${i} is not finite and >= 0`);
  }
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) throw new RangeError(`kmeans1d: value ${v} at ${i} is not finite`);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (n <= EXACT_LIMIT || min === max) {
    const pos: number[] = [];
    const wt: number[] = [];
    if (!weights) {
      // Unweighted: a typed-array sort (native, numeric), then run lengths as counts.
      const sorted = Float64Array.from(values).sort();
      for (let i = 0; i < n; i++) {
        if (pos.length && sorted[i] === pos[pos.length - 1]) wt[wt.length - 1]++;
        else pos.push(sorted[i]), wt.push(1);
      }
      return { pos: Float64Array.from(pos), wt: Float64Array.from(wt) };
    }
    const order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
    for (const i of order) {
      if (pos.length && values[i] === pos[pos.length - 1]) wt[wt.length - 1] += w(i);
      else pos.push(values[i]), wt.push(w(i));
    }
    return dropWeightless(Float64Array.from(pos), Float64Array.from(wt));
  }
  const sum = new Float64Array(BINS);
  const cnt = new Float64Array(BINS);
  const scale = BINS / (max - min);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    const b = Math.min(BINS - 1, Math.floor((v - min) * scale));
    const wi = weights ? weights[i] : 1;
    sum[b] += wi * v;
    cnt[b] += wi;
  }
  let m = 0;
  for (let b = 0; b < BINS; b++) if (cnt[b] > 0) m++;
  const pos = new Float64Array(m);
  const wt = new Float64Array(m);
  for (let b = 0, j = 0; b < BINS; b++) if (cnt[b] > 0) (pos[j] = sum[b] / cnt[b]), (wt[j++] = cnt[b]);
  return { pos, wt };
}

/** Values of weight 0 do not pull centroids; all-zero weights fall back to plain counts. */
function dropWeightless(pos: Float64Array, wt: Float64Array): { pos: Float64Array; wt: Float64Array } {
  const keep = Array.from(wt, (x) => x > 0);
  const m = keep.filter(Boolean).length;
  if (m === pos.length) return { pos, wt };
  if (m === 0) return { pos, wt: wt.map(() => 1) };
  return { pos: pos.filter((_, i) => keep[i]), wt: wt.filter((_, i) => keep[i]) };
}

/** First index i with pos[i] > x (pos sorted ascending). */
function upperBound(pos: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = pos.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (pos[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Weighted k-means++ seeding: each new centroid drawn with probability ~ weight x squared distance. */
function seedCentroids(pos: Float64Array, wt: Float64Array, k: number, rand: () => number): Float64Array {
  const m = pos.length;
  const c = new Float64Array(k);
  const d2 = new Float64Array(m);
  const draw = (p: Float64Array) => {
    let total = 0;
    for (let i = 0; i < m; i++) total += p[i];
    let r = rand() * total;
    for (let i = 0; i < m; i++) if ((r -= p[i]) < 0) return i;
    return m - 1;
  };
  c[0] = pos[draw(wt)];
  for (let i = 0; i < m; i++) d2[i] = wt[i] * (pos[i] - c[0]) ** 2;
  for (let j = 1; j < k; j++) {
    c[j] = pos[draw(d2)];
    for (let i = 0; i < m; i++) d2[i] = Math.min(d2[i], wt[i] * (pos[i] - c[j]) ** 2);
  }
  return c.sort();
}

/** Lloyd steps on the summary; centroids stay sorted. */
function lloyd(pos: Float64Array, wt: Float64Array, c: Float64Array, iters: number): void {
  const m = pos.length;
  const W = new Float64Array(m + 1);
  const S = new Float64Array(m + 1);
  for (let i = 0; i < m; i++) (W[i + 1] = W[i] + wt[i]), (S[i + 1] = S[i] + wt[i] * pos[i]);
  const k = c.length;
  for (let it = 0; it < iters; it++) {
    let moved = false;
    let lo = 0;
    const next = new Float64Array(k);
    for (let j = 0; j < k; j++) {
      const hi = j === k - 1 ? m : upperBound(pos, (c[j] + c[j + 1]) / 2);
      const w = W[hi] - W[lo];
      next[j] = w > 0 ? (S[hi] - S[lo]) / w : c[j];
      if (next[j] !== c[j]) moved = true;
      lo = Math.max(lo, hi);
    }
    c.set(next.sort());
    if (!moved) break;
  }
}

/** Centroids at the weighted (j + 0.5) / k quantiles. */
function quantileCentroids(pos: Float64Array, wt: Float64Array, k: number): Float64Array {
  let total = 0;
  for (const w of wt) total += w;
  const c = new Float64Array(k);
  let acc = 0;
  let i = 0;
  for (let j = 0; j < k; j++) {
    const target = ((j + 0.5) / k) * total;
    while (i < pos.length - 1 && acc + wt[i] < target) acc += wt[i++];
    c[j] = pos[i];
  }
  return c;
}

/** Weighted squared error of the summary against sorted centroids. */
function sse(pos: Float64Array, wt: Float64Array, c: Float64Array): number {
  const idx = nearestIndices(pos, c);
  let s = 0;
  for (let i = 0; i < pos.length; i++) s += wt[i] * (pos[i] - c[idx[i]]) ** 2;
  return s;
}

/** Lloyd steps over the real values (used after clustering a histogram). */
function refine(values: ArrayLike<number>, c: Float64Array, passes: number, weights?: ArrayLike<number>): void {
  const k = c.length;
  const mids = new Float64Array(k - 1);
  for (let p = 0; p < passes; p++) {
    for (let j = 0; j < k - 1; j++) mids[j] = (c[j] + c[j + 1]) / 2;
    const sum = new Float64Array(k);
    const cnt = new Float64Array(k);
    for (let i = 0; i < values.length; i++) {
      const j = upperBound(mids, values[i]);
      const w = weights ? weights[i] : 1;
      sum[j] += w * values[i];
      cnt[j] += w;
    }
    for (let j = 0; j < k; j++) if (cnt[j] > 0) c[j] = sum[j] / cnt[j];
    c.sort();
  }
}

/**
 * Clusters `values` into `k` centroids; returns them sorted ascending (length k; when there are
 * fewer than k distinct values some centroids repeat). Deterministic for a given seed.
 */
export function kmeans1d(values: ArrayLike<number>, k: number, opts: KMeansOptions = {}): Float64Array {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`kmeans1d: k must be a positive integer, got ${k}`);
  const { seed = 1, iters = 100 } = opts;
  if (values.length === 0) return new Float64Array(k);
  const { pos, wt } = summarize(values, opts.weights);
  let c: Float64Array;
  if (pos.length <= k) {
    c = new Float64Array(k).fill(pos[pos.length - 1]);
    c.set(pos);
    c.sort();
  } else {
    // Two starts, both deterministic: k-means++ and weighted quantiles (Lloyd converges slowly
    // from random seeds on flat densities); keep the one with the lower squared error.
    const a = seedCentroids(pos, wt, k, seededRandom(seed));
    lloyd(pos, wt, a, iters);
    const b = quantileCentroids(pos, wt, k);
    lloyd(pos, wt, b, iters);
    c = sse(pos, wt, b) < sse(pos, wt, a) ? b : a;
  }
  if (values.length > EXACT_LIMIT) refine(values, c, 2, opts.weights);
  return c;
}

/** Index of the nearest of the sorted `entries` (length k) for each value. */
export function nearestIndices(values: ArrayLike<number>, entries: ArrayLike<number>): Uint8Array {
  const k = entries.length;
  const mids = new Float64Array(Math.max(0, k - 1));
  for (let j = 0; j < k - 1; j++) mids[j] = (entries[j] + entries[j + 1]) / 2;
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = upperBound(mids, values[i]);
  return out;
}
