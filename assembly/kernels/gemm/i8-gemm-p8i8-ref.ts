// i8_gemm_p8i8__ref: y[i][j] = (sum_k pal[p][idx[j][k]] * q[i][k]) * xscale[i] * palscale[p] * chscale[j] + bias[j]
//   with p = j / group_rows, q[i] = x[i] quantized to int8 (assembly/common/quant.ts), integer sums.
//
//   w:   packed indices as f32_gemm_p8f32__ref (row j at j*ceil(k*bits/8), index k at bit k*bits)
//   pal: int8 [num_palettes][2^bits], read in place      palscale (slot 6): f32 [num_palettes]
//   scratch (slot 5): | xscale f32 | pad to 16 | q: k x int8 |   = 16 + k bytes, reused per row
//
// params: slot 0 bits 1..8, slot 1 group_rows, slot 4 chscale or 0, slot 5 scratch, slot 6 palscale.
import { P_BITS, P_GROUP_ROWS, P_CHSCALE, P_SCRATCH, P_PALSCALE, param, paramPtr, readIndex } from '../../common/gemm';
import { absMax, quantInv, quantScale, quantize1 } from '../../common/quant';

export function i8_gemm_p8i8__ref(
  m: i32, n: i32, k: i32,
  x: usize, w: usize, pal: usize, mask: usize, bias: usize, y: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  const bits = param(params, P_BITS);
  const groupRows = param(params, P_GROUP_ROWS);
  const scratch = paramPtr(params, P_SCRATCH);
  const ps = paramPtr(params, P_PALSCALE);
  assert(m >= 1 && n >= 1 && k >= 1 && bits >= 1 && bits <= 8 && groupRows >= 1);
  assert(x_stride >= k * 4 && y_stride >= n * 4 && scratch != 0 && ps != 0);
  const cs = paramPtr(params, P_CHSCALE);
  const rowBytes = (<usize>k * <usize>bits + 7) >> 3;
  const q = scratch + 16;
  for (let i = 0; i < m; i++) {
    const xr = x + <usize>i * <usize>x_stride;
    const yr = y + <usize>i * <usize>y_stride;
    const amax = absMax(xr, k);
    const inv = quantInv(amax);
    store<f32>(scratch, quantScale(amax));
    for (let c = 0; c < k; c++) store<i8>(q + <usize>c, <i8>quantize1(load<f32>(xr + (<usize>c << 2)), inv));
    const xs = load<f32>(scratch);
    for (let j = 0; j < n; j++) {
      const wr = w + <usize>j * rowBytes;
      const p = j / groupRows;
      const pr = pal + (<usize>p << <usize>bits);
      let acc: i32 = 0;
      for (let c = 0; c < k; c++) {
        acc += <i32>load<i8>(pr + <usize>readIndex(wr, c, bits)) * <i32>load<i8>(q + <usize>c);
      }
      let v = <f32>acc * xs * load<f32>(ps + (<usize>p << 2));
      if (cs) v *= load<f32>(cs + (<usize>j << 2));
      if (bias) v += load<f32>(bias + (<usize>j << 2));
      store<f32>(yr + (<usize>j << 2), v);
    }
  }
}
