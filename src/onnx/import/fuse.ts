/**
 * Patterns exporters write out op by op, lowered as one .wpal op: LayerNorm (ReduceMean, Sub,
 * Pow, ReduceMean, Add, Sqrt, Div [, Mul] [, Add]), erf GELU (x * 0.5 * (1 + erf(x / sqrt 2)) in
 * its usual orders), and HardSwish / HardSigmoid written as Add 3, Clip 0..6, Div 6 [, Mul x].
 * A matcher starts at the pattern's first distinctive node, follows sole readers forward, marks
 * the nodes it swallowed as lowered and sets the last one's output. Nodes before the start that
 * were already lowered (e.g. the x / sqrt 2) become dead and are pruned.
 */
import { isAct, type Lowering } from './context.js';
import { scalarValue, ints } from './fold.js';
import { layerNorm } from './lower-linear.js';
import { unaryOp } from './lower-eltwise.js';
import type { ConstTensor, OnnxNode } from './parse.js';

const near = (a: number | undefined, b: number, tol = 1e-4) => a !== undefined && Math.abs(a - b) <= tol * Math.abs(b);

function constScalar(cx: Lowering, name: string): number | undefined {
  const v = cx.values.get(name);
  return v && !isAct(v) ? scalarValue(v) : undefined;
}

/** The input of a binary node other than `name`. */
const other = (n: OnnxNode, name: string) => (n.inputs[0] === name ? n.inputs[1] : n.inputs[0]);

function next(cx: Lowering, name: string, type: string): OnnxNode | undefined {
  const n = cx.soleConsumer(name);
  return n && n.opType === type ? n : undefined;
}

function reduceAxes(cx: Lowering, n: OnnxNode): number[] | undefined {
  if (cx.attr<number>(n, 'keepdims', 1) !== 1) return undefined;
  if (cx.opset >= 18) {
    const v = n.inputs[1] ? cx.values.get(n.inputs[1]) : undefined;
    return v && !isAct(v) ? ints(v) : undefined;
  }
  return cx.attr<number[] | undefined>(n, 'axes', undefined);
}

function vector(cx: Lowering, name: string, d: number): Float32Array | undefined {
  const v = cx.values.get(name);
  if (!v || isAct(v)) return undefined;
  const c = v as ConstTensor;
  if (c.data.length === d && c.dims[c.dims.length - 1] === d) return cx.floats(c);
  if (c.data.length === 1) return new Float32Array(d).fill(c.data[0]);
  return undefined;
}

function fuseLayerNorm(cx: Lowering, r1: OnnxNode): boolean {
  const x = cx.values.get(r1.inputs[0]);
  if (!isAct(x)) return false;
  const rank = x.shape.length + 1;
  const axes = reduceAxes(cx, r1);
  if (!axes || axes.length !== 1 || (axes[0] < 0 ? axes[0] + rank : axes[0]) !== rank - 1) return false;
  const sub = next(cx, r1.outputs[0], 'Sub');
  if (!sub || sub.inputs[0] !== r1.inputs[0] || sub.inputs[1] !== r1.outputs[0]) return false;
  const readers = cx.consumers(sub.outputs[0]);
  if (readers.length !== 2) return false;
  const sq = readers.find((n) => (n.opType === 'Pow' && n.inputs[0] === sub.outputs[0] && constScalar(cx, n.inputs[1]) === 2) || (n.opType === 'Mul' && n.inputs[0] === sub.outputs[0] && n.inputs[1] === sub.outputs[0]));
  const div = readers.find((n) => n.opType === 'Div' && n.inputs[0] === sub.outputs[0]);
  if (!sq || !div) return false;
  const r2 = next(cx, sq.outputs[0], 'ReduceMean');
  const a2 = reduceAxes(cx, r2 ?? r1);
  if (!r2 || !a2 || a2.length !== 1 || (a2[0] < 0 ? a2[0] + rank : a2[0]) !== rank - 1) return false;
  const add = next(cx, r2.outputs[0], 'Add');
  const eps = add && constScalar(cx, other(add, r2.outputs[0]));
  if (!add || eps === undefined || !(eps > 0)) return false;
  const sqrt = next(cx, add.outputs[0], 'Sqrt');
  if (!sqrt || cx.soleConsumer(sqrt.outputs[0]) !== div || div.inputs[1] !== sqrt.outputs[0]) return false;
  const d = x.shape[x.shape.length - 1];
  const nodes = [r1, sub, sq, r2, add, sqrt, div];
  let out = div.outputs[0];
  let gamma: Float32Array = new Float32Array(d).fill(1);
  let beta: Float32Array | undefined;
  let gName = '';
  let bName = '';
  const mul = next(cx, out, 'Mul');
  const g = mul && vector(cx, other(mul, out), d);
  if (mul && g) {
    gamma = g;
    gName = other(mul, out);
    out = mul.outputs[0];
    nodes.push(mul);
  }
  const plus = next(cx, out, 'Add');
  const b = plus && vector(cx, other(plus, out), d);
  if (plus && b) {
    beta = b;
    bName = other(plus, out);
    out = plus.outputs[0];
    nodes.push(plus);
  }
  for (const n of nodes) cx.consumed.add(n.index);
  layerNorm(cx, r1, x, gamma, beta, eps, out, gName, bName);
  cx.notes.push(`LayerNorm fused from ${nodes.length} nodes starting at ${JSON.stringify(r1.name)}`);
  return true;
}

/** Starts at the x / sqrt(2) (or x * 1/sqrt(2)) that feeds the Erf, so nothing of the pattern is lowered on its own. */
function fuseGelu(cx: Lowering, scaleNode: OnnxNode): boolean {
  const erf = next(cx, scaleNode.outputs[0], 'Erf');
  if (!erf) return false;
  const c = constScalar(cx, scaleNode.inputs[1]);
  if (!((scaleNode.opType === 'Div' && near(c, Math.SQRT2)) || (scaleNode.opType === 'Mul' && near(c, Math.SQRT1_2)))) return false;
  const xName = scaleNode.inputs[0];
  const x = cx.values.get(xName);
  if (!isAct(x)) return false;
  const plus = next(cx, erf.outputs[0], 'Add');
  if (!plus || constScalar(cx, other(plus, erf.outputs[0])) !== 1) return false;
  const m1 = next(cx, plus.outputs[0], 'Mul');
  if (!m1) return false;
  const m1other = other(m1, plus.outputs[0]);
  const half = (n: OnnxNode | undefined, a: string) => n && n.opType === 'Mul' && n.inputs.includes(a) && near(constScalar(cx, other(n, a)), 0.5);
  let out: string | undefined;
  const nodes = [scaleNode, erf, plus, m1];
  const producerOf = (name: string) => cx.graph.nodes.find((n) => n.outputs.includes(name));
  if (m1other === xName) {
    const m2 = next(cx, m1.outputs[0], 'Mul');
    if (half(m2, m1.outputs[0])) (out = m2!.outputs[0]), nodes.push(m2!);
  } else if (half(producerOf(m1other), xName)) {
    out = m1.outputs[0];
  } else if (near(constScalar(cx, m1other), 0.5)) {
    const m2 = next(cx, m1.outputs[0], 'Mul');
    if (m2 && other(m2, m1.outputs[0]) === xName) (out = m2.outputs[0]), nodes.push(m2);
  }
  if (!out) return false;
  for (const n of nodes) cx.consumed.add(n.index);
  cx.set(out, unaryOp(cx, erf, 'Gelu', {}, x));
  cx.notes.push(`GELU fused from ${nodes.length} nodes at ${JSON.stringify(erf.name)}`);
  return true;
}

/** x + 3 -> Clip(0, 6) -> / 6 (or * 1/6) [-> * x]: HardSigmoid(1/6, 0.5) or HardSwish. */
function fuseHardSwish(cx: Lowering, add: OnnxNode): boolean {
  const xName = add.inputs.find((n) => isAct(cx.values.get(n)));
  if (!xName || constScalar(cx, other(add, xName)) !== 3) return false;
  const x = cx.values.get(xName);
  if (!isAct(x)) return false;
  const clip = next(cx, add.outputs[0], 'Clip');
  if (!clip) return false;
  const lo = cx.opset >= 11 ? (clip.inputs[1] ? constScalar(cx, clip.inputs[1]) : undefined) : cx.attr<number>(clip, 'min', -Infinity);
  const hi = cx.opset >= 11 ? (clip.inputs[2] ? constScalar(cx, clip.inputs[2]) : undefined) : cx.attr<number>(clip, 'max', Infinity);
  if (lo !== 0 || hi !== 6) return false;
  const isSixth = (n: OnnxNode | undefined, a: string) =>
    n && ((n.opType === 'Div' && n.inputs[0] === a && constScalar(cx, n.inputs[1]) === 6) || (n.opType === 'Mul' && near(constScalar(cx, other(n, a)), 1 / 6, 1e-6)));
  const after = cx.soleConsumer(clip.outputs[0]);
  const nodes = [add, clip];
  let type: 'HardSwish' | 'HardSigmoid';
  let out: string;
  if (isSixth(after, clip.outputs[0])) {
    nodes.push(after!);
    const mul = next(cx, after!.outputs[0], 'Mul');
    if (mul && other(mul, after!.outputs[0]) === xName) (type = 'HardSwish'), (out = mul.outputs[0]), nodes.push(mul);
    else (type = 'HardSigmoid'), (out = after!.outputs[0]);
  } else if (after && after.opType === 'Mul' && other(after, clip.outputs[0]) === xName) {
    const six = cx.soleConsumer(after.outputs[0]);
    if (!isSixth(six, after.outputs[0])) return false;
    nodes.push(after, six!);
    type = 'HardSwish';
    out = six!.outputs[0];
  } else return false;
  for (const n of nodes) cx.consumed.add(n.index);
  cx.set(out, unaryOp(cx, add, type, type === 'HardSigmoid' ? { alpha: 1 / 6, beta: 0.5 } : {}, x));
  cx.notes.push(`${type} fused at ${JSON.stringify(add.name)}`);
  return true;
}

type Fusion = (cx: Lowering, node: OnnxNode) => boolean;

/** Fusions tried before the plain lowering of a node, by op type of the pattern's first node. */
export const FUSIONS: Record<string, readonly Fusion[]> = {
  ReduceMean: [fuseLayerNorm],
  Div: [fuseGelu],
  Mul: [fuseGelu],
  Add: [fuseHardSwish],
};
