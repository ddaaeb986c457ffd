// f32_gemm_f16_4x1__simd: y[i][j] = chscale[j] * sum_k f32(W[j][k]) * x[i][k] + bias[j], W binary16
//
//   w row j: | h0 h1 h2 h3 h4 h5 h6 h7 | h8 ...   8 halves -> widen to u32 -> exact f16->f32
//            (assembly/common/f16.ts: subnormals, inf, nan kept) -> row buffer -> 4-batch-row dot
//
// scratch: row buffer roundup(k, 8) f32. Preconditions: k, n, m >= 1. Ref: f32_gemm_f16__ref.
import { P_CHSCALE, P_SCRATCH, paramPtr } from '../../common/gemm';
import { f16ToF32, f16x4ToF32x4 } from '../../common/f16';
import { dotRowsF32 } from '../../common/rowdot';

export function f32_gemm_f16_4x1__simd(
  m: i32, n: i32, k: i32,
  x: usize, w: usize, pal: usize, mask: usize, bias: usize, y: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  const wb = paramPtr(params, P_SCRATCH);
  assert(m >= 1 && n >= 1 && k >= 1 && wb != 0 && (wb & 15) == 0);
  assert(x_stride >= k * 4 && y_stride >= n * 4);
  const cs = paramPtr(params, P_CHSCALE);
  const rowB = <usize>k << 1;
  for (let j = 0; j < n; j++) {
    const wr = w + <usize>j * rowB;
    let c = 0;
    for (; c + 8 <= k; c += 8) {
      const v = v128.load(wr + (<usize>c << 1));
      const dst = wb + (<usize>c << 2);
      v128.store(dst, f16x4ToF32x4(i32x4.extend_low_i16x8_u(v)));
      v128.store(dst, f16x4ToF32x4(i32x4.extend_high_i16x8_u(v)), 16);
    }
    for (; c < k; c++) store<f32>(wb + (<usize>c << 2), f16ToF32(<u32>load<u16>(wr + (<usize>c << 1))));
    dotRowsF32(wb, k, m, x, <usize>x_stride, y, <usize>y_stride, j, cs, bias);
  }
}
