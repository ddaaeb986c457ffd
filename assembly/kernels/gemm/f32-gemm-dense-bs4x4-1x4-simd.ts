// f32_gemm_dense_bs4x4_1x4__simd: y[i][j] = chscale[j] * sum_k W[j][k] * x[i][k] + bias[j], W block-sparse
// with 4x4 blocks.
//
//   mask row br (channels 4br..4br+3): |76543210|...   bit c set = block (br, c) kept
//   w: kept blocks in order, each 4 f32x4, row-major:   | W[4br+0][4c..4c+3] |
//                                                       | W[4br+1][4c..4c+3] |  ...
//   acc[r] += block row r * x[i][4c..4c+3]; one transpose-add (hsum4) per block row
//   The edge block column (k % 4) reads x with zero lanes; the edge block row stores valid channels.
//
// Tile 1x4: one batch row, 4 channels. Block rows are the outer loop, so a block row's weights are read
// from memory once and from cache by the later batch rows. Preconditions: block_rows = block_cols = 4.
// Ref: f32_gemm_dense_bs__ref.
import { P_BLOCK_ROWS, P_BLOCK_COLS, P_CHSCALE, param, paramPtr, maskWord, hsum4, storeLanes, loadX4 } from '../../common/gemm';

export function f32_gemm_dense_bs4x4_1x4__simd(
  m: i32, n: i32, k: i32,
  x: usize, w: usize, pal: usize, mask: usize, bias: usize, y: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  assert(m >= 1 && n >= 1 && k >= 1);
  assert(param(params, P_BLOCK_ROWS) == 4 && param(params, P_BLOCK_COLS) == 4);
  assert(x_stride >= k * 4 && y_stride >= n * 4);
  const cs = paramPtr(params, P_CHSCALE);
  const gridRows = (n + 3) >> 2;
  const gridCols = (k + 3) >> 2;
  const maskRowBytes = (gridCols + 7) >> 3;
  const lastFull = k >> 2;
  let vrow = w; // first kept block of block row br
  for (let br = 0; br < gridRows; br++) {
    const mr = mask + <usize>br * <usize>maskRowBytes;
    let v = vrow;
    for (let i = 0; i < m; i++) {
      const xr = x + <usize>i * <usize>x_stride;
      v = vrow;
      let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
      for (let b = 0; b < maskRowBytes; b += 8) {
        let word = maskWord(mr + <usize>b, maskRowBytes - b, gridCols - (b << 3));
        while (word != 0) {
          const c = (b << 3) + <i32>ctz(word);
          word &= word - 1;
          const xv = c < lastFull ? v128.load(xr + (<usize>c << 4)) : loadX4(xr, c << 2, k);
          a0 = f32x4.add(a0, f32x4.mul(v128.load(v), xv));
          a1 = f32x4.add(a1, f32x4.mul(v128.load(v, 16), xv));
          a2 = f32x4.add(a2, f32x4.mul(v128.load(v, 32), xv));
          a3 = f32x4.add(a3, f32x4.mul(v128.load(v, 48), xv));
          v += 64;
        }
      }
      storeLanes(y + <usize>i * <usize>y_stride, br << 2, hsum4(a0, a1, a2, a3), n - (br << 2), cs, bias);
    }
    vrow = v;
  }
}
