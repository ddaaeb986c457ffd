// f32_dkm__ref: the DKM attention of n weights over k centroids (host side: src/trainer/dkm/dkm.ts), scalar
// reference. Per weight i (mask m_i in {0, 1}, or 1 when mask = 0):
//   d_ij = |w_i - c_j|,  A_ij = exp((min_l d_il - d_ij) * inv_tau) / sum_l exp(...)   (softmax of -d / tau)
//   out_i = m_i * sum_j A_ij c_j  (+0 where m_i = 0)                                 (out = 0: not written)
//   sums (f64, accumulated; 0 = not written): [j] += m_i A_ij, [k + j] += m_i A_ij w_i,
//         [2k] += m_i w_i, [2k + 1] += m_i w_i^2
// (n, w, mask, c, k, out, sums, scratch, params): k in 1..256; scratch >= 48 k bytes (unused here);
// params: | 0 inv_tau (f32) |.
export function f32_dkm__ref(n: i32, w: usize, mask: usize, c: usize, k: i32, out: usize, sums: usize, scratch: usize, params: usize): void {
  assert(n >= 0 && k >= 1 && k <= 256 && ((w | mask | c | out | sums | scratch) & 3) == 0);
  const invTau = load<f32>(params);
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const m: f32 = mask ? load<f32>(mask + o) : 1;
    const wi = load<f32>(w + o);
    let dmin: f32 = Infinity;
    for (let j = 0; j < k; j++) dmin = min(dmin, Mathf.abs(wi - load<f32>(c + (<usize>j << 2))));
    let s: f32 = 0, t: f32 = 0;
    for (let j = 0; j < k; j++) {
      const cj = load<f32>(c + (<usize>j << 2));
      const e = Mathf.exp((dmin - Mathf.abs(wi - cj)) * invTau);
      s += e;
      t += e * cj;
    }
    const r = m / s;
    if (out) store<f32>(out + o, m != 0 ? t * r : 0);
    if (sums && m != 0) {
      for (let j = 0; j < k; j++) {
        const cj = load<f32>(c + (<usize>j << 2));
        const a = <f64>(Mathf.exp((dmin - Mathf.abs(wi - cj)) * invTau) * r);
        const pd = sums + (<usize>j << 3), pn = sums + (<usize>(k + j) << 3);
        store<f64>(pd, load<f64>(pd) + a);
        store<f64>(pn, load<f64>(pn) + a * <f64>wi);
      }
      const p1 = sums + (<usize>(2 * k) << 3);
      store<f64>(p1, load<f64>(p1) + <f64>wi);
      store<f64>(p1 + 8, load<f64>(p1 + 8) + <f64>wi * <f64>wi);
    }
  }
}
