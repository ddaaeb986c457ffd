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

function weightedSupports(row: KernelRow, op: string, need: GemmNeed): boolean {
  if (row.op !== op || row.act !== need.act) return false;
  if (need.wenc === 'palettized') {
    const bits = need.bits ?? 0;
    if (row.maxBits === undefined || bits > row.maxBits || bits < (row.minBits ?? 1)) return false;
    if (row.paletteEntry !== (need.act === 'i8' ? 'i8' : 'f32')) return false;
  } else if (row.wenc !== need.wenc) {
    return false;
  }
  if (!need.sparse) return row.sparse === undefined;
  if (row.sparse === undefined) return false;
  return row.sparse === 'any' || (row.sparse[0] === need.sparse[0] && row.sparse[1] === need.sparse[1]);
}

const isaRank = (isa: Isa, pref: KernelPreference) =>
  pref === 'ref' ? (isa === 'ref' ? 0 : -1) : isa === 'simd' ? 0 : isa === 'ref' ? 1 : -1;

function best(rows: KernelRow[], pref: KernelPreference): KernelRow | undefined {
  return rows
    .filter((r) => isaRank(r.isa, pref) >= 0)
    .sort((a, b) => {
      const byIsa = isaRank(a.isa, pref) - isaRank(b.isa, pref);
      if (byIsa) return byIsa;
      // A kernel written for one block shape beats the any-shape one.
      const spec = (r: KernelRow) => (Array.isArray(r.sparse) ? 0 : 1);
      return spec(a) - spec(b);
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
