/**
 * Activations in their logical (ONNX) layout and their physical (.wpal) layout.
 *
 * An ONNX activation has a logical shape (per example: the ONNX shape without the batch
 * dimension). The .wpal tensor that holds it may store the axes in another order: `perm` says
 * which logical axis each physical axis holds (physical shape = perm.map(a => shape[a])). Convs and
 * pools run NHWC, so a logical NCHW image lives as [H, W, C] with perm [1, 2, 0]; element-wise ops
 * run in whatever layout their input has; an ONNX Transpose only changes `perm` (no copy); and a
 * real .wpal Transpose is emitted only where a consumer needs another order (a reshape that mixes
 * axes, a graph output, ...). Two layouts that differ only in where size-1 axes sit are the same
 * bytes, so switching between them is a free Reshape.
 */
import type { IrGraph } from './ir.js';

export interface Act {
  kind: 'act';
  /** The .wpal tensor holding the values. */
  t: number;
  /** Logical per-example shape. */
  shape: number[];
  /** physical axis i holds logical axis perm[i]. */
  perm: number[];
  dtype: 'float32' | 'int32';
  /**
   * Rank-1 activations only: physical element j holds logical element order[j]. Set by a flatten
   * whose only reader is a fully connected layer, which permutes its weight columns to match.
   */
  order?: Int32Array;
}

export const identity = (n: number) => Array.from({ length: n }, (_, i) => i);
export const product = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
export const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

export function physicalShape(a: Pick<Act, 'shape' | 'perm'>): number[] {
  return a.perm.map((i) => a.shape[i]);
}

/** Logical axes of size > 1, in the order a layout stores them. */
function nonUnitOrder(shape: readonly number[], perm: readonly number[]): number[] {
  return perm.filter((a) => shape[a] !== 1);
}

export function sameBytes(shape: readonly number[], p: readonly number[], q: readonly number[]): boolean {
  const a = nonUnitOrder(shape, p);
  const b = nonUnitOrder(shape, q);
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A reshape that only changes the shape vector (same bytes): free in the runtime. */
export function reshapeTo(g: IrGraph, t: number, shape: number[], from: string): number {
  if (sameShape(g.tensors[t].shape, shape)) return t;
  return g.op('Reshape', [t], { shape }, from);
}

/**
 * The .wpal tensor holding `a` in layout `want` (a permutation of its logical axes): `a.t` itself,
 * a free Reshape when only size-1 axes move, else one Transpose over the axes of size > 1.
 */
export function materialize(g: IrGraph, a: Act, want: readonly number[], from: string): number {
  const target = want.map((i) => a.shape[i]);
  if (sameBytes(a.shape, a.perm, want)) return reshapeTo(g, a.t, target, from);
  const have = nonUnitOrder(a.shape, a.perm);
  const need = nonUnitOrder(a.shape, want);
  const squeezed = reshapeTo(g, a.t, have.map((i) => a.shape[i]), from);
  const perm = need.map((axis) => have.indexOf(axis));
  const moved = g.op('Transpose', [squeezed], { perm }, from);
  return reshapeTo(g, moved, target, from);
}

/** The activation in its logical layout (what an ONNX consumer that reads memory order sees). */
export function logical(g: IrGraph, a: Act, from: string): number {
  return materialize(g, a, identity(a.shape.length), from);
}

/**
 * A new logical shape that only adds or removes size-1 axes keeps the layout of the axes of size
 * > 1: the result lives in the same bytes (a free Reshape), with size-1 axes placed first.
 */
export function unitReshape(g: IrGraph, a: Act, shape: number[], from: string): Act | undefined {
  const oldNon = a.shape.filter((d) => d !== 1);
  const newNon = shape.filter((d) => d !== 1);
  if (oldNon.length !== newNon.length || oldNon.some((d, i) => d !== newNon[i])) return undefined;
  // Logical axis (in the old shape) of each physical non-unit position, mapped to the new shape's axes.
  const oldAxes = a.shape.map((d, i) => (d !== 1 ? i : -1)).filter((i) => i >= 0);
  const newAxes = shape.map((d, i) => (d !== 1 ? i : -1)).filter((i) => i >= 0);
  const physNon = nonUnitOrder(a.shape, a.perm).map((old) => newAxes[oldAxes.indexOf(old)]);
  const units = shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0);
  const perm = [...units, ...physNon];
  const t = reshapeTo(g, a.t, perm.map((i) => shape[i]), from);
  return { kind: 'act', t, shape, perm, dtype: a.dtype };
}
