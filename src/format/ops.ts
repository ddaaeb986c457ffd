/**
 * The op registry of format 1.0: for each op type, its inputs (and which must be constant weights),
 * output count, attributes and shape inference. Shapes are per example (no batch dimension). The
 * reader validates files with it, the writer infers output shapes with it, and the runtime can call
 * `inferShapes` / `opSchema` to plan its arena.
 */
import { WpalFormatError, WpalUnsupportedOpError } from './errors.js';
import type { AttrValue, DTypeName, ModelInfo } from './types.js';

export type AttrKind = 'int' | 'float' | 'string' | 'ints' | 'floats';

export interface AttrSchema {
  name: string;
  kind: AttrKind;
  required: boolean;
  /** Value when the attribute is left out (only for optional attributes). */
  default?: AttrValue;
  /** For int/float/string attributes: the only values allowed. */
  allowed?: readonly (number | string)[];
}

export interface InputSchema {
  name: string;
  /** true: must be a weight (constant tensor); false: must be an activation. */
  constant: boolean;
  /** May be left out (-1 in the file, or not passed). */
  optional: boolean;
}

/** What shape inference needs to know about an operand; TensorInfo satisfies it. */
export interface OperandInfo {
  shape: readonly number[];
  dtype: DTypeName;
  weight?: { dense?: { dtype: string }; palettized?: { entryType: string }; sparse?: unknown };
}

export interface OpSchema {
  type: string;
  inputs: readonly InputSchema[];
  numOutputs: number;
  attrs: readonly AttrSchema[];
  /** Output shapes from input shapes (an operand is undefined when an optional input is left out). */
  infer(inputs: readonly (OperandInfo | undefined)[], attrs: Readonly<Record<string, AttrValue>>): number[][];
}

/** Thrown by `infer` functions; the caller adds the op's identity to the message. */
class ShapeError extends Error {}

const fail = (msg: string): never => {
  throw new ShapeError(msg);
};
const fmt = (s: readonly number[]) => `[${s.join(', ')}]`;
const count = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

const X: InputSchema = { name: 'x', constant: false, optional: false };

function unary(type: string): OpSchema {
  return { type, inputs: [X], numOutputs: 1, attrs: [], infer: ([x]) => [[...x!.shape]] };
}

function binary(type: string): OpSchema {
  return {
    type,
    inputs: [
      { name: 'a', constant: false, optional: false },
      { name: 'b', constant: false, optional: false },
    ],
    numOutputs: 1,
    attrs: [],
    infer: ([a, b]) => {
      const sa = a!.shape;
      const sb = b!.shape;
      if (sa.length !== sb.length || sa.some((d, i) => d !== sb[i])) fail(`inputs must have the same shape, got ${fmt(sa)} and ${fmt(sb)}`);
      return [[...sa]];
    },
  };
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
      if (!b.weight?.dense || b.weight.dense.dtype !== 'float32' || b.weight.sparse) fail('bias must be stored dense float32, not sparse');
    }
    if (attrs.int8 === 1 && w!.weight?.palettized?.entryType !== 'int8') {
      fail('int8 = 1 needs a palettized weight with int8 palette entries');
    }
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

const REGISTRY = new Map<string, OpSchema>(
  [
    FULLY_CONNECTED,
    ...['Relu', 'Relu6', 'Sigmoid', 'Tanh', 'Gelu', 'Silu'].map(unary),
    SOFTMAX,
    binary('Add'),
    binary('Mul'),
    RESHAPE,
  ].map((s) => [s.type, s]),
);

/** Op types of format 1.0. */
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
  if (operands.length < required || operands.length > schema.inputs.length) {
    throw new WpalFormatError(`${where}: has ${operands.length} inputs, expected ${required === schema.inputs.length ? required : `${required}..${schema.inputs.length}`}`);
  }
  operands.forEach((o, i) => {
    const spec = schema.inputs[i];
    if (!o) {
      if (!spec.optional) throw new WpalFormatError(`${where}: input ${i} (${spec.name}) is required`);
      return;
    }
    if (spec.constant && !o.weight) throw new WpalFormatError(`${where}: input ${i} (${spec.name}) must be a constant weight`);
    if (!spec.constant && o.weight) throw new WpalFormatError(`${where}: input ${i} (${spec.name}) must be an activation, not a weight`);
    if (o.dtype !== 'float32') throw new WpalFormatError(`${where}: input ${i} (${spec.name}) must be float32, got ${o.dtype}`);
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
 * Returns the shape of every tensor by index. Throws WpalFormatError on any mismatch.
 */
export function inferShapes(model: Pick<ModelInfo, 'tensors' | 'ops'>): number[][] {
  const shapes: number[][] = model.tensors.map((t) => [...t.shape]);
  for (const op of model.ops) {
    const operands = op.inputs.map((i) => (i < 0 ? undefined : { ...model.tensors[i], shape: shapes[i] }));
    const out = checkOp(op.type, op.index, operands, op.attrs);
    op.outputs.forEach((t, k) => {
      const declared = model.tensors[t];
      const got = out[k];
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
