/**
 * Float64 definitions of the layernorm, matmul, embed, transpose, copy2d and batchnorm ops,
 * written from the math (never from the kernels), each with its tolerance stated once.
 *
 * Tolerances are |kernel - oracle| <= abs + rel * mag, where mag is the magnitude the rounding
 * errors scale with (given next to each op); data movers (embed, transpose, copy2d) are exact.
 * `vsRef` is a SIMD kernel against its ref kernel.
 */
import type { Tolerance } from '../util/compare.js';

export const EPS32 = 2 ** -24;

// ---- layernorm ---------------------------------------------------------------------------------
/**
 * y = (x - mean) / sqrt(var + eps) * gamma + beta over one row (biased variance).
 * mag = (|xhat| + 1) |gamma| + |beta|: the f32 sums of the SIMD kernel err on the mean by a small
 * fraction of std (an error in xhat independent of |xhat|: the + 1) and on rstd relatively
 * (measured max 2.8e-7 mag = 4.6 x 2^-24, n up to 4096, |mean| up to 100 x std).
 * A constant row has xhat = 0 up to the rounding of x - mean, which 1/sqrt(eps) amplifies:
 * constRowAbs covers it.
 */
export const LAYERNORM = {
  tol: { abs: 0, rel: 2e-6 } as Tolerance,
  vsRef: { abs: 0, rel: 4e-6 } as Tolerance,
  /** extra abs tolerance for rows whose variance is ~0 */
  constRowAbs: (xmax: number, eps: number) => (xmax * 2 ** -22) / Math.sqrt(eps),
};

export function layernormRow(
  x: ArrayLike<number>, eps: number, gamma?: ArrayLike<number>, beta?: ArrayLike<number>,
): { y: Float64Array; mag: Float64Array } {
  const n = x.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i];
  const mean = s / n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (x[i] - mean) ** 2;
  const rstd = 1 / Math.sqrt(v / n + eps);
  const y = new Float64Array(n);
  const mag = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const xhat = (x[i] - mean) * rstd;
    const g = gamma ? gamma[i] : 1;
    const b = beta ? beta[i] : 0;
    y[i] = xhat * g + b;
    mag[i] = (Math.abs(xhat) + 1) * Math.abs(g) + Math.abs(b);
  }
  return { y, mag };
}

// ---- matmul --------------------------------------------------------------------------------------
/** f32 sums in k order: |err| <= k * 2^-24 * sum |a b| (plus the alpha rounding). mag = |alpha| sum |a b|. */
export const MATMUL = {
  tolFor: (k: number): Tolerance => ({ abs: 0, rel: (k + 2) * EPS32 }),
  vsRefFor: (k: number): Tolerance => ({ abs: 0, rel: (k + 3) * EPS32 }),
};

/** C[b][i][j] = alpha sum_p A[b][i][p] B[b][p][j]; A [batch][m][k], B [batch][k][n] or [batch][n][k] (transB), dense. */
export function matmulOracle(
  batch: number, m: number, n: number, k: number, A: ArrayLike<number>, B: ArrayLike<number>, transB: boolean, alpha: number,
): { y: Float64Array; mag: Float64Array } {
  const y = new Float64Array(batch * m * n);
  const mag = new Float64Array(batch * m * n);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        let a = 0;
        for (let p = 0; p < k; p++) {
          const bv = transB ? B[(b * n + j) * k + p] : B[(b * k + p) * n + j];
          const t = A[(b * m + i) * k + p] * bv;
          s += t;
          a += Math.abs(t);
        }
        y[(b * m + i) * n + j] = alpha * s;
        mag[(b * m + i) * n + j] = Math.abs(alpha) * a;
      }
    }
  }
  return { y, mag };
}

// ---- embed -----------------------------------------------------------------------------------
/**
 * Row t of a palettized [vocab, dim] table from its (unpacked) indices: chscale[t] *
 * pal[t / groupRows][idx[t][c]]. Exact in f32 (one multiply, the same one the kernels do).
 */
export function embedRow(
  t: number, dim: number, idx: ArrayLike<number>, pal: ArrayLike<number>, bits: number, groupRows: number, chscale?: ArrayLike<number>,
): Float32Array {
  const out = new Float32Array(dim);
  const base = Math.floor(t / groupRows) << bits;
  for (let c = 0; c < dim; c++) out[c] = Math.fround((chscale ? chscale[t] : 1) * pal[base + idx[t * dim + c]]);
  return out;
}

// ---- transpose -----------------------------------------------------------------------------------
/** numpy.transpose(x.reshape(dims), perm), flattened. Exact. */
export function transposeOracle(x: ArrayLike<number>, dims: number[], perm: number[]): Float32Array {
  const r = dims.length;
  const total = dims.reduce((a, b) => a * b, 1);
  const istr = dims.map((_, a) => dims.slice(a + 1).reduce((p, q) => p * q, 1));
  const odims = perm.map((p) => dims[p]);
  const out = new Float32Array(total);
  const coord = new Array(r).fill(0);
  for (let o = 0; o < total; o++) {
    let off = 0;
    for (let j = 0; j < r; j++) off += coord[j] * istr[perm[j]];
    out[o] = x[off];
    for (let j = r - 1; j >= 0; j--) {
      if (++coord[j] < odims[j]) break;
      coord[j] = 0;
    }
  }
  return out;
}

// ---- batchnorm ---------------------------------------------------------------------------------
/** y = x * scale + shift in f32 (a multiply and an add): |err| <= 2^-23 (|x scale| + |shift|) = mag. */
export const BATCHNORM = { tol: { abs: 0, rel: 2 * EPS32 } as Tolerance };

export function batchnormOracle(
  n: number, c: number, hw: number, x: ArrayLike<number>, scale: ArrayLike<number>, shift: ArrayLike<number> | undefined, nchw: boolean,
): { y: Float64Array; mag: Float64Array } {
  const y = new Float64Array(n * c * hw);
  const mag = new Float64Array(n * c * hw);
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      for (let s = 0; s < hw; s++) {
        const i = nchw ? (b * c + ch) * hw + s : (b * hw + s) * c + ch;
        const t = shift ? shift[ch] : 0;
        y[i] = x[i] * scale[ch] + t;
        mag[i] = Math.abs(x[i] * scale[ch]) + Math.abs(t);
      }
    }
  }
  return { y, mag };
}
