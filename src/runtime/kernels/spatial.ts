/**
 * The format 1.1 spatial rows of the kernel table, reference kernels first: deconv2d (ConvTranspose;
 * conv2d's ABI plus output padding), slice (strided N-D gather) and the 2-D resizes (ABIs:
 * assembly/kernels/conv2d/README.md and assembly/kernels/layernorm/README.md). For deconv2d
 * scratchBytes(m, n, k) takes m = batch, n = output channels, k = K = kh*kw*C/groups, as conv2d.
 */
import { parseKernelName } from '../kernel-name.js';
import type { KernelRow } from '../kernel-types.js';

const row = (name: string, extra: Partial<KernelRow> = {}): KernelRow => ({ ...parseKernelName(name), ...extra });
const roundup = (v: number, to: number) => Math.ceil(v / to) * to;

/** one decoded weight row of K f32 */
const rowBuffer = (_m: number, _n: number, k: number) => roundup(k, 4) * 4;
/** unpack control 64 + tmp 16 + indices 16, zero buffer (Ig <= K f32), decoded block [K][8] f32 */
const phase8 = (_m: number, _n: number, k: number) => 96 + roundup(k, 4) * 4 + k * 32;

export const SPATIAL_KERNELS: KernelRow[] = [
  row('f32_deconv2d_dense__ref'),
  row('f32_deconv2d_f16__ref', { scratchBytes: rowBuffer }),
  row('f32_deconv2d_p8f32__ref', { scratchBytes: rowBuffer }),
  row('f32_deconv2d_dense_bs__ref', { scratchBytes: rowBuffer }),
  row('f32_deconv2d_p8f32_bs__ref', { scratchBytes: rowBuffer }),
  row('f32_slice__ref'),
  row('f32_resizenearest__ref'),
  row('f32_resizebilinear__ref'),
  row('f32_deconv2d_dense_4x8__simd', { scratchBytes: phase8 }),
  row('f32_deconv2d_f16_4x8__simd', { scratchBytes: phase8 }),
  row('f32_deconv2d_p8f32_4x8__simd', { scratchBytes: phase8 }),
  row('f32_deconv2d_dense_bs_4x8__simd', { scratchBytes: phase8 }),
  row('f32_deconv2d_p8f32_bs_4x8__simd', { scratchBytes: phase8 }),
  row('f32_slice__simd'),
  row('f32_resizenearest__simd'),
  row('f32_resizebilinear__simd'),
];
