// f32_gemm_dense_bs__ref: y[i][j] = chscale[j] * sum_k W[j][k] * x[i][k] + bias[j], W block-sparse
//
//   mask: one bit per R x C block, ceil(n/R) rows of ceil(ceil(k/C)/8) bytes, LSB first
//         +--------+--------+      bit c of a mask row = bit (c & 7) of byte (c >> 3)
//         |76543210|....1098|      1 = block kept
//   w:    kept blocks in row-major block order, each R*C f32 row-major inside the block;
//         edge positions outside [n, k] are stored (as 0) and skipped here
//
// params: slot 2 block_rows R >= 1, slot 3 block_cols C >= 1, slot 4 chscale or 0.
// Any block shape. Dropped blocks contribute 0; an all-dropped block row gives y = bias.
import { P_BLOCK_ROWS, P_BLOCK_COLS, P_CHSCALE, param, paramPtr, epilogue } from '../../common/gemm';

export function f32_gemm_dense_bs__ref(
  m: i32, n: i32, k: i32,
  x: usize, w: usize, pal: usize, mask: usize, bias: usize, y: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  const R = param(params, P_BLOCK_ROWS);
  const C = param(params, P_BLOCK_COLS);
  assert(m >= 1 && n >= 1 && k >= 1 && R >= 1 && C >= 1);
  assert(x_stride >= k * 4 && y_stride >= n * 4);
  const cs = paramPtr(params, P_CHSCALE);
  const gridRows = (n + R - 1) / R;
  const gridCols = (k + C - 1) / C;
  const maskRowBytes = <usize>((gridCols + 7) >> 3);
  const blockBytes = <usize>(R * C) << 2;
  for (let i = 0; i < m; i++) {
    const xr = x + <usize>i * <usize>x_stride;
    const yr = y + <usize>i * <usize>y_stride;
    for (let j = 0; j < n; j++) store<f32>(yr + (<usize>j << 2), 0);
    let v = w;
    for (let br = 0; br < gridRows; br++) {
      const mr = mask + <usize>br * maskRowBytes;
      for (let bc = 0; bc < gridCols; bc++) {
        if (((<i32>load<u8>(mr + (<usize>bc >> 3)) >> (bc & 7)) & 1) == 0) continue;
        for (let r = 0; r < R; r++) {
          const row = br * R + r;
          if (row >= n) break;
          let acc: f32 = 0;
          for (let c = 0; c < C; c++) {
            const col = bc * C + c;
            if (col >= k) break;
            acc += load<f32>(v + (<usize>(r * C + c) << 2)) * load<f32>(xr + (<usize>col << 2));
          }
          store<f32>(yr + (<usize>row << 2), load<f32>(yr + (<usize>row << 2)) + acc);
        }
        v += blockBytes;
      }
    }
    for (let j = 0; j < n; j++) store<f32>(yr + (<usize>j << 2), epilogue(load<f32>(yr + (<usize>j << 2)), j, cs, bias));
  }
}
