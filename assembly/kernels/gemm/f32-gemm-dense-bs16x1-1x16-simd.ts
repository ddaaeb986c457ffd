// f32_gemm_dense_bs16x1_1x16__simd: y[i][j] = chscale[j] * sum_k W[j][k] * x[i][k] + bias[j], W block-sparse
// with 16x1 blocks (16 output channels x 1 input column).
//
//   mask row br (channels 16br..16br+15): |76543210|...   bit c set = column c kept
//   w: kept blocks in order, each 16 f32 = 4 f32x4:  | W[16br+0..3][c] | W[16br+4..7][c] | W[16br+8..11][c] | W[16br+12..15][c] |
//   acc (4 f32x4) += block * splat(x[i][c]) for each set bit c (ctz over 64-bit mask words)
//
// Tile 1x16: one batch row, one block row of 16 channels; weights read in place (no row lists,
// nothing precomputed). Block rows are the outer loop, so a block row's weights are read from memory
// once and from cache by the later batch rows. Edge block row (n % 16): only valid channels are stored.
// Preconditions: block_rows = 16, block_cols = 1. Ref: f32_gemm_dense_bs__ref.
import { P_BLOCK_ROWS, P_BLOCK_COLS, P_CHSCALE, param, paramPtr, maskWord, storeLanes } from '../../common/gemm';

export function f32_gemm_dense_bs16x1_1x16__simd(
  m: i32, n: i32, k: i32,
  x: usize, w: usize, pal: usize, mask: usize, bias: usize, y: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  assert(m >= 1 && n >= 1 && k >= 1);
  assert(param(params, P_BLOCK_ROWS) == 16 && param(params, P_BLOCK_COLS) == 1);
  assert(x_stride >= k * 4 && y_stride >= n * 4);
  const cs = paramPtr(params, P_CHSCALE);
  const gridRows = (n + 15) / 16;
  const maskRowBytes = (k + 7) >> 3;
  let vrow = w; // first kept block of block row br
  for (let br = 0; br < gridRows; br++) {
    const mr = mask + <usize>br * <usize>maskRowBytes;
    const j = br * 16;
    let v = vrow;
    for (let i = 0; i < m; i++) {
      const xr = x + <usize>i * <usize>x_stride;
      const yr = y + <usize>i * <usize>y_stride;
      v = vrow;
      let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
      for (let b = 0; b < maskRowBytes; b += 8) {
        let word = maskWord(mr + <usize>b, maskRowBytes - b, k - (b << 3));
        const xb = xr + (<usize>b << 5); // x of column 8*b
        while (word != 0) {
          const xv = v128.load32_splat(xb + (<usize>ctz(word) << 2));
          word &= word - 1;
          a0 = f32x4.add(a0, f32x4.mul(v128.load(v), xv));
          a1 = f32x4.add(a1, f32x4.mul(v128.load(v, 16), xv));
          a2 = f32x4.add(a2, f32x4.mul(v128.load(v, 32), xv));
          a3 = f32x4.add(a3, f32x4.mul(v128.load(v, 48), xv));
          v += 64;
        }
      }
      storeLanes(yr, j, a0, n - j, cs, bias);
      storeLanes(yr, j + 4, a1, n - j - 4, cs, bias);
      storeLanes(yr, j + 8, a2, n - j - 8, cs, bias);
      storeLanes(yr, j + 12, a3, n - j - 12, cs, bias);
    }
    vrow = v;
  }
}
