// f32_dkmgrad__simd: as f32_dkmgrad__ref (the definition), weights in lanes (dkm-common.ts); the
// centroid gradient is accumulated in f32 per chunk of 256 weights, then in f64. scratch: 2 k v128.
import { storeTail } from '../eltwise/math';
import { DKM_CHUNK, addF64, distMin, hsum64, load4, maskLanes, signDiff, softExps } from './dkm-common';

export function f32_dkmgrad__simd(
  n: i32, w: usize, mask: usize, c: usize, k: i32, wt: usize, g: usize, dw: usize, gsum: usize, scratch: usize, params: usize,
): void {
  assert(n >= 0 && k >= 1 && k <= 256 && ((w | mask | c | wt | g | dw | gsum) & 3) == 0 && (scratch & 15) == 0);
  const invTau = f32x4.splat(load<f32>(params));
  const accumulate = load<i32>(params, 4) != 0;
  const E = scratch, AG = scratch + (<usize>k << 4);
  const zero = f32x4.splat(0);
  for (let i0 = 0; i0 < n; i0 += DKM_CHUNK) {
    const i1 = min(n, i0 + DKM_CHUNK);
    for (let j = 0; j < k; j++) v128.store(AG + (<usize>j << 4), zero);
    for (let i = i0; i < i1; i += 4) {
      const rem = i1 - i;
      const o = <usize>i << 2;
      const wv = load4(w + o, rem, 0);
      const mv = maskLanes(mask, o, rem);
      const gv = f32x4.mul(load4(g + o, rem, 0), mv);
      const tv = load4(wt + o, rem, 0);
      const dmin = distMin(wv, c, k);
      const r = f32x4.div(f32x4.splat(1), softExps(wv, dmin, c, k, invTau, E));
      let acc = zero;
      for (let j = 0; j < k; j++) {
        const cj = v128.load32_splat(c + (<usize>j << 2));
        const ga = f32x4.mul(gv, f32x4.mul(v128.load(E + (<usize>j << 4)), r));
        const eij = f32x4.mul(f32x4.mul(f32x4.mul(ga, f32x4.sub(cj, tv)), signDiff(wv, cj)), invTau);
        acc = f32x4.add(acc, eij);
        const p = AG + (<usize>j << 4);
        v128.store(p, f32x4.add(v128.load(p), f32x4.add(ga, eij)));
      }
      let d = v128.and(f32x4.neg(acc), f32x4.ne(mv, zero));
      if (accumulate) d = f32x4.add(d, load4(dw + o, rem, 0));
      if (rem >= 4) v128.store(dw + o, d);
      else storeTail(dw + o, d, rem);
    }
    for (let j = 0; j < k; j++) addF64(gsum + (<usize>j << 3), hsum64(v128.load(AG + (<usize>j << 4))));
  }
}
