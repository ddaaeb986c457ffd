// f32_dkmitergrad__ref: backward through one centroid update c_j = sum_i B_ij w_i / D_j,
// D_j = sum_i m_i B_ij, B = softmax_j(-|w_i - cp_j| / tau) with the previous centroids cp held
// constant, scalar reference (host side: src/trainer/dkm/dkm.ts). Given u_j = (dL/dc_j) / D_j and c_j (coef =
// f32 [u_0..u_{k-1}, c_0..c_{k-1}]), with q_ij = -sign(w_i - cp_j) inv_tau and h_ij = u_j (w_i - c_j):
//   dw_i (+)= m_i (sum_j B_ij u_j + sum_j B_ij h_ij q_ij - (sum_j B_ij h_ij) (sum_j B_ij q_ij))
// (n, w, mask, cp, k, coef, dw, scratch, params): params | 0 inv_tau (f32) | 1 accumulate |.
export function f32_dkmitergrad__ref(n: i32, w: usize, mask: usize, cp: usize, k: i32, coef: usize, dw: usize, scratch: usize, params: usize): void {
  assert(n >= 0 && k >= 1 && k <= 256 && ((w | mask | cp | coef | dw | scratch) & 3) == 0);
  const invTau = load<f32>(params);
  const accumulate = load<i32>(params, 4) != 0;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const m: f32 = mask ? load<f32>(mask + o) : 1;
    const wi = load<f32>(w + o);
    let dmin: f32 = Infinity;
    for (let j = 0; j < k; j++) dmin = min(dmin, Mathf.abs(wi - load<f32>(cp + (<usize>j << 2))));
    let s: f32 = 0;
    for (let j = 0; j < k; j++) s += Mathf.exp((dmin - Mathf.abs(wi - load<f32>(cp + (<usize>j << 2)))) * invTau);
    const r: f32 = 1 / s;
    let sBq: f32 = 0, sBu: f32 = 0, sBh: f32 = 0, sBhq: f32 = 0;
    for (let j = 0; j < k; j++) {
      const cpj = load<f32>(cp + (<usize>j << 2));
      const b = Mathf.exp((dmin - Mathf.abs(wi - cpj)) * invTau) * r;
      const q: f32 = (wi > cpj ? -invTau : wi < cpj ? invTau : 0);
      const u = load<f32>(coef + (<usize>j << 2));
      const h = u * (wi - load<f32>(coef + (<usize>(k + j) << 2)));
      const bh = b * h;
      sBq += b * q;
      sBu += b * u;
      sBh += bh;
      sBhq += bh * q;
    }
    let d: f32 = m != 0 ? m * (sBu + sBhq - sBh * sBq) : 0;
    if (accumulate) d += load<f32>(dw + o);
    store<f32>(dw + o, d);
  }
}
