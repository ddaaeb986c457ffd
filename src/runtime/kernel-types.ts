import type { KernelName } from './kernel-name.js';

/** One row of the kernel table: the parsed name plus what the name cannot say (and a palettized kernel's minBits, in KernelTraits). */
export interface KernelRow extends KernelName {
  /** gemm: scratch bytes the kernel needs for a call (params slot 5). */
  scratchBytes?: (m: number, n: number, k: number) => number;
  /** conv2d: takes params slots 24..27, the phases of a split call (src/runtime/ops/parallel-window.ts windowCall). */
  splitPhases?: boolean;
}
