/**
 * FullyConnected glue: y = W x (* channel scale) + bias on the weight's stored encoding.
 * Picks the gemm kernel from the table, points it at the weights in place, and prepares the only
 * load-time data it needs: f32 palettes when the file stores f16 or int8 entries (palette-sized),
 * and the 8-slot params block (assembly/kernels/README.md).
 */
import type { OpInfo, PalettizedInfo } from '../../format/types.js';
import { WpalFormatError } from '../../format/errors.js';
import { WpalEngineError } from '../errors.js';
import { f16BitsToF32 } from '../../encode/f16.js';
import { chooseGemm, type GemmNeed } from '../kernels.js';
import type { OpContext, Step } from '../context.js';

/** f32 palettes for the exact path: in place when stored as f32, else converted once. */
function f32Palettes(ctx: OpContext, p: PalettizedInfo): number {
  if (p.entryType === 'float32') return ctx.at(p.entries);
  const count = p.numPalettes << p.bits;
  const ptr = ctx.allocStatic(count * 4);
  const out = ctx.heap.f32(ptr, count);
  const bytes = ctx.info.bytes;
  const view = new DataView(bytes.buffer, bytes.byteOffset + p.entries.offset, p.entries.length);
  if (p.entryType === 'float16') {
    for (let i = 0; i < count; i++) out[i] = f16BitsToF32(view.getUint16(2 * i, true));
  } else {
    const scales = new DataView(bytes.buffer, bytes.byteOffset + p.entryScales!.offset, p.entryScales!.length);
    const per = 1 << p.bits;
    for (let i = 0; i < count; i++) out[i] = view.getInt8(i) * scales.getFloat32(4 * Math.floor(i / per), true);
  }
  return ptr;
}

export function compileFullyConnected(ctx: OpContext, op: OpInfo): Step {
  const [x, wIndex, biasIndex] = op.inputs;
  const out = op.outputs[0];
  const w = ctx.info.tensors[wIndex].weight!;
  const n = w.rows;
  const k = w.cols;
  const rowsPerExample = ctx.elements(x) / k;
  const int8 = op.attrs.int8 === 1;
  const p = w.palettized;

  const need: GemmNeed = {
    act: int8 ? 'i8' : 'f32',
    wenc: p ? 'palettized' : w.dense!.dtype === 'float16' ? 'f16' : 'dense',
    bits: p?.bits,
    sparse: w.sparse ? [w.sparse.blockRows, w.sparse.blockCols] : undefined,
  };
  const row = chooseGemm(need, ctx.pref);
  if (!row) {
    throw new WpalEngineError(
      `op ${op.index} (FullyConnected): this build has no kernel for ${JSON.stringify(need)}` +
        (int8 ? ' (the int8 path needs palettized weights with int8 entries)' : ''),
    );
  }
  if (int8 && p?.entryType !== 'int8') {
    throw new WpalFormatError(`op ${op.index} (FullyConnected): int8=1 needs palettized weights with int8 entries`);
  }

  const weights = ctx.at(p ? p.indices : w.dense!.data);
  const palette = !p ? 0 : int8 ? ctx.at(p.entries) : f32Palettes(ctx, p);
  const mask = w.sparse ? ctx.at(w.sparse.mask) : 0;
  const bias = biasIndex !== undefined && biasIndex >= 0 ? ctx.at(ctx.info.tensors[biasIndex].weight!.dense!.data) : 0;

  const params = ctx.allocStatic(32);
  const slots = ctx.heap.i32(params, 8);
  slots[0] = p?.bits ?? 0;
  slots[1] = p?.groupRows ?? n;
  slots[2] = w.sparse?.blockRows ?? 0;
  slots[3] = w.sparse?.blockCols ?? 0;
  slots[4] = p?.channelScales ? ctx.at(p.channelScales) : 0;
  slots[6] = int8 && p?.entryScales ? ctx.at(p.entryScales) : 0;

  const kernel = ctx.kernel(row.name);
  const heap = ctx.heap;
  return {
    op,
    kernel: row.name,
    scratchBytes: (batch) => row.scratchBytes?.(batch * rowsPerExample, n, k) ?? 0,
    run(rs) {
      heap.i32(params, 8)[5] = rs.scratch;
      kernel(rs.batch * rowsPerExample, n, k, rs.ptr(x), weights, palette, mask, bias, rs.ptr(out), k * 4, n * 4, params);
    },
  };
}
