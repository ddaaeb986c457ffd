/**
 * The gemm rows of the kernel table (assembly/kernels/gemm/): reference kernels first, then SIMD.
 * scratchBytes(m, n, k) is the exact scratch (params slot 5) one call needs; omitted = none.
 */
import { parseKernelName } from '../kernel-name.js';
import type { KernelRow } from '../kernel-types.js';

const row = (name: string, extra: Partial<KernelRow> = {}): KernelRow => ({ ...parseKernelName(name), ...extra });
const roundup = (v: number, to: number) => Math.ceil(v / to) * to;
const align16 = (b: number) => roundup(b, 16);

export const GEMM_KERNELS: KernelRow[] = [
  row('f32_gemm_dense__ref'),
  row('f32_gemm_f16__ref'),
  row('f32_gemm_p8f32__ref'),
  row('f32_gemm_dense_bs__ref'),
  row('f32_gemm_p8f32_bs__ref'),
  // xscale (16 bytes) + one quantized row of k int8
  row('i8_gemm_p8i8__ref', { scratchBytes: (_m, _n, k) => 16 + align16(k) }),
  row('f32_gemm_dense_2x4__simd'),
  // f16, m >= 2: 4 rows converted to f32 scratch, then the dense 2x4 microkernel; m = 1 calls f32_gemm_f16_4x1__simd
  row('f32_gemm_f16_2x4__simd_slab', { scratchBytes: (_m, _n, k) => 4 * roundup(k, 8) * 4 }),
  // row buffer of k f32
  row('f32_gemm_f16_4x1__simd', { scratchBytes: (_m, _n, k) => roundup(k, 8) * 4 }),
  // exact f32 palettes, bits 1..8, picked for every bit width (first): m >= 2 decodes 4-channel slabs to
  // f32 scratch once and runs the dense 2x4 microkernel over all m rows; m = 1 calls the 4x1 kernels
  // below (p4f32 planes for 1..4, p8f32 for 5..8). slab: ctl 64 + tmp 16 + idx 16 + planes 64 + 4 rows
  // of roundup(k, 16) f32; the max with the delegated kernels' scratch
  row('f32_gemm_p8f32_2x4__simd_slab', {
    scratchBytes: (m, _n, k) => Math.max(160 + 4 * roundup(k, 16) * 4, 160 + (m === 1 ? roundup(k, 128) : roundup(k, 16)) * 4, 96 + roundup(k, 16) * 4),
  }),
  // planes 64 + unpack control 64 + tmp 32 + (m = 1: x in plane order, roundup(k, 128) f32; else row buffer, roundup(k, 16) f32)
  row('f32_gemm_p4f32_4x1__simd_planes', { scratchBytes: (m, _n, k) => 160 + (m === 1 ? roundup(k, 128) : roundup(k, 16)) * 4 }),
  // any bits, but p4f32 planes is faster for 1..4: offered for 5..8
  row('f32_gemm_p8f32_4x1__simd', { minBits: 5, scratchBytes: (_m, _n, k) => 96 + roundup(k, 16) * 4 }),
  row('f32_gemm_dense_bs1x4_4x1__simd'),
  row('f32_gemm_dense_bs4x1_4x4__simd'),
  row('f32_gemm_dense_bs4x4_1x4__simd'),
  row('f32_gemm_dense_bs8x1_4x8__simd'),
  row('f32_gemm_dense_bs16x1_1x16__simd'),
  // unpack control 64 + tmp 16 + indices 16 + 16 row-palette pointers + 16 values + planes 64
  // m >= 2: + decoded kept blocks of one block row, 16 f32 per block column
  row('f32_gemm_p8f32_bs16x1_1x16__simd', { scratchBytes: (m, _n, k) => 288 + (m > 1 ? k * 64 : 0) }),
  row('f32_gemm_p8f32_bs4x4_1x4__simd', { scratchBytes: (m, _n, k) => 288 + (m > 1 ? Math.ceil(k / 4) * 64 : 0) }),
  // bits 5..8: palette copy 16 + tmp 16 + control 64 + xscales + m rows of kq i16 + row of kq i8, kq = roundup(k, 16)
  row('i8_gemm_p8i8_4x1__simd', { minBits: 5, scratchBytes: (m, _n, k) => 96 + align16(4 * m) + m * roundup(k, 16) * 2 + roundup(k, 16) }),
  // exact bit widths, best first; tmp 16 + xscales + xsums + (m + 1) rows of kq i16 + kq int8, kq = roundup(k, 128 / bits)
  row('i8_gemm_p1i8_4x1__simd_planes', { scratchBytes: (m, _n, k) => 16 + 2 * align16(4 * m) + (m + 1) * roundup(k, 128) * 2 + roundup(k, 128) }),
  row('i8_gemm_p2i8_4x1__simd_planes', { minBits: 2, scratchBytes: (m, _n, k) => 16 + 2 * align16(4 * m) + (m + 1) * roundup(k, 64) * 2 + roundup(k, 64) }),
  row('i8_gemm_p4i8_4x1__simd_planes', { minBits: 4, scratchBytes: (m, _n, k) => 16 + 2 * align16(4 * m) + (m + 1) * roundup(k, 32) * 2 + roundup(k, 32) }),
  // bits 3 (and any 1..4): palette 16 + control 64 + tmp 16 + xscales + m rows of kq i16 + row of kq i8, kq = roundup(k, 32)
  row('i8_gemm_p4i8_4x1__simd_swz', { scratchBytes: (m, _n, k) => 96 + roundup(4 * m, 16) + m * roundup(k, 32) * 2 + roundup(k, 32) }),
];
