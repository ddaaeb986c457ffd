/** FullyConnected glue: y = W x (* channel scale) + bias on the weight's stored encoding. */
import type { OpInfo } from '../../format/types.js';
import type { OpContext, Step } from '../context.js';
import { prepareWeights } from './weights.js';
import { gemmCall } from './parallel.js';

export function compileFullyConnected(ctx: OpContext, op: OpInfo): Step {
  const [x, wIndex, biasIndex] = op.inputs;
  const out = op.outputs[0];
  const w = ctx.info.tensors[wIndex].weight!;
  const n = w.rows;
  const k = w.cols;
  const rowsPerExample = ctx.elements(x) / k;
  const pw = prepareWeights(ctx, op, 'gemm', w, biasIndex, { int8: op.attrs.int8 === 1 });
  const gemm = gemmCall(ctx, pw, w);
  return {
    op,
    kernel: pw.row.name,
    scratchBytes: (batch) => pw.row.scratchBytes?.(batch * rowsPerExample, n, k) ?? 0,
    run: (rs) => gemm(rs, rs.batch * rowsPerExample, rs.ptr(x), rs.ptr(out), k * 4, n * 4),
  };
}
