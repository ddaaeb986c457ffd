// f32_gemm_p4f32_4x1__simd_planes: y[i][j] = chscale[j] * sum_k pal[j / group_rows][idx[j][k]] * x[i][k] + bias[j]
// bits 1..4, f32 palettes looked up with i8x16.swizzle on 4 byte planes (assembly/common/palette.ts).
//
//   bits 1, 2, 4: w row j = | 16 bytes = 16P indices | ... |  (P = 8 / bits; byte l holds indices P*l + s)
//     group g = plane s of chunk c: and(bytes >> s*bits, 2^bits - 1) -> 16 indices, lane l = index P*l + s
//   16 indices -> 4 plane swizzles + 8 interleaves -> 4 f32x4 in lane order -> times x in the same order
//
// m = 1, bits 1, 2, 4 (fused, no row buffer): x is copied once per call into that order (xp: position
// 16g + l <- x[P*16*c + P*l + s], zero past k), so the decoded values need no interleaving; 4 output
// channels per pass when they share a palette (each x vector load serves 4 rows), else one.
// m >= 2 or bits 3: each row is looked up once in natural order (2*bits bytes -> 16 indices,
// assembly/common/unpack.ts) into a row buffer, then the 4-batch-row dot (assembly/common/rowdot.ts).
// scratch: | planes 64 | ctl 64 | tmp 16 | pad 16 | fused: xp roundup(k, 128) f32 / else: row buffer roundup(k, 16) f32 |
// Preconditions: bits 1..4, group_rows >= 1, scratch 16-byte aligned; fused path: palette entries finite
// (the zero x padding of the last chunk multiplies palette values). Ref: f32_gemm_p8f32__ref.
import { P_BITS, P_GROUP_ROWS, P_CHSCALE, P_SCRATCH, param, paramPtr, epilogue, hsum, hsum4 } from '../../common/gemm';
import { unpackSetup, unpack16, loadChunk } from '../../common/unpack';
import { buildPlanes, lookup16 } from '../../common/palette';
import { dotRowsF32 } from '../../common/rowdot';

/** acc + the 16 looked-up values of idx times x[xo .. xo+15]. */
@inline function lutDot(acc: v128, idx: v128, p0: v128, p1: v128, p2: v128, p3: v128, xo: usize): v128 {
  const b0 = i8x16.swizzle(p0, idx), b1 = i8x16.swizzle(p1, idx);
  const b2 = i8x16.swizzle(p2, idx), b3 = i8x16.swizzle(p3, idx);
  const l01 = i8x16.shuffle(b0, b1, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const h01 = i8x16.shuffle(b0, b1, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
  const l23 = i8x16.shuffle(b2, b3, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const h23 = i8x16.shuffle(b2, b3, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
  const s0 = f32x4.add(f32x4.mul(i16x8.shuffle(l01, l23, 0, 8, 1, 9, 2, 10, 3, 11), v128.load(xo)), f32x4.mul(i16x8.shuffle(l01, l23, 4, 12, 5, 13, 6, 14, 7, 15), v128.load(xo, 16)));
  const s1 = f32x4.add(f32x4.mul(i16x8.shuffle(h01, h23, 0, 8, 1, 9, 2, 10, 3, 11), v128.load(xo, 32)), f32x4.mul(i16x8.shuffle(h01, h23, 4, 12, 5, 13, 6, 14, 7, 15), v128.load(xo, 48)));
  return f32x4.add(acc, f32x4.add(s0, s1));
}

export function f32_gemm_p4f32_4x1__simd_planes(
  m: i32, n: i32, k: i32,
  x: usize, w: usize, pal: usize, mask: usize, bias: usize, y: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  const bits = param(params, P_BITS);
  const scratch = paramPtr(params, P_SCRATCH);
  assert(m >= 1 && n >= 1 && k >= 1 && bits >= 1 && bits <= 4 && param(params, P_GROUP_ROWS) >= 1);
  assert(x_stride >= k * 4 && y_stride >= n * 4 && scratch != 0 && (scratch & 15) == 0);
  // one specialized copy of the body per bit width (constant masks, shifts and trip counts)
  if (bits == 4) body(4, m, n, k, x, w, pal, bias, y, x_stride, y_stride, params);
  else if (bits == 2) body(2, m, n, k, x, w, pal, bias, y, x_stride, y_stride, params);
  else if (bits == 1) body(1, m, n, k, x, w, pal, bias, y, x_stride, y_stride, params);
  else body(3, m, n, k, x, w, pal, bias, y, x_stride, y_stride, params);
}

@inline function body(
  bits: i32, m: i32, n: i32, k: i32, x: usize, w: usize, pal: usize, bias: usize, y: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  const groupRows = param(params, P_GROUP_ROWS);
  const scratch = paramPtr(params, P_SCRATCH);
  const cs = paramPtr(params, P_CHSCALE);
  const planes = scratch, ctl = scratch + 64, tmp = scratch + 128;
  const P = bits == 3 ? 1 : 8 / bits;
  const lg = bits == 4 ? 1 : bits == 2 ? 2 : bits == 1 ? 3 : 0;
  // measured: for bits 3 the unpack in the fused loop loses to the row buffer
  const fused = m == 1 && bits != 3;
  const xp = scratch + 160, wb = scratch + 160; // fused: x in plane order; else: the row buffer
  if (fused) {
    const kq = (k + 127) & ~127;
    for (let d = 0; d < kq; d++) {
      // d = 16 * (P*c + s) + l  <-  x[16*P*c + P*l + s]
      const g = d >> 4, l = d & 15, c = g >> lg, s = g & (P - 1);
      const src = (c << (4 + lg)) + P * l + s;
      store<f32>(xp + (<usize>d << 2), src < k ? load<f32>(x + (<usize>src << 2)) : 0);
    }
  }
  unpackSetup(bits, ctl);
  const c0 = v128.load(ctl), c1 = v128.load(ctl, 16), m0 = v128.load(ctl, 32), m1 = v128.load(ctl, 48);
  const mb: i32 = (1 << bits) - 1;
  const imask = i8x16.splat(<i8>mb);
  const rowBytes = (<usize>k * <usize>bits + 7) >> 3;
  const wEnd = w + <usize>n * rowBytes; // loads may cross into the next row (x is 0 there), never past the end
  const nch = (k + 16 * P - 1) / (16 * P);
  let p0 = i32x4.splat(0), p1 = p0, p2 = p0, p3 = p0;
  let lastP = -1;
  let j = 0;
  while (j < n) {
    const p = j / groupRows;
    if (p != lastP) {
      buildPlanes(pal + ((<usize>p << <usize>bits) << 2), bits, planes);
      p0 = v128.load(planes); p1 = v128.load(planes, 16); p2 = v128.load(planes, 32); p3 = v128.load(planes, 48);
      lastP = p;
    }
    let w0 = w + <usize>j * rowBytes;
    if (fused && j + 4 <= n && (j + 3) / groupRows == p) {
      let w1 = w0 + rowBytes, w2 = w1 + rowBytes, w3 = w2 + rowBytes;
      let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
      let xo = xp;
      for (let c = 0; c < nch; c++) {
        let u0: v128, u1: v128, u2: v128, u3: v128;
        if (w3 + 16 <= wEnd) {
          u0 = v128.load(w0); u1 = v128.load(w1); u2 = v128.load(w2); u3 = v128.load(w3);
        } else {
          u0 = loadChunk(w0, <isize>(wEnd - w0), tmp); u1 = loadChunk(w1, <isize>(wEnd - w1), tmp);
          u2 = loadChunk(w2, <isize>(wEnd - w2), tmp); u3 = loadChunk(w3, <isize>(wEnd - w3), tmp);
        }
        for (let s = 0; s < P; s++) {
          a0 = lutDot(a0, v128.and(u0, imask), p0, p1, p2, p3, xo);
          a1 = lutDot(a1, v128.and(u1, imask), p0, p1, p2, p3, xo);
          a2 = lutDot(a2, v128.and(u2, imask), p0, p1, p2, p3, xo);
          a3 = lutDot(a3, v128.and(u3, imask), p0, p1, p2, p3, xo);
          u0 = i16x8.shr_u(u0, bits); u1 = i16x8.shr_u(u1, bits); u2 = i16x8.shr_u(u2, bits); u3 = i16x8.shr_u(u3, bits);
          xo += 64;
        }
        w0 += 16; w1 += 16; w2 += 16; w3 += 16;
      }
      const s = hsum4(a0, a1, a2, a3);
      store<f32>(y + (<usize>j << 2), epilogue(f32x4.extract_lane(s, 0), j, cs, bias));
      store<f32>(y + (<usize>(j + 1) << 2), epilogue(f32x4.extract_lane(s, 1), j + 1, cs, bias));
      store<f32>(y + (<usize>(j + 2) << 2), epilogue(f32x4.extract_lane(s, 2), j + 2, cs, bias));
      store<f32>(y + (<usize>(j + 3) << 2), epilogue(f32x4.extract_lane(s, 3), j + 3, cs, bias));
      j += 4;
      continue;
    }
    if (fused) {
      let a = f32x4.splat(0);
      let xo = xp;
      for (let c = 0; c < nch; c++) {
        let u = loadChunk(w0, <isize>(wEnd - w0), tmp);
        for (let s = 0; s < P; s++) {
          a = lutDot(a, v128.and(u, imask), p0, p1, p2, p3, xo);
          u = i16x8.shr_u(u, bits);
          xo += 64;
        }
        w0 += 16;
      }
      store<f32>(y + (<usize>j << 2), epilogue(hsum(a), j, cs, bias));
    } else {
      // looked up once in natural order (2*bits bytes -> 16 indices) into the row buffer, then every batch row
      let src = w0;
      for (let c = 0; c < k; c += 16) {
        lookup16(unpack16(loadChunk(src, <isize>(wEnd - src), tmp), c0, c1, m0, m1, 16 - bits), p0, p1, p2, p3, wb + (<usize>c << 2));
        src += <usize>(bits << 1);
      }
      dotRowsF32(wb, k, m, x, <usize>x_stride, y, <usize>y_stride, j, cs, bias);
    }
    j++;
  }
}
