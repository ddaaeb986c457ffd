// Body of the fused plane kernels i8_gemm_p{4,2,1}i8_4x1__simd_planes; `bits` is a constant at
// each call site (4, 2 or 1), so the branches on it fold away.
//
//   16 bytes of row j -> plane s = and(v >> s*bits, 2^bits-1)     (byte lane t = index P*t + s)
//   -> swizzle(biased palette: entry + 128 as u8) -> i16 even bytes (and 0xff), odd bytes (shr_u 8)
//   -> i32x4.dot_i16x8_s against q in plane order (assembly/common/planes.ts), int32 accumulators
//   sum_k entry * q = (sum over planes) - 128 * sum_k q         (all integer: exact)
//
// bits 2: one and per nibble (2 indices = planes 2h, 2h+1) and two 16-entry tables, ta[n] = entry(n & 3),
// tb[n] = entry(n >> 2), instead of shr + and per plane.
// bits 1 (no lookup): the plane's bits b themselves, sum = entry0 * sum q + (entry1 - entry0) * sum_b q.
// small m (fused, no row buffer): one batch row x 4 output channels per pass (each q vector load
// serves 4 channels). m >= 3 (bits 2, 4) or 4 (bits 1): each row is looked up once into an int8 row
// buffer in plane order, then dotRowsI8 (assembly/common/quant-simd.ts) takes 4 batch rows per pass.
// The relaxed-SIMD build runs bits 2 and 4 below the row-buffer threshold in planes-relaxed.ts instead
// (q split into max(q,0) and max(-q,0) bytes, i32x4.relaxed_dot_i8x16_i7x16_add_s; same integers).
// scratch: | tmp 16 | xscale a16(4m) | xsum a16(4m) | nat kq i16 | q: m rows x kq i16 | wb kq int8 |
//          kq = roundup(k, 128/bits)
import { P_GROUP_ROWS, P_CHSCALE, P_SCRATCH, P_PALSCALE, param, paramPtr } from './gemm';
import { loadChunk } from './unpack';
import { quantizePlanes, hsum4I32, hsumI32, storeI8, paletteTable, rawTable, ORDER_EO, ORDER_EO_ODD256, ORDER_BYTES, ORDER_SPLIT } from './planes';
import { gemmPlanesRelaxed } from './planes-relaxed';
import { dotRowsI8 } from './quant-simd';

@inline function a16(b: usize): usize {
  return (b + 15) & ~(<usize>15);
}

/** acc + dot of one plane (byte indices u & mask) looked up in t, against q vectors xe (even bytes), xo (odd). */
@inline function planeDot(bits: i32, acc: v128, u: v128, mask: v128, t: v128, xe: v128, xo: v128): v128 {
  if (bits == 1) {
    // bits b: L = b_e + 256 b_o, and xo holds q_o - 256 q_e: dot(L, q_e) + dot(L >> 8, xo) = b_e q_e + b_o q_o
    const l = v128.and(u, mask);
    return i32x4.add(acc, i32x4.add(i32x4.dot_i16x8_s(l, xe), i32x4.dot_i16x8_s(i16x8.shr_u(l, 8), xo)));
  }
  const b = i8x16.swizzle(t, v128.and(u, mask));
  return i32x4.add(acc, i32x4.add(i32x4.dot_i16x8_s(v128.and(b, i16x8.splat(0xff)), xe), i32x4.dot_i16x8_s(i16x8.shr_u(b, 8), xo)));
}

/** acc + dot of byte indices idx (< 16) looked up in t, against xe, xo (see planeDot). */
@inline function idxDot(acc: v128, idx: v128, t: v128, xe: v128, xo: v128): v128 {
  const b = i8x16.swizzle(t, idx);
  return i32x4.add(acc, i32x4.add(i32x4.dot_i16x8_s(v128.and(b, i16x8.splat(0xff)), xe), i32x4.dot_i16x8_s(i16x8.shr_u(b, 8), xo)));
}

/**
 * bits 2: a nibble n = 2 indices (planes 2h, 2h+1), looked up twice: ta[n] = table[n & 3],
 * tb[n] = table[n >> 2] (one and per 2 planes instead of shr + and per plane).
 */
@inline function tableLo(t: v128): v128 {
  return i8x16.swizzle(t, i8x16(0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3));
}
@inline function tableHi(t: v128): v128 {
  return i8x16.swizzle(t, i8x16(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3));
}

/** sum over the 8/bits planes of one 16-byte chunk v of one row against q at xp. */
@inline function chunkDot(acc: v128, v: v128, t: v128, xp: usize, bits: i32): v128 {
  const mb: i32 = (1 << bits) - 1;
  const mask = i8x16.splat(<i8>mb);
  let a = acc;
  let u = v;
  if (bits == 2) {
    const ta = tableLo(t), tb = tableHi(t);
    for (let h = 0; h < 2; h++) {
      const nb = v128.and(u, i8x16.splat(15));
      const o = xp + (<usize>h << 6);
      a = idxDot(idxDot(a, nb, ta, v128.load(o), v128.load(o, 16)), nb, tb, v128.load(o, 32), v128.load(o, 48));
      u = i16x8.shr_u(u, 4);
    }
    return a;
  }
  for (let s = 0; s < 8 / bits; s++) {
    const o = xp + (<usize>s << 5);
    a = planeDot(bits, a, u, mask, t, v128.load(o), v128.load(o, 16));
    u = i16x8.shr_u(u, bits);
  }
  return a;
}

/** The integer sum of entry * q from the plane sum S (see the top of the file and planes.ts paletteTable). */
@inline function fin(bits: i32, S: i32, xsumI: i32, t: v128): i32 {
  if (bits == 1) return i32x4.extract_lane(t, 0) * xsumI + i32x4.extract_lane(t, 1) * S;
  return S - 128 * xsumI;
}

@inline export function gemmPlanesSwz(
  bits: i32, m: i32, n: i32, k: i32, x: usize, w: usize, pal: usize, bias: usize, y: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  const groupRows = param(params, P_GROUP_ROWS);
  const scratch = paramPtr(params, P_SCRATCH);
  const ps = paramPtr(params, P_PALSCALE);
  const cs = paramPtr(params, P_CHSCALE);
  const P = 8 / bits;
  const chunkW = 16 * P;
  const nch = (k + chunkW - 1) / chunkW;
  const kq = nch * chunkW;
  const tmp = scratch, xsc = scratch + 16, xsum = xsc + a16(<usize>m << 2);
  const nat = xsum + a16(<usize>m << 2), q = nat + (<usize>kq << 1);
  // measured: re-decoding per batch row loses to the row buffer from m = 3 (bits 2, 4) / m = 4 (bits 1)
  const buffered = m >= (bits == 1 ? 4 : 3);
  const rowBytes = (<usize>k * <usize>bits + 7) >> 3;
  const wEnd = w + <usize>n * rowBytes; // loads may run into the next row (q is 0 there), never past the end
  if (ASC_FEATURE_RELAXED_SIMD && bits != 1 && !buffered) {
    quantizePlanes(m, k, kq, bits, ORDER_SPLIT, x, <usize>x_stride, xsc, xsum, nat, q);
    gemmPlanesRelaxed(bits, m, n, nch, kq, w, wEnd, rowBytes, tmp, pal, q, xsc, xsum, y, y_stride, params, bias);
    return;
  }
  quantizePlanes(m, k, kq, bits, buffered ? ORDER_BYTES : bits == 1 ? ORDER_EO_ODD256 : ORDER_EO, x, <usize>x_stride, xsc, xsum, nat, q);
  const qBytes = <usize>chunkW << 1;
  if (buffered) {
    rowsBuffered(bits, m, n, nch, kq, w, wEnd, rowBytes, tmp, pal, groupRows, q, q + <usize>m * <usize>kq * 2, xsc, y, <usize>y_stride, ps, cs, bias);
    return;
  }
  for (let i = 0; i < m; i++) {
    const qr = q + <usize>i * <usize>kq * 2;
    const xs = load<f32>(xsc + (<usize>i << 2));
    const xsumI = load<i32>(xsum + (<usize>i << 2));
    const yr = y + <usize>i * <usize>y_stride;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const p0 = j / groupRows, p1 = (j + 1) / groupRows, p2 = (j + 2) / groupRows, p3 = (j + 3) / groupRows;
      const t0 = paletteTable(pal, p0, bits), t1 = paletteTable(pal, p1, bits);
      const t2 = paletteTable(pal, p2, bits), t3 = paletteTable(pal, p3, bits);
      const ta0 = tableLo(t0), ta1 = tableLo(t1), ta2 = tableLo(t2), ta3 = tableLo(t3); // bits 2 only
      const tb0 = tableHi(t0), tb1 = tableHi(t1), tb2 = tableHi(t2), tb3 = tableHi(t3);
      const nib = i8x16.splat(15);
      let w0 = w + <usize>j * rowBytes;
      let w1 = w0 + rowBytes, w2 = w1 + rowBytes, w3 = w2 + rowBytes;
      let a0 = i32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
      let xp = qr;
      const mb: i32 = (1 << bits) - 1;
      const mask = i8x16.splat(<i8>mb);
      for (let c = 0; c < nch; c++) {
        let u0: v128, u1: v128, u2: v128, u3: v128;
        if (w3 + 16 <= wEnd) {
          u0 = v128.load(w0); u1 = v128.load(w1); u2 = v128.load(w2); u3 = v128.load(w3);
        } else {
          u0 = loadChunk(w0, <isize>(wEnd - w0), tmp); u1 = loadChunk(w1, <isize>(wEnd - w1), tmp);
          u2 = loadChunk(w2, <isize>(wEnd - w2), tmp); u3 = loadChunk(w3, <isize>(wEnd - w3), tmp);
        }
        if (bits == 2) {
          for (let h = 0; h < 2; h++) {
            const o = xp + (<usize>h << 6);
            const n0 = v128.and(u0, nib), n1 = v128.and(u1, nib), n2 = v128.and(u2, nib), n3 = v128.and(u3, nib);
            let xe = v128.load(o), xo = v128.load(o, 16);
            a0 = idxDot(a0, n0, ta0, xe, xo); a1 = idxDot(a1, n1, ta1, xe, xo);
            a2 = idxDot(a2, n2, ta2, xe, xo); a3 = idxDot(a3, n3, ta3, xe, xo);
            xe = v128.load(o, 32); xo = v128.load(o, 48);
            a0 = idxDot(a0, n0, tb0, xe, xo); a1 = idxDot(a1, n1, tb1, xe, xo);
            a2 = idxDot(a2, n2, tb2, xe, xo); a3 = idxDot(a3, n3, tb3, xe, xo);
            u0 = i16x8.shr_u(u0, 4); u1 = i16x8.shr_u(u1, 4); u2 = i16x8.shr_u(u2, 4); u3 = i16x8.shr_u(u3, 4);
          }
        } else for (let s = 0; s < 8 / bits; s++) {
          // one load of each q vector serves the 4 rows
          const xe = v128.load(xp + (<usize>s << 5)), xo = v128.load(xp + (<usize>s << 5), 16);
          a0 = planeDot(bits, a0, u0, mask, t0, xe, xo); a1 = planeDot(bits, a1, u1, mask, t1, xe, xo);
          a2 = planeDot(bits, a2, u2, mask, t2, xe, xo); a3 = planeDot(bits, a3, u3, mask, t3, xe, xo);
          u0 = i16x8.shr_u(u0, bits); u1 = i16x8.shr_u(u1, bits); u2 = i16x8.shr_u(u2, bits); u3 = i16x8.shr_u(u3, bits);
        }
        w0 += 16; w1 += 16; w2 += 16; w3 += 16;
        xp += qBytes;
      }
      const s = hsum4I32(a0, a1, a2, a3);
      storeI8(yr, j, fin(bits, i32x4.extract_lane(s, 0), xsumI, t0), xs, load<f32>(ps + (<usize>p0 << 2)), cs, bias);
      storeI8(yr, j + 1, fin(bits, i32x4.extract_lane(s, 1), xsumI, t1), xs, load<f32>(ps + (<usize>p1 << 2)), cs, bias);
      storeI8(yr, j + 2, fin(bits, i32x4.extract_lane(s, 2), xsumI, t2), xs, load<f32>(ps + (<usize>p2 << 2)), cs, bias);
      storeI8(yr, j + 3, fin(bits, i32x4.extract_lane(s, 3), xsumI, t3), xs, load<f32>(ps + (<usize>p3 << 2)), cs, bias);
    }
    for (; j < n; j++) {
      const p = j / groupRows;
      const t = paletteTable(pal, p, bits);
      let wr = w + <usize>j * rowBytes;
      let a = i32x4.splat(0);
      let xp = qr;
      for (let c = 0; c < nch; c++) {
        a = chunkDot(a, loadChunk(wr, <isize>(wEnd - wr), tmp), t, xp, bits);
        wr += 16;
        xp += qBytes;
      }
      storeI8(yr, j, fin(bits, hsumI32(a), xsumI, t), xs, load<f32>(ps + (<usize>p << 2)), cs, bias);
    }
  }
}

/**
 * m >= 4: each row j is looked up once into the int8 row buffer wb (plane s of chunk c at
 * wb + 16 * (c * P + s), raw entries) and dotted with every batch row (q in ORDER_BYTES).
 */
@inline function rowsBuffered(
  bits: i32, m: i32, n: i32, nch: i32, kq: i32, w: usize, wEnd: usize, rowBytes: usize, tmp: usize, pal: usize,
  groupRows: i32, q: usize, wb: usize, xsc: usize, y: usize, ys: usize, ps: usize, cs: usize, bias: usize,
): void {
  const mb: i32 = (1 << bits) - 1;
  const mask = i8x16.splat(<i8>mb);
  for (let j = 0; j < n; j++) {
    const p = j / groupRows;
    const t = rawTable(pal, p, bits);
    let wr = w + <usize>j * rowBytes;
    let d = wb;
    for (let c = 0; c < nch; c++) {
      let u = loadChunk(wr, <isize>(wEnd - wr), tmp);
      for (let s = 0; s < 8 / bits; s++) {
        v128.store(d, i8x16.swizzle(t, v128.and(u, mask)));
        u = i16x8.shr_u(u, bits);
        d += 16;
      }
      wr += 16;
    }
    dotRowsI8(wb, kq, m, q, xsc, y, ys, j, load<f32>(ps + (<usize>p << 2)), cs, bias);
  }
}
