/**
 * DKM (differentiable k-means, Cho et al. 2021) as an op of the training engine's tape.
 *
 * Per palette group (a range of `groupRows` output rows of the [rows, cols] view of the weight, or
 * the whole tensor), with the kept weights w_i (mask m_i = 1; pruned weights are excluded from the
 * clustering and come out as exactly 0) and 2^bits centroids c:
 *
 *   A_ij = softmax_j(-|w_i - c_j| / tau)                       (attention over centroids)
 *   c_j <- sum_i m_i A_ij w_i / sum_i m_i A_ij                 (`iters` refinements, T)
 *   w~_i = m_i sum_j A_ij c_j                                  (A recomputed from the refined c)
 *
 * The layer uses w~ in place of w, so the task loss trains the weights and, through them, the
 * centroids. The centroids are state carried from step to step (warm start: a step begins from the
 * previous step's refined centroids), initialized by k-means++ / Lloyd (`kmeans1d`).
 *
 * Temperature: tau = `tau` (a factor, default 0.05) x std of the group's kept weights. The std is
 * measured by the first refinement of every forward (the kernel sums m w and m w^2) and used from the
 * next step on; it is treated as a constant (no gradient flows through it).
 *
 * Gradient: exact through the attention of the output (w~ depends on w directly and through c^T),
 * and through the LAST refinement c^T = f(w, c^{T-1}), with c^{T-1} held constant. With the
 * default iters = 1, c^0 is state (not a function of w), so the gradient is the exact gradient of
 * the forward; with iters > 1 the earlier refinements are treated as constants. Why: backpropagating
 * through every refinement needs A of every iteration (weights x centroids x iterations floats, 25.6
 * MB per iteration for LeNet-5's fc1 at 4 bits) or a recomputation per iteration; with warm-started
 * centroids the earlier refinements move c very little, and the last one carries the coupling of
 * the centroids to the weights. Nothing of size weights x centroids is ever stored: the backward
 * pass recomputes A from (w, c) in two fused passes (kernels f32_dkmgrad, f32_dkmitergrad), so the
 * extra memory per DKM layer and step is w~ and its gradient (2 x 4 bytes per weight).
 *
 * Export: `hardAssign` maps every kept weight to its nearest centroid (pruned weights to 0), so a
 * palette group holds at most 2^bits distinct values and the .wpal writer's k-means reproduces them.
 */
import { kmeans1d } from '../../encode/kmeans.js';
import type { Engine, Tensor } from '../engine/tensor.js';
import { dkmKernels } from './kernels.js';

export interface DkmOptions {
  /** Index bits, 1..8 (2^bits centroids per palette). */
  bits: number;
  /** Output rows per palette (0 / absent = one palette for the tensor); the .wpal palette groupRows. */
  groupRows?: number;
  /** Temperature factor: tau = factor x std of the group's kept weights (default 0.05). */
  tau?: number;
  /** Centroid refinements per forward pass (default 1; 0 = centroids fixed within a step). */
  iters?: number;
  /** Seed of the k-means++ initialization (default 1). */
  seed?: number;
}

/** Relative mass under which a centroid is treated as empty (kept where it is, no gradient). */
const EMPTY = 1e-12;

/** Centroids, temperatures and the pruning mask of one DKM-wrapped weight. */
export class DkmState {
  readonly k: number;
  readonly rows: number;
  readonly cols: number;
  readonly groupRows: number;
  readonly groups: number;
  readonly tauFactor: number;
  readonly iters: number;
  /** [groups][k] centroids (refined by every forward pass). */
  readonly centroids: Float64Array;
  /** Absolute temperature per group. */
  readonly tau: Float64Array;
  /** f32 [size] 0 / 1 mask in the module's persistent memory (from a BlockPruner), or 0 = all kept. */
  mask = 0;

  constructor(e: Engine, readonly weight: Tensor, opts: DkmOptions, mask = 0) {
    const { bits, groupRows = 0, tau = 0.05, iters = 1, seed = 1 } = opts;
    if (!(Number.isInteger(bits) && bits >= 1 && bits <= 8)) throw new RangeError(`dkm ${weight.name}: bits must be 1..8, got ${bits}`);
    if (!(tau > 0)) throw new RangeError(`dkm ${weight.name}: tau must be > 0, got ${tau}`);
    if (!(Number.isInteger(iters) && iters >= 0)) throw new RangeError(`dkm ${weight.name}: iters must be an integer >= 0, got ${iters}`);
    this.k = 1 << bits;
    this.rows = weight.shape[0];
    this.cols = weight.size / this.rows;
    this.groupRows = groupRows > 0 ? Math.min(groupRows, this.rows) : this.rows;
    this.groups = Math.ceil(this.rows / this.groupRows);
    this.tauFactor = tau;
    this.iters = iters;
    this.mask = mask;
    this.centroids = new Float64Array(this.groups * this.k);
    this.tau = new Float64Array(this.groups);
    this.init(e, seed);
  }

  /** First element and count of group g. */
  span(g: number): [number, number] {
    const r0 = g * this.groupRows;
    return [r0 * this.cols, (Math.min(this.rows, r0 + this.groupRows) - r0) * this.cols];
  }

  /** The kept values of group g (a copy). */
  keptValues(e: Engine, g: number): Float32Array {
    const [o, n] = this.span(g);
    const f = e.mod.f32;
    const w = f.subarray((this.weight.ptr >> 2) + o, (this.weight.ptr >> 2) + o + n);
    if (!this.mask) return Float32Array.from(w);
    const m = f.subarray((this.mask >> 2) + o, (this.mask >> 2) + o + n);
    const out: number[] = [];
    for (let i = 0; i < n; i++) if (m[i] !== 0) out.push(w[i]);
    return Float32Array.from(out);
  }

  /** k-means++ / Lloyd centroids and tau from the current (kept) weights. */
  init(e: Engine, seed = 1): void {
    for (let g = 0; g < this.groups; g++) {
      const v = this.keptValues(e, g);
      this.centroids.set(kmeans1d(v, this.k, { seed: (seed + Math.imul(g, 0x9e3779b1)) >>> 0 }), g * this.k);
      let s = 0, s2 = 0;
      for (let i = 0; i < v.length; i++) (s += v[i]), (s2 += v[i] * v[i]);
      this.setTau(g, v.length, s, s2);
    }
  }

  /** tau of group g from the count, sum and sum of squares of its kept weights (kept when empty). */
  setTau(g: number, n: number, s: number, s2: number): void {
    if (!(n > 0)) {
      if (!(this.tau[g] > 0)) this.tau[g] = this.tauFactor;
      return;
    }
    const mean = s / n;
    const std = Math.sqrt(Math.max(0, s2 / n - mean * mean));
    this.tau[g] = this.tauFactor * (std > 0 ? std : Math.abs(mean) || 1);
  }
}

function f64View(e: Engine, ptr: number, n: number): Float64Array {
  return new Float64Array(e.mod.memory.buffer, ptr, n);
}

/**
 * Refines the centroids of every group from the current weights (`iters` times, default the
 * state's) and returns, per group, c^{T-1} (f32, the centroids the last refinement started from),
 * c^T (f32) and the masses D_j = sum_i m_i A_ij of the last refinement (f64).
 */
function refine(e: Engine, w: Tensor, st: DkmState, iters: number, cPrev: number, cLast: number, mass: Float64Array, scratch: number): void {
  const mod = e.mod;
  const K = dkmKernels(mod);
  const k = st.k;
  const sums = mod.alloc((2 * k + 2) * 8);
  for (let g = 0; g < st.groups; g++) {
    const [o, n] = st.span(g);
    const c = st.centroids.subarray(g * k, g * k + k);
    const cp = (cPrev >> 2) + g * k, cl = (cLast >> 2) + g * k;
    mod.f32.set(c, cl);
    for (let t = 0; t < iters; t++) {
      const f = mod.f32;
      f.copyWithin(cp, cl, cl + k);
      const s = f64View(e, sums, 2 * k + 2);
      s.fill(0);
      const p = mod.slots();
      mod.f32[p] = 1 / st.tau[g];
      K.dkm(n, w.ptr + o * 4, st.mask ? st.mask + o * 4 : 0, cPrev + g * k * 4, k, 0, sums, scratch, mod.params);
      const r = f64View(e, sums, 2 * k + 2);
      let total = 0;
      for (let j = 0; j < k; j++) total += r[j];
      for (let j = 0; j < k; j++) {
        mass[g * k + j] = r[j];
        if (r[j] > EMPTY * total) c[j] = r[k + j] / r[j];
      }
      mod.f32.set(c, cl);
      if (t === 0) st.setTau(g, total, r[2 * k], r[2 * k + 1]);
    }
    // the stored centroids are the f32 values the kernels used
    for (let j = 0; j < k; j++) c[j] = mod.f32[cl + j];
  }
}

/**
 * w~ = DKM(w) (see the header): an arena tensor of w's shape used in place of w. Refines `st`'s
 * centroids (and, from the first refinement's statistics, its temperatures for the next call).
 */
export function dkm(e: Engine, w: Tensor, st: DkmState): Tensor {
  if (st.weight !== w) throw new Error(`dkm: state belongs to ${st.weight.name}, not ${w.name}`);
  const mod = e.mod;
  const K = dkmKernels(mod);
  const k = st.k, T = st.iters, G = st.groups;
  const scratch = mod.alloc(48 * k);
  const cPrev = mod.alloc(G * k * 4), cLast = mod.alloc(G * k * 4);
  const mass = new Float64Array(G * k);
  const invTau = Float64Array.from(st.tau, (t) => 1 / t);
  refine(e, w, st, T, cPrev, cLast, mass, scratch);
  const y = e.tensor(w.shape, w.requiresGrad);
  for (let g = 0; g < G; g++) {
    const [o, n] = st.span(g);
    const p = mod.slots();
    mod.f32[p] = invTau[g];
    K.dkm(n, w.ptr + o * 4, st.mask ? st.mask + o * 4 : 0, cLast + g * k * 4, k, y.ptr + o * 4, 0, scratch, mod.params);
  }
  const mask = st.mask;
  e.record(y, () => {
    if (!w.requiresGrad) return;
    const acc = e.accum(w);
    const dw = e.gradPtr(w);
    const gsum = mod.alloc(k * 8), coef = mod.alloc(2 * k * 4);
    for (let g = 0; g < G; g++) {
      const [o, n] = st.span(g);
      const mk = mask ? mask + o * 4 : 0;
      f64View(e, gsum, k).fill(0);
      let p = mod.slots();
      mod.f32[p] = invTau[g];
      mod.i32[p + 1] = acc;
      K.dkmgrad(n, w.ptr + o * 4, mk, cLast + g * k * 4, k, y.ptr + o * 4, y.root.grad + o * 4, dw + o * 4, gsum, scratch, mod.params);
      if (T === 0) continue;
      const G64 = f64View(e, gsum, k);
      let total = 0;
      for (let j = 0; j < k; j++) total += mass[g * k + j];
      const f = mod.f32;
      for (let j = 0; j < k; j++) {
        const D = mass[g * k + j];
        f[(coef >> 2) + j] = D > EMPTY * total ? G64[j] / D : 0;
        f[(coef >> 2) + k + j] = f[(cLast >> 2) + g * k + j];
      }
      p = mod.slots();
      mod.f32[p] = invTau[g];
      mod.i32[p + 1] = 1;
      K.dkmitergrad(n, w.ptr + o * 4, mk, cPrev + g * k * 4, k, coef, dw + o * 4, scratch, mod.params);
    }
    e.wrote(w);
  });
  return y;
}

/** Refines the centroids from the current weights without building a tape entry (e.g. before export). */
export function refreshCentroids(e: Engine, w: Tensor, st: DkmState, iters = Math.max(1, st.iters)): void {
  const mod = e.mod;
  const k = st.k, G = st.groups;
  refine(e, w, st, iters, mod.alloc(G * k * 4), mod.alloc(G * k * 4), new Float64Array(G * k), mod.alloc(48 * k));
}

export interface HardAssignment {
  /** The weight with every kept value replaced by its nearest centroid, pruned values 0. */
  values: Float32Array;
  /** [groups][k] f32 palettes. */
  palettes: Float32Array;
  /** Nearest-centroid index per weight (0 where pruned). */
  indices: Uint8Array;
}

/** Hard assignment at export: nearest centroid (ties to the lower index), pruned weights exactly 0. */
export function hardAssign(e: Engine, w: Tensor, st: DkmState): HardAssignment {
  const k = st.k;
  const wv = e.read(w);
  const mv = st.mask ? e.mod.f32.slice(st.mask >> 2, (st.mask >> 2) + w.size) : null;
  const palettes = Float32Array.from(st.centroids);
  const values = new Float32Array(w.size);
  const indices = new Uint8Array(w.size);
  for (let g = 0; g < st.groups; g++) {
    const [o, n] = st.span(g);
    const c = palettes.subarray(g * k, g * k + k);
    for (let i = o; i < o + n; i++) {
      if (mv && mv[i] === 0) continue;
      let best = 0, bd = Math.abs(wv[i] - c[0]);
      for (let j = 1; j < k; j++) {
        const d = Math.abs(wv[i] - c[j]);
        if (d < bd) (bd = d), (best = j);
      }
      indices[i] = best;
      values[i] = c[best];
    }
  }
  return { values, palettes, indices };
}
