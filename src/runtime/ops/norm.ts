/** BatchNormalization (standalone; writers fold it into the conv before it when they can) and LayerNorm. */
import type { OpInfo } from '../../format/types.js';
import type { OpContext, Step } from '../context.js';
import { pickKernel } from './pick.js';
import { itemsCall } from './parallel.js';

function denseValues(ctx: OpContext, tensor: number): Float32Array {
  const r = ctx.info.tensors[tensor].weight!.dense!.data;
  const b = ctx.info.bytes;
  return new Float32Array(b.buffer.slice(b.byteOffset + r.offset, b.byteOffset + r.offset + r.length));
}

/** y = (x - mean) / sqrt(var + eps) * scale + bias, channels last, as one affine per channel. */
export function compileBatchNorm(ctx: OpContext, op: OpInfo): Step {
  const [x, scaleT, biasT, meanT, varT] = op.inputs;
  const out = op.outputs[0];
  const shape = ctx.info.tensors[x].shape;
  const c = shape[shape.length - 1];
  const hw = ctx.elements(x) / c;
  const [scale, bias, mean, variance] = [scaleT, biasT, meanT, varT].map((t) => denseValues(ctx, t));
  const eps = op.attrs.epsilon as number;
  // Folded once at load: 2 x C floats.
  const affine = ctx.allocStatic(8 * c);
  const a = ctx.heap.f32(affine, 2 * c);
  for (let i = 0; i < c; i++) {
    a[i] = scale[i] / Math.sqrt(variance[i] + eps);
    a[c + i] = bias[i] - mean[i] * a[i];
  }
  const params = ctx.allocStatic(32); // slot 0 = 0: NHWC (channel innermost)
  const k = pickKernel(ctx, op, 'batchnorm');
  return { op, kernel: k.name, scratchBytes: () => 0, run: (rs) => k.fn(rs.batch, c, hw, rs.ptr(x), affine, affine + 4 * c, rs.ptr(out), params) };
}

export function compileLayerNorm(ctx: OpContext, op: OpInfo): Step {
  const [x, gammaT, betaT] = op.inputs;
  const out = op.outputs[0];
  const shape = ctx.info.tensors[x].shape;
  const n = shape[shape.length - 1];
  const rows = ctx.elements(x) / n;
  const gamma = ctx.at(ctx.info.tensors[gammaT].weight!.dense!.data);
  const beta = betaT !== undefined && betaT >= 0 ? ctx.at(ctx.info.tensors[betaT].weight!.dense!.data) : 0;
  const params = ctx.allocStatic(32);
  ctx.heap.f32(params, 1)[0] = op.attrs.epsilon as number;
  const k = pickKernel(ctx, op, 'layernorm');
  // Rows are independent: split over them.
  const call = itemsCall(ctx, k, 1, n, 'elements');
  return {
    op,
    kernel: k.name,
    scratchBytes: () => 0,
    run(rs) {
      const px = rs.ptr(x);
      const py = rs.ptr(out);
      call(rs.batch * rows, (r0, r1) => [r1 - r0, n, px + 4 * n * r0, py + 4 * n * r0, gamma, beta, n * 4, n * 4, params]);
    },
  };
}
