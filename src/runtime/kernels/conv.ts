/**
 * The conv2d, dwconv2d and pool rows of the kernel table (ABI: assembly/kernels/conv2d/README.md),
 * reference kernels first. For these families scratchBytes(m, n, k) takes m = batch, n = output
 * channels (C for dwconv2d), k = K, the row length of the [O, K] weight view (kh*kw*in_c/groups;
 * kh*kw for dwconv2d), and returns the exact scratch (params slot 5) one call needs; omitted = none.
 * Pointwise convs (1x1, stride 1, no padding) are not here: the runtime routes them to gemm.
 */
import { parseKernelName } from '../kernel-name.js';
import type { KernelRow } from '../kernel-types.js';

const row = (name: string, extra: Partial<KernelRow> = {}): KernelRow => ({ ...parseKernelName(name), ...extra });
const roundup = (v: number, to: number) => Math.ceil(v / to) * to;

/** one decoded weight row of K f32 */
const rowBuffer = (_m: number, _n: number, k: number) => roundup(k, 4) * 4;
/** unpack control 64 + tmp 16 + indices 16, zero buffer (Ig <= K f32), packed block [K][8] f32, run offsets (<= K u32) */
const block8 = (_m: number, _n: number, k: number) => 96 + roundup(k, 4) * 8 + k * 32;
/**
 * block-sparse SIMD (assembly/kernels/conv2d/block8-sparse.ts): 96, zero buffer, the tile's kept columns
 * [<= K][8] f32 and their window / in-tap offsets, a slot per block column, tap starts, the columns; for
 * nearly dense tiles the packed block [K][8] f32 and the run offsets of block8 (every piece 16-byte aligned)
 */
const sparse8 = (_m: number, _n: number, k: number) => 96 + roundup(k, 4) * 4 * 6 + k * 64 + roundup(k + 1, 4) * 4;
/** tap pointers roundup(4K, 16), zero buffer Cp f32, transposed weights [K][Cp] f32, Cp = roundup(C, 8) */
const dwScratch = (_m: number, n: number, k: number) => roundup(4 * k, 16) + roundup(n, 8) * 4 * (k + 1);
/** i8 ref: one window of K f32, its K int8 */
const i8ConvRef = (_m: number, _n: number, k: number) => roundup(k, 4) * 4 + roundup(k, 16);
/**
 * i8 SIMD (layout in assembly/kernels/conv2d/i8-conv2d-p8i8-4x8-simd.ts): 256 fixed, 32 pixel scales,
 * 3 per-channel factor vectors of roundup(O,8)+8 f32, a window of K f32, 8 decoded rows of kr int8,
 * 32 quantized windows of Kq i16 (the relaxed-SIMD build: 2 Kq bytes), the packed weights roundup(O,8) x kr int8
 * (kr = roundup(K,16), Kq = roundup(K,4); the baseline build needs only roundup(K,2) per window).
 */
const i8Conv = (_m: number, n: number, k: number) =>
  256 + 128 + 12 * (roundup(n, 8) + 8) + roundup(k, 4) * 4 + 8 * roundup(k, 16) + 64 * roundup(k, 4) + roundup(n, 8) * roundup(k, 16);

export const CONV_KERNELS: KernelRow[] = [
  row('f32_conv2d_dense__ref'),
  row('f32_conv2d_p8f32__ref', { scratchBytes: rowBuffer }),
  row('f32_conv2d_dense_bs__ref', { scratchBytes: rowBuffer }),
  row('f32_conv2d_p8f32_bs__ref', { scratchBytes: rowBuffer }),
  row('i8_conv2d_p8i8__ref', { scratchBytes: i8ConvRef }),
  row('f32_dwconv2d_dense__ref'),
  row('f32_dwconv2d_p8f32__ref', { scratchBytes: rowBuffer }),
  row('f32_maxpool__ref'),
  row('f32_avgpool__ref'),
  row('f32_gavgpool__ref'),
  row('f32_conv2d_dense_4x8__simd', { scratchBytes: block8 }),
  row('f32_conv2d_p8f32_4x8__simd', { scratchBytes: block8 }),
  row('f32_conv2d_dense_bs_4x8__simd', { scratchBytes: sparse8 }),
  row('f32_conv2d_p8f32_bs_4x8__simd', { scratchBytes: sparse8 }),
  row('i8_conv2d_p8i8_4x8__simd', { scratchBytes: i8Conv, splitPhases: true }),
  row('f32_dwconv2d_dense_1x8__simd', { scratchBytes: dwScratch }),
  row('f32_dwconv2d_p8f32_1x8__simd', { scratchBytes: dwScratch }),
  row('f32_maxpool__simd'),
  row('f32_avgpool__simd'),
  row('f32_gavgpool__simd'),
];
