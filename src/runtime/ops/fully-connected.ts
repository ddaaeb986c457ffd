/** FullyConnected glue: y = W x (* channel scale) + bias on the weight's stored encoding. */
import type { OpInfo } from '../../format/types.js';
import type { OpContext, Step } from '../context.js';
import { prepareWeights } from './weights.js';
import { gemmCall, windowCall } from './parallel.js';
import { chooseWeighted } from '../kernels.js';
import { weightNeed } from '../../format/layout-walk.js';
import { writeWindowSlots } from './conv.js';
import { blockI8ConvIndices } from './i8-block-order.js';

/**
 * int8 = 1 with at least `minRows` rows per example (a transformer's tokens): the layer runs as a 1x1
 * conv over [rows, 1, K] on the i8 conv2d kernel, whose 4-pixel x 8-channel tile reuses each loaded
 * weight and activation more than the gemm kernels' 4 x 1 (measured 1.24-1.32x at 128 rows, BERT
 * shapes; 1.00x at 16, 0.84x at 8; scratch/fc-vs-conv.mts). Both kernels compute the same integers and
 * the same float epilogue, so the outputs are the same bits either way (tested). Read at load (the
 * benchmark sets it past any model to measure the gemm route).
 */
export const int8FcRoute = { minRows: 16 };

export function compileFullyConnected(ctx: OpContext, op: OpInfo): Step {
  const [x, wIndex, biasIndex] = op.inputs;
  const out = op.outputs[0];
  const w = ctx.info.tensors[wIndex].weight!;
  const n = w.rows;
  const k = w.cols;
  const rowsPerExample = ctx.elements(x) / k;
  const int8 = op.attrs.int8 === 1;
  if (int8 && rowsPerExample >= int8FcRoute.minRows && chooseWeighted('conv2d', { act: 'i8', ...weightNeed(w) }, ctx.pref)) {
    return compileAsConv(ctx, op, rowsPerExample);
  }
  const pw = prepareWeights(ctx, op, 'gemm', w, biasIndex, { int8 });
  const gemm = gemmCall(ctx, pw, w);
  return {
    op,
    kernel: pw.row.name,
    scratchBytes: (batch) => pw.row.scratchBytes?.(batch * rowsPerExample, n, k) ?? 0,
    run: (rs) => gemm(rs, rs.batch * rowsPerExample, rs.ptr(x), rs.ptr(out), k * 4, n * 4),
  };
}

/** The layer as a 1x1 int8 conv over [rows, 1, K] -> [rows, 1, n] (weights [n, K] = [n, 1, 1, K], the same bytes). */
function compileAsConv(ctx: OpContext, op: OpInfo, rows: number): Step {
  const [x, wIndex, biasIndex] = op.inputs;
  const out = op.outputs[0];
  const w = ctx.info.tensors[wIndex].weight!;
  const n = w.rows;
  const k = w.cols;
  const pw = prepareWeights(ctx, op, 'conv2d', w, biasIndex, { paramSlots: 24, int8: true });
  writeWindowSlots(ctx.heap.i32(pw.params, 24), [rows, 1, k], n, [1, 1], [1, 1], [0, 0, 0, 0], [1, 1], 1);
  blockI8ConvIndices(ctx, op, pw, w, 1);
  const call = windowCall(
    ctx,
    pw,
    { h: rows, w: 1, c: k, outC: n, outH: rows, outW: 1, kh: 1, strideH: 1, padT: 0, dilH: 1 },
    k,
    4 * rows * k,
    4 * rows * n,
    { w, depthwise: false },
  );
  return {
    op,
    kernel: pw.row.name,
    scratchBytes: (batch) => pw.row.scratchBytes?.(batch, n, k) ?? 0,
    run: (rs) => call(rs, rs.ptr(x), rs.ptr(out)),
  };
}
