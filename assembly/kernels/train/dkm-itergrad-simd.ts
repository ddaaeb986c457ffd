// f32_dkmitergrad__simd: as f32_dkmitergrad__ref (the definition), weights in lanes
// (dkm-common.ts). scratch: k v128.
import { storeTail } from '../eltwise/math';
import { distMin, load4, maskLanes, signDiff, softExps } from './dkm-common';

export function f32_dkmitergrad__simd(n: i32, w: usize, mask: usize, cp: usize, k: i32, coef: usize, dw: usize, scratch: usize, params: usize): void {
  assert(n >= 0 && k >= 1 && k <= 256 && ((w | mask | cp | coef | dw) & 3) == 0 && (scratch & 15) == 0);
  const invTau = f32x4.splat(load<f32>(params));
  const negInvTau = f32x4.neg(invTau);
  const accumulate = load<i32>(params, 4) != 0;
  const E = scratch;
  const zero = f32x4.splat(0);
  for (let i = 0; i < n; i += 4) {
    const rem = n - i;
    const o = <usize>i << 2;
    const wv = load4(w + o, rem, 0);
    const mv = maskLanes(mask, o, rem);
    const dmin = distMin(wv, cp, k);
    const r = f32x4.div(f32x4.splat(1), softExps(wv, dmin, cp, k, invTau, E));
    let sBq = zero, sBu = zero, sBh = zero, sBhq = zero;
    for (let j = 0; j < k; j++) {
      const b = f32x4.mul(v128.load(E + (<usize>j << 4)), r);
      const q = f32x4.mul(signDiff(wv, v128.load32_splat(cp + (<usize>j << 2))), negInvTau);
      const u = v128.load32_splat(coef + (<usize>j << 2));
      const h = f32x4.mul(u, f32x4.sub(wv, v128.load32_splat(coef + (<usize>(k + j) << 2))));
      const bh = f32x4.mul(b, h);
      sBq = f32x4.add(sBq, f32x4.mul(b, q));
      sBu = f32x4.add(sBu, f32x4.mul(b, u));
      sBh = f32x4.add(sBh, bh);
      sBhq = f32x4.add(sBhq, f32x4.mul(bh, q));
    }
    let d = v128.and(f32x4.mul(mv, f32x4.sub(f32x4.add(sBu, sBhq), f32x4.mul(sBh, sBq))), f32x4.ne(mv, zero));
    if (accumulate) d = f32x4.add(d, load4(dw + o, rem, 0));
    if (rem >= 4) v128.store(dw + o, d);
    else storeTail(dw + o, d, rem);
  }
}
