/**
 * Broadcasting binary (b*) and reduction (r*, rd*) rows of the kernel table (ABI in
 * assembly/kernels/README.md), ref kernels first. Op, activation type and ISA come from the name.
 */
import { parseKernelName } from '../kernel-name.js';
import type { KernelRow } from '../kernel-types.js';

const BINARY_OPS = ['badd', 'bsub', 'bmul', 'bdiv', 'bmax', 'bmin', 'bpow'];
const REDUCE_OPS = ['rsum', 'rmax', 'rdsum', 'rdmax'];

export const BINARY_KERNELS: KernelRow[] = [
  ...BINARY_OPS.map((op) => ({ ...parseKernelName(`f32_${op}__ref`) })),
  ...BINARY_OPS.map((op) => ({ ...parseKernelName(`f32_${op}__simd`) })),
];

export const REDUCE_KERNELS: KernelRow[] = [
  ...REDUCE_OPS.map((op) => ({ ...parseKernelName(`f32_${op}__ref`) })),
  ...REDUCE_OPS.map((op) => ({ ...parseKernelName(`f32_${op}__simd`) })),
];
