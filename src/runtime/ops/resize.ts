/**
 * Resize glue (2-D, NHWC): ONNX's coordinate transform and rounding are evaluated once at load, in
 * float64, into per-row and per-column tables (source indices clamped to the image, as ONNX's edge
 * padding does, plus the bilinear weight); the kernels only gather and interpolate
 * (assembly/kernels/conv2d/README.md, "resizenearest, resizebilinear").
 */
import type { OpInfo } from '../../format/types.js';
import type { OpContext, Step } from '../context.js';
import { pickKernel } from './pick.js';

/** Source coordinate of output coordinate `x` along one axis (ONNX coordinate_transformation_mode). */
function sourceCoordinate(mode: string, x: number, scale: number, inLen: number, outLen: number): number {
  if (mode === 'asymmetric') return x / scale;
  if (mode === 'tf_half_pixel_for_nn') return (x + 0.5) / scale;
  if (mode === 'align_corners') return outLen > 1 ? (x * (inLen - 1)) / (outLen - 1) : 0;
  if (mode === 'pytorch_half_pixel' && outLen <= 1) return 0;
  return (x + 0.5) / scale - 0.5; // half_pixel, pytorch_half_pixel
}

/** ONNX nearest_mode: which input index a source coordinate rounds to (before clamping). */
function roundNearest(mode: string, v: number): number {
  const f = Math.floor(v);
  if (mode === 'floor') return f;
  if (mode === 'ceil') return Math.ceil(v);
  if (v - f === 0.5) return mode === 'round_prefer_ceil' ? f + 1 : f; // a tie
  return Math.round(v);
}

const clamp = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);

/** Writes the table of one axis at ptr: i32 [outLen] (nearest) or { i0, i1, t } x outLen (bilinear). */
function writeTable(ctx: OpContext, ptr: number, op: OpInfo, inLen: number, outLen: number, scale: number): void {
  const a = op.attrs;
  const ctm = a.coordinate_transformation_mode as string;
  if (a.mode === 'nearest') {
    const t = ctx.heap.i32(ptr, outLen);
    for (let o = 0; o < outLen; o++) t[o] = clamp(roundNearest(a.nearest_mode as string, sourceCoordinate(ctm, o, scale, inLen, outLen)), inLen - 1);
    return;
  }
  const ti = ctx.heap.i32(ptr, 3 * outLen);
  const tf = ctx.heap.f32(ptr, 3 * outLen);
  for (let o = 0; o < outLen; o++) {
    const v = clamp(sourceCoordinate(ctm, o, scale, inLen, outLen), inLen - 1);
    const i0 = Math.floor(v);
    ti[3 * o] = i0;
    ti[3 * o + 1] = Math.min(i0 + 1, inLen - 1);
    tf[3 * o + 2] = v - i0;
  }
}

export function compileResize(ctx: OpContext, op: OpInfo): Step {
  const x = op.inputs[0];
  const out = op.outputs[0];
  const [h, w, c] = ctx.info.tensors[x].shape;
  const [oh, ow] = ctx.info.tensors[out].shape;
  const scales = op.attrs.scales as number[];
  const entry = op.attrs.mode === 'nearest' ? 4 : 12;
  const params = ctx.allocStatic(8 * 4);
  const rows = ctx.allocStatic(entry * oh);
  const cols = ctx.allocStatic(entry * ow);
  writeTable(ctx, rows, op, h, oh, scales.length ? scales[0] : oh / h);
  writeTable(ctx, cols, op, w, ow, scales.length ? scales[1] : ow / w);
  ctx.heap.i32(params, 8).set([h, w, c, oh, ow, rows, cols, 0]);
  const k = pickKernel(ctx, op, op.attrs.mode === 'nearest' ? 'resizenearest' : 'resizebilinear');
  const inBytes = 4 * h * w * c;
  const outBytes = 4 * oh * ow * c;
  return { op, kernel: k.name, scratchBytes: () => 0, run: (rs) => k.fn(rs.batch, rs.ptr(x), rs.ptr(out), inBytes, outBytes, params) };
}
