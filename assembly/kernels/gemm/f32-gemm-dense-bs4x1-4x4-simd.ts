// f32_gemm_dense_bs4x1_4x4__simd: y[i][j] = chscale[j] * sum_k W[j][k] * x[i][k] + bias[j], W block-sparse
// with 4x1 blocks (4 output channels x 1 input column).
//
//   mask row br (channels 4br..4br+3): |76543210|...   bit c set = column c kept
//   w: kept blocks in order, each 4 f32 = 1 f32x4:  | W[4br+0..3][c] |
//   acc[r] (f32x4) += block * splat(x[i+r][c]) for each set bit c (ctz over 64-bit mask words)
//
// Tile 4x4: 4 batch rows x one block row of 4 channels; each block load serves 4 batch rows. Block
// rows are the outer loop, so a block row's weights are read from memory once and from L1 by the
// later batch rows (m % 4 rows left: one at a time). Weights read in place, nothing precomputed.
// Edge block row (n % 4): only valid channels are stored.
// Preconditions: block_rows = 4, block_cols = 1. Ref: f32_gemm_dense_bs__ref.
import { P_BLOCK_ROWS, P_BLOCK_COLS, P_CHSCALE, param, paramPtr, maskWord, storeLanes } from '../../common/gemm';

export function f32_gemm_dense_bs4x1_4x4__simd(
  m: i32, n: i32, k: i32,
  x: usize, w: usize, pal: usize, mask: usize, bias: usize, y: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  assert(m >= 1 && n >= 1 && k >= 1);
  assert(param(params, P_BLOCK_ROWS) == 4 && param(params, P_BLOCK_COLS) == 1);
  assert(x_stride >= k * 4 && y_stride >= n * 4);
  const cs = paramPtr(params, P_CHSCALE);
  const gridRows = (n + 3) / 4;
  const maskRowBytes = (k + 7) >> 3;
  const xs = <usize>x_stride, ys = <usize>y_stride;
  let vrow = w; // first kept block of block row br
  for (let br = 0; br < gridRows; br++) {
    const mr = mask + <usize>br * <usize>maskRowBytes;
    const j = br * 4;
    let v = vrow;
    let i = 0;
    for (; i + 4 <= m; i += 4) {
      const x0 = x + <usize>i * xs, x1 = x0 + xs, x2 = x1 + xs, x3 = x2 + xs;
      let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
      v = vrow;
      for (let b = 0; b < maskRowBytes; b += 8) {
        let word = maskWord(mr + <usize>b, maskRowBytes - b, k - (b << 3));
        const o0 = <usize>b << 5; // x offset of column 8*b
        while (word != 0) {
          const o = o0 + (<usize>ctz(word) << 2);
          word &= word - 1;
          const wv = v128.load(v);
          a0 = f32x4.add(a0, f32x4.mul(wv, v128.load32_splat(x0 + o)));
          a1 = f32x4.add(a1, f32x4.mul(wv, v128.load32_splat(x1 + o)));
          a2 = f32x4.add(a2, f32x4.mul(wv, v128.load32_splat(x2 + o)));
          a3 = f32x4.add(a3, f32x4.mul(wv, v128.load32_splat(x3 + o)));
          v += 16;
        }
      }
      const yr = y + <usize>i * ys;
      storeLanes(yr, j, a0, n - j, cs, bias);
      storeLanes(yr + ys, j, a1, n - j, cs, bias);
      storeLanes(yr + 2 * ys, j, a2, n - j, cs, bias);
      storeLanes(yr + 3 * ys, j, a3, n - j, cs, bias);
    }
    for (; i < m; i++) {
      const xr = x + <usize>i * xs;
      let a0 = f32x4.splat(0);
      v = vrow;
      for (let b = 0; b < maskRowBytes; b += 8) {
        let word = maskWord(mr + <usize>b, maskRowBytes - b, k - (b << 3));
        const xb = xr + (<usize>b << 5);
        while (word != 0) {
          a0 = f32x4.add(a0, f32x4.mul(v128.load(v), v128.load32_splat(xb + (<usize>ctz(word) << 2))));
          word &= word - 1;
          v += 16;
        }
      }
      storeLanes(y + <usize>i * ys, j, a0, n - j, cs, bias);
    }
    vrow = v;
  }
}
