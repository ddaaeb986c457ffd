// i8_gemm_p4i8_4x1__simd_swz: y[i][j] = (sum_k pal[p][idx[j][k]] * q[i][k]) * xscale[i] * palscale[p] * chscale[j] + bias[j]
// p = j / group_rows, bits 1..4; int8 palette entries read in place; q = int8 quantization of x
// (assembly/common/quant.ts, the same integers as i8_gemm_p8i8__ref), held as i16.
//
//   w row j, bits = 4: 16 bytes -> and/shr -> interleave -> 32 byte indices (natural order)
//   bits 1..3: 2*bits bytes -> 16 byte indices (assembly/common/unpack.ts)
//   index bytes -> i8x16.swizzle(palette[p] as 16 int8) -> int8 weights -> row buffer (k bytes)
//   row buffer x 4 batch rows: widen to i16, i32x4.dot_i16x8_s, int32 accumulators
//
// scratch: | palette 16 | ctl 64 | tmp 16 | xscale: align16(4m) | q: m rows x kq i16 | row: kq i8 |
//          kq = roundup(k, 32); q is zero past k so the buffer tail contributes nothing.
// Preconditions: bits 1..4, palscale (slot 6) != 0. Ref: i8_gemm_p8i8__ref (bit-identical results).
import { P_BITS, P_GROUP_ROWS, P_CHSCALE, P_SCRATCH, P_PALSCALE, param, paramPtr } from '../../common/gemm';
import { unpackSetup, unpack16, loadChunk } from '../../common/unpack';
import { quantizeRowsI16, dotRowsI8 } from '../../common/quant-simd';

export function i8_gemm_p4i8_4x1__simd_swz(
  m: i32, n: i32, k: i32,
  x: usize, w: usize, pal: usize, mask: usize, bias: usize, y: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  const bits = param(params, P_BITS);
  const groupRows = param(params, P_GROUP_ROWS);
  const scratch = paramPtr(params, P_SCRATCH);
  const ps = paramPtr(params, P_PALSCALE);
  assert(m >= 1 && n >= 1 && k >= 1 && bits >= 1 && bits <= 4 && groupRows >= 1);
  assert(x_stride >= k * 4 && y_stride >= n * 4 && scratch != 0 && (scratch & 15) == 0 && ps != 0);
  const cs = paramPtr(params, P_CHSCALE);
  const kq = (k + 31) & ~31;
  const pv = scratch, ctl = scratch + 16, tmp = scratch + 80, xsc = scratch + 96;
  const q = xsc + ((<usize>m * 4 + 15) & ~15);
  const wb = q + <usize>m * <usize>kq * 2;
  quantizeRowsI16(m, k, kq, x, <usize>x_stride, xsc, q);
  unpackSetup(bits, ctl);
  const c0 = v128.load(ctl), c1 = v128.load(ctl, 16), m0 = v128.load(ctl, 32), m1 = v128.load(ctl, 48);
  const down = 16 - bits;
  const rowBytes = (<usize>k * <usize>bits + 7) >> 3;
  const wEnd = w + <usize>n * rowBytes;
  const chunkBytes = <usize>(bits << 1);
  const entries = 1 << bits;
  let pal16 = i32x4.splat(0);
  let lastP = -1;
  for (let j = 0; j < n; j++) {
    const p = j / groupRows;
    if (p != lastP) {
      // the 2^bits int8 entries of palette p, zero-padded to 16 bytes (never read past the palette)
      v128.store(pv, i32x4.splat(0));
      memory.copy(pv, pal + (<usize>p << <usize>bits), <usize>entries);
      pal16 = v128.load(pv);
      lastP = p;
    }
    const wr = w + <usize>j * rowBytes;
    if (bits == 4) {
      const lowNibble = i8x16.splat(0x0f);
      for (let c = 0; c < k; c += 32) {
        const src = wr + (<usize>c >> 1);
        const v = loadChunk(src, <isize>(wEnd - src), tmp);
        const lo = v128.and(v, lowNibble);
        const hi = i8x16.shr_u(v, 4);
        const dst = wb + <usize>c;
        v128.store(dst, i8x16.swizzle(pal16, i8x16.shuffle(lo, hi, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23)));
        v128.store(dst, i8x16.swizzle(pal16, i8x16.shuffle(lo, hi, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31)), 16);
      }
    } else {
      let src = wr;
      for (let c = 0; c < k; c += 16) {
        const v = loadChunk(src, <isize>(wEnd - src), tmp);
        v128.store(wb + <usize>c, i8x16.swizzle(pal16, unpack16(v, c0, c1, m0, m1, down)));
        src += chunkBytes;
      }
    }
    dotRowsI8(wb, kq, m, q, xsc, y, <usize>y_stride, j, load<f32>(ps + (<usize>p << 2)), cs, bias);
  }
}
