/**
 * Float64 definitions of the reductions of format 1.1 (ReduceMean, ReduceMax), written from the
 * definitions (never from the kernels), and the error bounds the sum kernels are tested with.
 *
 * Sums: an f32 kernel adding values one at a time along a chain of c additions is within
 * c 2^-24 sum|x| of the exact sum (the standard recursive-summation bound), then the division
 * rounds once more (2^-24 |y|). The ref kernels add in float64 and round once. Max is exact.
 */
import type { Tolerance } from '../util/compare.js';

export type ReduceKind = 'sum' | 'max';

/** Per output of a kernel call: the exact value and the bound |kernel - exact| must meet. */
export interface Expected {
  value: number;
  bound: number;
}

const U = 2 ** -24;

/** The exact result, or +-inf where the f32 result overflows (the kernel's only answer there). */
function f32Range(v: number): number {
  return Math.abs(Math.fround(v)) === Infinity ? Math.fround(v) : v;
}

/**
 * The sum (divided by `divisor`) or max of `values`. `chain` = the longest chain of f32 additions
 * in the kernel (0 for a float64 ref).
 */
export function reduceOne(kind: ReduceKind, values: readonly number[], divisor: number, chain: number): Expected {
  if (kind === 'max') return { value: values.reduce((a, b) => Math.max(a, b), -Infinity), bound: 0 };
  let s = 0;
  let abs = 0;
  for (const v of values) {
    s += v;
    abs += Math.abs(v);
  }
  const value = f32Range(s / divisor);
  // float64 rounding of the oracle's own sum is below 2^-50 sum|x| for these lengths.
  const bound = (chain * U + 2 ** -50 * values.length) * (abs / divisor) + U * Math.abs(value) + 2 ** -149;
  return { value, bound };
}

/** Tolerance of a kernel against its ref, from both bounds. */
export const vsRefTolerance = (a: Expected, b: Expected): Tolerance => ({ abs: a.bound + b.bound, rel: 0 });

/**
 * ReduceMean / ReduceMax over per-example axes of a batch (float64): `axes` already normalized
 * (0..rank-1, sorted, no duplicates; [] = every per-example axis), keepdims 0 / 1.
 */
export function reduceOracle(kind: 'mean' | 'max', x: ArrayLike<number>, shape: readonly number[], axes: readonly number[], batch: number): Float64Array {
  const rank = shape.length;
  const red = axes.length === 0 ? shape.map((_, i) => i) : [...axes];
  const reduced = new Set(red);
  const outShape = shape.map((d, i) => (reduced.has(i) ? 1 : d));
  const per = shape.reduce((a, b) => a * b, 1);
  const perOut = outShape.reduce((a, b) => a * b, 1);
  const count = red.reduce((a, i) => a * shape[i], 1);
  const y = new Float64Array(batch * perOut).fill(kind === 'max' ? -Infinity : 0);
  for (let e = 0; e < batch; e++) {
    for (let t = 0; t < per; t++) {
      // multi-index of t, then the output index with reduced axes at 0
      let rem = t;
      let o = 0;
      let mul = 1;
      for (let k = rank - 1; k >= 0; k--) {
        const i = rem % shape[k];
        rem = Math.floor(rem / shape[k]);
        if (!reduced.has(k)) o += i * mul;
        mul *= outShape[k];
      }
      const v = x[e * per + t];
      const at = e * perOut + o;
      y[at] = kind === 'max' ? Math.max(y[at], v) : y[at] + v;
    }
  }
  if (kind === 'mean') for (let i = 0; i < y.length; i++) y[i] /= count;
  return y;
}
