/**
 * Helpers of the op schemas' shape inference (ops.ts, ops-spatial.ts): `infer` functions throw
 * ShapeError through `fail`, and `checkOp` (ops.ts) turns it into a WpalFormatError that names the
 * op. Kept apart from ops.ts so the schema files share one definition without importing each other.
 */
import type { AttrValue } from './types.js';
import type { OperandInfo } from './op-schema.js';
import { isPlainFloat32 } from './layout-walk.js';

/** Thrown by `infer` functions; the caller adds the op's identity to the message. */
export class ShapeError extends Error {}

export const fail = (msg: string): never => {
  throw new ShapeError(msg);
};
export const fmt = (s: readonly number[]) => `[${s.join(', ')}]`;
export const count = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** A bias / normalization parameter: dense float32 `[n]`, not sparse. */
export function checkDenseParam(
  o: { shape: readonly number[]; weight?: OperandInfo['weight'] },
  n: number,
  what: string,
): void {
  if (o.shape.length !== 1 || o.shape[0] !== n) fail(`${what} must be [${n}], got ${fmt(o.shape)}`);
  if (!o.weight || !isPlainFloat32(o.weight)) fail(`${what} must be stored dense float32, not sparse`);
}

/** An ints attribute of exactly 2 values, each >= min. */
export function pair(attrs: Readonly<Record<string, AttrValue>>, name: string, min: number): [number, number] {
  const v = attrs[name] as number[];
  if (v.length !== 2 || !v.every((d) => d >= min)) fail(`${name} must be 2 values >= ${min}, got ${fmt(v)}`);
  return [v[0], v[1]];
}

/** The pads attribute: [top, left, bottom, right], each >= 0. */
export function pads4(attrs: Readonly<Record<string, AttrValue>>): [number, number, number, number] {
  const v = attrs.pads as number[];
  if (v.length !== 4 || !v.every((d) => d >= 0)) fail(`pads must be [top, left, bottom, right] >= 0, got ${fmt(v)}`);
  return [v[0], v[1], v[2], v[3]];
}
