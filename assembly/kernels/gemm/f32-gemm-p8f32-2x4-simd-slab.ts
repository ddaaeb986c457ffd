// f32_gemm_p8f32_2x4__simd_slab: y[i][j] = chscale[j] * sum_k pal[j / group_rows][idx[j][k]] * x[i][k] + bias[j]
// bits 1..8, f32 palettes; the large-batch path (pointwise convs: m = pixels, transformers: m = tokens).
//
// m >= SLAB_MIN_M: per slab of 4 output channels, the 4 index rows are decoded once into f32 scratch
// (bits <= 4: SIMD unpack + swizzle plane lookup, assembly/common/unpack.ts + palette.ts; bits 5..8:
// SIMD unpack + scalar gather), then the dense 2x4 microkernel runs over all m batch rows
// (assembly/common/slab.ts). Decode is 4*k lookups per slab against 4*m*k multiply-adds, so for
// m >= 2 it is amortized and the kernel runs at the dense kernel's speed.
// m < SLAB_MIN_M: the fused batch-1 kernels (f32_gemm_p4f32_4x1__simd_planes for bits 1..4,
// f32_gemm_p8f32_4x1__simd for 5..8) are called directly.
//
// scratch: | ctl 64 | tmp 16 | idx 16 | planes 64 | slab 4 x ks f32 (ks = roundup(k, 16)) |, and
// what the delegated kernel needs for m < SLAB_MIN_M (src/runtime/kernels/gemm.ts takes the max).
// Preconditions: bits 1..8, group_rows >= 1, scratch 16-byte aligned. Ref: f32_gemm_p8f32__ref.
import { P_BITS, P_GROUP_ROWS, P_CHSCALE, P_SCRATCH, param, paramPtr } from '../../common/gemm';
import { unpackSetup, unpack16, loadChunk } from '../../common/unpack';
import { buildPlanes, lookup16 } from '../../common/palette';
import { slabDot2x4 } from '../../common/slab';
import { f32_gemm_p4f32_4x1__simd_planes } from './f32-gemm-p4f32-4x1-simd-planes';
import { f32_gemm_p8f32_4x1__simd } from './f32-gemm-p8f32-4x1-simd';

/** Batch rows from which the slab path runs (measured, bench/kernels.bench.ts shapes). */
const SLAB_MIN_M: i32 = 2;

export function f32_gemm_p8f32_2x4__simd_slab(
  m: i32, n: i32, k: i32,
  x: usize, w: usize, pal: usize, mask: usize, bias: usize, y: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  const bits = param(params, P_BITS);
  const groupRows = param(params, P_GROUP_ROWS);
  const scratch = paramPtr(params, P_SCRATCH);
  assert(m >= 1 && n >= 1 && k >= 1 && bits >= 1 && bits <= 8 && groupRows >= 1);
  assert(x_stride >= k * 4 && y_stride >= n * 4 && scratch != 0 && (scratch & 15) == 0);
  if (m < SLAB_MIN_M) {
    if (bits <= 4) f32_gemm_p4f32_4x1__simd_planes(m, n, k, x, w, pal, mask, bias, y, x_stride, y_stride, params);
    else f32_gemm_p8f32_4x1__simd(m, n, k, x, w, pal, mask, bias, y, x_stride, y_stride, params);
    return;
  }
  const cs = paramPtr(params, P_CHSCALE);
  const ctl = scratch, tmp = scratch + 64, idxBuf = scratch + 80, planes = scratch + 96, slab = scratch + 160;
  unpackSetup(bits, ctl);
  const c0 = v128.load(ctl), c1 = v128.load(ctl, 16), m0 = v128.load(ctl, 32), m1 = v128.load(ctl, 48);
  const down = 16 - bits;
  const rowBytes = (<usize>k * <usize>bits + 7) >> 3;
  const wEnd = w + <usize>n * rowBytes;
  const chunkBytes = <usize>(bits << 1);
  const ks = <usize>((k + 15) & ~15) << 2; // slab row bytes
  let p0 = i32x4.splat(0), p1 = p0, p2 = p0, p3 = p0;
  let lastP = -1;
  for (let j = 0; j < n; j += 4) {
    const cnt = min(4, n - j);
    for (let r = 0; r < cnt; r++) {
      const row = j + r;
      const p = row / groupRows;
      const pr = pal + ((<usize>p << <usize>bits) << 2);
      let src = w + <usize>row * rowBytes;
      let dst = slab + <usize>r * ks;
      if (bits <= 4) {
        if (p != lastP) {
          buildPlanes(pr, bits, planes);
          p0 = v128.load(planes); p1 = v128.load(planes, 16); p2 = v128.load(planes, 32); p3 = v128.load(planes, 48);
          lastP = p;
        }
        for (let c = 0; c < k; c += 16) {
          lookup16(unpack16(loadChunk(src, <isize>(wEnd - src), tmp), c0, c1, m0, m1, down), p0, p1, p2, p3, dst);
          src += chunkBytes;
          dst += 64;
        }
      } else {
        for (let c = 0; c < k; c += 16) {
          v128.store(idxBuf, unpack16(loadChunk(src, <isize>(wEnd - src), tmp), c0, c1, m0, m1, down));
          for (let e: usize = 0; e < 16; e++) store<f32>(dst + (e << 2), load<f32>(pr + (<usize>load<u8>(idxBuf + e) << 2)));
          src += chunkBytes;
          dst += 64;
        }
      }
    }
    // rows past n alias row 0 (their lanes are not stored)
    const w1 = cnt > 1 ? slab + ks : slab;
    const w2 = cnt > 2 ? slab + 2 * ks : slab;
    const w3 = cnt > 3 ? slab + 3 * ks : slab;
    slabDot2x4(slab, w1, w2, w3, k, m, x, <usize>x_stride, y, <usize>y_stride, j, cnt, cs, bias);
  }
}
