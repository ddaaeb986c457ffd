/**
 * Float64 oracles of the training kernels and ops (assembly/kernels/train), written from the
 * definitions: the forward maps used for finite differences and the kernels' own formulas.
 * Tolerances and input domains are stated here once, next to the math.
 */
import type { Tolerance } from '../util/compare.js';

/** tgemm: f32 sums (SIMD) vs float64: error <= (k + 2) 2^-24 sum |a b| (+ |beta c| + |bias|). */
export const TGEMM_ULPS = (k: number): number => (k + 2) * 2 ** -24;
/** Elementwise kernels with the same f32 formula in ref and SIMD: bit-exact, vs float64 below. */
export const ELEMENTWISE: Tolerance = { abs: 1e-6, rel: 1e-5 };
/** Engine gradients (f32 kernels) vs central differences of the float64 forward. */
export const GRADIENT: Tolerance = { abs: 2e-4, rel: 2e-3 };

export interface ConvGeom {
  B: number; H: number; W: number; C: number; O: number; kh: number; kw: number;
  sh: number; sw: number; pads: [number, number, number, number]; dh: number; dw: number;
}

export function outSize(g: ConvGeom): [number, number] {
  return [
    Math.floor((g.H + g.pads[0] + g.pads[2] - g.dh * (g.kh - 1) - 1) / g.sh) + 1,
    Math.floor((g.W + g.pads[1] + g.pads[3] - g.dw * (g.kw - 1) - 1) / g.sw) + 1,
  ];
}

/** C = alpha op(A) op(B) + beta C0 + bias; A stored [m][k] or (ta) [k][m]; B [k][n] or (tb) [n][k]. */
export function tgemmOracle(
  m: number, n: number, k: number, a: ArrayLike<number>, b: ArrayLike<number>, bias: ArrayLike<number> | null,
  c0: ArrayLike<number> | null, ta: boolean, tb: boolean, alpha: number, beta: number,
): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
      c[i * n + j] = alpha * s + (beta !== 0 && c0 ? beta * c0[i * n + j] : 0) + (bias ? bias[j] : 0);
    }
  }
  return c;
}

/** Sum of |terms| per output, the scale of the tgemm error bound. */
export function tgemmMagnitude(
  m: number, n: number, k: number, a: ArrayLike<number>, b: ArrayLike<number>, bias: ArrayLike<number> | null,
  c0: ArrayLike<number> | null, ta: boolean, tb: boolean, alpha: number, beta: number,
): Float64Array {
  const abs = (x: ArrayLike<number> | null) => (x ? Array.from(x, Math.abs) : null);
  return tgemmOracle(m, n, k, abs(a)!, abs(b)!, abs(bias), abs(c0), ta, tb, Math.abs(alpha), Math.abs(beta));
}

/** The patch matrix [B*OH*OW][kh*kw*C] of an NHWC batch (0 in the padding). */
export function im2colOracle(x: ArrayLike<number>, g: ConvGeom): Float64Array {
  const [OH, OW] = outSize(g);
  const K = g.kh * g.kw * g.C;
  const col = new Float64Array(g.B * OH * OW * K);
  let r = 0;
  for (let b = 0; b < g.B; b++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) {
    for (let ky = 0; ky < g.kh; ky++) for (let kx = 0; kx < g.kw; kx++) {
      const iy = oy * g.sh - g.pads[0] + ky * g.dh, ix = ox * g.sw - g.pads[1] + kx * g.dw;
      for (let c = 0; c < g.C; c++, r++) {
        col[r] = iy >= 0 && iy < g.H && ix >= 0 && ix < g.W ? x[((b * g.H + iy) * g.W + ix) * g.C + c] : 0;
      }
    }
  }
  return col;
}

/** The adjoint of im2col: dx[b][iy][ix][c] = sum of the col entries that copied x[b][iy][ix][c]. */
export function col2imOracle(col: ArrayLike<number>, g: ConvGeom): Float64Array {
  const [OH, OW] = outSize(g);
  const dx = new Float64Array(g.B * g.H * g.W * g.C);
  let r = 0;
  for (let b = 0; b < g.B; b++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) {
    for (let ky = 0; ky < g.kh; ky++) for (let kx = 0; kx < g.kw; kx++) {
      const iy = oy * g.sh - g.pads[0] + ky * g.dh, ix = ox * g.sw - g.pads[1] + kx * g.dw;
      for (let c = 0; c < g.C; c++, r++) {
        if (iy >= 0 && iy < g.H && ix >= 0 && ix < g.W) dx[((b * g.H + iy) * g.W + ix) * g.C + c] += col[r];
      }
    }
  }
  return dx;
}

/** conv2d forward (NHWC, W [O][kh][kw][C]) in float64: y = im2col(x) W^T + b. */
export function conv2dOracle(x: ArrayLike<number>, w: ArrayLike<number>, bias: ArrayLike<number> | null, g: ConvGeom): Float64Array {
  const [OH, OW] = outSize(g);
  const K = g.kh * g.kw * g.C;
  return tgemmOracle(g.B * OH * OW, g.O, K, im2colOracle(x, g), w, bias, null, false, true, 1, 0);
}

/** maxpool forward (NHWC, padding never wins). */
export function maxpoolOracle(x: ArrayLike<number>, g: ConvGeom): Float64Array {
  const [OH, OW] = outSize({ ...g, dh: 1, dw: 1 });
  const y = new Float64Array(g.B * OH * OW * g.C);
  let r = 0;
  for (let b = 0; b < g.B; b++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) for (let c = 0; c < g.C; c++, r++) {
    let m = -Infinity;
    for (let ky = 0; ky < g.kh; ky++) for (let kx = 0; kx < g.kw; kx++) {
      const iy = oy * g.sh - g.pads[0] + ky, ix = ox * g.sw - g.pads[1] + kx;
      if (iy >= 0 && iy < g.H && ix >= 0 && ix < g.W) m = Math.max(m, x[((b * g.H + iy) * g.W + ix) * g.C + c]);
    }
    y[r] = m;
  }
  return y;
}

/** maxpool input gradient: dy to the first (row-major) tap holding the window max. */
export function maxpoolGradOracle(x: ArrayLike<number>, dy: ArrayLike<number>, g: ConvGeom): Float64Array {
  const [OH, OW] = outSize({ ...g, dh: 1, dw: 1 });
  const dx = new Float64Array(g.B * g.H * g.W * g.C);
  let r = 0;
  for (let b = 0; b < g.B; b++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) for (let c = 0; c < g.C; c++, r++) {
    let m = -Infinity, at = -1;
    for (let ky = 0; ky < g.kh; ky++) for (let kx = 0; kx < g.kw; kx++) {
      const iy = oy * g.sh - g.pads[0] + ky, ix = ox * g.sw - g.pads[1] + kx;
      if (iy < 0 || iy >= g.H || ix < 0 || ix >= g.W) continue;
      const o = ((b * g.H + iy) * g.W + ix) * g.C + c;
      if (at < 0 || x[o] > m) { m = x[o]; at = o; }
    }
    dx[at] += dy[r];
  }
  return dx;
}

/** Mean softmax cross-entropy of logits [m][n] against labels, float64. */
export function softmaxCeOracle(logits: ArrayLike<number>, labels: ArrayLike<number>, m: number, n: number): { loss: Float64Array; grad: Float64Array } {
  const loss = new Float64Array(m);
  const grad = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    let mx = -Infinity;
    for (let j = 0; j < n; j++) mx = Math.max(mx, logits[i * n + j]);
    let s = 0;
    for (let j = 0; j < n; j++) s += Math.exp(logits[i * n + j] - mx);
    loss[i] = Math.log(s) - (logits[i * n + labels[i]] - mx);
    for (let j = 0; j < n; j++) grad[i * n + j] = Math.exp(logits[i * n + j] - mx) / s - (j === labels[i] ? 1 : 0);
  }
  return { loss, grad };
}

/** One SGD step (torch.optim.SGD) in float64: returns [w, v]. */
export function sgdOracle(w: ArrayLike<number>, g: ArrayLike<number>, v: ArrayLike<number>, lr: number, mu: number, wd: number, nesterov: boolean): [Float64Array, Float64Array] {
  const W = Float64Array.from(w), V = Float64Array.from(v);
  for (let i = 0; i < W.length; i++) {
    const gi = g[i] + wd * W[i];
    V[i] = mu * V[i] + gi;
    W[i] -= lr * (nesterov ? gi + mu * V[i] : V[i]);
  }
  return [W, V];
}

/** One AdamW step in float64 at step t: returns [w, m, v]. */
export function adamOracle(
  w: ArrayLike<number>, g: ArrayLike<number>, m: ArrayLike<number>, v: ArrayLike<number>,
  lr: number, b1: number, b2: number, eps: number, wd: number, t: number,
): [Float64Array, Float64Array, Float64Array] {
  const W = Float64Array.from(w), M = Float64Array.from(m), V = Float64Array.from(v);
  for (let i = 0; i < W.length; i++) {
    M[i] = b1 * M[i] + (1 - b1) * g[i];
    V[i] = b2 * V[i] + (1 - b2) * g[i] * g[i];
    const mh = M[i] / (1 - b1 ** t), vh = V[i] / (1 - b2 ** t);
    W[i] -= lr * (mh / (Math.sqrt(vh) + eps) + wd * W[i]);
  }
  return [W, M, V];
}
