// f32_gemm_dense_bs1x4_4x1__simd: y[i][j] = chscale[j] * sum_k W[j][k] * x[i][k] + bias[j], W block-sparse
// with 1x4 blocks (1 output channel x 4 input columns).
//
//   mask row j: |76543210|...   bit c set = columns 4c..4c+3 kept
//   w: kept blocks in order, each one f32x4 | W[j][4c] W[j][4c+1] W[j][4c+2] W[j][4c+3] |
//   acc[r] += block * x[i+r][4c..4c+3]; the edge block (k % 4) reads x with zero lanes past k
//
// Tile 4x1: 4 batch rows x one channel; each block load serves 4 batch rows. Channels are the outer
// loop, so a row's kept blocks are read from memory once and from L1 by the later batch rows
// (m % 4 rows left: one at a time). Weights read in place; ctz over 64-bit mask words.
// Preconditions: block_rows = 1, block_cols = 4. Ref: f32_gemm_dense_bs__ref.
import { P_BLOCK_ROWS, P_BLOCK_COLS, P_CHSCALE, param, paramPtr, maskWord, epilogue, hsum, hsum4, loadX4 } from '../../common/gemm';

export function f32_gemm_dense_bs1x4_4x1__simd(
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
  const xs = <usize>x_stride, ys = <usize>y_stride;
  let vrow = w; // first kept block of row j
  for (let j = 0; j < n; j++) {
    const mr = mask + <usize>j * <usize>maskRowBytes;
    let v = vrow;
    let i = 0;
    for (; i + 4 <= m; i += 4) {
      const x0 = x + <usize>i * xs, x1 = x0 + xs, x2 = x1 + xs, x3 = x2 + xs;
      let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
      v = vrow;
      for (let b = 0; b < maskRowBytes; b += 8) {
        let word = maskWord(mr + <usize>b, maskRowBytes - b, gridCols - (b << 3));
        while (word != 0) {
          const c = (b << 3) + <i32>ctz(word);
          word &= word - 1;
          const wv = v128.load(v);
          if (c < lastFull) {
            const o = <usize>c << 4;
            a0 = f32x4.add(a0, f32x4.mul(wv, v128.load(x0 + o)));
            a1 = f32x4.add(a1, f32x4.mul(wv, v128.load(x1 + o)));
            a2 = f32x4.add(a2, f32x4.mul(wv, v128.load(x2 + o)));
            a3 = f32x4.add(a3, f32x4.mul(wv, v128.load(x3 + o)));
          } else {
            a0 = f32x4.add(a0, f32x4.mul(wv, loadX4(x0, c << 2, k)));
            a1 = f32x4.add(a1, f32x4.mul(wv, loadX4(x1, c << 2, k)));
            a2 = f32x4.add(a2, f32x4.mul(wv, loadX4(x2, c << 2, k)));
            a3 = f32x4.add(a3, f32x4.mul(wv, loadX4(x3, c << 2, k)));
          }
          v += 16;
        }
      }
      const s = hsum4(a0, a1, a2, a3);
      const yo = y + <usize>i * ys + (<usize>j << 2);
      store<f32>(yo, epilogue(f32x4.extract_lane(s, 0), j, cs, bias));
      store<f32>(yo + ys, epilogue(f32x4.extract_lane(s, 1), j, cs, bias));
      store<f32>(yo + 2 * ys, epilogue(f32x4.extract_lane(s, 2), j, cs, bias));
      store<f32>(yo + 3 * ys, epilogue(f32x4.extract_lane(s, 3), j, cs, bias));
    }
    for (; i < m; i++) {
      const xr = x + <usize>i * xs;
      let a = f32x4.splat(0);
      v = vrow;
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
      store<f32>(y + <usize>i * ys + (<usize>j << 2), epilogue(hsum(a), j, cs, bias));
    }
    vrow = v;
  }
}
