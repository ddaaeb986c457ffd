/**
 * Pools, reductions, Softmax and Resize. Image ops run NHWC (the input is moved to that layout if
 * it is not there already; after a conv it is); reductions and Softmax run on whatever axes the
 * layout puts their logical axes on.
 */
import { ints } from './fold.js';
import { type Lowering } from './context.js';
import { identity } from './layout.js';
import { imageInput, setImage, windowPads } from './lower-linear.js';
import type { OnnxNode } from './parse.js';

type Handler = (cx: Lowering, node: OnnxNode) => void;

function pool(cx: Lowering, node: OnnxNode): void {
  const { act: x, oneD } = imageInput(cx, node, cx.act(node, 0));
  if (node.outputs[1] && cx.consumers(node.outputs[1]).length) cx.fail(node, 'the Indices output of MaxPool is not supported');
  const k = oneD ? 1 : 2;
  const kernel = cx.attr<number[] | undefined>(node, 'kernel_shape', undefined);
  if (!kernel || kernel.length !== k) return cx.fail(node, `kernel_shape must have ${k} values`);
  const strides = cx.attr<number[]>(node, 'strides', new Array(k).fill(1));
  const dil = cx.attr<number[]>(node, 'dilations', new Array(k).fill(1));
  if (dil.some((d) => d !== 1)) cx.fail(node, `dilations [${dil}] are not supported for pooling`);
  const sizes = oneD ? [x.shape[2]] : [x.shape[1], x.shape[2]];
  const pads = windowPads(cx, node, sizes, kernel, strides, dil);
  if (cx.attr<number>(node, 'ceil_mode', 0) === 1) {
    // ceil_mode: a last window that starts inside the (padded) input is kept; extra end padding
    // gives the same windows (MaxPool pads with -inf; AvgPool excludes padding from the count).
    sizes.forEach((s, i) => {
      const span = s + pads[i] + pads[i + k] - kernel[i];
      const outCeil = Math.ceil(span / strides[i]) + 1;
      const lastStart = (outCeil - 1) * strides[i];
      if (lastStart < s + pads[i]) pads[i + k] += Math.max(0, lastStart + kernel[i] - (s + pads[i] + pads[i + k]));
    });
  }
  const isAvg = node.opType === 'AveragePool';
  if (isAvg && cx.attr<number>(node, 'count_include_pad', 0) === 1 && pads.some((p) => p > 0)) {
    cx.fail(node, 'count_include_pad = 1 with padding is not supported (padding is excluded from the average)');
  }
  const lift = (v: number[], fill: number) => (oneD ? [fill, v[0]] : v);
  const pads4 = oneD ? [0, pads[0], 0, pads[1]] : pads;
  const t = cx.emit(node, isAvg ? 'AvgPool' : 'MaxPool', [cx.physical(node, x, [1, 2, 0])], { kernel: lift(kernel, 1), strides: lift(strides, 1), pads: pads4 });
  setImage(cx, node, node.outputs[0], t, oneD);
}

function globalPool(cx: Lowering, node: OnnxNode): void {
  const { act: x, oneD } = imageInput(cx, node, cx.act(node, 0));
  const xin = cx.physical(node, x, [1, 2, 0]);
  const t = node.opType === 'GlobalAveragePool'
    ? cx.emit(node, 'GlobalAveragePool', [xin])
    : cx.emit(node, 'ReduceMax', [xin], { axes: [0, 1], keepdims: 1 });
  setImage(cx, node, node.outputs[0], t, oneD);
}

function reduce(cx: Lowering, node: OnnxNode): void {
  const x = cx.act(node, 0);
  const r = x.shape.length + 1;
  const fromInput = (node.opType === 'ReduceSum' ? cx.opset >= 13 : cx.opset >= 18) ? cx.constant(node, 1, 'axes') : undefined;
  let axes = fromInput ? ints(fromInput) : cx.attr<number[] | undefined>(node, 'axes', undefined);
  const keepdims = cx.attr<number>(node, 'keepdims', 1) === 1;
  if (!axes || axes.length === 0) {
    if (cx.attr<number>(node, 'noop_with_empty_axes', 0) === 1) return void cx.set(node.outputs[0], x);
    axes = identity(r);
  }
  const norm = [...new Set(axes.map((a) => (a < 0 ? a + r : a)))];
  if (norm.some((a) => !(a >= 0 && a < r))) cx.fail(node, `axes [${axes}] out of range for rank ${r}`);
  if (norm.includes(0) && !cx.batchOne) {
    cx.fail(node, 'reducing over the batch axis is only supported with batch size 1 (fix it with --shape NAME=1x...)');
  }
  const logicalAxes = norm.filter((a) => a > 0).map((a) => a - 1);
  if (!logicalAxes.length) return void cx.set(node.outputs[0], x);
  const type = node.opType === 'ReduceMax' ? 'ReduceMax' : 'ReduceMean';
  const t = cx.emit(node, type, [x.t], { axes: logicalAxes.map((a) => x.perm.indexOf(a)).sort((p, q) => p - q), keepdims: keepdims ? 1 : 0 });
  if (keepdims) return void cx.setAct(node.outputs[0], t, x.shape.map((d, i) => (logicalAxes.includes(i) ? 1 : d)), x.perm);
  const left = identity(x.shape.length).filter((i) => !logicalAxes.includes(i));
  const perm = x.perm.filter((a) => !logicalAxes.includes(a)).map((a) => left.indexOf(a));
  cx.setAct(node.outputs[0], t, left.map((i) => x.shape[i]), perm);
}

function softmax(cx: Lowering, node: OnnxNode): void {
  const x = cx.act(node, 0);
  const r = x.shape.length + 1;
  const dflt = cx.opset >= 13 ? -1 : 1;
  let axis = cx.attr<number>(node, 'axis', dflt);
  if (axis < 0) axis += r;
  if (axis === 0) cx.fail(node, 'softmax over the batch axis is not supported');
  const la = axis - 1;
  if (cx.opset < 13 && la !== x.shape.length - 1) {
    // Before opset 13: softmax over everything from `axis` on, as one flattened row.
    const rows = x.shape.slice(0, la);
    const flat = cx.emit(node, 'Reshape', [cx.logical(node, x)], { shape: [...rows, x.shape.slice(la).reduce((a, b) => a * b, 1)] });
    const t = cx.emit(node, 'Softmax', [flat]);
    const back = cx.emit(node, 'Reshape', [t], { shape: x.shape });
    return void cx.setAct(node.outputs[0], back, x.shape, identity(x.shape.length));
  }
  const want = x.perm[x.perm.length - 1] === la ? x.perm : [...x.perm.filter((a) => a !== la), la];
  const t = cx.emit(node, 'Softmax', [cx.physical(node, x, want)]);
  cx.setAct(node.outputs[0], t, x.shape, want);
}

function resize(cx: Lowering, node: OnnxNode): void {
  const x0 = cx.act(node, 0);
  if (x0.shape.length !== 3) cx.fail(node, `only 2-D image resizing ([N, C, H, W]) is supported, got [N, ${x0.shape}]`);
  const { act: x } = imageInput(cx, node, x0);
  const [, h, w] = x.shape;
  const upsample = node.opType === 'Upsample';
  let mode = cx.attr<string>(node, 'mode', 'nearest');
  if (mode === 'bilinear') mode = 'linear';
  if (mode !== 'nearest' && mode !== 'linear') cx.fail(node, `mode ${JSON.stringify(mode)} is not supported (nearest, linear)`);
  let scales: number[] | undefined;
  let sizes: number[] | undefined;
  if (upsample) scales = cx.opset >= 9 ? Array.from(cx.constant(node, 1, 'scales')?.data ?? []) : cx.attr<number[]>(node, 'scales', []);
  else if (cx.opset === 10) scales = Array.from(cx.constant(node, 1, 'scales')?.data ?? []);
  else {
    const s = cx.constant(node, 2, 'scales');
    const z = cx.constant(node, 3, 'sizes');
    if (z && z.data.length) sizes = ints(z);
    else if (s && s.data.length) scales = Array.from(s.data);
  }
  if (scales && (scales.length !== 4 || scales[0] !== 1 || scales[1] !== 1)) cx.fail(node, `scales [${scales}] must keep N and C (1, 1, sh, sw)`);
  if (sizes && sizes.length !== 4) cx.fail(node, `sizes [${sizes}] must have 4 values`);
  const oh = sizes ? sizes[2] : Math.floor(h * scales![2]);
  const ow = sizes ? sizes[3] : Math.floor(w * scales![3]);
  const ctm = upsample || cx.opset === 10 ? 'asymmetric' : cx.attr<string>(node, 'coordinate_transformation_mode', 'half_pixel');
  const nearestMode = upsample || cx.opset === 10 ? 'floor' : cx.attr<string>(node, 'nearest_mode', 'round_prefer_floor');
  if (cx.attr<number>(node, 'antialias', 0) === 1) cx.fail(node, 'antialias is not supported');
  if (ctm === 'tf_crop_and_resize') cx.fail(node, 'coordinate_transformation_mode tf_crop_and_resize is not supported');
  const attrs: Record<string, string | number[]> = { mode, sizes: [oh, ow], coordinate_transformation_mode: ctm, nearest_mode: nearestMode };
  if (scales) attrs.scales = [scales[2], scales[3]];
  const t = cx.emit(node, 'Resize', [cx.physical(node, x, [1, 2, 0])], attrs);
  setImage(cx, node, node.outputs[0], t, false);
}

export const WINDOW_LOWERERS: Record<string, Handler> = {
  MaxPool: pool,
  AveragePool: pool,
  GlobalAveragePool: globalPool,
  GlobalMaxPool: globalPool,
  ReduceMean: reduce,
  ReduceMax: reduce,
  Softmax: softmax,
  Resize: resize,
  Upsample: resize,
};
