// IEEE binary16 -> binary32 conversion, exact for every input (zeros, subnormals, inf, nan).
//
//  f16: | s | eeeee | mmmmmmmmmm |      t = (h & 0x7fff) << 13 puts e and m where f32 has them
//  normal   (0 < e < 31): f32 bits = t + (112 << 23)           (rebias 15 -> 127)
//  inf/nan  (e = 31):     f32 bits = t + (224 << 23)           (exponent -> 255, payload kept)
//  subnormal/zero (e=0):  value = m * 2^-24 = f32(t + (113 << 23)) - 2^-14 (exact subtraction)

@inline export function f16ToF32(h: u32): f32 {
  const t = (h & 0x7fff) << 13;
  let v: f32;
  if (t >= 0x0f800000) v = reinterpret<f32>(t + 0x70000000);
  else if (t >= 0x00800000) v = reinterpret<f32>(t + 0x38000000);
  else v = reinterpret<f32>(t + 0x38800000) - reinterpret<f32>(<u32>0x38800000);
  return reinterpret<f32>(reinterpret<u32>(v) | ((h & 0x8000) << 16));
}

/**
 * The same for 4 halves held in the low 16 bits of each u32 lane. Normals and subnormals at once:
 * f32 bits t are the value * 2^-112 (a subnormal f16 becomes a subnormal f32), so one exact multiply
 * by 2^112 rescales both; e = 31 (t >= 0x0f800000) gets the all-ones exponent OR-ed in.
 */
@inline export function f16x4ToF32x4(h: v128): v128 {
  const t = i32x4.shl(v128.and(h, i32x4.splat(0x7fff)), 13);
  const v = f32x4.mul(t, f32x4.splat(reinterpret<f32>(<u32>0x77800000))); // 2^112
  const infNan = v128.and(i32x4.gt_s(t, i32x4.splat(0x0f7fffff)), i32x4.splat(0x7f800000));
  return v128.or(v128.or(v, infNan), i32x4.shl(v128.and(h, i32x4.splat(0x8000)), 16));
}

/**
 * Finite halves only (the format rejects non-finite weights: src/format/validate-values.ts), held
 * in the HIGH 16 bits of each u32 lane: shr_s 3 puts e and m where f32 has them and copies the
 * sign into bits 31..28; the and keeps the sign (bit 31) and clears 30..28; one exact multiply by
 * 2^112 rebiases the exponent (normals, subnormals and zeros alike). 3 operations for 4 halves.
 */
@inline export function f16x4HiToF32x4(h: v128): v128 {
  return f32x4.mul(v128.and(i32x4.shr_s(h, 3), i32x4.splat(<i32>0x8fffe000)), f32x4.splat(reinterpret<f32>(<u32>0x77800000)));
}
