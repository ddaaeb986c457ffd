// The relaxed-SIMD body of the fused plane kernels i8_gemm_p{4,2}i8_4x1__simd_planes (batch rows
// below the row-buffer threshold), compiled only into the relaxed build (ASC_FEATURE_RELAXED_SIMD;
// the baseline build keeps assembly/common/planes-swz.ts). Same integers, so the same outputs bit
// for bit as the baseline build and the reference:
//
//   q = pos - neg with pos = max(q, 0), neg = max(-q, 0), both in [0, 127] (ORDER_SPLIT, planes.ts)
//   sum_k entry * q = dot(entries, pos) - dot(entries, neg)
//
// i32x4.relaxed_dot_i8x16_i7x16_add_s multiplies signed bytes (the raw int8 entries, looked up with
// one swizzle) by bytes whose top bit is clear, where every engine agrees; each pair of products
// fits in i16 (2 * 128 * 127 < 2^15), so no engine saturates or wraps. One instruction replaces the
// baseline's widen-and-dot (and 0xff, shr_u 8, two i32x4.dot_i16x8_s, two adds) per 16 weights. A
// batch row with no negative q (activations after a ReLU) skips the neg half.
import { P_GROUP_ROWS, P_CHSCALE, P_PALSCALE, param, paramPtr } from './gemm';
import { loadChunk } from './unpack';
import { hsum4I32, hsumI32, storeI8, rawTable } from './planes';

/** bits 2: the table of the low (n & 3) and high (n >> 2) index of a nibble n, raw entries. */
@inline function tableLo(t: v128): v128 {
  return i8x16.swizzle(t, i8x16(0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3));
}
@inline function tableHi(t: v128): v128 {
  return i8x16.swizzle(t, i8x16(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3));
}

/**
 * One batch row (q at qr, ORDER_SPLIT) against output channels j0..j0+3 (rows w0..; tables t*).
 * Returns the four integer sums sum_k entry * q.
 */
@inline function rows4(
  bits: i32, neg: bool, nch: i32, w0: usize, rowBytes: usize, wEnd: usize, tmp: usize, qr: usize,
  t0: v128, t1: v128, t2: v128, t3: v128,
): v128 {
  const qBytes = <usize>(16 * (8 / bits)) << 1;
  const mb: i32 = (1 << bits) - 1;
  const mask = i8x16.splat(<i8>mb);
  const nib = i8x16.splat(15);
  const ta0 = tableLo(t0), ta1 = tableLo(t1), ta2 = tableLo(t2), ta3 = tableLo(t3); // bits 2 only
  const tb0 = tableHi(t0), tb1 = tableHi(t1), tb2 = tableHi(t2), tb3 = tableHi(t3);
  let w1 = w0 + rowBytes, w2 = w1 + rowBytes, w3 = w2 + rowBytes;
  let p0 = i32x4.splat(0), p1 = p0, p2 = p0, p3 = p0; // . pos
  let n0 = p0, n1 = p0, n2 = p0, n3 = p0; // . neg
  let xq = qr;
  for (let c = 0; c < nch; c++) {
    let u0: v128, u1: v128, u2: v128, u3: v128;
    if (w3 + 16 <= wEnd) {
      u0 = v128.load(w0); u1 = v128.load(w1); u2 = v128.load(w2); u3 = v128.load(w3);
    } else {
      u0 = loadChunk(w0, <isize>(wEnd - w0), tmp); u1 = loadChunk(w1, <isize>(wEnd - w1), tmp);
      u2 = loadChunk(w2, <isize>(wEnd - w2), tmp); u3 = loadChunk(w3, <isize>(wEnd - w3), tmp);
    }
    // plane s of the chunk; bits 2: the low (even s) or high (odd s) index of each nibble
    for (let s = 0; s < 8 / bits; s++) {
      let e0: v128, e1: v128, e2: v128, e3: v128;
      if (bits == 2) {
        const hi = (s & 1) != 0;
        e0 = i8x16.swizzle(hi ? tb0 : ta0, v128.and(u0, nib)); e1 = i8x16.swizzle(hi ? tb1 : ta1, v128.and(u1, nib));
        e2 = i8x16.swizzle(hi ? tb2 : ta2, v128.and(u2, nib)); e3 = i8x16.swizzle(hi ? tb3 : ta3, v128.and(u3, nib));
      } else {
        e0 = i8x16.swizzle(t0, v128.and(u0, mask)); e1 = i8x16.swizzle(t1, v128.and(u1, mask));
        e2 = i8x16.swizzle(t2, v128.and(u2, mask)); e3 = i8x16.swizzle(t3, v128.and(u3, mask));
      }
      if (bits == 4 || (s & 1) != 0) {
        u0 = i16x8.shr_u(u0, 4); u1 = i16x8.shr_u(u1, 4); u2 = i16x8.shr_u(u2, 4); u3 = i16x8.shr_u(u3, 4);
      }
      const o = xq + (<usize>s << 5);
      const xp = v128.load(o);
      p0 = i32x4.relaxed_dot_i8x16_i7x16_add_s(e0, xp, p0); p1 = i32x4.relaxed_dot_i8x16_i7x16_add_s(e1, xp, p1);
      p2 = i32x4.relaxed_dot_i8x16_i7x16_add_s(e2, xp, p2); p3 = i32x4.relaxed_dot_i8x16_i7x16_add_s(e3, xp, p3);
      if (neg) {
        const xn = v128.load(o, 16);
        n0 = i32x4.relaxed_dot_i8x16_i7x16_add_s(e0, xn, n0); n1 = i32x4.relaxed_dot_i8x16_i7x16_add_s(e1, xn, n1);
        n2 = i32x4.relaxed_dot_i8x16_i7x16_add_s(e2, xn, n2); n3 = i32x4.relaxed_dot_i8x16_i7x16_add_s(e3, xn, n3);
      }
    }
    w0 += 16; w1 += 16; w2 += 16; w3 += 16;
    xq += qBytes;
  }
  return neg ? i32x4.sub(hsum4I32(p0, p1, p2, p3), hsum4I32(n0, n1, n2, n3)) : hsum4I32(p0, p1, p2, p3);
}

/** One batch row against one output channel (the n % 4 channels left): sum_k entry * q. */
@inline function row1(bits: i32, nch: i32, wr: usize, wEnd: usize, tmp: usize, qr: usize, t: v128): i32 {
  const qBytes = <usize>(16 * (8 / bits)) << 1;
  const mb: i32 = (1 << bits) - 1;
  const mask = i8x16.splat(<i8>mb);
  let p = i32x4.splat(0), n = p;
  let xq = qr;
  for (let c = 0; c < nch; c++) {
    let u = loadChunk(wr, <isize>(wEnd - wr), tmp);
    for (let s = 0; s < 8 / bits; s++) {
      const e = i8x16.swizzle(t, v128.and(u, mask));
      const o = xq + (<usize>s << 5);
      p = i32x4.relaxed_dot_i8x16_i7x16_add_s(e, v128.load(o), p);
      n = i32x4.relaxed_dot_i8x16_i7x16_add_s(e, v128.load(o, 16), n);
      u = i16x8.shr_u(u, bits);
    }
    wr += 16;
    xq += qBytes;
  }
  return hsumI32(p) - hsumI32(n);
}

/**
 * y = W x for bits 2 or 4, q already quantized in ORDER_SPLIT (xsc: scales; negs: each row's count
 * of negative q). Layout and epilogue as gemmPlanesSwz.
 */
@inline export function gemmPlanesRelaxed(
  bits: i32, m: i32, n: i32, nch: i32, kq: i32, w: usize, wEnd: usize, rowBytes: usize, tmp: usize, pal: usize,
  q: usize, xsc: usize, negs: usize, y: usize, y_stride: i32, params: usize, bias: usize,
): void {
  const groupRows = param(params, P_GROUP_ROWS);
  const ps = paramPtr(params, P_PALSCALE);
  const cs = paramPtr(params, P_CHSCALE);
  for (let i = 0; i < m; i++) {
    const qr = q + <usize>i * <usize>kq * 2;
    const xs = load<f32>(xsc + (<usize>i << 2));
    const hasNeg = load<i32>(negs + (<usize>i << 2)) != 0;
    const yr = y + <usize>i * <usize>y_stride;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const pj0 = j / groupRows, pj1 = (j + 1) / groupRows, pj2 = (j + 2) / groupRows, pj3 = (j + 3) / groupRows;
      const t0 = rawTable(pal, pj0, bits), t1 = rawTable(pal, pj1, bits), t2 = rawTable(pal, pj2, bits), t3 = rawTable(pal, pj3, bits);
      const w0 = w + <usize>j * rowBytes;
      const s = hasNeg
        ? rows4(bits, true, nch, w0, rowBytes, wEnd, tmp, qr, t0, t1, t2, t3)
        : rows4(bits, false, nch, w0, rowBytes, wEnd, tmp, qr, t0, t1, t2, t3);
      storeI8(yr, j, i32x4.extract_lane(s, 0), xs, load<f32>(ps + (<usize>pj0 << 2)), cs, bias);
      storeI8(yr, j + 1, i32x4.extract_lane(s, 1), xs, load<f32>(ps + (<usize>pj1 << 2)), cs, bias);
      storeI8(yr, j + 2, i32x4.extract_lane(s, 2), xs, load<f32>(ps + (<usize>pj2 << 2)), cs, bias);
      storeI8(yr, j + 3, i32x4.extract_lane(s, 3), xs, load<f32>(ps + (<usize>pj3 << 2)), cs, bias);
    }
    for (; j < n; j++) {
      const p = j / groupRows;
      const sum = row1(bits, nch, w + <usize>j * rowBytes, wEnd, tmp, qr, rawTable(pal, p, bits));
      storeI8(yr, j, sum, xs, load<f32>(ps + (<usize>p << 2)), cs, bias);
    }
  }
}
