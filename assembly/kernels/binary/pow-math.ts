// pow for the SIMD Pow kernel (f32_bpow__simd); not a kernel. C / ONNX pow semantics:
//
//   |a|^b = exp(b ln|a|), computed in f64x2 (two lanes at a time) and rounded to f32 once:
//     ln x:  x = 2^k m, m in [sqrt(1/2), sqrt(2)) from the bits (as vLog in eltwise/math.ts);
//            f = m - 1 (exact), s = f / (2 + f), z = s^2,
//            ln m = f - (f^2/2 - s (f^2/2 + z (C1 + C2 z + ... + C7 z^6))), Cj = 2 / (2j + 1)
//            (the atanh series; the first term left out is < 4e-14 of ln m), then + k ln2;
//     exp t: t clamped to [-120, 100] (f32 results there are 0 and +inf anyway), n = round(t / ln2)
//            with the 1.5 * 2^52 magic bias, r = t - n LN2_HI - n LN2_LO (|r| <= ln2/2, n LN2_HI
//            exact), exp r by its Taylor polynomial of degree 10 (truncation < 3e-13), times 2^n
//            built in the f64 exponent field (n in [-174, 145]: always a normal f64).
//   The f64 result is within ~1e-12 relative of |a|^b, so after the one rounding to f32 (demote,
//   which also rounds subnormal and overflowing results correctly) the kernel is within 1 ulp of
//   the correctly rounded result; it differs from it only where |a|^b lies within ~1e-12 of a
//   midpoint between two f32 values.
//
//   Signs and special cases, lane-wise in f32 (C99 F.9.4.4, which ONNX and NumPy follow):
//     b odd integer: the sign of a (so pow(-0, -1) = -inf, pow(-8, 1/3) below);
//     a < 0 finite and b finite, not an integer: NaN;
//     pow(a, +-0) = 1 and pow(1, b) = 1 for every a, b (NaN included); pow(-1, +-inf) = 1;
//     ln 0 = -inf and ln inf = inf give pow(0, b), pow(inf, b) and b = +-inf the C values.
//   b is an odd integer when trunc(b) = b and trunc(b/2) != b/2 (|b| >= 2^24 and +-inf are even).

// ---- f64 constants ----------------------------------------------------------------------------
const SQRT1_2_BITS64: i64 = 0x3fe6a09e667f3bcd; // sqrt(1/2) rounded to f64
const LN2_HI64: f64 = 0.6931471805582987; // ln2 with the low 16 mantissa bits cleared (0x3fe62e42fefa0000)
const LN2_LO64: f64 = 1.6465949582897082e-12; // ln2 - LN2_HI64
const LOG2E64: f64 = 1.4426950408889634;
const MAGIC64: f64 = 6755399441055744.0; // 1.5 * 2^52
const MAGIC64_BITS: i64 = 0x4338000000000000;

@inline function splat64(c: f64): v128 {
  return f64x2.splat(c);
}

/** ln x for x > 0 finite (f64x2); other lanes: ln 0 = -inf, ln inf = inf, NaN -> NaN. */
@inline function vLn64(x: v128): v128 {
  const t = i64x2.sub(x, i64x2.splat(SQRT1_2_BITS64));
  const k = i64x2.shr_s(t, 52);
  const m = i64x2.add(v128.and(t, i64x2.splat(0x000fffffffffffff)), i64x2.splat(SQRT1_2_BITS64));
  const f = f64x2.sub(m, splat64(1.0));
  const s = f64x2.div(f, f64x2.add(f, splat64(2.0)));
  const z = f64x2.mul(s, s);
  let r = f64x2.add(f64x2.mul(splat64(0.13333333333333333), z), splat64(0.15384615384615385));
  r = f64x2.add(f64x2.mul(r, z), splat64(0.18181818181818182));
  r = f64x2.add(f64x2.mul(r, z), splat64(0.2222222222222222));
  r = f64x2.add(f64x2.mul(r, z), splat64(0.2857142857142857));
  r = f64x2.add(f64x2.mul(r, z), splat64(0.4));
  r = f64x2.add(f64x2.mul(r, z), splat64(0.6666666666666666));
  r = f64x2.mul(r, z);
  const hfsq = f64x2.mul(f64x2.mul(f, f), splat64(0.5));
  const lnm = f64x2.sub(f, f64x2.sub(hfsq, f64x2.mul(s, f64x2.add(hfsq, r))));
  // k fits in 32 bits: gather the low halves of the two i64 lanes for the i32 -> f64 conversion.
  const k32 = i8x16.shuffle(k, k, 0, 1, 2, 3, 8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11);
  const kf = f64x2.convert_low_i32x4_s(k32);
  let y = f64x2.add(f64x2.mul(kf, splat64(LN2_HI64)), f64x2.add(f64x2.mul(kf, splat64(LN2_LO64)), lnm));
  y = v128.bitselect(splat64(-Infinity), y, f64x2.eq(x, splat64(0)));
  return v128.bitselect(x, y, v128.not(f64x2.lt(x, splat64(Infinity))));
}

/** exp t (f64x2) for t in [-120, 100] or NaN (the caller clamps). */
@inline function vExp64(t: v128): v128 {
  const v = f64x2.add(f64x2.mul(t, splat64(LOG2E64)), splat64(MAGIC64));
  const n = i64x2.sub(v, i64x2.splat(MAGIC64_BITS));
  const nf = f64x2.sub(v, splat64(MAGIC64));
  const r = f64x2.sub(f64x2.sub(t, f64x2.mul(nf, splat64(LN2_HI64))), f64x2.mul(nf, splat64(LN2_LO64)));
  let p = f64x2.add(f64x2.mul(splat64(2.755731922398589e-7), r), splat64(2.7557319223985893e-6));
  p = f64x2.add(f64x2.mul(p, r), splat64(2.48015873015873e-5));
  p = f64x2.add(f64x2.mul(p, r), splat64(1.984126984126984e-4));
  p = f64x2.add(f64x2.mul(p, r), splat64(1.388888888888889e-3));
  p = f64x2.add(f64x2.mul(p, r), splat64(8.333333333333333e-3));
  p = f64x2.add(f64x2.mul(p, r), splat64(4.1666666666666664e-2));
  p = f64x2.add(f64x2.mul(p, r), splat64(0.16666666666666666));
  p = f64x2.add(f64x2.mul(p, r), splat64(0.5));
  p = f64x2.add(f64x2.mul(p, r), splat64(1.0));
  p = f64x2.add(f64x2.mul(p, r), splat64(1.0));
  return f64x2.mul(p, i64x2.shl(i64x2.add(n, i64x2.splat(1023)), 52));
}

/** |a|^b for two lanes given as f64x2 (|a| >= 0 or NaN). */
@inline function vPowAbs64(ax: v128, b: v128): v128 {
  const t = f64x2.mul(b, vLn64(ax));
  // f64x2.min/max keep NaN, so NaN inputs stay NaN.
  return vExp64(f64x2.min(f64x2.max(t, splat64(-120.0)), splat64(100.0)));
}

/** pow(a, b) lane-wise with C / ONNX semantics (see the header). */
@inline export function vPow(a: v128, b: v128): v128 {
  const ax = f32x4.abs(a);
  // Lanes 0, 1 and 2, 3 through f64, then back into one f32x4.
  const lo = vPowAbs64(f64x2.promote_low_f32x4(ax), f64x2.promote_low_f32x4(b));
  const ax2 = i8x16.shuffle(ax, ax, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
  const b2 = i8x16.shuffle(b, b, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
  const hi = vPowAbs64(f64x2.promote_low_f32x4(ax2), f64x2.promote_low_f32x4(b2));
  const dl = f32x4.demote_f64x2_zero(lo);
  const dh = f32x4.demote_f64x2_zero(hi);
  let r = i8x16.shuffle(dl, dh, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
  // Sign: negative a (sign bit set, -0 included) with an odd integer b.
  const bint = f32x4.eq(f32x4.trunc(b), b);
  const bh = f32x4.mul(b, f32x4.splat(0.5));
  const odd = v128.and(bint, f32x4.ne(f32x4.trunc(bh), bh));
  r = v128.or(r, v128.and(v128.and(i32x4.lt_s(a, i32x4.splat(0)), odd), i32x4.splat(0x80000000)));
  // A negative finite base with a non-integer exponent: NaN.
  const negFinite = v128.and(f32x4.lt(a, f32x4.splat(0)), f32x4.gt(a, f32x4.splat(-Infinity)));
  r = v128.bitselect(f32x4.splat(NaN), r, v128.andnot(negFinite, bint));
  // pow(a, +-0) = 1, pow(1, b) = 1, pow(-1, +-inf) = 1.
  let one = v128.or(f32x4.eq(b, f32x4.splat(0)), f32x4.eq(a, f32x4.splat(1)));
  one = v128.or(one, v128.and(f32x4.eq(a, f32x4.splat(-1)), f32x4.eq(f32x4.abs(b), f32x4.splat(Infinity))));
  return v128.bitselect(f32x4.splat(1), r, one);
}
