// Shared by the DKM SIMD kernels (host side: src/trainer/dkm/dkm.ts): weights in lanes (4 per v128), a loop
// over the k centroids with each centroid splatted, so any k in 1..256 runs the same code and no
// horizontal reduction is needed per weight. The k exponentials of 4 weights go to scratch (k v128,
// L1-resident) between the normalizing sum and their use.
import { loadTail, vExp } from '../eltwise/math';

/** Weights per f32 accumulation chunk before the f64 flush (keeps f32 sums short). */
export const DKM_CHUNK: i32 = 256;

/** 4 f32 at p, or the first rem (1..3) and `fill` in the other lanes. */
@inline export function load4(p: usize, rem: i32, fill: f32): v128 {
  return rem >= 4 ? v128.load(p) : loadTail(p, rem, fill);
}

/** Mask lanes: the mask values at p, or 1 in lanes < rem when there is no mask; 0 past the end. */
@inline export function maskLanes(mask: usize, o: usize, rem: i32): v128 {
  if (mask) return load4(mask + o, rem, 0);
  if (rem >= 4) return f32x4.splat(1);
  return loadTail(changetype<usize>(ONES), rem, 0);
}

const ONES: StaticArray<f32> = [1, 1, 1, 1];

/** min_j |w - c_j| lane-wise. */
@inline export function distMin(wv: v128, c: usize, k: i32): v128 {
  let dmin = f32x4.splat(Infinity);
  for (let j = 0; j < k; j++) dmin = f32x4.min(dmin, f32x4.abs(f32x4.sub(wv, v128.load32_splat(c + (<usize>j << 2)))));
  return dmin;
}

/** e_j = exp((dmin - |w - c_j|) inv_tau) stored at E + 16 j; returns sum_j e_j. */
@inline export function softExps(wv: v128, dmin: v128, c: usize, k: i32, invTau: v128, E: usize): v128 {
  let s = f32x4.splat(0);
  for (let j = 0; j < k; j++) {
    const e = vExp(f32x4.mul(f32x4.sub(dmin, f32x4.abs(f32x4.sub(wv, v128.load32_splat(c + (<usize>j << 2))))), invTau));
    v128.store(E + (<usize>j << 4), e);
    s = f32x4.add(s, e);
  }
  return s;
}

/** sign(a - b) lane-wise as -1, 0, 1. */
@inline export function signDiff(a: v128, b: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.sub(v128.and(f32x4.gt(a, b), one), v128.and(f32x4.lt(a, b), one));
}

/** Sum of the 4 lanes in f64. */
@inline export function hsum64(v: v128): f64 {
  return (<f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1)) + (<f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3));
}

@inline export function addF64(p: usize, v: f64): void {
  store<f64>(p, load<f64>(p) + v);
}
