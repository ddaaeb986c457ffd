/** FullyConnected glue: y = W x (* channel scale) + bias on the weight's stored encoding. */
import type { OpInfo } from '../../format/types.js';
import type { OpContext, Step } from '../context.js';
import { prepareWeights } from './weights.js';
import { gemmCall } from './parallel.js';
import { compileWindowConv, hasI8ConvKernel } from './conv.js';

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
  if (int8 && rowsPerExample >= int8FcRoute.minRows && hasI8ConvKernel(ctx, w)) {
    // a 1x1 conv over [rows, 1, K] -> [rows, 1, n]: weights [n, K] = [n, 1, 1, K], the same bytes
    const rows = rowsPerExample;
    return compileWindowConv(ctx, op, {
      x, out, w, biasIndex, inShape: [rows, 1, k], outShape: [rows, 1, n], kernel: [1, 1],
      strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], groups: 1, depthwise: false, int8: true,
    });
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

