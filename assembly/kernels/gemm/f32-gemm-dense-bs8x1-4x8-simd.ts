// f32_gemm_dense_bs8x1_4x8__simd: y[i][j] = chscale[j] * sum_k W[j][k] * x[i][k] + bias[j], W block-sparse
// with 8x1 blocks (8 output channels x 1 input column).
//
//   mask row br (channels 8br..8br+7): |76543210|...   bit c set = column c kept
//   w: kept blocks in order, each 8 f32 = 2 f32x4:  | W[8br+0..3][c] | W[8br+4..7][c] |
//   acc[r] (2 f32x4) += block * splat(x[i+r][c]) for each set bit c (ctz over 64-bit mask words)
//
// Tile 4x8: 4 batch rows x one block row of 8 channels; each block load serves 4 batch rows. Block
// rows are the outer loop, so a block row's weights are read from memory once and from L1 by the
// later batch rows (m % 4 rows left: one at a time). Weights read in place, nothing precomputed.
// Edge block row (n % 8): only valid channels are stored.
// Preconditions: block_rows = 8, block_cols = 1. Ref: f32_gemm_dense_bs__ref.
import { P_BLOCK_ROWS, P_BLOCK_COLS, P_CHSCALE, param, paramPtr, maskWord, storeLanes } from '../../common/gemm';

@inline function store8(yr: usize, j: i32, n: i32, lo: v128, hi: v128, cs: usize, bias: usize): void {
  storeLanes(yr, j, lo, n - j, cs, bias);
  storeLanes(yr, j + 4, hi, n - j - 4, cs, bias);
}

export function f32_gemm_dense_bs8x1_4x8__simd(
  m: i32, n: i32, k: i32,
  x: usize, w: usize, pal: usize, mask: usize, bias: usize, y: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  assert(m >= 1 && n >= 1 && k >= 1);
  assert(param(params, P_BLOCK_ROWS) == 8 && param(params, P_BLOCK_COLS) == 1);
  assert(x_stride >= k * 4 && y_stride >= n * 4);
  const cs = paramPtr(params, P_CHSCALE);
  const gridRows = (n + 7) / 8;
  const maskRowBytes = (k + 7) >> 3;
  const xs = <usize>x_stride, ys = <usize>y_stride;
  let vrow = w; // first kept block of block row br
  for (let br = 0; br < gridRows; br++) {
    const mr = mask + <usize>br * <usize>maskRowBytes;
    const j = br * 8;
    let v = vrow;
    let i = 0;
    for (; i + 4 <= m; i += 4) {
      const x0 = x + <usize>i * xs, x1 = x0 + xs, x2 = x1 + xs, x3 = x2 + xs;
      let a0 = f32x4.splat(0), b0 = a0, a1 = a0, b1 = a0, a2 = a0, b2 = a0, a3 = a0, b3 = a0;
      v = vrow;
      for (let b = 0; b < maskRowBytes; b += 8) {
        let word = maskWord(mr + <usize>b, maskRowBytes - b, k - (b << 3));
        const o0 = <usize>b << 5; // x offset of column 8*b
        while (word != 0) {
          const o = o0 + (<usize>ctz(word) << 2);
          word &= word - 1;
          const wl = v128.load(v), wh = v128.load(v, 16);
          let xv = v128.load32_splat(x0 + o);
          a0 = f32x4.add(a0, f32x4.mul(wl, xv)); b0 = f32x4.add(b0, f32x4.mul(wh, xv));
          xv = v128.load32_splat(x1 + o);
          a1 = f32x4.add(a1, f32x4.mul(wl, xv)); b1 = f32x4.add(b1, f32x4.mul(wh, xv));
          xv = v128.load32_splat(x2 + o);
          a2 = f32x4.add(a2, f32x4.mul(wl, xv)); b2 = f32x4.add(b2, f32x4.mul(wh, xv));
          xv = v128.load32_splat(x3 + o);
          a3 = f32x4.add(a3, f32x4.mul(wl, xv)); b3 = f32x4.add(b3, f32x4.mul(wh, xv));
          v += 32;
        }
      }
      const yr = y + <usize>i * ys;
      store8(yr, j, n, a0, b0, cs, bias);
      store8(yr + ys, j, n, a1, b1, cs, bias);
      store8(yr + 2 * ys, j, n, a2, b2, cs, bias);
      store8(yr + 3 * ys, j, n, a3, b3, cs, bias);
    }
    for (; i < m; i++) {
      const xr = x + <usize>i * xs;
      let a0 = f32x4.splat(0), b0 = a0;
      v = vrow;
      for (let b = 0; b < maskRowBytes; b += 8) {
        let word = maskWord(mr + <usize>b, maskRowBytes - b, k - (b << 3));
        const xb = xr + (<usize>b << 5);
        while (word != 0) {
          const xv = v128.load32_splat(xb + (<usize>ctz(word) << 2));
          word &= word - 1;
          a0 = f32x4.add(a0, f32x4.mul(v128.load(v), xv));
          b0 = f32x4.add(b0, f32x4.mul(v128.load(v, 16), xv));
          v += 32;
        }
      }
      store8(y + <usize>i * ys, j, n, a0, b0, cs, bias);
    }
    vrow = v;
  }
}
