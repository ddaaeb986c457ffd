/**
 * Element-wise ONNX ops: activations, Clip, and the binary ops with NumPy broadcasting. They run in
 * whatever layout their input already has (layout.ts); a constant operand is transposed once, at
 * import, into that layout.
 */
import { broadcastShapes, scalarValue, transposeConst } from './fold.js';
import { isAct, type Lowering, type Value } from './context.js';
import { identity, physicalShape, reshapeTo, sameShape, unitReshape, type Act } from './layout.js';
import type { ConstTensor, OnnxNode } from './parse.js';
import type { AttrValue } from '../../format/types.js';

type Handler = (cx: Lowering, node: OnnxNode) => void;

/** Emits a unary .wpal op on input 0, keeping its layout. */
export function unaryOp(cx: Lowering, node: OnnxNode, type: string, attrs: Record<string, AttrValue> = {}, input?: Act): Act {
  const a = input ?? cx.act(node, 0);
  return cx.setAct(node.outputs[0], cx.emit(node, type, [a.t], attrs), a.shape, a.perm);
}

const simple = (type: string): Handler => (cx, node) => void unaryOp(cx, node, type);

/** ONNX's per-example view of a constant operand: its dims without a leading batch axis of 1. */
function perExampleConst(cx: Lowering, node: OnnxNode, c: ConstTensor, actRank: number): ConstTensor {
  if (c.dims.length <= actRank) return c;
  const lead = c.dims.length - actRank;
  if (lead > 1 || c.dims[0] !== 1) cx.fail(node, `constant operand of shape [${c.dims}] would broadcast over the batch axis`);
  return { ...c, dims: c.dims.slice(1) };
}

/** A constant operand laid out like activation `a` (padded to its rank, transposed by its layout). */
function constLike(cx: Lowering, node: OnnxNode, c: ConstTensor, a: Act, outShape: number[]): number {
  const pe = perExampleConst(cx, node, c, a.shape.length);
  const r = outShape.length;
  const padded = { ...pe, dims: [...Array(r - pe.dims.length).fill(1), ...pe.dims] };
  const perm = a.perm.length === r ? a.perm : identity(r);
  const phys = transposeConst(padded, perm);
  // Named after the ONNX value it came from, so the report and `wpal inspect` can be matched to the .onnx file.
  const source = node.inputs.find((n) => cx.values.get(n) === c) ?? `${node.name}.const`;
  return cx.weight(source, phys.dims.length ? phys.dims : [1], cx.floats(phys));
}

/** Emits a binary .wpal op with broadcasting; either side may be a constant. */
export function binaryOp(cx: Lowering, node: OnnxNode, type: string, x: Value, y: Value, outName = node.outputs[0]): Act {
  if (!isAct(x) && !isAct(y)) cx.fail(node, 'both operands are constants (should have been folded)');
  const lead = isAct(x) ? x : (y as Act);
  const ranks = [x, y].map((v) => (isAct(v) ? v.shape.length : perExampleConst(cx, node, v, lead.shape.length).dims.length));
  const shapes = [x, y].map((v, i) => (isAct(v) ? v.shape : perExampleConst(cx, node, v, ranks[i]).dims));
  const out = broadcastShapes(shapes[0], shapes[1]);
  if (!out) cx.fail(node, `operand shapes [${shapes[0]}] and [${shapes[1]}] (per example) do not broadcast`);
  // The layout of the result: the activation whose shape is the result's (else the first one).
  const acts = [x, y].filter(isAct);
  const base = acts.find((a) => sameShape(a.shape, out)) ?? acts[0];
  const basePadded = base.shape.length === out.length ? base : unitReshape(cx.g, base, [...Array(out.length - base.shape.length).fill(1), ...base.shape], node.name)!;
  const operand = (v: Value): number => {
    if (!isAct(v)) return constLike(cx, node, v, basePadded, out);
    const padded = v.shape.length === out.length ? v : unitReshape(cx.g, v, [...Array(out.length - v.shape.length).fill(1), ...v.shape], node.name)!;
    return cx.physical(node, padded, basePadded.perm);
  };
  const t = cx.emit(node, type, [operand(x), operand(y)]);
  // A per-example scalar result (rank 0) may come back as [1] from a rank-1 constant: same bytes.
  const fixed = reshapeTo(cx.g, t, physicalShape({ shape: out, perm: basePadded.perm }), node.name);
  return cx.setAct(outName, fixed, out, basePadded.perm);
}

const binary = (type: string): Handler => (cx, node) => {
  const x = cx.value(node, 0)!;
  const y = cx.value(node, 1)!;
  if (type === 'Pow' && !isAct(y)) {
    const e = scalarValue(y);
    if (e === 2 && isAct(x)) return void binaryOp(cx, node, 'Mul', x, x);
    if (e === 0.5 && isAct(x)) return void unaryOp(cx, node, 'Sqrt', {}, x);
    if (e === 1 && isAct(x)) return void cx.set(node.outputs[0], x);
  }
  binaryOp(cx, node, type, x, y);
};

/** Max/Min/Sum/Mean over any number of operands, as a chain of binary ops. */
const variadic = (type: string): Handler => (cx, node) => {
  const vals = node.inputs.map((_, i) => cx.value(node, i)!).filter(Boolean);
  if (vals.length === 1) return void cx.set(node.outputs[0], vals[0]);
  let acc: Value = vals[0];
  vals.slice(1).forEach((v, k) => {
    acc = binaryOp(cx, node, type === 'Sum' || type === 'Mean' ? 'Add' : type, acc, v, k === vals.length - 2 && type !== 'Mean' ? node.outputs[0] : `${node.outputs[0]}#${k}`);
  });
  if (type === 'Mean') binaryOp(cx, node, 'Mul', acc, { dtype: 'float32', dims: [], data: Float32Array.of(1 / vals.length) });
};

function clip(cx: Lowering, node: OnnxNode): void {
  const x = cx.act(node, 0);
  let lo: Value | number | undefined;
  let hi: Value | number | undefined;
  if (cx.opset < 11) {
    lo = cx.attr<number>(node, 'min', -Infinity);
    hi = cx.attr<number>(node, 'max', Infinity);
  } else {
    lo = cx.value(node, 1);
    hi = cx.value(node, 2);
  }
  const asNumber = (v: Value | number | undefined, dflt: number) => (v === undefined ? dflt : typeof v === 'number' ? v : isAct(v) ? undefined : scalarValue(v));
  const min = asNumber(lo, -Infinity);
  const max = asNumber(hi, Infinity);
  if (min !== undefined && max !== undefined) {
    if (min === 0 && max === 6) return void unaryOp(cx, node, 'Relu6', {}, x);
    if (min === 0 && max === Infinity) return void unaryOp(cx, node, 'Relu', {}, x);
    return void unaryOp(cx, node, 'Clip', { min, max }, x);
  }
  // A bound computed from the input (e.g. max(x, x.max() - 80)): Max / Min with broadcasting.
  let acc: Value = x;
  const steps: ['Max' | 'Min', Value | number | undefined, number | undefined][] = [['Max', lo, min], ['Min', hi, max]];
  const active = steps.filter(([, v, n]) => v !== undefined && !(n === -Infinity || n === Infinity));
  active.forEach(([op, v, n], k) => {
    const operand: Value = n !== undefined ? { dtype: 'float32', dims: [], data: Float32Array.of(n) } : (v as Value);
    acc = binaryOp(cx, node, op, acc, operand, k === active.length - 1 ? node.outputs[0] : `${node.outputs[0]}#${op}`);
  });
  if (!active.length) cx.set(node.outputs[0], x);
}

function passThrough(cx: Lowering, node: OnnxNode): void {
  const v = cx.value(node, 0);
  if (!v) cx.fail(node, 'input 0 is required');
  if (node.opType === 'Cast' && isAct(v)) {
    const to = cx.attr<number>(node, 'to', 1);
    // float (1), float16 (10) and double (11) keep float32 activations; integer casts would change values.
    if (![1, 10, 11].includes(to)) cx.fail(node, `cast of an activation to ONNX type ${to} is not supported (activations are float32)`);
  }
  if (node.opType === 'Dropout' && node.outputs[1] && cx.consumers(node.outputs[1]).length) cx.fail(node, 'the Dropout mask output is used');
  cx.set(node.outputs[0], v);
}

function gelu(cx: Lowering, node: OnnxNode): void {
  const approx = cx.attr<string>(node, 'approximate', 'none');
  if (approx !== 'none') cx.fail(node, `Gelu approximate=${approx} is not supported (only the erf form)`);
  unaryOp(cx, node, 'Gelu');
}

function reciprocal(cx: Lowering, node: OnnxNode): void {
  binaryOp(cx, node, 'Div', { dtype: 'float32', dims: [], data: Float32Array.of(1) }, cx.act(node, 0));
}

export const ELTWISE_LOWERERS: Record<string, Handler> = {
  Relu: simple('Relu'),
  Sigmoid: simple('Sigmoid'),
  Tanh: simple('Tanh'),
  Sqrt: simple('Sqrt'),
  Log: simple('Log'),
  Exp: simple('Exp'),
  Neg: simple('Neg'),
  Abs: simple('Abs'),
  HardSwish: simple('HardSwish'),
  LeakyRelu: (cx, node) => void unaryOp(cx, node, 'LeakyRelu', { alpha: cx.attr<number>(node, 'alpha', 0.01) }),
  HardSigmoid: (cx, node) => void unaryOp(cx, node, 'HardSigmoid', { alpha: cx.attr<number>(node, 'alpha', 0.2), beta: cx.attr<number>(node, 'beta', 0.5) }),
  Gelu: gelu,
  Clip: clip,
  Reciprocal: reciprocal,
  Identity: passThrough,
  Dropout: passThrough,
  Cast: passThrough,
  Add: binary('Add'),
  Sub: binary('Sub'),
  Mul: binary('Mul'),
  Div: binary('Div'),
  Pow: binary('Pow'),
  Max: variadic('Max'),
  Min: variadic('Min'),
  Sum: variadic('Sum'),
  Mean: variadic('Mean'),
};
