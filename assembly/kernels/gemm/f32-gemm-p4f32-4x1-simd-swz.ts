// f32_gemm_p4f32_4x1__simd_swz: y[i][j] = chscale[j] * sum_k pal[j / group_rows][idx[j][k]] * x[i][k] + bias[j]
// bits 1..4, f32 palettes looked up with i8x16.swizzle on 4 byte planes (assembly/common/palette.ts).
//
//   w row j (ceil(k*bits/8) bytes, LSB first), bits = 4:
//   byte t: | idx 2t+1 (hi nibble) | idx 2t (lo nibble) |   16 bytes -> and/shr -> interleave -> 32 byte indices
//   bits 1..3: 2*bits bytes -> 16 byte indices (assembly/common/unpack.ts)
//   -> 4 plane swizzles + interleaves -> 16 f32 -> row buffer (scratch, L1) -> dot with 4 batch rows at once
//
// Tile 4x1: one decoded output channel against 4 batch rows per pass (W decoded once per call).
// scratch: | planes 64 | unpack ctl 64 | tmp 16 | pad 16 | row buffer roundup(k, 32) f32 |
// Preconditions: bits 1..4, group_rows >= 1, scratch >= 160 + roundup(k,32)*4. Ref: f32_gemm_p8f32__ref.
import { P_BITS, P_GROUP_ROWS, P_CHSCALE, P_SCRATCH, param, paramPtr } from '../../common/gemm';
import { unpackSetup, unpack16, loadChunk } from '../../common/unpack';
import { buildPlanes, lookup16 } from '../../common/palette';
import { dotRowsF32 } from '../../common/rowdot';

export function f32_gemm_p4f32_4x1__simd_swz(
  m: i32, n: i32, k: i32,
  x: usize, w: usize, pal: usize, mask: usize, bias: usize, y: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  const bits = param(params, P_BITS);
  const groupRows = param(params, P_GROUP_ROWS);
  const scratch = paramPtr(params, P_SCRATCH);
  assert(m >= 1 && n >= 1 && k >= 1 && bits >= 1 && bits <= 4 && groupRows >= 1);
  assert(x_stride >= k * 4 && y_stride >= n * 4 && scratch != 0 && (scratch & 15) == 0);
  const cs = paramPtr(params, P_CHSCALE);
  const planes = scratch, ctl = scratch + 64, tmp = scratch + 128, wb = scratch + 160;
  unpackSetup(bits, ctl);
  const c0 = v128.load(ctl), c1 = v128.load(ctl, 16), m0 = v128.load(ctl, 32), m1 = v128.load(ctl, 48);
  const down = 16 - bits;
  const rowBytes = (<usize>k * <usize>bits + 7) >> 3;
  const wEnd = w + <usize>n * rowBytes; // loads may cross into the next row, never past the end
  const chunkBytes = <usize>(bits << 1);
  let p0 = i32x4.splat(0), p1 = p0, p2 = p0, p3 = p0;
  let lastP = -1;
  for (let j = 0; j < n; j++) {
    const p = j / groupRows;
    if (p != lastP) {
      buildPlanes(pal + ((<usize>p << <usize>bits) << 2), bits, planes);
      p0 = v128.load(planes); p1 = v128.load(planes, 16); p2 = v128.load(planes, 32); p3 = v128.load(planes, 48);
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
        const dst = wb + (<usize>c << 2);
        lookup16(i8x16.shuffle(lo, hi, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23), p0, p1, p2, p3, dst);
        lookup16(i8x16.shuffle(lo, hi, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31), p0, p1, p2, p3, dst + 64);
      }
    } else {
      let src = wr;
      for (let c = 0; c < k; c += 16) {
        const v = loadChunk(src, <isize>(wEnd - src), tmp);
        lookup16(unpack16(v, c0, c1, m0, m1, down), p0, p1, p2, p3, wb + (<usize>c << 2));
        src += chunkBytes;
      }
    }
    dotRowsF32(wb, k, m, x, <usize>x_stride, y, <usize>y_stride, j, cs, bias);
  }
}
