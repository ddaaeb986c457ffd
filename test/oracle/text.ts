/**
 * Float64 oracles of the transformer ops of the training engine (src/trainer/engine/text-ops.ts)
 * and their kernels (assembly/kernels/train: layernormgrad, softmaxgrad, vgelugrad, embedgrad,
 * seqmean, seqmeangrad), written from the definitions. Forward maps (for central differences) and
 * the analytic backward formulas the kernels implement (for the kernel tests).
 * Tolerances: stated per kernel in test/kernels/train-text.test.ts next to their use.
 */
import { normalTail } from './eltwise.js';

/** LayerNorm over rows of D (biased variance): y = (x - mean) / sqrt(var + eps) * g + b. */
export function layerNormOracle(x: ArrayLike<number>, g: ArrayLike<number> | null, b: ArrayLike<number> | null, M: number, D: number, eps: number): Float64Array {
  const y = new Float64Array(M * D);
  for (let r = 0; r < M; r++) {
    let s = 0;
    for (let i = 0; i < D; i++) s += x[r * D + i];
    const mean = s / D;
    let v = 0;
    for (let i = 0; i < D; i++) v += (x[r * D + i] - mean) ** 2;
    const rstd = 1 / Math.sqrt(v / D + eps);
    for (let i = 0; i < D; i++) y[r * D + i] = (x[r * D + i] - mean) * rstd * (g ? g[i] : 1) + (b ? b[i] : 0);
  }
  return y;
}

/** The LayerNorm backward formulas: dx, dgamma = sum_rows dy xhat, dbeta = sum_rows dy. */
export function layerNormGradOracle(x: ArrayLike<number>, dy: ArrayLike<number>, g: ArrayLike<number> | null, M: number, D: number, eps: number) {
  const dx = new Float64Array(M * D), dg = new Float64Array(D), db = new Float64Array(D);
  for (let r = 0; r < M; r++) {
    let s = 0;
    for (let i = 0; i < D; i++) s += x[r * D + i];
    const mean = s / D;
    let v = 0;
    for (let i = 0; i < D; i++) v += (x[r * D + i] - mean) ** 2;
    const rstd = 1 / Math.sqrt(v / D + eps);
    const xh = Array.from({ length: D }, (_, i) => (x[r * D + i] - mean) * rstd);
    const gg = Array.from({ length: D }, (_, i) => dy[r * D + i] * (g ? g[i] : 1));
    const mg = gg.reduce((a, c) => a + c, 0) / D;
    const mgx = gg.reduce((a, c, i) => a + c * xh[i], 0) / D;
    for (let i = 0; i < D; i++) {
      dx[r * D + i] = rstd * (gg[i] - mg - xh[i] * mgx);
      dg[i] += dy[r * D + i] * xh[i];
      db[i] += dy[r * D + i];
    }
  }
  return { dx, dg, db };
}

/** Row softmax of rows of n. */
export function softmaxOracle(x: ArrayLike<number>, m: number, n: number): Float64Array {
  const y = new Float64Array(m * n);
  for (let r = 0; r < m; r++) {
    let mx = -Infinity;
    for (let i = 0; i < n; i++) mx = Math.max(mx, x[r * n + i]);
    let s = 0;
    for (let i = 0; i < n; i++) s += y[r * n + i] = Math.exp(x[r * n + i] - mx);
    for (let i = 0; i < n; i++) y[r * n + i] /= s;
  }
  return y;
}

/** dx = y (dy - sum dy y) per row. */
export function softmaxGradOracle(y: ArrayLike<number>, dy: ArrayLike<number>, m: number, n: number): Float64Array {
  const dx = new Float64Array(m * n);
  for (let r = 0; r < m; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += y[r * n + i] * dy[r * n + i];
    for (let i = 0; i < n; i++) dx[r * n + i] = y[r * n + i] * (dy[r * n + i] - s);
  }
  return dx;
}

/** Phi(x), the standard normal CDF, from the float64 erfc of test/oracle/eltwise.ts. */
export function normalCdf(x: number): number {
  return x < 0 ? normalTail(-x) : 1 - normalTail(x);
}

/** GELU (exact erf form) y = x Phi(x). */
export const geluOracle = (x: number): number => x * normalCdf(x);

/** d GELU / dx = Phi(x) + x phi(x). */
export const geluDerivOracle = (x: number): number => normalCdf(x) + (x * Math.exp(-0.5 * x * x)) / Math.sqrt(2 * Math.PI);

/** Embedding lookup: ids [m] into table [V][D] -> [m][D]. */
export function embeddingOracle(ids: ArrayLike<number>, table: ArrayLike<number>, D: number): Float64Array {
  const y = new Float64Array(ids.length * D);
  for (let i = 0; i < ids.length; i++) for (let c = 0; c < D; c++) y[i * D + c] = table[ids[i] * D + c];
  return y;
}

/** Scatter-add of rows dy [m][D] into a [V][D] gradient. */
export function embeddingGradOracle(ids: ArrayLike<number>, dy: ArrayLike<number>, V: number, D: number): Float64Array {
  const g = new Float64Array(V * D);
  for (let i = 0; i < ids.length; i++) for (let c = 0; c < D; c++) g[ids[i] * D + c] += dy[i * D + c];
  return g;
}

/** Mean over T of [B][T][D] -> [B][D]. */
export function seqMeanOracle(x: ArrayLike<number>, B: number, T: number, D: number): Float64Array {
  const y = new Float64Array(B * D);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let c = 0; c < D; c++) y[b * D + c] += x[(b * T + t) * D + c] / T;
  return y;
}

/**
 * Multi-head attention core: q [B][T][D], k, v [B][S][D], heads H (head h = columns h*dh..):
 * scores = alpha q_h k_h^T, softmax over S, out_h = P v_h -> [B][T][D].
 */
export function attentionOracle(q: ArrayLike<number>, k: ArrayLike<number>, v: ArrayLike<number>, B: number, T: number, S: number, D: number, H: number, alpha: number): Float64Array {
  const dh = D / H;
  const out = new Float64Array(B * T * D);
  for (let b = 0; b < B; b++) for (let h = 0; h < H; h++) for (let t = 0; t < T; t++) {
    const sc = new Float64Array(S);
    for (let s = 0; s < S; s++) {
      let a = 0;
      for (let j = 0; j < dh; j++) a += q[(b * T + t) * D + h * dh + j] * k[(b * S + s) * D + h * dh + j];
      sc[s] = alpha * a;
    }
    const p = softmaxOracle(sc, 1, S);
    for (let j = 0; j < dh; j++) {
      let a = 0;
      for (let s = 0; s < S; s++) a += p[s] * v[(b * S + s) * D + h * dh + j];
      out[(b * T + t) * D + h * dh + j] = a;
    }
  }
  return out;
}
