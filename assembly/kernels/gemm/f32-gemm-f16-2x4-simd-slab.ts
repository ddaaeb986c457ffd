// f32_gemm_f16_2x4__simd_slab: y[i][j] = chscale[j] * sum_k f32(W[j][k]) * x[i][k] + bias[j], W binary16
//
// m >= SLAB_MIN_M: per slab of 4 output channels, the 4 f16 rows are converted once (exact,
// assembly/common/f16.ts) into f32 scratch, then the dense 2x4 microkernel runs over all m batch
// rows (assembly/common/slab.ts). m < SLAB_MIN_M: f32_gemm_f16_4x1__simd is called directly.
//
// scratch: slab 4 x roundup(k, 8) f32 (covers the delegated kernel's row buffer).
// Preconditions: k, n, m >= 1, scratch 16-byte aligned, finite weights (validated at load). Ref: f32_gemm_f16__ref.
import { P_CHSCALE, P_SCRATCH, paramPtr } from '../../common/gemm';
import { f16ToF32, f16x4ToF32x4 } from '../../common/f16';
import { slabDot2x4 } from '../../common/slab';
import { f32_gemm_f16_4x1__simd } from './f32-gemm-f16-4x1-simd';

/** Batch rows from which the slab path runs (measured, bench/kernels.bench.ts shapes). */
const SLAB_MIN_M: i32 = 2;

export function f32_gemm_f16_2x4__simd_slab(
  m: i32, n: i32, k: i32,
  x: usize, w: usize, pal: usize, mask: usize, bias: usize, y: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  const slab = paramPtr(params, P_SCRATCH);
  assert(m >= 1 && n >= 1 && k >= 1 && slab != 0 && (slab & 15) == 0);
  assert(x_stride >= k * 4 && y_stride >= n * 4);
  if (m < SLAB_MIN_M) {
    f32_gemm_f16_4x1__simd(m, n, k, x, w, pal, mask, bias, y, x_stride, y_stride, params);
    return;
  }
  const cs = paramPtr(params, P_CHSCALE);
  const rowB = <usize>k << 1;
  const ks = <usize>((k + 7) & ~7) << 2; // slab row bytes
  for (let j = 0; j < n; j += 4) {
    const cnt = min(4, n - j);
    for (let r = 0; r < cnt; r++) {
      const wr = w + <usize>(j + r) * rowB;
      const dr = slab + <usize>r * ks;
      let c = 0;
      for (; c + 8 <= k; c += 8) {
        const v = v128.load(wr + (<usize>c << 1));
        const dst = dr + (<usize>c << 2);
        v128.store(dst, f16x4ToF32x4(i32x4.extend_low_i16x8_u(v)));
        v128.store(dst, f16x4ToF32x4(i32x4.extend_high_i16x8_u(v)), 16);
      }
      for (; c < k; c++) store<f32>(dr + (<usize>c << 2), f16ToF32(<u32>load<u16>(wr + (<usize>c << 1))));
    }
    const w1 = cnt > 1 ? slab + ks : slab;
    const w2 = cnt > 2 ? slab + 2 * ks : slab;
    const w3 = cnt > 3 ? slab + 3 * ks : slab;
    slabDot2x4(slab, w1, w2, w3, k, m, x, <usize>x_stride, y, <usize>y_stride, j, cnt, cs, bias);
  }
}
