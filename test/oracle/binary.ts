/**
 * Float64 definitions of the binary ops of format 1.1 (Add, Sub, Mul, Div, Max, Min, Pow) and of
 * NumPy broadcasting over per-example shapes, written from the definitions (never from the
 * kernels), with each kernel's tolerance and input domain stated once.
 *
 * Add/Sub/Mul/Div: IEEE f32 arithmetic is correctly rounded, and so is the f32 rounding of the
 * float64 result (float64 has more than 2 x 24 + 2 bits), so the kernels must match it exactly.
 * Max/Min: IEEE 754-2019 maximum/minimum; JS Math.max/min have the same NaN and -0 rules.
 * Pow: C99 / ONNX pow (powC below); the kernels promise 1 ulp of the correctly rounded result.
 */
import type { Tolerance } from '../util/compare.js';

/**
 * C99 pow (Annex F.9.4.4), which ONNX Pow and NumPy follow. Differs from JS Math.pow in
 * pow(1, NaN) = pow(1, +-inf) = 1 and pow(-1, +-inf) = 1 (JS gives NaN).
 */
export function powC(a: number, b: number): number {
  if (b === 0) return 1;
  if (a === 1) return 1;
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  if (a === -1 && !Number.isFinite(b)) return 1;
  return Math.pow(a, b);
}

/** The ops by .wpal type, in float64 (the graph oracle). */
export const BINARY_F64: Record<string, (a: number, b: number) => number> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Div: (a, b) => a / b,
  Max: Math.max,
  Min: Math.min,
  Pow: powC,
};

export interface BroadcastOracle {
  op: 'badd' | 'bsub' | 'bmul' | 'bdiv' | 'bmax' | 'bmin' | 'bpow';
  /** The f32 result the kernel must match within `tol`. */
  f: (a: number, b: number) => number;
  tol: Tolerance;
  vsRef: Tolerance;
  /** Random a and b are drawn from one of these boxes (equal shares); `intB` rounds b to an integer. */
  domain: Array<{ a: [number, number]; b: [number, number]; intB?: boolean }>;
}

const EXACT: Tolerance = { abs: 0, rel: 0 };
const ONE_ULP: Tolerance = { abs: 2 ** -149, rel: 2 ** -23 };
const BOX = [{ a: [-100, 100], b: [-100, 100] }, { a: [-1, 1], b: [-1e-3, 1e-3] }] as BroadcastOracle['domain'];

export const BROADCAST_ORACLES: BroadcastOracle[] = [
  { op: 'badd', f: (a, b) => Math.fround(a + b), tol: EXACT, vsRef: EXACT, domain: BOX },
  { op: 'bsub', f: (a, b) => Math.fround(a - b), tol: EXACT, vsRef: EXACT, domain: BOX },
  { op: 'bmul', f: (a, b) => Math.fround(a * b), tol: EXACT, vsRef: EXACT, domain: BOX },
  { op: 'bdiv', f: (a, b) => Math.fround(a / b), tol: EXACT, vsRef: EXACT, domain: BOX },
  { op: 'bmax', f: Math.max, tol: EXACT, vsRef: EXACT, domain: BOX },
  { op: 'bmin', f: Math.min, tol: EXACT, vsRef: EXACT, domain: BOX },
  {
    // Both kernels: within 1 ulp of the correctly rounded result (measured 0 ulp on 420k pairs).
    op: 'bpow',
    f: (a, b) => Math.fround(powC(a, b)),
    tol: ONE_ULP,
    vsRef: { abs: 2 ** -148, rel: 2 ** -22 },
    domain: [
      { a: [0, 4], b: [-30, 30] },
      { a: [0, 1e-3], b: [-4, 4] },
      { a: [-4, 4], b: [-40, 40], intB: true },
      { a: [-2, 2], b: [-2, 2] },
      { a: [0.99, 1.01], b: [-5000, 5000] },
    ],
  },
];

/** Values every binary kernel meets in every lane position, paired with each other. */
export const BINARY_SPECIALS = [
  0, -0, 1, -1, 2, -2, 0.5, -0.5, 3, -3, 1 / 3, 2.5, -2.5, Infinity, -Infinity, NaN,
  1e-40, -1e-40, 2 ** -149, 1e30, -1e30, 3.4028234663852886e38, 16777216, 16777217, -16777215, 100, -100,
].map(Math.fround);

/** Row-major strides of a shape (elements). */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) s[d] = s[d + 1] * shape[d + 1];
  return s;
}

/** NumPy broadcast of two shapes (right-aligned, 1 stretches), or undefined when they do not broadcast. */
export function broadcastShapes(sa: readonly number[], sb: readonly number[]): number[] | undefined {
  const r = Math.max(sa.length, sb.length);
  const out: number[] = [];
  for (let k = 0; k < r; k++) {
    const da = sa[sa.length - r + k] ?? 1;
    const db = sb[sb.length - r + k] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return undefined;
    out.push(Math.max(da, db));
  }
  return out;
}

/** One operand of a per-example broadcast: its values and per-example shape; `batched` = an activation. */
export interface BroadcastOperand {
  values: ArrayLike<number>;
  shape: readonly number[];
  batched: boolean;
}

/**
 * y[e][i...] = f(a[e?][i... mapped], b[e?][i... mapped]) for every example e and output index: the
 * per-example shapes broadcast NumPy-style; an activation (batched) has its own values per example,
 * a constant the same values for every example. Float64 throughout.
 */
export function broadcastBinary(f: (a: number, b: number) => number, a: BroadcastOperand, b: BroadcastOperand, batch: number): Float64Array {
  const out = broadcastShapes(a.shape, b.shape);
  if (!out) throw new Error(`oracle: [${a.shape}] and [${b.shape}] do not broadcast`);
  const per = out.reduce((x, y) => x * y, 1);
  const y = new Float64Array(batch * per);
  const so = stridesOf(out);
  const index = (o: BroadcastOperand, e: number, flat: number) => {
    const st = stridesOf(o.shape);
    const off = out.length - o.shape.length;
    let idx = o.batched ? e * o.shape.reduce((x, z) => x * z, 1) : 0;
    for (let k = 0; k < out.length; k++) {
      const i = Math.floor(flat / so[k]) % out[k];
      if (k >= off && o.shape[k - off] !== 1) idx += i * st[k - off];
    }
    return idx;
  };
  for (let e = 0; e < batch; e++) {
    for (let t = 0; t < per; t++) y[e * per + t] = f(a.values[index(a, e, t)], b.values[index(b, e, t)]);
  }
  return y;
}
