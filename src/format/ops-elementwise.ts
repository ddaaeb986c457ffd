/**
 * Op schemas of format 1.1 for the ONNX importer: weightless unary ops, binary ops with NumPy
 * broadcasting (Add and Mul extended from 1.0) and reductions. Shapes are per example (no batch
 * dimension); the batch axis is never broadcast against a constant and never reduced.
 *
 * - Unary (x -> same shape): LeakyRelu {alpha = 0.01}, HardSigmoid {alpha = 0.2, beta = 0.5}
 *   = max(0, min(1, alpha x + beta)), HardSwish = x max(0, min(1, x/6 + 1/2)) (ONNX opset 14),
 *   Clip {min = -inf, max = +inf} = min(max(x, min), max) (min > max gives max everywhere), Sqrt,
 *   Log, Exp, Neg, Abs. Float attributes are stored as float32 and must not be NaN (alpha and beta
 *   also finite).
 * - Binary (Add, Sub, Mul, Div, Max, Min, Pow): a and b are each an activation or a constant weight
 *   stored dense float32 (not palettized, not block-sparse); at least one is an activation. The
 *   per-example shapes broadcast NumPy-style (right-aligned; a dimension of 1 stretches); a constant
 *   is the same for every example. Output: the broadcast shape. Two activations of one shape is the
 *   1.0 meaning of Add and Mul. Pow is C / ONNX pow; Max and Min propagate NaN.
 * - ReduceMean, ReduceMax {axes = [] (every per-example axis), keepdims = 1}: axes count the
 *   per-example axes (negative from the end), each at most once. keepdims 1 keeps a reduced axis
 *   as 1, keepdims 0 drops it (reducing every axis with keepdims 0 gives the rank-0 shape []).
 *
 * The schemas take ops.ts's `fail` (which raises the ShapeError that checkOp turns into a
 * WpalFormatError naming the op), so this module needs nothing from ops.ts at run time.
 */
import type { AttrValue } from './types.js';
import type { InputSchema, OperandInfo, OpSchema } from './op-schema.js';
import { isPlainFloat32 } from './layout-walk.js';

type Fail = (msg: string) => never;
type Attrs = Readonly<Record<string, AttrValue>>;

const fmt = (s: readonly number[]) => `[${s.join(', ')}]`;
const X: InputSchema = { name: 'x', constant: false, optional: false };

/** The op types this module defines (Add and Mul replace their 1.0 same-shape schemas). */
export const UNARY_OPS_1_1 = ['LeakyRelu', 'HardSigmoid', 'HardSwish', 'Clip', 'Sqrt', 'Log', 'Exp', 'Neg', 'Abs'] as const;
export const BINARY_OPS_1_1 = ['Add', 'Sub', 'Mul', 'Div', 'Max', 'Min', 'Pow'] as const;
export const REDUCE_OPS_1_1 = ['ReduceMean', 'ReduceMax'] as const;

/** NumPy broadcast of two per-example shapes, or undefined when they do not broadcast. */
export function broadcastShape(sa: readonly number[], sb: readonly number[]): number[] | undefined {
  const r = Math.max(sa.length, sb.length);
  const out: number[] = [];
  for (let k = 0; k < r; k++) {
    const da = k < r - sa.length ? 1 : sa[k - (r - sa.length)];
    const db = k < r - sb.length ? 1 : sb[k - (r - sb.length)];
    if (da !== db && da !== 1 && db !== 1) return undefined;
    out.push(Math.max(da, db));
  }
  return out;
}

/**
 * The reduced axes of a rank-`rank` input, normalized (0..rank-1, ascending); [] = every axis.
 * Returns a message instead when an axis is out of range or repeated.
 */
export function reduceAxes(axes: readonly number[], rank: number): number[] | string {
  if (axes.length === 0) return Array.from({ length: rank }, (_, i) => i);
  const out: number[] = [];
  for (const a of axes) {
    if (!(a >= -rank && a < rank)) {
      return `axis ${a} is out of range for a rank-${rank} input (axes count the per-example axes; the batch axis is never reduced)`;
    }
    const n = a < 0 ? a + rank : a;
    if (out.includes(n)) return `axes ${fmt(axes)} name axis ${n} twice`;
    out.push(n);
  }
  return out.sort((p, q) => p - q);
}

export function elementwiseOps(fail: Fail): OpSchema[] {
  const float = (attrs: Attrs, name: string, finite: boolean): void => {
    const v = attrs[name] as number;
    if (finite ? !Number.isFinite(v) : Number.isNaN(v)) fail(`${name} must be ${finite ? 'finite' : 'a number, not NaN'}, got ${v}`);
  };

  const unary = (type: string, attrs: OpSchema['attrs'] = [], check?: (a: Attrs) => void): OpSchema => ({
    type,
    inputs: [X],
    numOutputs: 1,
    attrs,
    infer: ([x], a) => {
      check?.(a);
      return [[...x!.shape]];
    },
  });

  const constantOperand = (o: OperandInfo, name: string): void => {
    if (o.weight && !isPlainFloat32(o.weight)) {
      fail(`a constant ${name} must be stored dense float32 (not float16, palettized or block-sparse)`);
    }
  };

  const binary = (type: string): OpSchema => ({
    type,
    inputs: [
      { name: 'a', constant: 'either', optional: false },
      { name: 'b', constant: 'either', optional: false },
    ],
    numOutputs: 1,
    attrs: [],
    infer: ([a, b]) => {
      if (a!.weight && b!.weight) fail('at least one input must be an activation (both are constant weights)');
      constantOperand(a!, 'a');
      constantOperand(b!, 'b');
      const out = broadcastShape(a!.shape, b!.shape);
      if (!out) {
        fail(`inputs ${fmt(a!.shape)} and ${fmt(b!.shape)} do not broadcast (per-example shapes, right-aligned: each dimension equal or 1)`);
      }
      return [out!];
    },
  });

  const reduce = (type: string): OpSchema => ({
    type,
    inputs: [X],
    numOutputs: 1,
    attrs: [
      { name: 'axes', kind: 'ints', required: false, default: [] },
      { name: 'keepdims', kind: 'int', required: false, default: 1, allowed: [0, 1] },
    ],
    infer: ([x], attrs) => {
      const xs = x!.shape;
      const axes = reduceAxes(attrs.axes as number[], xs.length);
      if (typeof axes === 'string') return fail(axes);
      if (attrs.keepdims === 1) return [xs.map((d, i) => (axes.includes(i) ? 1 : d))];
      return [xs.filter((_, i) => !axes.includes(i))];
    },
  });

  return [
    unary('LeakyRelu', [{ name: 'alpha', kind: 'float', required: false, default: 0.01 }], (a) => float(a, 'alpha', true)),
    unary(
      'HardSigmoid',
      [
        { name: 'alpha', kind: 'float', required: false, default: 0.2 },
        { name: 'beta', kind: 'float', required: false, default: 0.5 },
      ],
      (a) => {
        float(a, 'alpha', true);
        float(a, 'beta', true);
      },
    ),
    unary('HardSwish'),
    unary(
      'Clip',
      [
        { name: 'min', kind: 'float', required: false, default: -Infinity },
        { name: 'max', kind: 'float', required: false, default: Infinity },
      ],
      (a) => {
        float(a, 'min', false);
        float(a, 'max', false);
      },
    ),
    ...['Sqrt', 'Log', 'Exp', 'Neg', 'Abs'].map((t) => unary(t)),
    ...BINARY_OPS_1_1.map(binary),
    ...REDUCE_OPS_1_1.map(reduce),
  ];
}
