// i8_gemm_p1i8_4x1__simd_planes: y[i][j] = (sum_k pal[p][idx[j][k]] * q[i][k]) * xscale[i] * palscale[p] * chscale[j] + bias[j]
// p = j / group_rows, bits = 1 exactly; int8 palette entries read in place; q = int8 quantization of x
// (assembly/common/quant.ts, the same integers as i8_gemm_p8i8__ref), held as i16 and permuted once
// per call into plane order (assembly/common/planes.ts).
//
//   w row j: | 16 bytes = 128 indices | 16 bytes | ... |   byte t holds indices 8t .. 8t+7, LSB first
//   each 16 bytes: 8 bit planes (and/shr) -> i16 even/odd bytes (no lookup) -> dot with q in plane order
//
// Fused decode and dot (no row buffer). Tile 4x1: 4 batch rows per decoded channel; the m % 4 rows
// left run 1 batch row x 4 channels. Body and scratch layout: assembly/common/planes-swz.ts.
// Preconditions: bits == 1, group_rows >= 1, palscale (slot 6) != 0, scratch 16-byte aligned.
// Ref: i8_gemm_p8i8__ref (bit-identical results).
import { P_BITS, P_GROUP_ROWS, P_SCRATCH, P_PALSCALE, param, paramPtr } from '../../common/gemm';
import { gemmPlanesSwz } from '../../common/planes-swz';

export function i8_gemm_p1i8_4x1__simd_planes(
  m: i32, n: i32, k: i32,
  x: usize, w: usize, pal: usize, mask: usize, bias: usize, y: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  const scratch = paramPtr(params, P_SCRATCH);
  assert(m >= 1 && n >= 1 && k >= 1 && param(params, P_BITS) == 1 && param(params, P_GROUP_ROWS) >= 1);
  assert(x_stride >= k * 4 && y_stride >= n * 4 && scratch != 0 && (scratch & 15) == 0 && paramPtr(params, P_PALSCALE) != 0);
  gemmPlanesSwz(1, m, n, k, x, w, pal, bias, y, x_stride, y_stride, params);
}
