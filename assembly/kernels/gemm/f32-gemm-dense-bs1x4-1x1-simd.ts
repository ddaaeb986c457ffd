// f32_gemm_dense_bs1x4_1x1__simd: y[i][j] = chscale[j] * sum_k W[j][k] * x[i][k] + bias[j], W block-sparse
// with 1x4 blocks (1 output channel x 4 input columns).
//
//   mask row j: |76543210|...   bit c set = columns 4c..4c+3 kept
//   w: kept blocks in order, each one f32x4 | W[j][4c] W[j][4c+1] W[j][4c+2] W[j][4c+3] |
//   acc += block * x[i][4c..4c+3]; the edge block (k % 4) reads x with zero lanes past k
//
// Tile 1x1: one batch row, one channel. Weights read in place; ctz over 64-bit mask words.
// Preconditions: block_rows = 1, block_cols = 4. Ref: f32_gemm_dense_bs__ref.
import { P_BLOCK_ROWS, P_BLOCK_COLS, P_CHSCALE, param, paramPtr, maskWord, epilogue, hsum, loadX4 } from '../../common/gemm';

export function f32_gemm_dense_bs1x4_1x1__simd(
  m: i32, n: i32, k: i32,
  x: usize, w: usize, pal: usize, mask: usize, bias: usize, y: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  assert(m >= 1 && n >= 1 && k >= 1);
  assert(param(params, P_BLOCK_ROWS) == 1 && param(params, P_BLOCK_COLS) == 4);
  assert(x_stride >= k * 4 && y_stride >= n * 4);
  const cs = paramPtr(params, P_CHSCALE);
  const gridCols = (k + 3) >> 2;
  const maskRowBytes = (gridCols + 7) >> 3;
  const lastFull = k >> 2; // block columns >= this one hang over the end of x
  for (let i = 0; i < m; i++) {
    const xr = x + <usize>i * <usize>x_stride;
    const yr = y + <usize>i * <usize>y_stride;
    let v = w;
    for (let j = 0; j < n; j++) {
      const mr = mask + <usize>j * <usize>maskRowBytes;
      let a = f32x4.splat(0);
      for (let b = 0; b < maskRowBytes; b += 8) {
        let word = maskWord(mr + <usize>b, maskRowBytes - b, gridCols - (b << 3));
        while (word != 0) {
          const c = (b << 3) + <i32>ctz(word);
          word &= word - 1;
          const xv = c < lastFull ? v128.load(xr + (<usize>c << 4)) : loadX4(xr, c << 2, k);
          a = f32x4.add(a, f32x4.mul(v128.load(v), xv));
          v += 16;
        }
      }
      store<f32>(yr + (<usize>j << 2), epilogue(hsum(a), j, cs, bias));
    }
  }
}
