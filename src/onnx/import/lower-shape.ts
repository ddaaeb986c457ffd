/**
 * ONNX ops that move or select elements of an activation: Reshape, Flatten, Squeeze, Unsqueeze,
 * Transpose (a layout change, no copy), Concat, Slice, Split, and Shape of an activation (a
 * constant: the batch size is the symbol BATCH). The batch axis (ONNX axis 0) must stay where it is.
 */
import { BATCH, constOf, ints, reshapeTarget } from './fold.js';
import { sliceRange } from '../../format/ops-spatial.js';
import { isAct, type Lowering } from './context.js';
import { identity, product, reshapeTo, sameBytes, unitReshape, type Act } from './layout.js';
import type { OnnxNode } from './parse.js';

type Handler = (cx: Lowering, node: OnnxNode) => void;

/**
 * Reshape to a per-example shape. A flatten of an activation whose layout is not logical, read only
 * by a fully connected layer, stays in physical order and tells that layer (Act.order) to permute
 * its weight columns instead: the layout change is folded into the weights, not paid per call.
 */
function reshapeAct(cx: Lowering, node: OnnxNode, x: Act, shape: number[]): void {
  const kept = unitReshape(cx.g, x, shape, node.name);
  if (kept) return void cx.set(node.outputs[0], kept);
  const reader = cx.soleConsumer(node.outputs[0]);
  const fcReader = reader && (reader.opType === 'Gemm' || reader.opType === 'MatMul') && reader.inputs[0] === node.outputs[0] && !isAct(cx.values.get(reader.inputs[1]));
  if (shape.length === 1 && fcReader && !sameBytes(x.shape, x.perm, identity(x.shape.length))) {
    const physShape = x.perm.map((a) => x.shape[a]);
    const strides = x.shape.map((_, i) => product(x.shape.slice(i + 1)));
    const order = new Int32Array(shape[0]);
    const idx = new Array<number>(physShape.length).fill(0);
    for (let j = 0; j < order.length; j++) {
      order[j] = idx.reduce((s, v, p) => s + v * strides[x.perm[p]], 0);
      for (let p = physShape.length - 1; p >= 0; p--) {
        if (++idx[p] < physShape[p]) break;
        idx[p] = 0;
      }
    }
    const t = reshapeTo(cx.g, x.t, shape, node.name);
    cx.set(node.outputs[0], { kind: 'act', t, shape, perm: [0], dtype: x.dtype, order });
    cx.notes.push(`layout change before ${JSON.stringify(reader!.name)} folded into its weight columns`);
    return;
  }
  const t = reshapeTo(cx.g, cx.logical(node, x), shape, node.name);
  cx.setAct(node.outputs[0], t, shape, identity(shape.length), x.dtype);
}

function reshape(cx: Lowering, node: OnnxNode): void {
  const x = cx.act(node, 0);
  const target = cx.opset >= 5 ? cx.constant(node, 1, 'the target shape') : undefined;
  const t = target ? ints(target) : cx.attr<number[] | undefined>(node, 'shape', undefined);
  if (!t || t.length === 0) return cx.fail(node, 'the target shape must be a constant of rank >= 1');
  const allowzero = cx.attr<number>(node, 'allowzero', 0) === 1;
  let perExample: number[];
  const [first, ...rest] = t;
  const restResolved = rest.map((d, i) => (d === 0 && !allowzero ? x.shape[i] : d));
  if (first === BATCH || (first === 0 && !allowzero) || (first === 1 && cx.batchOne)) {
    perExample = reshapeTarget(x.shape, restResolved, true, cx.where(node));
  } else if (first === -1 && !restResolved.includes(-1) && product(restResolved) === product(x.shape)) {
    perExample = restResolved;
  } else {
    return cx.fail(node, `target shape [${t.map((d) => (d === BATCH ? 'N' : d))}] does not keep the batch dimension first (input [N, ${x.shape}])`);
  }
  reshapeAct(cx, node, x, perExample);
}

function flatten(cx: Lowering, node: OnnxNode): void {
  const x = cx.act(node, 0);
  const r = x.shape.length + 1;
  let axis = cx.attr<number>(node, 'axis', 1);
  if (axis < 0) axis += r;
  if (axis === 0 && !cx.batchOne) cx.fail(node, 'axis 0 flattens the batch into one row; it is only supported when the batch size is fixed to 1 (--shape)');
  const shape = axis <= 1 ? [product(x.shape)] : [product(x.shape.slice(0, axis - 1)), product(x.shape.slice(axis - 1))];
  reshapeAct(cx, node, x, shape);
}

function axesOf(cx: Lowering, node: OnnxNode, rank: number, required: boolean): number[] | undefined {
  const fromInput = cx.opset >= 13 ? cx.constant(node, 1, 'axes') : undefined;
  const axes = fromInput ? ints(fromInput) : cx.attr<number[] | undefined>(node, 'axes', undefined);
  if (!axes && required) cx.fail(node, 'axes are required');
  return axes?.map((a) => {
    const n = a < 0 ? a + rank : a;
    if (!(n >= 0 && n < rank)) cx.fail(node, `axis ${a} is out of range for rank ${rank}`);
    if (n === 0) cx.fail(node, 'the batch axis (0) cannot be squeezed or unsqueezed');
    return n;
  });
}

function unsqueeze(cx: Lowering, node: OnnxNode): void {
  const x = cx.act(node, 0);
  const given = cx.opset >= 13 ? cx.constant(node, 1, 'axes') : undefined;
  const count = given ? given.data.length : cx.attr<number[]>(node, 'axes', []).length;
  const axes = axesOf(cx, node, x.shape.length + 1 + count, true)!;
  const full = [0, ...x.shape];
  for (const a of [...axes].sort((p, q) => p - q)) full.splice(a, 0, 1);
  cx.set(node.outputs[0], unitReshape(cx.g, x, full.slice(1), node.name)!);
}

function squeeze(cx: Lowering, node: OnnxNode): void {
  const x = cx.act(node, 0);
  const axes = axesOf(cx, node, x.shape.length + 1, false) ?? x.shape.map((d, i) => (d === 1 ? i + 1 : -1)).filter((i) => i > 0);
  for (const a of axes) if (x.shape[a - 1] !== 1) cx.fail(node, `axis ${a} has size ${x.shape[a - 1]}, not 1`);
  cx.set(node.outputs[0], unitReshape(cx.g, x, x.shape.filter((_, i) => !axes.includes(i + 1)), node.name)!);
}

function transpose(cx: Lowering, node: OnnxNode): void {
  const x = cx.act(node, 0);
  const r = x.shape.length + 1;
  const perm = cx.attr<number[] | undefined>(node, 'perm', undefined) ?? identity(r).reverse();
  if (perm[0] !== 0) cx.fail(node, `perm [${perm}] moves the batch axis`);
  const p = perm.slice(1).map((a) => a - 1);
  // New logical axis k is old axis p[k]; the bytes stay where they are.
  cx.set(node.outputs[0], { kind: 'act', t: x.t, shape: p.map((a) => x.shape[a]), perm: x.perm.map((old) => p.indexOf(old)), dtype: x.dtype });
}

function concat(cx: Lowering, node: OnnxNode): void {
  const parts = node.inputs.map((_, i) => cx.value(node, i)).filter((v) => v !== undefined);
  if (!parts.every(isAct)) return cx.fail(node, 'concatenating an activation with a constant is not supported');
  const acts = parts as Act[];
  const r = acts[0].shape.length + 1;
  let axis = cx.attr<number>(node, 'axis', 0);
  if (axis < 0) axis += r;
  if (axis === 0) cx.fail(node, 'concatenation along the batch axis is not supported');
  if (acts.length === 1) return void cx.set(node.outputs[0], acts[0]);
  const perm = acts[0].perm;
  const t = cx.emit(node, 'Concat', acts.map((a) => cx.physical(node, a, perm)), { axis: perm.indexOf(axis - 1) });
  const shape = [...acts[0].shape];
  shape[axis - 1] = acts.reduce((s, a) => s + a.shape[axis - 1], 0);
  cx.setAct(node.outputs[0], t, shape, perm);
}

/** One .wpal Slice over logical axes (mapped to the layout's physical axes). */
function sliceAct(cx: Lowering, node: OnnxNode, x: Act, spec: { axis: number; start: number; end: number; step: number }[], output: string): void {
  const shape = [...x.shape];
  const starts: number[] = [];
  const ends: number[] = [];
  const axes: number[] = [];
  const steps: number[] = [];
  const clampI32 = (v: number) => Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, v));
  for (const s of spec) {
    if (s.step === 0) cx.fail(node, `step 0 on axis ${s.axis + 1}`);
    shape[s.axis] = sliceRange(x.shape[s.axis], s.start, s.end, s.step).count;
    starts.push(clampI32(s.start));
    ends.push(clampI32(s.end));
    axes.push(x.perm.indexOf(s.axis));
    steps.push(s.step);
  }
  if (shape.some((d) => d === 0)) cx.fail(node, 'the slice is empty');
  const t = cx.emit(node, 'Slice', [x.t], { starts, ends, axes, steps });
  cx.setAct(output, t, shape, x.perm);
}

function slice(cx: Lowering, node: OnnxNode): void {
  const x = cx.act(node, 0);
  const r = x.shape.length + 1;
  let starts: number[], ends: number[], axes: number[], steps: number[];
  if (cx.opset < 10) {
    starts = cx.attr<number[]>(node, 'starts', []);
    ends = cx.attr<number[]>(node, 'ends', []);
    axes = cx.attr<number[]>(node, 'axes', starts.map((_, i) => i));
    steps = starts.map(() => 1);
  } else {
    const c = (i: number) => cx.constant(node, i, ['starts', 'ends', 'axes', 'steps'][i - 1]);
    starts = ints(c(1)!);
    ends = ints(c(2)!);
    axes = c(3) ? ints(c(3)!) : starts.map((_, i) => i);
    steps = c(4) ? ints(c(4)!) : starts.map(() => 1);
  }
  const spec: { axis: number; start: number; end: number; step: number }[] = [];
  axes.forEach((a, k) => {
    const n = a < 0 ? a + r : a;
    if (n === 0) {
      // The batch axis may only be "sliced" in full.
      if (!(starts[k] === 0 && steps[k] === 1 && ends[k] >= 2 ** 31 - 1)) cx.fail(node, 'slicing the batch axis is not supported');
      return;
    }
    spec.push({ axis: n - 1, start: starts[k], end: ends[k], step: steps[k] });
  });
  if (!spec.length) return void cx.set(node.outputs[0], x);
  sliceAct(cx, node, x, spec, node.outputs[0]);
}

function split(cx: Lowering, node: OnnxNode): void {
  const x = cx.act(node, 0);
  const r = x.shape.length + 1;
  let axis = cx.attr<number>(node, 'axis', 0);
  if (axis < 0) axis += r;
  if (axis === 0) cx.fail(node, 'splitting the batch axis is not supported');
  const size = x.shape[axis - 1];
  const given = cx.opset >= 13 ? cx.constant(node, 1, 'split') : undefined;
  let sizes = given ? ints(given) : cx.attr<number[] | undefined>(node, 'split', undefined);
  if (!sizes) {
    const n = node.outputs.length;
    const each = Math.ceil(size / n);
    sizes = Array.from({ length: n }, (_, i) => Math.min(each, size - i * each));
  }
  let at = 0;
  sizes.forEach((len, i) => {
    if (node.outputs[i]) sliceAct(cx, node, x, [{ axis: axis - 1, start: at, end: at + len, step: 1 }], node.outputs[i]);
    at += len;
  });
}

function shapeOf(cx: Lowering, node: OnnxNode): void {
  const x = cx.act(node, 0);
  const dims = [BATCH, ...x.shape];
  const r = dims.length;
  const s = cx.attr<number>(node, 'start', 0);
  const e = cx.attr<number | undefined>(node, 'end', undefined);
  const lo = Math.min(Math.max(s < 0 ? s + r : s, 0), r);
  const hi = Math.min(Math.max(e === undefined ? r : e < 0 ? e + r : e, 0), r);
  cx.set(node.outputs[0], constOf('int64', [Math.max(0, hi - lo)], dims.slice(lo, hi)));
}

export const SHAPE_LOWERERS: Record<string, Handler> = {
  Reshape: reshape,
  Flatten: flatten,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Transpose: transpose,
  Concat: concat,
  Slice: slice,
  Split: split,
  Shape: shapeOf,
};
