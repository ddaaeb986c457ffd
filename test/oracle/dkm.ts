/**
 * Float64 oracle of the DKM op (src/trainer/dkm): the forward map the engine differentiates, from
 * the definition. Per group (rows r0 .. r0 + groupRows of the [rows, cols] view), with the kept
 * weights (mask 1):
 *   A_ij = softmax_j(-|w_i - c_j| / tau),  c_j <- sum_i m_i A_ij w_i / sum_i m_i A_ij  (refinements)
 *   out_i = m_i sum_j A_ij c_j   (A from the last centroids)
 */

export interface DkmOracleGroup {
  /** Centroids the refinements start from. */
  c: ArrayLike<number>;
  tau: number;
}

/** A_i. for one weight against centroids c. */
export function attention(w: number, c: ArrayLike<number>, tau: number): Float64Array {
  const k = c.length;
  const a = new Float64Array(k);
  let dmin = Infinity;
  for (let j = 0; j < k; j++) dmin = Math.min(dmin, Math.abs(w - c[j]));
  let s = 0;
  for (let j = 0; j < k; j++) s += (a[j] = Math.exp((dmin - Math.abs(w - c[j])) / tau));
  for (let j = 0; j < k; j++) a[j] /= s;
  return a;
}

/** One centroid refinement over values w (mask m, 1 = kept) from centroids c. */
export function refineOnce(w: ArrayLike<number>, m: ArrayLike<number> | null, c: ArrayLike<number>, tau: number): Float64Array {
  const k = c.length;
  const D = new Float64Array(k), N = new Float64Array(k);
  for (let i = 0; i < w.length; i++) {
    if (m && m[i] === 0) continue;
    const a = attention(w[i], c, tau);
    for (let j = 0; j < k; j++) (D[j] += a[j]), (N[j] += a[j] * w[i]);
  }
  return Float64Array.from(c, (cj, j) => (D[j] > 0 ? N[j] / D[j] : cj));
}

/**
 * The DKM forward of a [rows, cols] weight: `iters` refinements from each group's c, then out.
 * With `frozen` (per group: the centroids after iters - 1 refinements of some other w), only the last
 * refinement is a function of w: the map whose derivative the engine computes.
 */
export function dkmOracle(
  w: ArrayLike<number>, mask: ArrayLike<number> | null, rows: number, groupRows: number, groups: DkmOracleGroup[], iters: number,
  frozen?: Float64Array[],
): Float64Array {
  const cols = w.length / rows;
  const gr = groupRows > 0 ? Math.min(groupRows, rows) : rows;
  const out = new Float64Array(w.length);
  groups.forEach((grp, g) => {
    const o = g * gr * cols, n = (Math.min(rows, (g + 1) * gr) - g * gr) * cols;
    const wg = Array.from({ length: n }, (_, i) => w[o + i]);
    const mg = mask ? Array.from({ length: n }, (_, i) => mask[o + i]) : null;
    let c: Float64Array = Float64Array.from(grp.c);
    if (frozen && iters > 0) c = refineOnce(wg, mg, frozen[g], grp.tau);
    else for (let t = 0; t < iters; t++) c = refineOnce(wg, mg, c, grp.tau);
    for (let i = 0; i < n; i++) {
      if (mg && mg[i] === 0) continue;
      const a = attention(wg[i], c, grp.tau);
      let s = 0;
      for (let j = 0; j < c.length; j++) s += a[j] * c[j];
      out[o + i] = s;
    }
  });
  return out;
}

/** The centroids after `iters` refinements per group (to freeze all but the last one). */
export function refinedCentroids(w: ArrayLike<number>, mask: ArrayLike<number> | null, rows: number, groupRows: number, groups: DkmOracleGroup[], iters: number): Float64Array[] {
  const cols = w.length / rows;
  const gr = groupRows > 0 ? Math.min(groupRows, rows) : rows;
  return groups.map((grp, g) => {
    const o = g * gr * cols, n = (Math.min(rows, (g + 1) * gr) - g * gr) * cols;
    const wg = Array.from({ length: n }, (_, i) => w[o + i]);
    const mg = mask ? Array.from({ length: n }, (_, i) => mask[o + i]) : null;
    let c: Float64Array = Float64Array.from(grp.c);
    for (let t = 0; t < iters; t++) c = refineOnce(wg, mg, c, grp.tau);
    return c;
  });
}
