// f32_gemm_dense_bs8x1_1x8__simd: y[i][j] = chscale[j] * sum_k W[j][k] * x[i][k] + bias[j], W block-sparse
// with 8x1 blocks (8 output channels x 1 input column).
//
//   mask row br (channels 8br..8br+7): |76543210|...   bit c set = column c kept
//   w: kept blocks in order, each 8 f32 = 2 f32x4:  | W[8br+0..3][c] | W[8br+4..7][c] |
//   acc (2 f32x4) += block * splat(x[i][c]) for each set bit c (ctz over 64-bit mask words)
//
// Tile 1x8: one batch row, one block row of 8 channels; weights read in place (no row lists,
// nothing precomputed). Edge block row (n % 8): only valid channels are stored.
// Preconditions: block_rows = 8, block_cols = 1. Ref: f32_gemm_dense_bs__ref.
import { P_BLOCK_ROWS, P_BLOCK_COLS, P_CHSCALE, param, paramPtr, maskWord, storeLanes } from '../../common/gemm';

export function f32_gemm_dense_bs8x1_1x8__simd(
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
  for (let i = 0; i < m; i++) {
    const xr = x + <usize>i * <usize>x_stride;
    const yr = y + <usize>i * <usize>y_stride;
    let v = w;
    for (let br = 0; br < gridRows; br++) {
      const mr = mask + <usize>br * <usize>maskRowBytes;
      let a0 = f32x4.splat(0), a1 = a0;
      for (let b = 0; b < maskRowBytes; b += 8) {
        let word = maskWord(mr + <usize>b, maskRowBytes - b, k - (b << 3));
        const xb = xr + (<usize>b << 5); // x of column 8*b
        while (word != 0) {
          const xv = f32x4.splat(load<f32>(xb + (<usize>ctz(word) << 2)));
          word &= word - 1;
          a0 = f32x4.add(a0, f32x4.mul(v128.load(v), xv));
          a1 = f32x4.add(a1, f32x4.mul(v128.load(v, 16), xv));
          v += 32;
        }
      }
      const j = br * 8;
      storeLanes(yr, j, a0, n - j, cs, bias);
      storeLanes(yr, j + 4, a1, n - j - 4, cs, bias);
    }
  }
}
