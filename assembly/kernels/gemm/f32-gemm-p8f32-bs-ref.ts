// f32_gemm_p8f32_bs__ref: y[i][j] = chscale[j] * sum_k pal[j / group_rows][idx[j][k]] * x[i][k] + bias[j],
// with idx block-sparse.
//
//   mask: as f32_gemm_dense_bs__ref (one bit per R x C block, mask rows padded to bytes, LSB first)
//   w:    the kept blocks' indices as ONE continuous LSB-first stream, no row padding:
//         kept block t, position (r, c) is value v = t*R*C + r*C + c, at bit v*bits
//         |blk0 r0c0|blk0 r0c1|...|blk0 r(R-1)c(C-1)|blk1 r0c0|...
//   pal:  f32 [num_palettes][2^bits]; the palette is chosen by the output row j
//
// params: slot 0 bits 1..8, slot 1 group_rows, slot 2 R, slot 3 C, slot 4 chscale or 0.
import { P_BITS, P_GROUP_ROWS, P_BLOCK_ROWS, P_BLOCK_COLS, P_CHSCALE, param, paramPtr, epilogue, readIndex } from '../../common/gemm';

export function f32_gemm_p8f32_bs__ref(
  m: i32, n: i32, k: i32,
  x: usize, w: usize, pal: usize, mask: usize, bias: usize, y: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  const bits = param(params, P_BITS);
  const groupRows = param(params, P_GROUP_ROWS);
  const R = param(params, P_BLOCK_ROWS);
  const C = param(params, P_BLOCK_COLS);
  assert(m >= 1 && n >= 1 && k >= 1 && R >= 1 && C >= 1 && bits >= 1 && bits <= 8 && groupRows >= 1);
  assert(x_stride >= k * 4 && y_stride >= n * 4);
  const cs = paramPtr(params, P_CHSCALE);
  const gridRows = (n + R - 1) / R;
  const gridCols = (k + C - 1) / C;
  const maskRowBytes = <usize>((gridCols + 7) >> 3);
  for (let i = 0; i < m; i++) {
    const xr = x + <usize>i * <usize>x_stride;
    const yr = y + <usize>i * <usize>y_stride;
    for (let j = 0; j < n; j++) store<f32>(yr + (<usize>j << 2), 0);
    let v = 0; // index of the first value of the current kept block in the stream
    for (let br = 0; br < gridRows; br++) {
      const mr = mask + <usize>br * maskRowBytes;
      for (let bc = 0; bc < gridCols; bc++) {
        if (((<i32>load<u8>(mr + (<usize>bc >> 3)) >> (bc & 7)) & 1) == 0) continue;
        for (let r = 0; r < R; r++) {
          const row = br * R + r;
          if (row >= n) break;
          const pr = pal + ((<usize>(row / groupRows) << <usize>bits) << 2);
          let acc: f32 = 0;
          for (let c = 0; c < C; c++) {
            const col = bc * C + c;
            if (col >= k) break;
            const idx = readIndex(w, v + r * C + c, bits);
            acc += load<f32>(pr + (<usize>idx << 2)) * load<f32>(xr + (<usize>col << 2));
          }
          store<f32>(yr + (<usize>row << 2), load<f32>(yr + (<usize>row << 2)) + acc);
        }
        v += R * C;
      }
    }
    for (let j = 0; j < n; j++) store<f32>(yr + (<usize>j << 2), epilogue(load<f32>(yr + (<usize>j << 2)), j, cs, bias));
  }
}
