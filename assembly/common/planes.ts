// Plane order for the plane i8 gemm kernels (bits = 1, 2, 4; P = 8 / bits planes per byte).
//
// 16 bytes of a packed row hold 16P indices; byte l holds indices P*l + s, s < P, at bit s*bits.
// Plane s = and(shr(v, s*bits), 2^bits - 1) gives, in byte lane l, index P*l + s, so the kernels
// dot every plane without interleaving if x is permuted once per call to match. Two orders:
//
//  ORDER_EO (fused path): the even bytes (and 0x00ff) and odd bytes (shr_u 8) of a looked-up plane
//    are two i16x8 vectors:  chunk of 16P values, vector 2s + h (h = byte parity), lane i <- x[P*(2i + h) + s]
//  ORDER_EO_ODD256: the same, but the odd vector holds q_odd - 256 * q_even (1-bit fused path:
//    dot(L, q_e) + dot(L >> 8, q_o - 256 q_e) = b_e*q_e + b_o*q_o when L = b_e + 256 * b_o)
//  ORDER_BYTES (row-buffer path: planes stored as 16 int8, widened low/high):  position 16s + l <- x[P*l + s]
//  ORDER_SPLIT (relaxed-SIMD build, assembly/common/planes-relaxed.ts): per plane s, 16 bytes
//    max(q, 0) then 16 bytes max(-q, 0), lane l <- x[P*l + s]; both halves lie in [0, 127], the range
//    in which i32x4.relaxed_dot_i8x16_i7x16_add_s is exact on every engine (q = pos - neg)
//
// quantizePlanes writes each batch row of q in one order (int8 values held in i16, zero past k)
// plus xsum[i] = sum of the row's q (the fused kernels use it to undo a palette bias); in ORDER_SPLIT,
// xsum[i] = how many of the row's q are negative (0: the kernel skips the negative half).
import { quantizeRowsI16 } from './quant-simd';

export const ORDER_EO = 0;
export const ORDER_EO_ODD256 = 1;
export const ORDER_BYTES = 2;
export const ORDER_SPLIT = 3;

export function quantizePlanes(
  m: i32, k: i32, kq: i32, bits: i32, order: i32,
  x: usize, xs: usize, xsc: usize, xsum: usize, nat: usize, q: usize,
): void {
  const P = 8 / bits;
  const chunk = 16 * P;
  for (let i = 0; i < m; i++) {
    quantizeRowsI16(1, k, kq, x + <usize>i * xs, 0, xsc + (<usize>i << 2), nat);
    const qr = q + <usize>i * <usize>kq * 2;
    let sum = 0;
    for (let b = 0; b < kq; b += chunk) {
      for (let s = 0; s < P; s++) {
        const dst = qr + (<usize>(b + 16 * s) << 1);
        if (order == ORDER_SPLIT) {
          for (let l = 0; l < 16; l++) {
            const v = <i32>load<i16>(nat + (<usize>(b + P * l + s) << 1));
            store<u8>(dst + <usize>l, <u8>(v > 0 ? v : 0));
            store<u8>(dst + <usize>l, <u8>(v < 0 ? -v : 0), 16);
            sum += <i32>(v < 0);
          }
          continue;
        }
        if (order == ORDER_BYTES) {
          for (let l = 0; l < 16; l++) store<i16>(dst + (<usize>l << 1), load<i16>(nat + (<usize>(b + P * l + s) << 1)));
          continue;
        }
        for (let t = 0; t < 8; t++) {
          const e = <i32>load<i16>(nat + (<usize>(b + P * 2 * t + s) << 1));
          const o = <i32>load<i16>(nat + (<usize>(b + P * (2 * t + 1) + s) << 1));
          sum += e + o;
          store<i16>(dst + (<usize>t << 1), <i16>e);
          store<i16>(dst + (<usize>t << 1), <i16>(order == ORDER_EO_ODD256 ? o - 256 * e : o), 16);
        }
      }
    }
    store<i32>(xsum + (<usize>i << 2), sum);
  }
}

/** [sum(a0), sum(a1), sum(a2), sum(a3)] of four i32x4. */
@inline export function hsum4I32(a0: v128, a1: v128, a2: v128, a3: v128): v128 {
  const s01 = i32x4.add(i32x4.shuffle(a0, a1, 0, 4, 1, 5), i32x4.shuffle(a0, a1, 2, 6, 3, 7));
  const s23 = i32x4.add(i32x4.shuffle(a2, a3, 0, 4, 1, 5), i32x4.shuffle(a2, a3, 2, 6, 3, 7));
  return i32x4.add(i32x4.shuffle(s01, s23, 0, 1, 4, 5), i32x4.shuffle(s01, s23, 2, 3, 6, 7));
}

@inline export function hsumI32(a: v128): i32 {
  const s = i32x4.add(a, i32x4.shuffle(a, a, 2, 3, 0, 1));
  return i32x4.extract_lane(s, 0) + i32x4.extract_lane(s, 1);
}

/** Same operation order as i8_gemm_p8i8__ref: ((sum * xscale) * palscale) * chscale + bias. */
@inline export function storeI8(y: usize, j: i32, sum: i32, xscale: f32, pscale: f32, cs: usize, bias: usize): void {
  let v = <f32>sum * xscale * pscale;
  if (cs) v *= load<f32>(cs + (<usize>j << 2));
  if (bias) v += load<f32>(bias + (<usize>j << 2));
  store<f32>(y + (<usize>j << 2), v);
}

/** The 2^bits int8 entries of palette p as a swizzle table, unbiased (reads only the palette's bytes). */
@inline export function rawTable(pal: usize, p: i32, bits: i32): v128 {
  const pr = pal + (<usize>p << <usize>bits);
  if (bits == 4) return v128.load(pr);
  if (bits == 2) return v128.load32_zero(pr);
  return i16x8.replace_lane(i16x8.splat(0), 0, load<i16>(pr));
}

/**
 * bits 2, 4: the 2^bits int8 entries of palette p as a 16-byte swizzle table, biased by 128 (entry
 * XOR 0x80 = entry + 128 as an unsigned byte); the other lanes are never indexed.
 * bits 1: i32 lanes [entry0, entry1 - entry0, 0, 0] (sum = entry0 * sum q + (entry1 - entry0) * sum_{b=1} q).
 * Reads only the palette's own bytes.
 */
@inline export function paletteTable(pal: usize, p: i32, bits: i32): v128 {
  const pr = pal + (<usize>p << <usize>bits);
  if (bits == 1) {
    const e0 = <i32>load<i8>(pr), e1 = <i32>load<i8>(pr, 1);
    return i32x4.replace_lane(i32x4.splat(e0), 1, e1 - e0);
  }
  return v128.xor(rawTable(pal, p, bits), i8x16.splat(-128));
}
