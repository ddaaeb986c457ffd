/**
 * The op registry of format 1.x: for each op type, its inputs (and which must be constant weights),
 * output count, attributes and shape inference. Shapes are per example (no batch dimension). The
 * reader validates files with it, the writer infers output shapes with it, and the runtime can call
 * `inferShapes` / `opSchema` to plan its arena.
 */
import { WpalFormatError, WpalUnsupportedOpError } from './errors.js';
import { ShapeError, checkDenseParam, count, fail, fmt, pads4, pair } from './shape-check.js';
import { SPATIAL_OPS } from './ops-spatial.js';
import { elementwiseOps } from './ops-elementwise.js';
import type { AttrValue, ModelInfo } from './types.js';
import type { AttrSchema, InputSchema, OperandInfo, OpSchema } from './op-schema.js';
import { ELEMENTS, type ElementName } from './elements.js';
import { isPlainFloat32 } from './layout-walk.js';

/** int8 = 1 (FullyConnected, Conv2D) needs palette entries an int8 kernel reads in place. */
function int8Entries(w: OperandInfo): boolean {
  const entries = w.weight?.palettized?.entryType;
  return entries !== undefined && ELEMENTS[entries as ElementName].kernelEntry === 'i8';
}

export type { AttrKind, AttrSchema, InputSchema, OperandInfo, OpSchema } from './op-schema.js';

const X: InputSchema = { name: 'x', constant: false, optional: false };

function unary(type: string): OpSchema {
  return { type, inputs: [X], numOutputs: 1, attrs: [], infer: ([x]) => [[...x!.shape]] };
}

const FULLY_CONNECTED: OpSchema = {
  type: 'FullyConnected',
  inputs: [X, { name: 'weight', constant: true, optional: false }, { name: 'bias', constant: true, optional: true }],
  numOutputs: 1,
  attrs: [{ name: 'int8', kind: 'int', required: false, default: 0, allowed: [0, 1] }],
  infer: ([x, w, b], attrs) => {
    const xs = x!.shape;
    const ws = w!.shape;
    if (ws.length !== 2) fail(`weight must be [N, K], got ${fmt(ws)}`);
    const [n, k] = ws;
    if (xs.length < 1 || xs[xs.length - 1] !== k) fail(`input ${fmt(xs)} does not end in K = ${k} (weight ${fmt(ws)})`);
    if (b) {
      if (b.shape.length !== 1 || b.shape[0] !== n) fail(`bias must be [${n}], got ${fmt(b.shape)}`);
      if (!b.weight || !isPlainFloat32(b.weight)) fail('bias must be stored dense float32, not sparse');
    }
    if (attrs.int8 === 1 && !int8Entries(w!)) fail('int8 = 1 needs a palettized weight with int8 palette entries');
    return [[...xs.slice(0, -1), n]];
  },
};

const SOFTMAX: OpSchema = {
  type: 'Softmax',
  inputs: [X],
  numOutputs: 1,
  attrs: [{ name: 'axis', kind: 'int', required: false, default: -1, allowed: [-1] }],
  infer: ([x]) => {
    if (x!.shape.length < 1) fail('input must have rank >= 1');
    return [[...x!.shape]];
  },
};

const RESHAPE: OpSchema = {
  type: 'Reshape',
  inputs: [X],
  numOutputs: 1,
  attrs: [{ name: 'shape', kind: 'ints', required: true }],
  infer: ([x], attrs) => {
    const target = attrs.shape as number[];
    if (target.length > MAX_RANK) fail(`shape has rank ${target.length} > ${MAX_RANK}`);
    let free = -1;
    let known = 1;
    target.forEach((d, i) => {
      if (d === -1) {
        if (free >= 0) fail(`shape ${fmt(target)} has more than one -1`);
        free = i;
      } else if (!(Number.isInteger(d) && d >= 1)) fail(`shape ${fmt(target)}: dimensions must be positive or one -1`);
      else known *= d;
    });
    const n = count(x!.shape);
    const out = [...target];
    if (free >= 0) {
      if (n % known !== 0) fail(`cannot reshape ${fmt(x!.shape)} (${n} elements) to ${fmt(target)}`);
      out[free] = n / known;
    } else if (known !== n) fail(`cannot reshape ${fmt(x!.shape)} (${n} elements) to ${fmt(target)} (${known} elements)`);
    return [out];
  },
};

/** Largest tensor rank the format allows. */
export const MAX_RANK = 8;

// ---------------------------------------------------------------------------------------------
// Convolution, pooling, normalization, layout and attention ops. Image activations are NHWC: a
// per-example image tensor is [H, W, C] (the conv/pool kernels of assembly/kernels/conv2d keep
// channels innermost, in SIMD lanes). Conv weights are [O, kh, kw, C/groups], so their [rows, cols]
// view is [O, kh*kw*C/groups] and palettes/blocks work per output channel exactly as for
// FullyConnected.

/** Output size along one axis: floor((in + p0 + p1 - d*(k-1) - 1) / s) + 1. */
export function convOutDim(size: number, k: number, stride: number, p0: number, p1: number, dilation = 1): number {
  return Math.floor((size + p0 + p1 - dilation * (k - 1) - 1) / stride) + 1;
}

/** Spatial output [OH, OW] of a window op over an [H, W, C] input. */
function windowOut(xs: readonly number[], k: [number, number], s: [number, number], p: [number, number, number, number], d: [number, number]): [number, number] {
  if (xs.length !== 3) fail(`input must be [H, W, C] (NHWC per example), got ${fmt(xs)}`);
  const [h, w] = xs;
  const oh = convOutDim(h, k[0], s[0], p[0], p[2], d[0]);
  const ow = convOutDim(w, k[1], s[1], p[1], p[3], d[1]);
  if (oh < 1 || ow < 1) fail(`window ${k[0]}x${k[1]} (dilation ${d[0]}x${d[1]}) does not fit the padded input ${fmt(xs)} (pads ${fmt(p)})`);
  if (p[0] >= (k[0] - 1) * d[0] + 1 || p[2] >= (k[0] - 1) * d[0] + 1 || p[1] >= (k[1] - 1) * d[1] + 1 || p[3] >= (k[1] - 1) * d[1] + 1) {
    fail(`pads ${fmt(p)} must be smaller than the window extent`);
  }
  return [oh, ow];
}

const WINDOW_ATTRS: readonly AttrSchema[] = [
  { name: 'strides', kind: 'ints', required: false, default: [1, 1] },
  { name: 'pads', kind: 'ints', required: false, default: [0, 0, 0, 0] },
];

const CONV2D: OpSchema = {
  type: 'Conv2D',
  inputs: [X, { name: 'weight', constant: true, optional: false }, { name: 'bias', constant: true, optional: true }],
  numOutputs: 1,
  attrs: [
    ...WINDOW_ATTRS,
    { name: 'dilations', kind: 'ints', required: false, default: [1, 1] },
    { name: 'groups', kind: 'int', required: false, default: 1 },
    // int8 = 1: compute on int8 activations (quantized per output pixel inside the kernel) where an
    // int8 conv kernel exists (not depthwise: those run on the exact path with the same weights).
    { name: 'int8', kind: 'int', required: false, default: 0, allowed: [0, 1] },
  ],
  infer: ([x, w, b], attrs) => {
    const ws = w!.shape;
    if (ws.length !== 4) fail(`weight must be [O, kh, kw, C/groups], got ${fmt(ws)}`);
    const [o, kh, kw, cg] = ws;
    const groups = attrs.groups as number;
    const xs = x!.shape;
    if (xs.length !== 3) fail(`input must be [H, W, C] (NHWC per example), got ${fmt(xs)}`);
    const c = xs[2];
    if (!(groups >= 1) || c % groups !== 0 || o % groups !== 0) fail(`groups = ${groups} must divide C = ${c} and O = ${o}`);
    if (cg !== c / groups) fail(`weight ${fmt(ws)} needs C/groups = ${c / groups} in its last dimension (input ${fmt(xs)}, groups ${groups})`);
    if (b) checkDenseParam(b, o, 'bias');
    if (attrs.int8 === 1 && !int8Entries(w!)) fail('int8 = 1 needs a palettized weight with int8 palette entries');
    const [oh, ow] = windowOut(xs, [kh, kw], pair(attrs, 'strides', 1), pads4(attrs), pair(attrs, 'dilations', 1));
    return [[oh, ow, o]];
  },
};

function pool(type: 'MaxPool' | 'AvgPool'): OpSchema {
  return {
    type,
    inputs: [X],
    numOutputs: 1,
    attrs: [{ name: 'kernel', kind: 'ints', required: true }, ...WINDOW_ATTRS],
    infer: ([x], attrs) => {
      const [oh, ow] = windowOut(x!.shape, pair(attrs, 'kernel', 1), pair(attrs, 'strides', 1), pads4(attrs), [1, 1]);
      return [[oh, ow, x!.shape[2]]];
    },
  };
}

const GLOBAL_AVERAGE_POOL: OpSchema = {
  type: 'GlobalAveragePool',
  inputs: [X],
  numOutputs: 1,
  attrs: [],
  infer: ([x]) => {
    if (x!.shape.length !== 3) fail(`input must be [H, W, C] (NHWC per example), got ${fmt(x!.shape)}`);
    return [[1, 1, x!.shape[2]]];
  },
};

const BATCH_NORMALIZATION: OpSchema = {
  type: 'BatchNormalization',
  inputs: [
    X,
    { name: 'scale', constant: true, optional: false },
    { name: 'bias', constant: true, optional: false },
    { name: 'mean', constant: true, optional: false },
    { name: 'var', constant: true, optional: false },
  ],
  numOutputs: 1,
  attrs: [{ name: 'epsilon', kind: 'float', required: false, default: 1e-5 }],
  infer: ([x, ...params], attrs) => {
    const xs = x!.shape;
    if (xs.length < 1) fail('input must have rank >= 1 (channels last)');
    const c = xs[xs.length - 1];
    ['scale', 'bias', 'mean', 'var'].forEach((n, i) => checkDenseParam(params[i]!, c, n));
    if (!((attrs.epsilon as number) > 0)) fail(`epsilon must be > 0, got ${String(attrs.epsilon)}`);
    return [[...xs]];
  },
};

const LAYER_NORM: OpSchema = {
  type: 'LayerNorm',
  inputs: [X, { name: 'gamma', constant: true, optional: false }, { name: 'beta', constant: true, optional: true }],
  numOutputs: 1,
  attrs: [{ name: 'epsilon', kind: 'float', required: false, default: 1e-5 }],
  infer: ([x, g, b], attrs) => {
    const xs = x!.shape;
    if (xs.length < 1) fail('input must have rank >= 1');
    const d = xs[xs.length - 1];
    checkDenseParam(g!, d, 'gamma');
    if (b) checkDenseParam(b, d, 'beta');
    if (!((attrs.epsilon as number) > 0)) fail(`epsilon must be > 0, got ${String(attrs.epsilon)}`);
    return [[...xs]];
  },
};

function normAxis(axis: number, rank: number): number {
  if (!(axis >= -rank && axis < rank)) fail(`axis ${axis} is out of range for rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

const CONCAT: OpSchema = {
  type: 'Concat',
  inputs: [
    { name: 'a', constant: false, optional: false },
    { name: 'b', constant: false, optional: false },
  ],
  variadic: true,
  numOutputs: 1,
  attrs: [{ name: 'axis', kind: 'int', required: true }],
  infer: (xs, attrs) => {
    const first = xs[0]!.shape;
    const axis = normAxis(attrs.axis as number, first.length);
    const out = [...first];
    for (const o of xs.slice(1)) {
      const s = o!.shape;
      if (s.length !== first.length || s.some((d, i) => i !== axis && d !== first[i])) {
        fail(`inputs must agree on every dimension but axis ${axis}, got ${fmt(first)} and ${fmt(s)}`);
      }
      out[axis] += s[axis];
    }
    return [out];
  },
};

const FLATTEN: OpSchema = {
  type: 'Flatten',
  inputs: [X],
  numOutputs: 1,
  attrs: [],
  infer: ([x]) => [[count(x!.shape)]],
};

const TRANSPOSE: OpSchema = {
  type: 'Transpose',
  inputs: [X],
  numOutputs: 1,
  attrs: [{ name: 'perm', kind: 'ints', required: true }],
  infer: ([x], attrs) => {
    const xs = x!.shape;
    const perm = attrs.perm as number[];
    const sorted = [...perm].sort((a, b) => a - b);
    if (perm.length !== xs.length || sorted.some((p, i) => p !== i)) fail(`perm ${fmt(perm)} is not a permutation of the ${xs.length} per-example axes of ${fmt(xs)}`);
    return [perm.map((p) => xs[p])];
  },
};

const MATMUL: OpSchema = {
  type: 'MatMul',
  inputs: [
    { name: 'a', constant: false, optional: false },
    { name: 'b', constant: false, optional: false },
  ],
  numOutputs: 1,
  attrs: [
    { name: 'transpose_b', kind: 'int', required: false, default: 0, allowed: [0, 1] },
    { name: 'alpha', kind: 'float', required: false, default: 1 },
  ],
  infer: ([a, b], attrs) => {
    const sa = a!.shape;
    const sb = b!.shape;
    if (sa.length < 2 || sb.length !== sa.length) fail(`inputs must have the same rank >= 2, got ${fmt(sa)} and ${fmt(sb)}`);
    const r = sa.length;
    if (sa.slice(0, r - 2).some((d, i) => d !== sb[i])) fail(`leading (batched) dimensions differ: ${fmt(sa)} and ${fmt(sb)}`);
    const tb = attrs.transpose_b === 1;
    const [kb, n] = tb ? [sb[r - 1], sb[r - 2]] : [sb[r - 2], sb[r - 1]];
    if (sa[r - 1] !== kb) fail(`inner dimensions differ: ${fmt(sa)} x ${fmt(sb)}${tb ? ' (transpose_b)' : ''}`);
    if (!Number.isFinite(attrs.alpha as number)) fail('alpha must be finite');
    return [[...sa.slice(0, r - 1), n]];
  },
};

const EMBEDDING: OpSchema = {
  type: 'Embedding',
  inputs: [
    { name: 'ids', constant: false, optional: false, dtype: 'int32' },
    { name: 'table', constant: true, optional: false },
  ],
  numOutputs: 1,
  attrs: [],
  infer: ([ids, table]) => {
    const ts = table!.shape;
    if (ts.length !== 2) fail(`table must be [vocab, dim], got ${fmt(ts)}`);
    if (ids!.shape.length + 1 > MAX_RANK) fail(`ids rank ${ids!.shape.length} is too large`);
    return [[...ids!.shape, ts[1]]];
  },
};

const REGISTRY = new Map<string, OpSchema>(
  [
    FULLY_CONNECTED,
    ...['Relu', 'Relu6', 'Sigmoid', 'Tanh', 'Gelu', 'Silu'].map(unary),
    SOFTMAX,
    RESHAPE,
    CONV2D,
    pool('MaxPool'),
    pool('AvgPool'),
    GLOBAL_AVERAGE_POOL,
    BATCH_NORMALIZATION,
    CONCAT,
    FLATTEN,
    TRANSPOSE,
    LAYER_NORM,
    MATMUL,
    EMBEDDING,
    ...SPATIAL_OPS, // format 1.1: Slice, Resize, ConvTranspose (ops-spatial.ts)
    ...elementwiseOps(fail), // format 1.1: unary, broadcasting binary (Add, Mul, ...), reductions
  ].map((s) => [s.type, s]),
);

/** Op types of the current format (1.0's and the additions of later minors, schemas/CHANGELOG.md). */
export const OP_TYPES: readonly string[] = Object.freeze([...REGISTRY.keys()]);

/** The schema of an op type, or undefined if the type is unknown. */
export function opSchema(type: string): OpSchema | undefined {
  return REGISTRY.get(type);
}

function opLabel(index: number, type: string): string {
  return `op ${index} (${type})`;
}

/**
 * Checks an attribute set against the op's schema and fills defaults. `given` holds only the
 * attributes present; values must already have the JS type of their kind.
 */
export function resolveAttrs(type: string, opIndex: number, given: Readonly<Record<string, AttrValue>>): Record<string, AttrValue> {
  const schema = requireSchema(type, opIndex);
  const where = opLabel(opIndex, type);
  const out: Record<string, AttrValue> = {};
  for (const name of Object.keys(given)) {
    if (!schema.attrs.some((a) => a.name === name)) {
      throw new WpalFormatError(`${where}: unknown attribute ${JSON.stringify(name)} (known: ${schema.attrs.map((a) => a.name).join(', ') || 'none'})`);
    }
  }
  for (const a of schema.attrs) {
    const v = Object.prototype.hasOwnProperty.call(given, a.name) ? given[a.name] : undefined;
    if (v === undefined) {
      if (a.required) throw new WpalFormatError(`${where}: missing required attribute ${JSON.stringify(a.name)}`);
      out[a.name] = Array.isArray(a.default) ? ([...a.default] as AttrValue) : a.default!;
      continue;
    }
    const ok =
      a.kind === 'int' ? Number.isSafeInteger(v) :
      a.kind === 'float' ? typeof v === 'number' :
      a.kind === 'string' ? typeof v === 'string' :
      a.kind === 'ints' ? Array.isArray(v) && v.every((e) => Number.isSafeInteger(e)) :
      Array.isArray(v) && v.every((e) => typeof e === 'number');
    if (!ok) throw new WpalFormatError(`${where}: attribute ${a.name} must be of kind ${a.kind}, got ${String(v)}`);
    if (a.allowed && !a.allowed.includes(v as number | string)) {
      throw new WpalFormatError(`${where}: attribute ${a.name} = ${String(v)} is not allowed (allowed: ${a.allowed.join(', ')})`);
    }
    out[a.name] = Array.isArray(v) ? ([...v] as AttrValue) : v;
  }
  return out;
}

function requireSchema(type: string, opIndex: number): OpSchema {
  const s = REGISTRY.get(type);
  if (!s) throw new WpalUnsupportedOpError(type, opIndex, OP_TYPES);
  return s;
}

/**
 * Checks one op: input count, constant-ness, dtypes, and returns the inferred output shapes.
 * `operands[i]` is undefined for an optional input left out. `attrs` must come from resolveAttrs.
 */
export function checkOp(
  type: string,
  opIndex: number,
  operands: readonly (OperandInfo | undefined)[],
  attrs: Readonly<Record<string, AttrValue>>,
): number[][] {
  const schema = requireSchema(type, opIndex);
  const where = opLabel(opIndex, type);
  const required = schema.inputs.filter((i) => !i.optional).length;
  if (operands.length < required || (!schema.variadic && operands.length > schema.inputs.length)) {
    const expected = schema.variadic ? `at least ${required}` : required === schema.inputs.length ? required : `${required}..${schema.inputs.length}`;
    throw new WpalFormatError(`${where}: has ${operands.length} inputs, expected ${expected}`);
  }
  operands.forEach((o, i) => {
    const spec = schema.inputs[Math.min(i, schema.inputs.length - 1)];
    if (!o) {
      if (!spec.optional) throw new WpalFormatError(`${where}: input ${i} (${spec.name}) is required`);
      return;
    }
    if (spec.constant === true && !o.weight) throw new WpalFormatError(`${where}: input ${i} (${spec.name}) must be a constant weight`);
    if (spec.constant === false && o.weight) throw new WpalFormatError(`${where}: input ${i} (${spec.name}) must be an activation, not a weight`);
    const dtype = spec.dtype ?? 'float32';
    if (o.dtype !== dtype) throw new WpalFormatError(`${where}: input ${i} (${spec.name}) must be ${dtype}, got ${o.dtype}`);
  });
  try {
    return schema.infer(operands, attrs);
  } catch (e) {
    if (e instanceof ShapeError) throw new WpalFormatError(`${where}: ${e.message}`);
    throw e;
  }
}

/**
 * Shape inference over a whole model: starts from the declared shapes of graph inputs and
 * weights, infers every op's outputs in order, and checks them against the declared shapes.
 * Op outputs listed in `omitted` (their shape vector is absent from the file: the writer leaves
 * out what the reader can infer) take the inferred shape instead, written into `model.tensors`.
 * Returns the shape of every tensor by index. Throws WpalFormatError on any mismatch.
 */
export function inferShapes(model: Pick<ModelInfo, 'tensors' | 'ops'>, omitted: ReadonlySet<number> = new Set()): number[][] {
  const shapes: number[][] = model.tensors.map((t) => [...t.shape]);
  for (const op of model.ops) {
    const operands = op.inputs.map((i) => (i < 0 ? undefined : { ...model.tensors[i], shape: shapes[i] }));
    const out = checkOp(op.type, op.index, operands, op.attrs);
    op.outputs.forEach((t, k) => {
      const declared = model.tensors[t];
      const got = out[k];
      if (omitted.has(t)) declared.shape = [...got];
      if (declared.shape.length !== got.length || declared.shape.some((d, j) => d !== got[j])) {
        throw new WpalFormatError(
          `${opLabel(op.index, op.type)}: output ${k} tensor ${t} ${JSON.stringify(declared.name)} is declared ${fmt(declared.shape)}, inferred ${fmt(got)}`,
        );
      }
      if (declared.dtype !== 'float32') throw new WpalFormatError(`${opLabel(op.index, op.type)}: output tensor ${t} must be float32, got ${declared.dtype}`);
      shapes[t] = got;
    });
  }
  return shapes;
}
