/**
 * The int8 conv kernel (i8_conv2d_p8i8_4x8__simd) turns every weight into its int8 palette entry once
 * per call, in 8-channel blocks laid out for its dot products (assembly/kernels/conv2d/i8-block.ts).
 * From the file's row-major index rows that takes a transpose of every block; the whole decode is
 * 6-14% of a 7x7 or 14x14 layer's time at batch 1, and without the transpose it measured 1.07-1.14x faster.
 * Here, at load, the layer's indices are rearranged in place (in the model's copy of the file, the
 * same bytes, still packed at the weight's bits) into that block order, so each call only unpacks and
 * looks them up; params slot 7 = 1 tells the kernel. Where the rearrangement does not apply (K not a
 * multiple of 16, channels per group not a multiple of 8, palettes shared by fewer than 8 channels, a
 * weight two ops read) the file's order stays and the kernel transposes as before. Outputs are the
 * same bits either way.
 */
import type { OpInfo, WeightInfo } from '../../format/types.js';
import { packStream, unpackStream } from '../../encode/bitpack.js';
import type { OpContext } from '../context.js';
import type { PreparedWeights } from './weights.js';

const BLOCKED_KERNEL = 'i8_conv2d_p8i8_4x8__simd';
/** params slot 7 (assembly/kernels/README.md): the indices are in the kernel's block order. */
const WEIGHT_ORDER_SLOT = 7;

/** Read at load: false keeps the file's order (the benchmark measures what the block order saves). */
export const i8BlockOrder = { enabled: true };

/** Rearranges the layer's indices into the kernel's block order when it can; returns whether it did. */
export function blockI8ConvIndices(ctx: OpContext, op: OpInfo, pw: PreparedWeights, w: WeightInfo, groups: number): boolean {
  // That kernel takes only palettized weights without a sparsity part, bits 1..8.
  if (!i8BlockOrder.enabled || pw.row.name !== BLOCKED_KERNEL) return false;
  const slots = ctx.heap.i32(pw.params, 8);
  const [bits, groupRows] = [slots[0], slots[1]];
  const K = w.cols;
  if (K % 16 !== 0 || (w.rows / groups) % 8 !== 0 || groupRows % 8 !== 0) return false;
  // In place: a weight another op also reads keeps the file's order.
  const weightTensor = op.inputs[1];
  if (ctx.info.ops.filter((o) => o.inputs.includes(weightTensor)).length !== 1) return false;
  // The relaxed-SIMD build's tile takes k quads ([quad][8 channels][4]), the baseline's k pairs ([pair][8][2]).
  const quads = ctx.exports.relaxed_simd_build?.() === 1;
  const blockBytes = K * bits; // 8 rows of K * bits / 8 bytes
  const order = new Uint8Array(8 * K);
  for (let b = 0; b < w.rows / 8; b++) {
    const at = pw.weights + b * blockBytes;
    const idx = unpackStream(ctx.heap.u8.subarray(at, at + blockBytes), 8 * K, bits);
    for (let ch = 0; ch < 8; ch++) {
      for (let k = 0; k < K; k++) {
        order[quads ? (k >> 2) * 32 + ch * 4 + (k & 3) : (k >> 1) * 16 + ch * 2 + (k & 1)] = idx[ch * K + k];
      }
    }
    ctx.heap.u8.set(packStream(order, bits), at);
  }
  slots[WEIGHT_ORDER_SLOT] = 1;
  return true;
}
