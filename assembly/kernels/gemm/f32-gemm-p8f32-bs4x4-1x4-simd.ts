// f32_gemm_p8f32_bs4x4_1x4__simd: y[i][j] = chscale[j] * sum_k pal[j / group_rows][idx[j][k]] * x[i][k] + bias[j],
// idx block-sparse with 4x4 blocks, bits 1..8.
//
//   mask row br (channels 4br..4br+3): |76543210|...   bit c set = block (br, c) kept
//   w: one LSB-first stream; kept block t = 16 indices (row-major 4x4) = 2*bits bytes at 2*bits*t
//      | r0: idx idx idx idx | r1: ... | r2: ... | r3: ... |  -> unpack16 -> per-row palette gather
//   acc[r] += values row r * x[i][4c..4c+3] (zero lanes past k); hsum4 per block row
//
// m = 1: decode and dot fused, block by block. m >= 2: the kept blocks of a block row are decoded once
// into buf (16 f32 per block), then every batch row walks the mask row again and reads buf.
// scratch: | unpack ctl 64 | tmp 16 | idx 16 | row palettes 16 x u32 | values 64 | planes 64 | (m >= 2: buf 64 * ceil(k/4)) |
// Fast path: bits <= 4 and one palette for the whole block row -> swizzle lookup on byte planes
// (assembly/common/palette.ts) instead of the per-value gather.
// Preconditions: block_rows = block_cols = 4, bits 1..8. Ref: f32_gemm_p8f32_bs__ref.
import { P_BITS, P_GROUP_ROWS, P_BLOCK_ROWS, P_BLOCK_COLS, P_CHSCALE, P_SCRATCH, param, paramPtr, maskWord, storeLanes, countKept, hsum4, loadX4 } from '../../common/gemm';
import { unpackSetup, unpack16, loadChunk, decodeBlock16 } from '../../common/unpack';
import { buildPlanes, lookup16 } from '../../common/palette';

export function f32_gemm_p8f32_bs4x4_1x4__simd(
  m: i32, n: i32, k: i32,
  x: usize, w: usize, pal: usize, mask: usize, bias: usize, y: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  const bits = param(params, P_BITS);
  const groupRows = param(params, P_GROUP_ROWS);
  const scratch = paramPtr(params, P_SCRATCH);
  assert(m >= 1 && n >= 1 && k >= 1 && bits >= 1 && bits <= 8 && groupRows >= 1);
  assert(param(params, P_BLOCK_ROWS) == 4 && param(params, P_BLOCK_COLS) == 4);
  assert(x_stride >= k * 4 && y_stride >= n * 4 && scratch != 0 && (scratch & 15) == 0);
  const cs = paramPtr(params, P_CHSCALE);
  const ctl = scratch, tmp = scratch + 64, idxBuf = scratch + 80, rowPal = scratch + 96, vals = scratch + 160, planes = scratch + 224;
  unpackSetup(bits, ctl);
  const c0 = v128.load(ctl), c1 = v128.load(ctl, 16), m0 = v128.load(ctl, 32), m1 = v128.load(ctl, 48);
  const down = 16 - bits;
  const gridRows = (n + 3) >> 2;
  const gridCols = (k + 3) >> 2;
  const maskRowBytes = (gridCols + 7) >> 3;
  const lastFull = k >> 2;
  const blockBytes = <usize>(bits << 1);
  const end = w + <usize>countKept(mask, gridRows, gridCols) * blockBytes;
  let p0 = i32x4.splat(0), p1 = p0, p2 = p0, p3 = p0;
  let lastP = -1;
  const buf = scratch + 288;
  let src = w;
  for (let br = 0; br < gridRows; br++) {
    for (let e = 0; e < 16; e++) {
      const row = min((br << 2) + (e >> 2), n - 1); // edge rows: never stored
      store<u32>(rowPal + (<usize>e << 2), <u32>(pal + ((<usize>(row / groupRows) << <usize>bits) << 2)));
    }
    const pFirst = (br << 2) / groupRows;
    const uniform = bits <= 4 && pFirst == min((br << 2) + 3, n - 1) / groupRows;
    if (uniform && pFirst != lastP) {
      buildPlanes(pal + ((<usize>pFirst << <usize>bits) << 2), bits, planes);
      p0 = v128.load(planes); p1 = v128.load(planes, 16); p2 = v128.load(planes, 32); p3 = v128.load(planes, 48);
      lastP = pFirst;
    }
    const mr = mask + <usize>br * <usize>maskRowBytes;
    if (m > 1) {
      // decoded once for all batch rows
      let d = buf;
      for (let b = 0; b < maskRowBytes; b += 8) {
        let word = maskWord(mr + <usize>b, maskRowBytes - b, gridCols - (b << 3));
        while (word != 0) {
          word &= word - 1;
          if (uniform) lookup16(unpack16(loadChunk(src, <isize>(end - src), tmp), c0, c1, m0, m1, down), p0, p1, p2, p3, d);
          else decodeBlock16(src, end, tmp, c0, c1, m0, m1, down, idxBuf, rowPal, d);
          src += blockBytes;
          d += 64;
        }
      }
    }
    for (let i = 0; i < m; i++) {
      const xr = x + <usize>i * <usize>x_stride;
      let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
      let v = m > 1 ? buf : vals;
      for (let b = 0; b < maskRowBytes; b += 8) {
        let word = maskWord(mr + <usize>b, maskRowBytes - b, gridCols - (b << 3));
        while (word != 0) {
          const c = (b << 3) + <i32>ctz(word);
          word &= word - 1;
          const xv = c < lastFull ? v128.load(xr + (<usize>c << 4)) : loadX4(xr, c << 2, k);
          if (m == 1) {
            if (uniform) lookup16(unpack16(loadChunk(src, <isize>(end - src), tmp), c0, c1, m0, m1, down), p0, p1, p2, p3, vals);
            else decodeBlock16(src, end, tmp, c0, c1, m0, m1, down, idxBuf, rowPal, vals);
            src += blockBytes;
          }
          a0 = f32x4.add(a0, f32x4.mul(v128.load(v), xv));
          a1 = f32x4.add(a1, f32x4.mul(v128.load(v, 16), xv));
          a2 = f32x4.add(a2, f32x4.mul(v128.load(v, 32), xv));
          a3 = f32x4.add(a3, f32x4.mul(v128.load(v, 48), xv));
          if (m > 1) v += 64;
        }
      }
      storeLanes(y + <usize>i * <usize>y_stride, br << 2, hsum4(a0, a1, a2, a3), n - (br << 2), cs, bias);
    }
  }
}
