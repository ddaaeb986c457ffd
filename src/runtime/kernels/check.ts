/**
 * The input-check rows of the kernel table (assembly/kernels/check): f32_vfinite(n, x) returns the
 * index of the first NaN / +-Infinity among n floats, or -1. Model.run runs it on every float
 * input after copying it into linear memory.
 */
import { parseKernelName } from '../kernel-name.js';
import type { KernelRow } from '../kernel-types.js';

export const CHECK_KERNELS: KernelRow[] = [parseKernelName('f32_vfinite__ref'), parseKernelName('f32_vfinite__simd')];
