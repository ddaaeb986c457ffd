/**
 * Float64 definitions of the element-wise and softmax ops, written from the math (never from the
 * kernels), each with its tolerance and input domain stated once (XNNPACK test/unary-ops.h:
 * ReferenceImpl / Tolerance / Domain).
 *
 * Tolerances are |kernel - oracle| <= abs + rel * |oracle|. `abs` is 2^-126 (FLT_MIN) for the
 * exp-based ops: outputs in f32's subnormal range carry an absolute, not a relative, precision.
 * `vsRef` is the tolerance of a SIMD kernel against its ref kernel (both are within `tol` of the
 * oracle, so vsRef is at most twice tol; it is set from the measured SIMD error).
 */
import type { Tolerance } from '../util/compare.js';

export const FLT_MIN = 2 ** -126;

/** erfc(z) for z >= 0 to ~1e-14 relative, with exp(-z^2) given as expNegZ2 (computed exactly by the caller). */
function erfcPos(z: number, expNegZ2: number): number {
  if (z < 2) {
    // erf Maclaurin series: 2/sqrt(pi) sum (-1)^k z^(2k+1) / (k! (2k+1)); erfc(2) ~ 4.7e-3, so
    // 1 - erf loses at most ~2 digits of the ~1e-16 the series gives.
    let term = z;
    let sum = z;
    for (let k = 1; k < 200; k++) {
      term *= (-z * z) / k;
      const t = term / (2 * k + 1);
      sum += t;
      if (Math.abs(t) < 1e-18 * Math.abs(sum)) break;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  // Continued fraction erfc(z) = exp(-z^2)/sqrt(pi) / (z + (1/2)/(z + 1/(z + (3/2)/(z + ...)))),
  // evaluated by modified Lentz.
  const tiny = 1e-300;
  let f = z;
  let c = z;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = z + a * d;
    d = d === 0 ? tiny : d;
    c = z + a / c;
    c = c === 0 ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return expNegZ2 / Math.sqrt(Math.PI) / f;
}

/** Phi(-a) = erfc(a / sqrt2) / 2 for a >= 0; exp(-a^2/2) from a*a, exact in float64 for f32 a. */
export function normalTail(a: number): number {
  if (a === Infinity) return 0;
  return 0.5 * erfcPos(a / Math.SQRT2, Math.exp(-(a * a) / 2));
}

/** erf(x) for any x (used by the GELU definition and its self-check). */
export function erf(x: number): number {
  const a = Math.abs(x);
  const e = 1 - 2 * normalTail(a * Math.SQRT2);
  return x < 0 ? -e : e;
}

export interface UnaryOracle {
  op: string;
  /** The op's value at x; `p` = the kernel's f32 params (slots 0, 1, ...) for ops that take them. */
  f: (x: number, p: readonly number[]) => number;
  /** Param sets to sweep (f32 values), for kernels with a params pointer; absent: (n, x, y) kernels. */
  params?: number[][];
  /** Kernel (ref or SIMD) vs f. */
  tol: Tolerance;
  /** SIMD kernel vs its ref kernel. */
  vsRef: Tolerance;
  /** Random inputs are drawn from these intervals (equal shares), plus `specials`. */
  domain: Array<[number, number]>;
  specials: number[];
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const EXACT: Tolerance = { abs: 0, rel: 0 };
const BROAD: Array<[number, number]> = [
  [-100, 100],
  [-10, 10],
  [-1, 1],
  [-1e-3, 1e-3],
];
const SPECIALS = [0, -0, 1, -1, 1e-30, -1e-30, 1e-40, -1e-40, 100, -100, 1e30, -1e30, Infinity, -Infinity, NaN];

export const UNARY_ORACLES: UnaryOracle[] = [
  {
    op: 'vrelu',
    f: (x) => (x < 0 ? 0 : x),
    tol: EXACT,
    vsRef: EXACT,
    domain: BROAD,
    specials: SPECIALS,
  },
  {
    op: 'vrelu6',
    f: (x) => (x < 0 ? 0 : x > 6 ? 6 : x),
    tol: EXACT,
    vsRef: EXACT,
    domain: [[-10, 10], ...BROAD],
    specials: [...SPECIALS, 6, 5.999999523162842, 6.000000476837158],
  },
  {
    // exp-based: vExp ~2e-7 relative + division.
    op: 'vsigmoid',
    f: sigmoid,
    tol: { abs: FLT_MIN, rel: 5e-7 }, // measured 2.7e-7
    vsRef: { abs: FLT_MIN, rel: 5e-7 },
    domain: BROAD,
    specials: [...SPECIALS, -87.5, -90, -103, -104, -110, 88, 17, -17],
  },
  {
    op: 'vtanh',
    f: Math.tanh,
    tol: { abs: FLT_MIN, rel: 5e-7 }, // measured 1.7e-7
    vsRef: { abs: FLT_MIN, rel: 5e-7 },
    domain: BROAD,
    specials: [...SPECIALS, 9, -9, 10, -10, 20, 0.1733, -0.1733, 1e-5],
  },
  {
    // x Phi(x) with Phi from the erfc approximation (NR erfcc, 1.2e-7 relative).
    op: 'vgelu',
    f: (x) => (x === -Infinity ? -0 : x < 0 ? x * normalTail(-x) : x * (1 - normalTail(x))),
    tol: { abs: FLT_MIN, rel: 1e-6 }, // measured 5.0e-7 (SIMD), 1.6e-7 (ref)
    vsRef: { abs: FLT_MIN, rel: 1e-6 },
    domain: [[-15, 15], ...BROAD],
    specials: [...SPECIALS, -13, -13.2, -14, -14.5, -15, 13, 5, -5],
  },
  {
    op: 'vsilu',
    f: (x) => (x === -Infinity ? -0 : x * sigmoid(x)),
    tol: { abs: FLT_MIN, rel: 5e-7 }, // measured 3.2e-7
    vsRef: { abs: FLT_MIN, rel: 5e-7 },
    domain: BROAD,
    specials: [...SPECIALS, -87.5, -90, -91.8, -103, -110, -120],
  },
];

// ---- format 1.1 unary ops ---------------------------------------------------------------------
// Definitions (ONNX): LeakyRelu x < 0 ? alpha x : x; HardSigmoid max(0, min(1, alpha x + beta));
// HardSwish x max(0, min(1, x/6 + 1/2)) (opset 14); Clip min(max(x, lo), hi); Sqrt, Log, Exp, Neg,
// Abs. Math.max/min propagate NaN and order -0 < +0, as the kernels' IEEE maximum/minimum do.

const f32 = Math.fround;
export const leakyRelu = (x: number, alpha: number) => (x < 0 ? alpha * x : x);
export const hardSigmoid = (x: number, alpha: number, beta: number) => Math.max(0, Math.min(1, alpha * x + beta));
export const hardSwish = (x: number) => x * Math.max(0, Math.min(1, x / 6 + 0.5));
export const clip = (x: number, lo: number, hi: number) => Math.min(Math.max(x, lo), hi);

/** v, or +-inf where rounding v to f32 overflows (the kernel's only correct answer there). */
const f32Range = (v: number) => (Math.abs(f32(v)) === Infinity ? f32(v) : v);

const LOG_SPECIALS = [1, f32(1 + 2 ** -23), f32(1 - 2 ** -24), 2, 0.5, Math.E, FLT_MIN, 2 ** -149, 1e-45, 3.4028234663852886e38, 1e-7];
const EXP_SPECIALS = [88.72283172607422, 88.72283935546875, -87.33654022216797, -103.97, -104, 1e-7, -1e-7];

export const UNARY_ORACLES_1_1: UnaryOracle[] = [
  {
    // One f32 multiply: IEEE-rounded, so exactly the f32 rounding of the float64 product.
    op: 'vlrelu',
    f: (x, [alpha]) => f32(leakyRelu(x, alpha)),
    params: [[f32(0.01)], [f32(0.2)], [1.5], [f32(-0.3)], [0]],
    tol: EXACT,
    vsRef: EXACT,
    domain: BROAD,
    specials: SPECIALS,
  },
  {
    // SIMD: alpha x and + beta round once each in f32 (no fused multiply-add): with |alpha|, |beta|
    // <= 1 the unclamped region has |alpha x| <= 2, so the error is <= 2^-24 (2 + 1 + 1) = 2^-22.
    op: 'vhsigmoid',
    f: (x, [alpha, beta]) => hardSigmoid(x, alpha, beta),
    params: [[f32(0.2), 0.5], [f32(1 / 6), 0.5], [1, 0], [0.5, -0.25], [f32(-0.7), 1]],
    tol: { abs: 2 ** -22, rel: 0 },
    vsRef: { abs: 2 ** -22, rel: 0 },
    domain: [[-10, 10], ...BROAD],
    specials: [...SPECIALS, 2.5, -2.5, 3, -3, 2.4999998, -2.4999998],
  },
  {
    // SIMD: (x + 3) / 6 (x + 3 exact near -3), the clamp, x * gate: 3 roundings, <= 1.8e-7 relative.
    // -inf -> NaN (-inf * 0, the formula read in IEEE arithmetic).
    op: 'vhswish',
    f: hardSwish,
    tol: { abs: 2 ** -148, rel: 2 ** -22 },
    vsRef: { abs: 2 ** -148, rel: 2 ** -22 },
    domain: [[-10, 10], ...BROAD],
    specials: [...SPECIALS, 3, -3, f32(-3 + 2 ** -22), f32(3 - 2 ** -22), 2.9999998, -2.9999998],
  },
  {
    op: 'vclip',
    f: (x, [lo, hi]) => clip(x, lo, hi),
    params: [[-Infinity, Infinity], [0, 6], [-1, 1], [2, 1], [-0.5, Infinity], [-Infinity, 0], [-0, 0]],
    tol: EXACT,
    vsRef: EXACT,
    domain: BROAD,
    specials: [...SPECIALS, 6, 2, -0.5, 0.5],
  },
  {
    // IEEE sqrt is correctly rounded; so is the f32 rounding of the float64 sqrt.
    op: 'vsqrt',
    f: (x) => f32(Math.sqrt(x)),
    tol: EXACT,
    vsRef: EXACT,
    domain: [[0, 100], [0, 1e-3], [0, 1e30], [-1, 1]],
    specials: [...SPECIALS, 2 ** -149, 4, 2],
  },
  {
    // vLog (math.ts): measured 8.2e-8 relative (0.86 ulp) over every third positive f32.
    op: 'vlog',
    f: Math.log,
    tol: { abs: 0, rel: 2 ** -23 },
    vsRef: { abs: 0, rel: 2 ** -23 + 2 ** -24 },
    domain: [[0, 2], [0.9, 1.1], [0, 1e-37], [0, 1e-3], [1, 1e30], [1e30, 3e38], [-1, 1]],
    specials: [...SPECIALS, ...LOG_SPECIALS],
  },
  {
    // vExp (math.ts): measured 1.82e-7 relative (2.25 ulp) over every f32 in [-104, 88.73].
    op: 'vexp',
    f: (x) => f32Range(Math.exp(x)),
    tol: { abs: FLT_MIN, rel: 2.5e-7 },
    vsRef: { abs: FLT_MIN, rel: 2.5e-7 + 2 ** -24 },
    domain: [[-110, 90], ...BROAD],
    specials: [...SPECIALS, ...EXP_SPECIALS],
  },
  { op: 'vneg', f: (x) => -x, tol: EXACT, vsRef: EXACT, domain: BROAD, specials: SPECIALS },
  { op: 'vabs', f: Math.abs, tol: EXACT, vsRef: EXACT, domain: BROAD, specials: SPECIALS },
];

export interface BinaryOracle {
  op: 'vadd' | 'vmul';
  /** IEEE f32 add/mul are correctly rounded: the float64 result rounded to f32 (overflow to inf, subnormals included). */
  f: (a: number, b: number) => number;
  tol: Tolerance;
  vsRef: Tolerance;
  domain: [number, number];
}

export const BINARY_ORACLES: BinaryOracle[] = [
  { op: 'vadd', f: (a, b) => Math.fround(a + b), tol: EXACT, vsRef: EXACT, domain: [-100, 100] },
  { op: 'vmul', f: (a, b) => Math.fround(a * b), tol: EXACT, vsRef: EXACT, domain: [-100, 100] },
];

/**
 * Softmax of one row in float64, numerically stable (subtract the max): exp(x - max) / sum.
 * Rows with NaN or +inf, or only -inf entries, give NaN everywhere (inf - inf, 0 / 0).
 */
export function softmaxRow(x: ArrayLike<number>): Float64Array {
  let mx = -Infinity;
  for (let i = 0; i < x.length; i++) mx = Math.max(mx, x[i]); // Math.max propagates NaN
  const e = new Float64Array(x.length);
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += e[i] = Math.exp(x[i] - mx);
  for (let i = 0; i < x.length; i++) e[i] /= sum;
  return e;
}

/**
 * Softmax tolerance. Kernels compute d = x - max in f32, which is exact only near the max; an entry
 * with |d| large carries up to |d| 2^-24 relative error (the effect of a 1-ulp input change). On
 * the domain below, entries that matter (output >= 2^-126) have |d| < 88, so this bound covers
 * rounding of d (5.2e-6) + exp (2e-7 each) + the f32 sum and the scaling.
 */
export const SOFTMAX = {
  tol: { abs: FLT_MIN, rel: 8e-6 } as Tolerance, // measured 4.1e-6 on [-100, 100], 7e-7 within 16 of the max
  vsRef: { abs: FLT_MIN, rel: 8e-6 } as Tolerance,
  /** Row entries are drawn from one of these intervals per row. */
  domain: [
    [-100, 100],
    [-10, 10],
    [-1, 1],
  ] as Array<[number, number]>,
};
