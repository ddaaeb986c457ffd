// f32_gemm_p8f32__ref: y[i][j] = chscale[j] * sum_k pal[j / group_rows][idx[j][k]] * x[i][k] + bias[j]
//
//   w: packed indices, row j at j * ceil(k*bits/8) bytes, index k at bit k*bits, LSB first
//   byte:   |   0    |   1    | ...        e.g. bits = 3:
//   bits:   |22111000|54443332| ...        (digit = which index the bit belongs to)
//   pal: f32 [num_palettes][2^bits]
//
// params: slot 0 bits (1..8), slot 1 group_rows (>= 1), slot 4 chscale or 0.
// Preconditions: k, n, m >= 1; strides multiples of 4, >= the row width.
import { P_BITS, P_GROUP_ROWS, P_CHSCALE, param, paramPtr, epilogue, readIndex } from '../../common/gemm';

export function f32_gemm_p8f32__ref(
  m: i32, n: i32, k: i32,
  x: usize, w: usize, pal: usize, mask: usize, bias: usize, y: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  const bits = param(params, P_BITS);
  const groupRows = param(params, P_GROUP_ROWS);
  assert(m >= 1 && n >= 1 && k >= 1 && bits >= 1 && bits <= 8 && groupRows >= 1);
  assert(x_stride >= k * 4 && y_stride >= n * 4);
  const cs = paramPtr(params, P_CHSCALE);
  const rowBytes = (<usize>k * <usize>bits + 7) >> 3;
  for (let i = 0; i < m; i++) {
    const xr = x + <usize>i * <usize>x_stride;
    const yr = y + <usize>i * <usize>y_stride;
    for (let j = 0; j < n; j++) {
      const wr = w + <usize>j * rowBytes;
      const pr = pal + ((<usize>(j / groupRows) << <usize>bits) << 2);
      let acc: f32 = 0;
      for (let c = 0; c < k; c++) {
        acc += load<f32>(pr + (<usize>readIndex(wr, c, bits) << 2)) * load<f32>(xr + (<usize>c << 2));
      }
      store<f32>(yr + (<usize>j << 2), epilogue(acc, j, cs, bias));
    }
  }
}
