// f32_gemm_f16__ref: y[i][j] = chscale[j] * sum_k f32(W[j][k]) * x[i][k] + bias[j]
//
//   w: IEEE binary16 [n][k], row-major, little-endian
//   +- 2 bytes -+- 2 bytes -+-- ... --+
//   | W[j][0]   | W[j][1]   |  ...    |   |s|eeeee|mmmmmmmmmm|
//
// Conversion is exact (subnormals, inf, nan: assembly/common/f16.ts).
// Preconditions: k, n, m >= 1; strides multiples of 4, >= the row width.
import { P_CHSCALE, paramPtr, epilogue } from '../../common/gemm';
import { f16ToF32 } from '../../common/f16';

export function f32_gemm_f16__ref(
  m: i32, n: i32, k: i32,
  x: usize, w: usize, pal: usize, mask: usize, bias: usize, y: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  assert(m >= 1 && n >= 1 && k >= 1);
  assert(x_stride >= k * 4 && y_stride >= n * 4);
  const cs = paramPtr(params, P_CHSCALE);
  for (let i = 0; i < m; i++) {
    const xr = x + <usize>i * <usize>x_stride;
    const yr = y + <usize>i * <usize>y_stride;
    for (let j = 0; j < n; j++) {
      const wr = w + (<usize>j * <usize>k << 1);
      let acc: f32 = 0;
      for (let c = 0; c < k; c++) {
        acc += f16ToF32(<u32>load<u16>(wr + (<usize>c << 1))) * load<f32>(xr + (<usize>c << 2));
      }
      store<f32>(yr + (<usize>j << 2), epilogue(acc, j, cs, bias));
    }
  }
}
