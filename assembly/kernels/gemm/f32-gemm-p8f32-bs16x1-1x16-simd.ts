// f32_gemm_p8f32_bs16x1_1x16__simd: y[i][j] = chscale[j] * sum_k pal[j / group_rows][idx[j][k]] * x[i][k] + bias[j],
// idx block-sparse with 16x1 blocks (16 output channels x 1 column), bits 1..8.
//
//   mask row br (channels 16br..16br+15): |76543210|...   bit c set = column c kept
//   w: one LSB-first stream; kept block t = 16 indices = 2*bits bytes at byte 2*bits*t:
//      | idx(16br+0, c) idx(16br+1, c) ... idx(16br+15, c) |   (unpack16, then per-row palette gather)
//   acc (4 f32x4) += values * splat(x[i][c])
//
// m = 1: decode and dot fused, block by block. m >= 2: the kept blocks of a block row are decoded once
// into buf (16 f32 per block), then every batch row walks the mask row again and reads buf.
// scratch: | unpack ctl 64 | tmp 16 | idx 16 | row palettes 16 x u32 | values 64 | planes 64 | (m >= 2: buf 64 * k) |
// Fast path: bits <= 4 and one palette for the whole block row -> swizzle lookup on byte planes
// (assembly/common/palette.ts) instead of the per-value gather.
// Preconditions: block_rows = 16, block_cols = 1, bits 1..8. Ref: f32_gemm_p8f32_bs__ref.
import { P_BITS, P_GROUP_ROWS, P_BLOCK_ROWS, P_BLOCK_COLS, P_CHSCALE, P_SCRATCH, param, paramPtr, maskWord, storeLanes, countKept } from '../../common/gemm';
import { unpackSetup, unpack16, loadChunk, decodeBlock16 } from '../../common/unpack';
import { buildPlanes, lookup16 } from '../../common/palette';

export function f32_gemm_p8f32_bs16x1_1x16__simd(
  m: i32, n: i32, k: i32,
  x: usize, w: usize, pal: usize, mask: usize, bias: usize, y: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  const bits = param(params, P_BITS);
  const groupRows = param(params, P_GROUP_ROWS);
  const scratch = paramPtr(params, P_SCRATCH);
  assert(m >= 1 && n >= 1 && k >= 1 && bits >= 1 && bits <= 8 && groupRows >= 1);
  assert(param(params, P_BLOCK_ROWS) == 16 && param(params, P_BLOCK_COLS) == 1);
  assert(x_stride >= k * 4 && y_stride >= n * 4 && scratch != 0 && (scratch & 15) == 0);
  const cs = paramPtr(params, P_CHSCALE);
  const ctl = scratch, tmp = scratch + 64, idxBuf = scratch + 80, rowPal = scratch + 96, vals = scratch + 160, planes = scratch + 224;
  unpackSetup(bits, ctl);
  const c0 = v128.load(ctl), c1 = v128.load(ctl, 16), m0 = v128.load(ctl, 32), m1 = v128.load(ctl, 48);
  const down = 16 - bits;
  const gridRows = (n + 15) >> 4;
  const maskRowBytes = (k + 7) >> 3;
  const blockBytes = <usize>(bits << 1);
  const end = w + <usize>countKept(mask, gridRows, k) * blockBytes;
  if (m == 1) {
    fused(k, n, x, y, w, end, mask, maskRowBytes, gridRows, bits, groupRows, pal, rowPal, planes, tmp, idxBuf, vals, c0, c1, m0, m1, down, blockBytes, cs, bias);
    return;
  }
  // m >= 2: each block row's kept blocks are decoded once into buf (16 f32 each), then every batch row
  const buf = scratch + 288;
  let src = w;
  for (let br = 0; br < gridRows; br++) {
    rowPalettes(br, n, bits, groupRows, pal, rowPal);
    const pFirst = (br << 4) / groupRows;
    const uniform = bits <= 4 && pFirst == min((br << 4) + 15, n - 1) / groupRows;
    if (uniform) buildPlanes(pal + ((<usize>pFirst << <usize>bits) << 2), bits, planes);
    const p0 = v128.load(planes), p1 = v128.load(planes, 16), p2 = v128.load(planes, 32), p3 = v128.load(planes, 48);
    const mr = mask + <usize>br * <usize>maskRowBytes;
    let d = buf;
    for (let b = 0; b < maskRowBytes; b += 8) {
      let word = maskWord(mr + <usize>b, maskRowBytes - b, k - (b << 3));
      while (word != 0) {
        word &= word - 1;
        if (uniform) lookup16(unpack16(loadChunk(src, <isize>(end - src), tmp), c0, c1, m0, m1, down), p0, p1, p2, p3, d);
        else decodeBlock16(src, end, tmp, c0, c1, m0, m1, down, idxBuf, rowPal, d);
        src += blockBytes;
        d += 64;
      }
    }
    for (let i = 0; i < m; i++) {
      const xr = x + <usize>i * <usize>x_stride;
      let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
      let v = buf;
      for (let b = 0; b < maskRowBytes; b += 8) {
        let word = maskWord(mr + <usize>b, maskRowBytes - b, k - (b << 3));
        const xb = xr + (<usize>b << 5);
        while (word != 0) {
          const xv = f32x4.splat(load<f32>(xb + (<usize>ctz(word) << 2)));
          word &= word - 1;
          a0 = f32x4.add(a0, f32x4.mul(v128.load(v), xv));
          a1 = f32x4.add(a1, f32x4.mul(v128.load(v, 16), xv));
          a2 = f32x4.add(a2, f32x4.mul(v128.load(v, 32), xv));
          a3 = f32x4.add(a3, f32x4.mul(v128.load(v, 48), xv));
          v += 64;
        }
      }
      storeBlockRow(y + <usize>i * <usize>y_stride, br << 4, n, a0, a1, a2, a3, cs, bias);
    }
  }
}

/** The palette pointer of each of the 16 rows of block row br (edge rows: any valid palette, never stored). */
@inline function rowPalettes(br: i32, n: i32, bits: i32, groupRows: i32, pal: usize, rowPal: usize): void {
  for (let r = 0; r < 16; r++) {
    const row = min(br * 16 + r, n - 1);
    store<u32>(rowPal + (<usize>r << 2), <u32>(pal + ((<usize>(row / groupRows) << <usize>bits) << 2)));
  }
}

@inline function storeBlockRow(yr: usize, j: i32, n: i32, a0: v128, a1: v128, a2: v128, a3: v128, cs: usize, bias: usize): void {
  storeLanes(yr, j, a0, n - j, cs, bias);
  storeLanes(yr, j + 4, a1, n - j - 4, cs, bias);
  storeLanes(yr, j + 8, a2, n - j - 8, cs, bias);
  storeLanes(yr, j + 12, a3, n - j - 12, cs, bias);
}

/** m = 1: decode and dot fused, block by block. */
function fused(
  k: i32, n: i32, xr: usize, yr: usize, w: usize, end: usize, mask: usize, maskRowBytes: i32, gridRows: i32,
  bits: i32, groupRows: i32, pal: usize, rowPal: usize, planes: usize, tmp: usize, idxBuf: usize, vals: usize,
  c0: v128, c1: v128, m0: v128, m1: v128, down: i32, blockBytes: usize, cs: usize, bias: usize,
): void {
  let p0 = i32x4.splat(0), p1 = p0, p2 = p0, p3 = p0;
  let lastP = -1;
  let src = w;
  for (let br = 0; br < gridRows; br++) {
    rowPalettes(br, n, bits, groupRows, pal, rowPal);
    const pFirst = (br << 4) / groupRows;
    const uniform = bits <= 4 && pFirst == min((br << 4) + 15, n - 1) / groupRows;
    if (uniform && pFirst != lastP) {
      buildPlanes(pal + ((<usize>pFirst << <usize>bits) << 2), bits, planes);
      p0 = v128.load(planes); p1 = v128.load(planes, 16); p2 = v128.load(planes, 32); p3 = v128.load(planes, 48);
      lastP = pFirst;
    }
    const mr = mask + <usize>br * <usize>maskRowBytes;
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
    for (let b = 0; b < maskRowBytes; b += 8) {
      let word = maskWord(mr + <usize>b, maskRowBytes - b, k - (b << 3));
      const xb = xr + (<usize>b << 5);
      while (word != 0) {
        const xv = f32x4.splat(load<f32>(xb + (<usize>ctz(word) << 2)));
        word &= word - 1;
        if (uniform) lookup16(unpack16(loadChunk(src, <isize>(end - src), tmp), c0, c1, m0, m1, down), p0, p1, p2, p3, vals);
        else decodeBlock16(src, end, tmp, c0, c1, m0, m1, down, idxBuf, rowPal, vals);
        a0 = f32x4.add(a0, f32x4.mul(v128.load(vals), xv));
        a1 = f32x4.add(a1, f32x4.mul(v128.load(vals, 16), xv));
        a2 = f32x4.add(a2, f32x4.mul(v128.load(vals, 32), xv));
        a3 = f32x4.add(a3, f32x4.mul(v128.load(vals, 48), xv));
        src += blockBytes;
      }
    }
    storeBlockRow(yr, br << 4, n, a0, a1, a2, a3, cs, bias);
  }
}
