/**
 * Op schemas added in format 1.1 for the ONNX importer: Slice, Resize (2-D, NHWC) and ConvTranspose
 * (NHWC, weights [O, kh, kw, C/groups] like Conv2D). Registered by one line of ops.ts's registry;
 * shapes are per example (no batch dimension), as everywhere in ops.ts. The definitions are ONNX's
 * (opset 13 Slice, opsets 11-19 Resize, ConvTranspose); schemas/CHANGELOG.md has the table.
 *
 * Only types come from ops.ts (erased at run time), so the two files do not import each other.
 */
import type { AttrSchema, OpSchema, OperandInfo } from './op-schema.js';
import type { AttrValue } from './types.js';
import { checkDenseParam, count, fail, fmt, pads4, pair } from './shape-check.js';
import { MAX_ELEMENTS } from './validate-weight.js';

type Attrs = Readonly<Record<string, AttrValue>>;

const X = { name: 'x', constant: false, optional: false } as const;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function checkElements(shape: readonly number[]): number[] {
  if (count(shape) > MAX_ELEMENTS) fail(`output ${fmt(shape)} has more than ${MAX_ELEMENTS} elements`);
  return [...shape];
}

function image(x: OperandInfo | undefined): [number, number, number] {
  const s = x!.shape;
  if (s.length !== 3) fail(`input must be [H, W, C] (NHWC per example), got ${fmt(s)}`);
  return [s[0], s[1], s[2]];
}

// ---- Slice -----------------------------------------------------------------------------------

/** One sliced axis after ONNX's normalization: elements start, start + step, ... (count of them). */
export interface SliceAxis {
  axis: number;
  start: number;
  step: number;
  count: number;
}

/**
 * One axis of size `dim` sliced as ONNX does (step != 0): negative start / end count from the end,
 * then start is clamped to [0, dim] (step > 0) or [0, dim - 1] (step < 0) and end to [0, dim] or
 * [-1, dim - 1]; the first element taken and how many (0 when the slice selects nothing).
 */
export function sliceRange(dim: number, start: number, end: number, step: number): { start: number; count: number } {
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  let s = start < 0 ? start + dim : start;
  let e = end < 0 ? end + dim : end;
  if (step > 0) [s, e] = [clamp(s, 0, dim), clamp(e, 0, dim)];
  else [s, e] = [clamp(s, 0, dim - 1), clamp(e, -1, dim - 1)];
  return { start: s, count: Math.max(0, Math.ceil((e - s) / step)) };
}

/**
 * ONNX Slice (opset 13) on a per-example shape: negative starts/ends count from the end, then
 * starts are clamped to [0, d] (step > 0) or [0, d - 1] (step < 0) and ends to [0, d] or [-1, d - 1];
 * count = max(0, ceil((end - start) / step)). Axes not listed are kept whole. Throws ShapeError.
 */
export function sliceAxes(shape: readonly number[], attrs: Attrs): SliceAxis[] {
  const starts = attrs.starts as number[];
  const ends = attrs.ends as number[];
  const n = starts.length;
  const axes = (attrs.axes as number[]).length ? (attrs.axes as number[]) : Array.from({ length: n }, (_, i) => i);
  const steps = (attrs.steps as number[]).length ? (attrs.steps as number[]) : new Array<number>(n).fill(1);
  const r = shape.length;
  if (n < 1 || n > r) fail(`starts has ${n} values, expected 1..${r} (the rank of the input ${fmt(shape)})`);
  for (const [name, v] of [['ends', ends], ['axes', axes], ['steps', steps]] as const) {
    if (v.length !== n) fail(`${name} has ${v.length} values, starts has ${n}`);
  }
  for (const [name, v] of [['starts', starts], ['ends', ends], ['steps', steps]] as const) {
    if (v.some((e) => e < INT32_MIN || e > INT32_MAX)) fail(`${name} ${fmt(v)} must be int32 (clamp INT64 sentinels to int32)`);
  }
  const out: SliceAxis[] = shape.map((d, axis) => ({ axis, start: 0, step: 1, count: d }));
  const seen = new Set<number>();
  for (let i = 0; i < n; i++) {
    if (!(axes[i] >= -r && axes[i] < r)) fail(`axes ${fmt(axes)}: ${axes[i]} is out of range for rank ${r}`);
    const a = axes[i] < 0 ? axes[i] + r : axes[i];
    if (seen.has(a)) fail(`axes ${fmt(axes)} names axis ${a} twice`);
    seen.add(a);
    const step = steps[i];
    if (step === 0) fail(`steps ${fmt(steps)}: a step must not be 0`);
    const d = shape[a];
    const { start: s, count: c } = sliceRange(d, starts[i], ends[i], step);
    if (c === 0) fail(`axis ${a} (size ${d}): start ${starts[i]}, end ${ends[i]}, step ${step} select nothing; empty tensors are not allowed`);
    out[a] = { axis: a, start: s, step, count: c };
  }
  return out;
}

const SLICE: OpSchema = {
  type: 'Slice',
  inputs: [X],
  numOutputs: 1,
  attrs: [
    { name: 'starts', kind: 'ints', required: true },
    { name: 'ends', kind: 'ints', required: true },
    { name: 'axes', kind: 'ints', required: false, default: [] }, // [] = 0 .. len(starts) - 1
    { name: 'steps', kind: 'ints', required: false, default: [] }, // [] = all 1
  ],
  infer: ([x], attrs) => [sliceAxes(x!.shape, attrs).map((a) => a.count)],
};

// ---- Resize ----------------------------------------------------------------------------------

export const RESIZE_MODES = ['nearest', 'linear'] as const;
export const COORDINATE_MODES = ['half_pixel', 'asymmetric', 'align_corners', 'pytorch_half_pixel', 'tf_half_pixel_for_nn'] as const;
export const NEAREST_MODES = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'] as const;

const RESIZE_ATTRS: readonly AttrSchema[] = [
  { name: 'mode', kind: 'string', required: false, default: 'nearest', allowed: RESIZE_MODES },
  { name: 'sizes', kind: 'ints', required: true },
  { name: 'scales', kind: 'floats', required: false, default: [] }, // [] = sizes / input sizes
  { name: 'coordinate_transformation_mode', kind: 'string', required: false, default: 'half_pixel', allowed: COORDINATE_MODES },
  { name: 'nearest_mode', kind: 'string', required: false, default: 'round_prefer_floor', allowed: NEAREST_MODES },
];

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

/** The [scale_h, scale_w] a Resize maps with: its scales, else output / input size. */
export function resizeScales(attrs: Attrs, h: number, w: number, oh: number, ow: number): [number, number] {
  const scales = attrs.scales as number[];
  return scales.length ? [scales[0], scales[1]] : [oh / h, ow / w];
}

/**
 * One axis of a Resize, evaluated in float64 (ONNX's coordinate transform and rounding, source
 * indices clamped to the image as ONNX's edge padding does): per output index, the source index i0
 * (nearest: the only one), and for linear i1 = min(i0 + 1, last) with t the weight of i1. The
 * runtime's tables and the trainer's resize both read this.
 */
export function resizeAxis(attrs: Attrs, inLen: number, outLen: number, scale: number): { i0: Int32Array; i1: Int32Array; t: Float32Array } {
  const ctm = attrs.coordinate_transformation_mode as string;
  const clamp = (v: number) => Math.min(Math.max(v, 0), inLen - 1);
  const i0 = new Int32Array(outLen), i1 = new Int32Array(outLen), t = new Float32Array(outLen);
  for (let o = 0; o < outLen; o++) {
    if (attrs.mode === 'nearest') {
      i0[o] = i1[o] = clamp(roundNearest(attrs.nearest_mode as string, sourceCoordinate(ctm, o, scale, inLen, outLen)));
      continue;
    }
    const v = clamp(sourceCoordinate(ctm, o, scale, inLen, outLen));
    i0[o] = Math.floor(v);
    i1[o] = Math.min(i0[o] + 1, inLen - 1);
    t[o] = v - i0[o];
  }
  return { i0, i1, t };
}

const RESIZE: OpSchema = {
  type: 'Resize',
  inputs: [X],
  numOutputs: 1,
  attrs: RESIZE_ATTRS,
  infer: ([x], attrs) => {
    const [h, w, c] = image(x);
    const sizes = attrs.sizes as number[];
    if (sizes.length !== 2 || !sizes.every((d) => d >= 1)) fail(`sizes must be [OH, OW] >= 1, got ${fmt(sizes)}`);
    const scales = (attrs.scales as number[]).map((s) => Math.fround(s)); // stored as float32
    if (scales.length) {
      if (scales.length !== 2 || !scales.every((s) => Number.isFinite(s) && s > 0)) fail(`scales must be [scale_h, scale_w] > 0, got ${fmt(scales)}`);
      // ONNX sizes the output floor(in * scale) when a model gives scales (onnxruntime multiplies in float32).
      [h, w].forEach((d, i) => {
        const ok = [Math.floor(d * scales[i]), Math.floor(Math.fround(d * scales[i]))];
        if (!ok.includes(sizes[i])) fail(`sizes ${fmt(sizes)} must be floor(input * scales) = [${Math.floor(h * scales[0])}, ${Math.floor(w * scales[1])}] when scales ${fmt(scales)} are given`);
      });
    }
    return [checkElements([sizes[0], sizes[1], c])];
  },
};

// ---- ConvTranspose ---------------------------------------------------------------------------

/** Output size of a transposed convolution along one axis: (in-1)*s - p0 - p1 + d*(k-1) + 1 + outPad. */
export function convTransposeOutDim(size: number, k: number, stride: number, p0: number, p1: number, dilation: number, outPad: number): number {
  return (size - 1) * stride - p0 - p1 + dilation * (k - 1) + 1 + outPad;
}

const CONV_TRANSPOSE: OpSchema = {
  type: 'ConvTranspose',
  inputs: [X, { name: 'weight', constant: true, optional: false }, { name: 'bias', constant: true, optional: true }],
  numOutputs: 1,
  attrs: [
    { name: 'strides', kind: 'ints', required: false, default: [1, 1] },
    { name: 'pads', kind: 'ints', required: false, default: [0, 0, 0, 0] },
    { name: 'dilations', kind: 'ints', required: false, default: [1, 1] },
    { name: 'groups', kind: 'int', required: false, default: 1 },
    { name: 'output_padding', kind: 'ints', required: false, default: [0, 0] },
  ],
  infer: ([x, w, b], attrs) => {
    const ws = w!.shape;
    if (ws.length !== 4) fail(`weight must be [O, kh, kw, C/groups] (ONNX's [C, O/groups, kh, kw] permuted), got ${fmt(ws)}`);
    const [o, kh, kw, cg] = ws;
    const [h, wd, c] = image(x);
    const groups = attrs.groups as number;
    if (!(groups >= 1) || c % groups !== 0 || o % groups !== 0) fail(`groups = ${groups} must divide C = ${c} and O = ${o}`);
    if (cg !== c / groups) fail(`weight ${fmt(ws)} needs C/groups = ${c / groups} in its last dimension (input ${fmt(x!.shape)}, groups ${groups})`);
    if (b) checkDenseParam(b, o, 'bias');
    const s = pair(attrs, 'strides', 1);
    const d = pair(attrs, 'dilations', 1);
    const p = pads4(attrs);
    const op = pair(attrs, 'output_padding', 0);
    if (op[0] >= Math.max(s[0], d[0]) || op[1] >= Math.max(s[1], d[1])) {
      fail(`output_padding ${fmt(op)} must be smaller than the stride or the dilation of its axis (strides ${fmt(s)}, dilations ${fmt(d)})`);
    }
    const oh = convTransposeOutDim(h, kh, s[0], p[0], p[2], d[0], op[0]);
    const ow = convTransposeOutDim(wd, kw, s[1], p[1], p[3], d[1], op[1]);
    if (oh < 1 || ow < 1) fail(`pads ${fmt(p)} crop the whole output of ${fmt(x!.shape)} (kernel ${kh}x${kw}, strides ${fmt(s)}): [${oh}, ${ow}]`);
    return [checkElements([oh, ow, o])];
  },
};

/** The format 1.1 ops of this file, in registry order. */
export const SPATIAL_OPS: readonly OpSchema[] = [SLICE, RESIZE, CONV_TRANSPOSE];
