// f32_gemm_p8f32_4x1__simd: y[i][j] = chscale[j] * sum_k pal[j / group_rows][idx[j][k]] * x[i][k] + bias[j]
// Any bits 1..8 (the table offers it for 5..8; p4f32 swz is faster below). Palettes of up to 256
// f32 entries are too large for swizzle tables, so: SIMD unpack of 16 indices (2*bits bytes ->
// 16 bytes, assembly/common/unpack.ts), scalar gather of the 16 entries, row buffer, then the
// 4-batch-row SIMD dot (assembly/common/rowdot.ts).
//
//   w row j: | 2b bytes: idx 0..15 | 2b bytes: idx 16..31 | ... |   LSB first, rows byte aligned
//
// scratch: | unpack ctl 64 | tmp 16 | indices 16 | row buffer roundup(k, 16) f32 |
// Preconditions: bits 1..8, group_rows >= 1, scratch >= 96 + roundup(k,16)*4. Ref: f32_gemm_p8f32__ref.
import { P_BITS, P_GROUP_ROWS, P_CHSCALE, P_SCRATCH, param, paramPtr } from '../../common/gemm';
import { unpackSetup, unpack16, loadChunk } from '../../common/unpack';
import { dotRowsF32 } from '../../common/rowdot';

export function f32_gemm_p8f32_4x1__simd(
  m: i32, n: i32, k: i32,
  x: usize, w: usize, pal: usize, mask: usize, bias: usize, y: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  const bits = param(params, P_BITS);
  const groupRows = param(params, P_GROUP_ROWS);
  const scratch = paramPtr(params, P_SCRATCH);
  assert(m >= 1 && n >= 1 && k >= 1 && bits >= 1 && bits <= 8 && groupRows >= 1);
  assert(x_stride >= k * 4 && y_stride >= n * 4 && scratch != 0 && (scratch & 15) == 0);
  const cs = paramPtr(params, P_CHSCALE);
  const ctl = scratch, tmp = scratch + 64, idxBuf = scratch + 80, wb = scratch + 96;
  unpackSetup(bits, ctl);
  const c0 = v128.load(ctl), c1 = v128.load(ctl, 16), m0 = v128.load(ctl, 32), m1 = v128.load(ctl, 48);
  const down = 16 - bits;
  const rowBytes = (<usize>k * <usize>bits + 7) >> 3;
  const wEnd = w + <usize>n * rowBytes;
  const chunkBytes = <usize>(bits << 1);
  for (let j = 0; j < n; j++) {
    const pr = pal + ((<usize>(j / groupRows) << <usize>bits) << 2);
    let src = w + <usize>j * rowBytes;
    for (let c = 0; c < k; c += 16) {
      const idx = unpack16(loadChunk(src, <isize>(wEnd - src), tmp), c0, c1, m0, m1, down);
      // the 16 indices go through memory: extract_lane needs constant lanes and this is as fast
      v128.store(idxBuf, idx);
      const dst = wb + (<usize>c << 2);
      for (let e: usize = 0; e < 16; e++) store<f32>(dst + (e << 2), load<f32>(pr + (<usize>load<u8>(idxBuf + e) << 2)));
      src += chunkBytes;
    }
    dotRowsF32(wb, k, m, x, <usize>x_stride, y, <usize>y_stride, j, cs, bias);
  }
}
