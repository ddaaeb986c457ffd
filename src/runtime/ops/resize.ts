/**
 * Resize glue (2-D, NHWC): ONNX's coordinate transform and rounding are evaluated once at load, in
 * float64, into per-row and per-column tables (source indices clamped to the image, as ONNX's edge
 * padding does, plus the bilinear weight); the kernels only gather and interpolate
 * (assembly/kernels/conv2d/README.md, "resizenearest, resizebilinear").
 */
import type { OpInfo } from '../../format/types.js';
import { resizeAxis, resizeScales } from '../../format/ops-spatial.js';
import type { OpContext, Step } from '../context.js';
import { pickKernel } from './pick.js';

/** Writes the table of one axis at ptr: i32 [outLen] (nearest) or { i0, i1, t } x outLen (bilinear). */
function writeTable(ctx: OpContext, ptr: number, op: OpInfo, inLen: number, outLen: number, scale: number): void {
  const { i0, i1, t } = resizeAxis(op.attrs, inLen, outLen, scale);
  if (op.attrs.mode === 'nearest') {
    ctx.heap.i32(ptr, outLen).set(i0);
    return;
  }
  const ti = ctx.heap.i32(ptr, 3 * outLen);
  const tf = ctx.heap.f32(ptr, 3 * outLen);
  for (let o = 0; o < outLen; o++) {
    ti[3 * o] = i0[o];
    ti[3 * o + 1] = i1[o];
    tf[3 * o + 2] = t[o];
  }
}

export function compileResize(ctx: OpContext, op: OpInfo): Step {
  const x = op.inputs[0];
  const out = op.outputs[0];
  const [h, w, c] = ctx.info.tensors[x].shape;
  const [oh, ow] = ctx.info.tensors[out].shape;
  const [sh, sw] = resizeScales(op.attrs, h, w, oh, ow);
  const entry = op.attrs.mode === 'nearest' ? 4 : 12;
  const params = ctx.allocStatic(8 * 4);
  const rows = ctx.allocStatic(entry * oh);
  const cols = ctx.allocStatic(entry * ow);
  writeTable(ctx, rows, op, h, oh, sh);
  writeTable(ctx, cols, op, w, ow, sw);
  ctx.heap.i32(params, 8).set([h, w, c, oh, ow, rows, cols, 0]);
  const k = pickKernel(ctx, op, op.attrs.mode === 'nearest' ? 'resizenearest' : 'resizebilinear');
  const inBytes = 4 * h * w * c;
  const outBytes = 4 * oh * ow * c;
  return { op, kernel: k.name, scratchBytes: () => 0, run: (rs) => k.fn(rs.batch, rs.ptr(x), rs.ptr(out), inBytes, outBytes, params) };
}
