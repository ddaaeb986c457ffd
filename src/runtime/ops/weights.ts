/**
 * What every op with weights (FullyConnected, Conv2D, ConvTranspose) prepares at load: the kernel for the
 * weight's encoding, pointers to the weights in place in the file, f32 palettes when the file
 * stores f16/int8 entries (palette-sized, never weight-sized), and params slots 0..7
 * (assembly/kernels/README.md). The caller adds its own slots after 7. Each part of the weight
 * says which kernels fit it and fills its own arguments (format/layouts/).
 */
import type { OpInfo, WeightInfo } from '../../format/types.js';
import { WpalFormatError } from '../../format/errors.js';
import type { KernelHost } from '../../format/layouts.js';
import { INT8_WEIGHTS, kernelArgs, takesInt8, weightNeed } from '../../format/layout-walk.js';
import { chooseWeighted, type GemmNeed, type KernelRow } from '../kernels.js';
import { WpalEngineError } from '../errors.js';
import type { OpContext } from '../context.js';

export interface PreparedWeights {
  row: KernelRow;
  kernel: (...args: number[]) => void;
  weights: number;
  palette: number;
  mask: number;
  bias: number;
  /** Address of the i32 params block (slot 5, scratch, is set per run). */
  params: number;
}

export function prepareWeights(
  ctx: OpContext,
  op: OpInfo,
  kernelOp: string,
  w: WeightInfo,
  biasTensor: number | undefined,
  opts: { int8?: boolean; paramSlots?: number } = {},
): PreparedWeights {
  if (opts.int8 && !takesInt8(w)) {
    throw new WpalFormatError(`op ${op.index} (${op.type}): int8=1 needs ${INT8_WEIGHTS}`);
  }
  const needFor = (act: 'f32' | 'i8'): GemmNeed => ({ act, ...weightNeed(w) });
  // The int8 path is a speed option: where no int8 kernel handles the encoding (e.g. block-sparse),
  // the layer runs on the exact path with the same palette values (int8 entries x scale).
  let need = needFor(opts.int8 ? 'i8' : 'f32');
  let row = chooseWeighted(kernelOp, need, ctx.pref);
  if (!row && opts.int8) row = chooseWeighted(kernelOp, (need = needFor('f32')), ctx.pref);
  if (!row) {
    throw new WpalEngineError(`op ${op.index} (${op.type}): this build has no ${kernelOp} kernel for ${JSON.stringify(need)}`);
  }
  const params = ctx.allocStatic(4 * (opts.paramSlots ?? 8));
  const host: KernelHost = {
    act: need.act,
    at: (r) => ctx.at(r),
    bytes: ctx.info.bytes,
    keep(values) {
      const ptr = ctx.allocStatic(values.length * 4);
      ctx.heap.f32(ptr, values.length).set(values);
      return ptr;
    },
  };
  // Each part fills its own arguments (format/layouts/); the slots no part fills keep the ABI's
  // defaults: 0, and group_rows = rows (one palette, or none).
  const args = kernelArgs(w, host);
  const slots = ctx.heap.i32(params, 8);
  slots[1] = w.rows;
  for (const [slot, v] of Object.entries(args.params)) slots[Number(slot)] = v!;
  const bias = biasTensor !== undefined && biasTensor >= 0 ? kernelArgs(ctx.info.tensors[biasTensor].weight!, host).weights! : 0;
  return { row, kernel: ctx.kernel(row.name), weights: args.weights!, palette: args.palette ?? 0, mask: args.mask ?? 0, bias, params };
}
