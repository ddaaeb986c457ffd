// f32_dkm__simd: as f32_dkm__ref (the definition), weights in lanes (dkm-common.ts). Not bit-exact
// with the ref (vExp vs Mathf.exp; the sums are accumulated in f32 per chunk of 256 weights, then
// in f64). scratch: 3 k v128 (exponentials, two column accumulators).
import { storeTail } from '../eltwise/math';
import { DKM_CHUNK, addF64, distMin, hsum64, load4, maskLanes, softExps } from './dkm-common';

export function f32_dkm__simd(n: i32, w: usize, mask: usize, c: usize, k: i32, out: usize, sums: usize, scratch: usize, params: usize): void {
  assert(n >= 0 && k >= 1 && k <= 256 && ((w | mask | c | out | sums) & 3) == 0 && (scratch & 15) == 0);
  const invTau = f32x4.splat(load<f32>(params));
  const E = scratch, AD = scratch + (<usize>k << 4), AN = scratch + (<usize>k << 5);
  const zero = f32x4.splat(0);
  for (let i0 = 0; i0 < n; i0 += DKM_CHUNK) {
    const i1 = min(n, i0 + DKM_CHUNK);
    let s1 = zero, s2 = zero;
    if (sums) for (let j = 0; j < k; j++) {
      v128.store(AD + (<usize>j << 4), zero);
      v128.store(AN + (<usize>j << 4), zero);
    }
    for (let i = i0; i < i1; i += 4) {
      const rem = i1 - i;
      const o = <usize>i << 2;
      const wv = load4(w + o, rem, 0);
      const mv = maskLanes(mask, o, rem);
      const dmin = distMin(wv, c, k);
      const s = softExps(wv, dmin, c, k, invTau, E);
      const r = f32x4.div(mv, s);
      if (out) {
        let t = zero;
        for (let j = 0; j < k; j++) t = f32x4.add(t, f32x4.mul(v128.load(E + (<usize>j << 4)), v128.load32_splat(c + (<usize>j << 2))));
        const y = v128.and(f32x4.mul(t, r), f32x4.ne(mv, zero));
        if (rem >= 4) v128.store(out + o, y);
        else storeTail(out + o, y, rem);
      }
      if (sums) {
        for (let j = 0; j < k; j++) {
          const a = f32x4.mul(v128.load(E + (<usize>j << 4)), r);
          const pd = AD + (<usize>j << 4), pn = AN + (<usize>j << 4);
          v128.store(pd, f32x4.add(v128.load(pd), a));
          v128.store(pn, f32x4.add(v128.load(pn), f32x4.mul(a, wv)));
        }
        const mw = f32x4.mul(wv, mv);
        s1 = f32x4.add(s1, mw);
        s2 = f32x4.add(s2, f32x4.mul(mw, wv));
      }
    }
    if (sums) {
      for (let j = 0; j < k; j++) {
        addF64(sums + (<usize>j << 3), hsum64(v128.load(AD + (<usize>j << 4))));
        addF64(sums + (<usize>(k + j) << 3), hsum64(v128.load(AN + (<usize>j << 4))));
      }
      addF64(sums + (<usize>(2 * k) << 3), hsum64(s1));
      addF64(sums + (<usize>(2 * k + 1) << 3), hsum64(s2));
    }
  }
}
