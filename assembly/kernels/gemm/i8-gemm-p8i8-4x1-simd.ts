// i8_gemm_p8i8_4x1__simd: y[i][j] = (sum_k pal[p][idx[j][k]] * q[i][k]) * xscale[i] * palscale[p] * chscale[j] + bias[j]
// p = j / group_rows, bits 1..8 (the table offers it for 5..8); int8 palette entries read in place;
// q = int8 quantization of x (assembly/common/quant.ts, the same integers as i8_gemm_p8i8__ref), as i16.
//
//   w row j: | 2b bytes: idx 0..15 | 2b bytes: idx 16..31 | ... |   LSB first (bits 8: one byte per index)
//   -> SIMD unpack to 16 byte indices (assembly/common/unpack.ts; bits 8: the bytes themselves)
//   -> 2^bits-entry lookup: 16-entry table chunks c, swizzle(chunk c, idx - 16c) OR-ed together
//      (lanes out of a chunk's range give 0; XNNPACK x8-lut) -> int8 row buffer
//   row buffer x 4 batch rows: widen to i16, i32x4.dot_i16x8_s, int32 accumulators (quant-simd.ts)
//
// scratch: | palette copy 16 | tmp 16 | ctl 64 | xscale: align16(4m) | q: m rows x kq i16 | row: kq i8 |, kq = roundup(k, 16)
// Preconditions: bits 1..8, group_rows >= 1, palscale (slot 6) != 0, scratch 16-byte aligned.
// Ref: i8_gemm_p8i8__ref (bit-identical results).
import { P_BITS, P_GROUP_ROWS, P_CHSCALE, P_SCRATCH, P_PALSCALE, param, paramPtr } from '../../common/gemm';
import { unpackSetup, unpack16, loadChunk } from '../../common/unpack';
import { quantizeRowsI16, dotRowsI8 } from '../../common/quant-simd';
import { lookupI8 } from '../../common/palette';


export function i8_gemm_p8i8_4x1__simd(
  m: i32, n: i32, k: i32,
  x: usize, w: usize, pal: usize, mask: usize, bias: usize, y: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  // one specialized copy per bit width 3, 5..8 (constant unpack shift and lookup trip count)
  const bits = param(params, P_BITS);
  if (bits == 8) body(8, m, n, k, x, w, pal, bias, y, x_stride, y_stride, params);
  else if (bits == 7) body(7, m, n, k, x, w, pal, bias, y, x_stride, y_stride, params);
  else if (bits == 6) body(6, m, n, k, x, w, pal, bias, y, x_stride, y_stride, params);
  else if (bits == 5) body(5, m, n, k, x, w, pal, bias, y, x_stride, y_stride, params);
  else if (bits == 3) body(3, m, n, k, x, w, pal, bias, y, x_stride, y_stride, params);
  else body(bits, m, n, k, x, w, pal, bias, y, x_stride, y_stride, params);
}

@inline function body(
  bits: i32, m: i32, n: i32, k: i32, x: usize, w: usize, pal: usize, bias: usize, y: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  const groupRows = param(params, P_GROUP_ROWS);
  const scratch = paramPtr(params, P_SCRATCH);
  const ps = paramPtr(params, P_PALSCALE);
  assert(m >= 1 && n >= 1 && k >= 1 && bits >= 1 && bits <= 8 && groupRows >= 1);
  assert(x_stride >= k * 4 && y_stride >= n * 4 && scratch != 0 && (scratch & 15) == 0 && ps != 0);
  const cs = paramPtr(params, P_CHSCALE);
  const kq = (k + 15) & ~15;
  const pcopy = scratch, tmp = scratch + 16, ctl = scratch + 32, xsc = scratch + 96;
  const q = xsc + ((<usize>m * 4 + 15) & ~15);
  const wb = q + <usize>m * <usize>kq * 2;
  quantizeRowsI16(m, k, kq, x, <usize>x_stride, xsc, q);
  unpackSetup(bits, ctl);
  const c0 = v128.load(ctl), c1 = v128.load(ctl, 16), m0 = v128.load(ctl, 32), m1 = v128.load(ctl, 48);
  const down = 16 - bits;
  const rowBytes = (<usize>k * <usize>bits + 7) >> 3;
  const wEnd = w + <usize>n * rowBytes; // loads may cross into the next row (q is 0 there), never past the end
  const chunkBytes = <usize>(bits << 1);
  const chunks = bits >= 4 ? 1 << (bits - 4) : 1;
  let pr = pal;
  let lastP = -1;
  for (let j = 0; j < n; j++) {
    const p = j / groupRows;
    if (p != lastP) {
      pr = pal + (<usize>p << <usize>bits);
      if (bits < 4) {
        // fewer than 16 entries: a zero-padded copy (never read past the palette)
        v128.store(pcopy, i32x4.splat(0));
        memory.copy(pcopy, pr, <usize>1 << <usize>bits);
        pr = pcopy;
      }
      lastP = p;
    }
    let src = w + <usize>j * rowBytes;
    for (let c = 0; c < k; c += 16) {
      const v = loadChunk(src, <isize>(wEnd - src), tmp);
      const idx = bits == 8 ? v : unpack16(v, c0, c1, m0, m1, down);
      // measured: 16 scalar loads per 16 indices are slower than the swizzle chunks even at bits 7, 8
      v128.store(wb + <usize>c, lookupI8(idx, pr, chunks));
      src += chunkBytes;
    }
    dotRowsI8(wb, kq, m, q, xsc, y, <usize>y_stride, j, load<f32>(ps + (<usize>p << 2)), cs, bias);
  }
}
