/**
 * What every op with weights (FullyConnected, Conv2D, ConvTranspose) prepares at load: the kernel for the
 * weight's encoding, pointers to the weights in place in the file, f32 palettes when the file
 * stores f16/int8 entries (palette-sized, never weight-sized), and params slots 0..7
 * (assembly/kernels/README.md). The caller adds its own slots after 7.
 */
import type { OpInfo, PalettizedInfo, WeightInfo } from '../../format/types.js';
import { WpalFormatError } from '../../format/errors.js';
import { ELEMENTS } from '../../format/elements.js';
import { weightNeed } from '../../format/layout-walk.js';
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

/** f32 palettes for the exact path: in place when stored as f32, else converted once. */
function f32Palettes(ctx: OpContext, p: PalettizedInfo): number {
  const element = ELEMENTS[p.entryType];
  if (element.name === 'float32') return ctx.at(p.entries);
  const count = p.numPalettes << p.bits;
  const ptr = ctx.allocStatic(count * 4);
  const bytes = ctx.info.bytes;
  const scales = p.entryScales ? new DataView(bytes.buffer, bytes.byteOffset + p.entryScales.offset, p.entryScales.length) : undefined;
  const scaleValues = scales ? Float32Array.from({ length: p.numPalettes }, (_, i) => scales.getFloat32(4 * i, true)) : undefined;
  element.read(bytes.subarray(p.entries.offset, p.entries.offset + p.entries.length), ctx.heap.f32(ptr, count), scaleValues, 1 << p.bits);
  return ptr;
}

export function prepareWeights(
  ctx: OpContext,
  op: OpInfo,
  kernelOp: string,
  w: WeightInfo,
  biasTensor: number | undefined,
  opts: { int8?: boolean; paramSlots?: number } = {},
): PreparedWeights {
  const p = w.palettized;
  if (opts.int8 && (!p || ELEMENTS[p.entryType].kernelEntry !== 'i8')) {
    throw new WpalFormatError(`op ${op.index} (${op.type}): int8=1 needs palettized weights with int8 entries`);
  }
  const needFor = (act: 'f32' | 'i8'): GemmNeed => ({ act, ...weightNeed(w) });
  // The int8 path is a speed option: where no int8 kernel handles the encoding (e.g. block-sparse),
  // the layer runs on the exact path with the same palette values (int8 entries x scale).
  let need = needFor(opts.int8 ? 'i8' : 'f32');
  let row = chooseWeighted(kernelOp, need, ctx.pref);
  if (!row && opts.int8) row = chooseWeighted(kernelOp, (need = needFor('f32')), ctx.pref);
  const int8 = need.act === 'i8';
  if (!row) {
    throw new WpalEngineError(`op ${op.index} (${op.type}): this build has no ${kernelOp} kernel for ${JSON.stringify(need)}`);
  }
  const params = ctx.allocStatic(4 * (opts.paramSlots ?? 8));
  const slots = ctx.heap.i32(params, 8);
  slots[0] = p?.bits ?? 0;
  slots[1] = p?.groupRows ?? w.rows;
  slots[2] = w.sparse?.blockRows ?? 0;
  slots[3] = w.sparse?.blockCols ?? 0;
  slots[4] = p?.channelScales ? ctx.at(p.channelScales) : 0;
  slots[6] = int8 && p?.entryScales ? ctx.at(p.entryScales) : 0;
  return {
    row,
    kernel: ctx.kernel(row.name),
    weights: ctx.at(p ? p.indices : w.dense!.data),
    palette: !p ? 0 : int8 ? ctx.at(p.entries) : f32Palettes(ctx, p),
    mask: w.sparse ? ctx.at(w.sparse.mask) : 0,
    bias: biasTensor !== undefined && biasTensor >= 0 ? ctx.at(ctx.info.tensors[biasTensor].weight!.dense!.data) : 0,
    params,
  };
}
