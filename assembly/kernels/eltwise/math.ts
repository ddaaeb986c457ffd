// Math shared by the element-wise and softmax kernels: f32x4 exp, expm1, log and the erfc-based
// normal tail (for GELU), the scalar f64 erfc used by the ref kernels, and partial-vector tail
// load/store.
//
// exp (vExp), XNNPACK "rr2-p5" style:
//   n = nearest(z * log2(e)) via the 1.5*2^23 magic bias: the integer n lands in the low mantissa
//       bits of v, so n = bits(v) - bits(MAGIC) and 2^n is an integer add + shift into the exponent;
//   r = z - n*LN2_HI - n*LN2_LO     (Cody-Waite; n*LN2_HI is exact for |n| < 512), |r| <= ln2/2;
//   exp(z) = p(r) * 2^n1 * 2^n2,    n1 = n >> 1, n2 = n - n1, so results in the subnormal range
//       round once (gradual underflow) instead of being flushed to 0;
//   p(r) = 1 + r + r^2 (c2 + c3 r + c4 r^2 + c5 r^3), minimax for relative error (Lawson/IRLS fit,
//       max 1.05e-7 relative on [-ln2/2, ln2/2] before f32 rounding).
//   z is clamped to [-110, 89] first: exp(-110) and below rounds to +0, exp(> 88.73) to +inf.
//   NaN propagates (pmin/pmax keep the first operand when the comparison is false).
//
// expm1 on [-20, 0] (vExpm1Neg, for tanh): same reduction with one scale s = 2^n, n in [-29, 0];
//   expm1(z) = s * q(r) + (s - 1), q(r) = expm1(r) (degree-6 minimax, 1.3e-8 relative); s - 1 is
//   exact for n >= -24, so small |z| keeps full relative precision (n = 0 -> q(r) itself).
//
// Normal tail s * Phi(-a) = s * erfc(a / sqrt2) / 2 for a >= 0 (vNormTailMul, for GELU): Numerical
//   Recipes' erfcc (W. H. Press et al., Numerical Recipes in C, 2nd ed., sec. 6.2): with
//   z = a / sqrt2, t = 1 / (1 + z/2): erfc(z) = t * exp(-z^2 + P(t)), P of degree 9, relative error
//   < 1.2e-7 for all z >= 0 (measured 1.05e-7 in float64 against mpmath on [0, 10]).
//   -z^2 = -a^2/2 is formed exactly as hi + lo (a split into 12 + 12 bits) so its rounding does not
//   turn into a relative error of up to 87 * 2^-24 in exp. Measured max error of f32_vgelu__simd
//   vs float64: 5.0e-7 relative (largest near |x| ~ 1, from cancellation in P(t) at t ~ 1).
//
// log (vLog, for f32_vlog__simd): x = 2^k m, m in [sqrt(1/2), sqrt(2)) taken from the bits
//   (bits(x) - bits(sqrt(1/2)): the exponent field gives k, the mantissa field plus bits(sqrt(1/2))
//   gives m); subnormal x are scaled by 2^23 first (exact). f = m - 1 is exact (Sterbenz), and
//   ln m = ln(1 + f) = 2 atanh(s) with s = f / (2 + f), |s| <= 0.1716:
//     ln(1 + f) = 2s + s R,  R = z (2/3 + z (2/5 + z (2/7 + z 2/9))),  z = s^2
//   (the Taylor series of atanh; the first term left out, 2 s^11 / 11, is < 2e-9 of 2s). Written as
//   f - (f^2/2 - s (f^2/2 + R)), so the exact f carries the result and the small correction's
//   rounding barely shows; k ln2 = k LN2_HI (exact for |k| < 512) + k LN2_LO.
//
// Measured max relative error vs float64 (outputs >= 2^-126; test/oracle/eltwise.ts states the
// tolerances): sigmoid 2.7e-7, silu 3.2e-7, tanh 1.7e-7, gelu 5.0e-7; subnormal outputs within
// 4e-45 absolute. exp (f32_vexp__simd) and log (f32_vlog__simd): see test/oracle/eltwise.ts.

// ---- constants ---------------------------------------------------------------------------------
const LOG2E: f32 = 1.44269504;
const MAGIC: f32 = 12582912.0; // 1.5 * 2^23
const MAGIC_BITS: i32 = 0x4b400000;
const LN2_HI: f32 = 0.693145751953125; // 0x3F317200: 15 significant bits
const LN2_LO: f32 = 1.428606765330187e-6;

// exp(r) = 1 + r + r^2 (E2 + E3 r + E4 r^2 + E5 r^3)
const E2: f32 = 0.4999923;
const E3: f32 = 0.16667114;
const E4: f32 = 0.041890115;
const E5: f32 = 0.008312525;

// expm1(r) = r + r^2 (M2 + M3 r + M4 r^2 + M5 r^3 + M6 r^4)
const M2: f32 = 0.49999997;
const M3: f32 = 0.16666543;
const M4: f32 = 0.0416672;
const M5: f32 = 0.008366514;
const M6: f32 = 0.0013882522;

// ln(1 + f) = 2s + s z (LG1 + LG2 z + LG3 z^2 + LG4 z^3), z = s^2: the atanh series, 2/(2j+1)
const LG1: f32 = 0.6666666666666666;
const LG2: f32 = 0.4;
const LG3: f32 = 0.2857142857142857;
const LG4: f32 = 0.2222222222222222;
const SQRT1_2_BITS: i32 = 0x3f3504f3; // sqrt(1/2) rounded to f32
const FLT_MIN: f32 = 1.17549435e-38; // 2^-126, the smallest normal f32
const TWO23: f32 = 8388608.0;

// Numerical Recipes erfcc: P(t) = N0 + N1 t + ... + N9 t^9
const N0: f32 = -1.26551223;
const N1: f32 = 1.00002368;
const N2: f32 = 0.37409196;
const N3: f32 = 0.09678418;
const N4: f32 = -0.18628806;
const N5: f32 = 0.27886807;
const N6: f32 = -1.13520398;
const N7: f32 = 1.48851587;
const N8: f32 = -0.82215223;
const N9: f32 = 0.17087277;
const HALF_INV_SQRT2: f32 = 0.353553391; // t = 1 / (1 + a * HALF_INV_SQRT2)

// ---- f32x4 ---------------------------------------------------------------------------------------

@inline function splat(c: f32): v128 {
  return f32x4.splat(c);
}

/** 2^n for n in [-126, 127], built in the exponent bits. */
@inline function pow2i(n: v128): v128 {
  return i32x4.shl(i32x4.add(n, i32x4.splat(127)), 23);
}

/** exp(r) for |r| <= ln2/2: 1 + r + r^2 (E2 + E3 r + E4 r^2 + E5 r^3). */
@inline function expPoly(r: v128): v128 {
  let p = f32x4.add(f32x4.mul(splat(E5), r), splat(E4));
  p = f32x4.add(f32x4.mul(p, r), splat(E3));
  p = f32x4.add(f32x4.mul(p, r), splat(E2));
  p = f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r);
  return f32x4.add(p, splat(1.0));
}

/** exp(z) lane-wise; about 2e-7 relative (see the header), NaN -> NaN, -inf -> 0, +inf -> +inf. */
@inline export function vExp(z: v128): v128 {
  z = f32x4.pmin(f32x4.pmax(z, splat(-110.0)), splat(89.0));
  const v = f32x4.add(f32x4.mul(z, splat(LOG2E)), splat(MAGIC));
  const n = i32x4.sub(v, i32x4.splat(MAGIC_BITS));
  const nf = f32x4.sub(v, splat(MAGIC));
  const r = f32x4.sub(f32x4.sub(z, f32x4.mul(nf, splat(LN2_HI))), f32x4.mul(nf, splat(LN2_LO)));
  // Two scale factors (each exponent >= -80) so a subnormal result is rounded once, at the end.
  const n1 = i32x4.shr_s(n, 1);
  return f32x4.mul(f32x4.mul(expPoly(r), pow2i(n1)), pow2i(i32x4.sub(n, n1)));
}

/** sigmoid(x) lane-wise: e = exp(-|x|), (x > 0 ? 1 : e) / (1 + e). NaN -> NaN. */
@inline export function vSigmoid(x: v128): v128 {
  const e = vExp(f32x4.neg(f32x4.abs(x)));
  const num = v128.bitselect(splat(1.0), e, f32x4.gt(x, f32x4.splat(0)));
  return f32x4.div(num, f32x4.add(e, splat(1.0)));
}

/**
 * silu(x) = x sigmoid(x) lane-wise: (x > 0 ? x : x e) / (1 + e), e = exp(-|x|). x e is formed
 * before the last 2^n2 scaling, so it rounds once even where e alone would be subnormal
 * (x in [-92, -87]: e < 2^-126 but x e is not). -inf -> -0 (z is clamped, e is exactly 0 and x is
 * clamped too), +inf -> +inf, NaN -> NaN.
 */
@inline export function vSilu(x: v128): v128 {
  const z = f32x4.pmax(f32x4.neg(f32x4.abs(x)), splat(-110.0));
  const v = f32x4.add(f32x4.mul(z, splat(LOG2E)), splat(MAGIC));
  const n = i32x4.sub(v, i32x4.splat(MAGIC_BITS));
  const nf = f32x4.sub(v, splat(MAGIC));
  const r = f32x4.sub(f32x4.sub(z, f32x4.mul(nf, splat(LN2_HI))), f32x4.mul(nf, splat(LN2_LO)));
  const n1 = i32x4.shr_s(n, 1);
  const eh = f32x4.mul(expPoly(r), pow2i(n1));
  const s2 = pow2i(i32x4.sub(n, n1));
  const e = f32x4.mul(eh, s2);
  const xe = f32x4.mul(f32x4.mul(f32x4.pmax(x, splat(-110.0)), eh), s2);
  return f32x4.div(v128.bitselect(x, xe, f32x4.gt(x, f32x4.splat(0))), f32x4.add(e, splat(1.0)));
}

/** expm1(z) lane-wise for z in [-20, 0] (or NaN); the caller clamps. */
@inline export function vExpm1Neg(z: v128): v128 {
  const v = f32x4.add(f32x4.mul(z, splat(LOG2E)), splat(MAGIC));
  // (bits(v) + 127) << 23 == (n + 127) << 23: the magic's own bits sit above bit 8 and shift out.
  const s = pow2i(v);
  const nf = f32x4.sub(v, splat(MAGIC));
  let r = f32x4.sub(z, f32x4.mul(nf, splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(nf, splat(LN2_LO)));
  let q = f32x4.add(f32x4.mul(splat(M6), r), splat(M5));
  q = f32x4.add(f32x4.mul(q, r), splat(M4));
  q = f32x4.add(f32x4.mul(q, r), splat(M3));
  q = f32x4.add(f32x4.mul(q, r), splat(M2));
  q = f32x4.add(f32x4.mul(f32x4.mul(q, r), r), r);
  return f32x4.add(f32x4.mul(q, s), f32x4.sub(s, splat(1.0)));
}

/**
 * s * Phi(-a) = s * erfc(a/sqrt2)/2 lane-wise, for a in [0, 14.5] (or NaN; the caller clamps:
 * Phi(-14.5) * 14.5 rounds to 0). s is multiplied in before the last 2^n2 scaling, so where
 * Phi(-a) alone would be subnormal but s Phi(-a) is not, it still rounds once.
 */
@inline export function vNormTailMul(a: v128, s: v128): v128 {
  const t = f32x4.div(splat(1.0), f32x4.add(f32x4.mul(a, splat(HALF_INV_SQRT2)), splat(1.0)));
  let p = f32x4.add(f32x4.mul(splat(N9), t), splat(N8));
  p = f32x4.add(f32x4.mul(p, t), splat(N7));
  p = f32x4.add(f32x4.mul(p, t), splat(N6));
  p = f32x4.add(f32x4.mul(p, t), splat(N5));
  p = f32x4.add(f32x4.mul(p, t), splat(N4));
  p = f32x4.add(f32x4.mul(p, t), splat(N3));
  p = f32x4.add(f32x4.mul(p, t), splat(N2));
  p = f32x4.add(f32x4.mul(p, t), splat(N1));
  p = f32x4.add(f32x4.mul(p, t), splat(N0));
  // The exponent -a^2/2 + P(t) as hi + lo: with ah = a cut to 12 significant bits,
  // a^2 = ah^2 + al (a + ah) and ah^2 is exact, so hi = -ah^2/2 is exact and hi - n*LN2_HI is too.
  const ah = v128.and(a, i32x4.splat(0xfffff000));
  const al = f32x4.sub(a, ah);
  const hi = f32x4.mul(f32x4.mul(ah, ah), splat(-0.5));
  const lo = f32x4.sub(p, f32x4.mul(f32x4.mul(al, f32x4.add(a, ah)), splat(0.5)));
  const v = f32x4.add(f32x4.mul(f32x4.add(hi, lo), splat(LOG2E)), splat(MAGIC));
  const n = i32x4.sub(v, i32x4.splat(MAGIC_BITS));
  const nf = f32x4.sub(v, splat(MAGIC));
  let r = f32x4.add(f32x4.sub(hi, f32x4.mul(nf, splat(LN2_HI))), lo);
  r = f32x4.sub(r, f32x4.mul(nf, splat(LN2_LO)));
  const n1 = i32x4.shr_s(n, 1);
  const q = f32x4.mul(f32x4.mul(f32x4.mul(s, f32x4.mul(t, splat(0.5))), expPoly(r)), pow2i(n1));
  return f32x4.mul(q, pow2i(i32x4.sub(n, n1)));
}

/** ln(x) lane-wise (see the header): +-0 -> -inf, x < 0 -> NaN, +inf -> +inf, NaN -> NaN. */
@inline export function vLog(x: v128): v128 {
  const sub = f32x4.lt(x, splat(FLT_MIN));
  const xs = v128.bitselect(f32x4.mul(x, splat(TWO23)), x, sub);
  const t = i32x4.sub(xs, i32x4.splat(SQRT1_2_BITS));
  const k = i32x4.add(i32x4.shr_s(t, 23), v128.and(sub, i32x4.splat(-23)));
  const m = i32x4.add(v128.and(t, i32x4.splat(0x007fffff)), i32x4.splat(SQRT1_2_BITS));
  const f = f32x4.sub(m, splat(1.0));
  const s = f32x4.div(f, f32x4.add(f, splat(2.0)));
  const z = f32x4.mul(s, s);
  let r = f32x4.add(f32x4.mul(splat(LG4), z), splat(LG3));
  r = f32x4.add(f32x4.mul(r, z), splat(LG2));
  r = f32x4.add(f32x4.mul(r, z), splat(LG1));
  r = f32x4.mul(r, z);
  const hfsq = f32x4.mul(f32x4.mul(f, f), splat(0.5));
  const kf = f32x4.convert_i32x4_s(k);
  const lo = f32x4.add(f32x4.mul(s, f32x4.add(hfsq, r)), f32x4.mul(kf, splat(LN2_LO)));
  let y = f32x4.sub(f32x4.mul(kf, splat(LN2_HI)), f32x4.sub(f32x4.sub(hfsq, lo), f));
  // Inputs the bit arithmetic does not cover: +-0 -> -inf, x < 0 -> NaN, +inf and NaN -> x.
  y = v128.bitselect(splat(-Infinity), y, f32x4.eq(x, f32x4.splat(0)));
  y = v128.bitselect(splat(NaN), y, f32x4.lt(x, f32x4.splat(0)));
  return v128.bitselect(x, y, v128.not(f32x4.lt(x, splat(Infinity))));
}

/**
 * Loads the first `rem` (1..3) f32 at `p` into lanes 0..rem-1; the other lanes hold `fill`.
 * Used for the remainder so it runs the same vector code as the body (no reads past the end).
 */
@inline export function loadTail(p: usize, rem: i32, fill: f32): v128 {
  let v = f32x4.replace_lane(f32x4.splat(fill), 0, load<f32>(p));
  if (rem >= 2) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (rem >= 3) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

/** Stores lanes 0..rem-1 (rem in 1..3) of `v` at `p`. */
@inline export function storeTail(p: usize, v: v128, rem: i32): void {
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (rem >= 2) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (rem >= 3) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

// ---- scalar (ref kernels, float64) ------------------------------------------------------------------

/** erfc(z) for z >= 0 in float64, Numerical Recipes erfcc (relative error < 1.2e-7). */
export function erfcNR(z: f64): f64 {
  const t = 1.0 / (1.0 + 0.5 * z);
  let p = 0.17087277;
  p = p * t - 0.82215223;
  p = p * t + 1.48851587;
  p = p * t - 1.13520398;
  p = p * t + 0.27886807;
  p = p * t - 0.18628806;
  p = p * t + 0.09678418;
  p = p * t + 0.37409196;
  p = p * t + 1.00002368;
  p = p * t - 1.26551223;
  return t * Math.exp(-z * z + p);
}
