/**
 * The shape of an op's entry in the registry: its inputs (and which must be constant weights),
 * attributes and shape inference. The registry itself is ops.ts; the schema files of later format
 * versions (ops-elementwise.ts, ops-spatial.ts) import these types from here, not from ops.ts.
 */
import type { AttrValue, DTypeName } from './types.js';
import type { LayoutPart } from './layouts.js';

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
  /** true: must be a weight (constant tensor); false: must be an activation; 'either': may be both. */
  constant: boolean | 'either';
  /** May be left out (-1 in the file, or not passed). */
  optional: boolean;
  /** Element type the input must have (default float32). Only Embedding ids are int32. */
  dtype?: DTypeName;
}

/** What shape inference needs to know about an operand; TensorInfo satisfies it. */
export interface OperandInfo {
  shape: readonly number[];
  dtype: DTypeName;
  weight?: { dense?: { dtype: string }; palettized?: { entryType: string } } & { [K in LayoutPart]?: unknown };
}

export interface OpSchema {
  type: string;
  inputs: readonly InputSchema[];
  numOutputs: number;
  /** The last input may repeat (Concat): at least `inputs.length` operands, extra ones follow the last schema. */
  variadic?: boolean;
  attrs: readonly AttrSchema[];
  /** Output shapes from input shapes (an operand is undefined when an optional input is left out). */
  infer(inputs: readonly (OperandInfo | undefined)[], attrs: Readonly<Record<string, AttrValue>>): number[][];
}

/** Attributes equal to their default are left out; compared with Object.is, element by element (-0, NaN, +-inf kept). */
export function isDefaultAttr(def: AttrValue | undefined, v: AttrValue): boolean {
  if (def === undefined) return false;
  return Array.isArray(def) ? Array.isArray(v) && def.length === v.length && def.every((e, i) => Object.is(e, v[i])) : Object.is(def, v);
}
