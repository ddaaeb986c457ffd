// f32_dkmgrad__ref: backward of out = m * A c (f32_dkm__ref) with respect to w (direct path) and
// the centroids, scalar reference (host side: src/trainer/dkm/dkm.ts). With g_i = m_i dL/dout_i,
// s_ij = sign(w_i - c_j) and e_ij = g_i A_ij (c_j - wt_i) s_ij inv_tau (wt_i = sum_j A_ij c_j, the
// forward output):
//   dw_i (+)= -sum_j e_ij                        (params slot 1: accumulate 0 / 1)
//   gsum[j] += sum_i (g_i A_ij + e_ij)           (f64, accumulated: dL/dc_j)
// (n, w, mask, c, k, wt, g, dw, gsum, scratch, params): params | 0 inv_tau (f32) | 1 accumulate |.
export function f32_dkmgrad__ref(
  n: i32, w: usize, mask: usize, c: usize, k: i32, wt: usize, g: usize, dw: usize, gsum: usize, scratch: usize, params: usize,
): void {
  assert(n >= 0 && k >= 1 && k <= 256 && ((w | mask | c | wt | g | dw | gsum | scratch) & 3) == 0);
  const invTau = load<f32>(params);
  const accumulate = load<i32>(params, 4) != 0;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const m: f32 = mask ? load<f32>(mask + o) : 1;
    const wi = load<f32>(w + o);
    const gi = load<f32>(g + o) * m;
    const ti = load<f32>(wt + o);
    let dmin: f32 = Infinity;
    for (let j = 0; j < k; j++) dmin = min(dmin, Mathf.abs(wi - load<f32>(c + (<usize>j << 2))));
    let s: f32 = 0;
    for (let j = 0; j < k; j++) s += Mathf.exp((dmin - Mathf.abs(wi - load<f32>(c + (<usize>j << 2)))) * invTau);
    const r: f32 = 1 / s;
    let acc: f32 = 0;
    for (let j = 0; j < k; j++) {
      const cj = load<f32>(c + (<usize>j << 2));
      const a = Mathf.exp((dmin - Mathf.abs(wi - cj)) * invTau) * r;
      const sg: f32 = wi > cj ? 1 : wi < cj ? -1 : 0;
      const ga = gi * a;
      const eij = ga * (cj - ti) * sg * invTau;
      acc += eij;
      const p = gsum + (<usize>j << 3);
      store<f64>(p, load<f64>(p) + <f64>(ga + eij));
    }
    let d: f32 = m != 0 ? -acc : 0;
    if (accumulate) d += load<f32>(dw + o);
    store<f32>(dw + o, d);
  }
}
