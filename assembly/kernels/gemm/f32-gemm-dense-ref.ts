// f32_gemm_dense__ref: y[i][j] = chscale[j] * sum_k W[j][k] * x[i][k] + bias[j]
//
//   w: f32 [n][k], row-major            x: f32 rows (x_stride bytes apart)
//   +--------- k floats ---------+      y: f32 rows (y_stride bytes apart)
//   | W[0][0] W[0][1] ... W[0][k-1] |
//   | W[1][0] ...                 |
//
// Preconditions: k >= 1, n >= 1, m >= 1; strides are multiples of 4 and >= the row width.
// Scalar reference and runtime fallback; every dense SIMD kernel is tested against it.
import { P_CHSCALE, paramPtr, epilogue } from '../../common/gemm';

export function f32_gemm_dense__ref(
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
      const wr = w + (<usize>j * <usize>k << 2);
      let acc: f32 = 0;
      for (let c = 0; c < k; c++) acc += load<f32>(wr + (<usize>c << 2)) * load<f32>(xr + (<usize>c << 2));
      store<f32>(yr + (<usize>j << 2), epilogue(acc, j, cs, bias));
    }
  }
}
