import type { KernelName } from './kernel-name.js';

/** One row of the kernel table: the parsed name plus what the name cannot say. */
export interface KernelRow extends KernelName {
  /** gemm: scratch bytes the kernel needs for a call (params slot 5). */
  scratchBytes?: (m: number, n: number, k: number) => number;
  /** Palettized kernels that handle only part of 1..maxBits: the smallest bit width they take. */
  minBits?: number;
}
