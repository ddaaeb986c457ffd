/**
 * The kernel table: every kernel the wasm module exports, one row each (XNNPACK's enumerators).
 * Adding a kernel means adding its row in the family file; the dispatcher, the kernel tests and the
 * kernel bench all iterate over this table, and a test checks that it equals the wasm exports.
 */
import { GEMM_KERNELS } from './kernels/gemm.js';
import { ELTWISE_KERNELS } from './kernels/eltwise.js';
import { CONV_KERNELS } from './kernels/conv.js';
import { MISC_KERNELS } from './kernels/misc.js';
import { SPATIAL_KERNELS } from './kernels/spatial.js';
import { CHECK_KERNELS } from './kernels/check.js';
import { BINARY_KERNELS, REDUCE_KERNELS } from './kernels/broadcast.js';
import type { KernelRow } from './kernel-types.js';
import type { Isa } from './kernel-name.js';
import type { WeightNeed } from '../format/layouts.js';
import { kernelFits, kernelGenerality } from '../format/layout-walk.js';

export type { KernelRow } from './kernel-types.js';

export const KERNELS: readonly KernelRow[] = [
  ...GEMM_KERNELS,
  ...ELTWISE_KERNELS,
  ...CONV_KERNELS,
  ...MISC_KERNELS,
  ...SPATIAL_KERNELS,
  ...CHECK_KERNELS,
  ...BINARY_KERNELS,
  ...REDUCE_KERNELS,
];

/** Which kernels the runtime may pick: SIMD where a SIMD kernel exists (default), or references only. */
export type KernelPreference = 'simd' | 'ref';

/** What a layer with weights (gemm, conv2d, dwconv2d) needs from its kernel: the activation type, and what its weight's layout asks (format/layouts.ts). */
export interface GemmNeed extends WeightNeed {
  act: 'f32' | 'i8';
}

/** Each part of the need picks its kernels (format/layouts/: the rows' kernel fits). */
function weightedSupports(row: KernelRow, op: string, need: GemmNeed): boolean {
  return row.op === op && row.act === need.act && kernelFits(row, need, need.act);
}

const isaRank = (isa: Isa, pref: KernelPreference) =>
  pref === 'ref' ? (isa === 'ref' ? 0 : -1) : isa === 'simd' ? 0 : isa === 'ref' ? 1 : -1;

function best(rows: KernelRow[], pref: KernelPreference): KernelRow | undefined {
  return rows
    .filter((r) => isaRank(r.isa, pref) >= 0)
    .sort((a, b) => {
      const byIsa = isaRank(a.isa, pref) - isaRank(b.isa, pref);
      if (byIsa) return byIsa;
      // A kernel written for the need's fields (one block shape) beats one that takes any.
      return kernelGenerality(a) - kernelGenerality(b);
    })[0];
}

/** The kernel to run a layer with weights (`gemm`, `conv2d`, `dwconv2d`, `deconv2d`), or undefined when none handles it. */
export function chooseWeighted(op: string, need: GemmNeed, pref: KernelPreference = 'simd', table: readonly KernelRow[] = KERNELS): KernelRow | undefined {
  return best(table.filter((r) => weightedSupports(r, op, need)), pref);
}

/** The kernel to run a fully connected layer with, or undefined when no kernel handles it. */
export function chooseGemm(need: GemmNeed, pref: KernelPreference = 'simd', table: readonly KernelRow[] = KERNELS): KernelRow | undefined {
  return chooseWeighted('gemm', need, pref, table);
}

/** The kernel for a weightless op (`vrelu`, `softmax`, ...). */
export function chooseOp(op: string, pref: KernelPreference = 'simd', table: readonly KernelRow[] = KERNELS): KernelRow | undefined {
  return best(table.filter((r) => r.op === op && r.act === 'f32'), pref);
}
