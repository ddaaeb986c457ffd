/** Embedding: rows of a (dense or palettized) table looked up by int32 token ids. */
import type { OpInfo } from '../../format/types.js';
import { WpalInputError } from '../errors.js';
import type { OpContext, Step } from '../context.js';
import { prepareWeights } from './weights.js';

export function compileEmbedding(ctx: OpContext, op: OpInfo): Step {
  const [ids, tableT] = op.inputs;
  const out = op.outputs[0];
  const table = ctx.info.tensors[tableT].weight!;
  const vocab = table.rows;
  const dim = table.cols;
  const perExample = ctx.elements(ids);
  const pw = prepareWeights(ctx, op, 'embed', table, undefined);
  const heap = ctx.heap;
  return {
    op,
    kernel: pw.row.name,
    scratchBytes: (batch) => pw.row.scratchBytes?.(batch * perExample, dim, vocab) ?? 0,
    run(rs) {
      const m = rs.batch * perExample;
      // Ids come from the caller: check them here, the kernel must never read outside the table.
      const given = heap.i32(rs.ptr(ids), m);
      for (let i = 0; i < m; i++) {
        const id = given[i];
        if (!(id >= 0 && id < vocab)) {
          throw new WpalInputError(`input "${ctx.info.tensors[ids].name}": token id ${id} at position ${i} is outside the vocabulary [0, ${vocab})`);
        }
      }
      heap.i32(pw.params, 8)[5] = rs.scratch;
      pw.kernel(m, dim, vocab, rs.ptr(ids), pw.weights, pw.palette, rs.ptr(out), dim * 4, pw.params);
    },
  };
}
