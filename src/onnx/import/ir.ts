/**
 * The lowered graph, before it is written: .wpal ops over tensors with per-example shapes, weights
 * still as float32 values (their encoding is chosen when the file is written). Output shapes come
 * from the format's own op registry (src/format/ops.ts), so the importer never disagrees with the
 * reader about a shape.
 */
import { checkOp, resolveAttrs, type OperandInfo } from '../../format/ops.js';
import { WpalFormatError } from '../../format/errors.js';
import type { AttrValue } from '../../format/types.js';
import { WpalImportError } from './errors.js';

export interface IrTensor {
  id: number;
  /** Activations: per example (no batch dimension). Weights: the full shape. */
  shape: number[];
  dtype: 'float32' | 'int32';
  kind: 'input' | 'act' | 'weight';
  /** Weights: row-major values of `shape`. */
  values?: Float32Array;
  /** Name to store: graph inputs/outputs (the ONNX names) and weights (the ONNX initializer they came from). */
  name?: string;
  /**
   * Weights: what the importer knows about how the values were made, so the encoder can find the
   * exact stored form (e.g. int8 QDQ: integer levels times a per-row scale).
   */
  origin?: WeightOrigin;
}

export type WeightOrigin =
  /** values[r][c] = levels[r][c] * rowScale[r] (f32), from DequantizeLinear of an int8/uint8 initializer. */
  | { kind: 'qdq'; levels: Float64Array; rowScale: Float32Array }
  /** values[r][c] = fround(base[r][c] * rowScale[r]): a weight folded with a per-channel scale (BatchNormalization). */
  | { kind: 'scaled'; base: Float32Array; rowScale: Float32Array };

export interface IrOp {
  type: string;
  inputs: number[];
  output: number;
  attrs: Record<string, AttrValue>;
  /** The ONNX node it came from, for messages and the report. */
  from: string;
}

export class IrGraph {
  readonly tensors: IrTensor[] = [];
  readonly ops: IrOp[] = [];
  readonly inputs: number[] = [];
  readonly outputs: number[] = [];

  input(name: string, shape: number[], dtype: 'float32' | 'int32'): number {
    const t = this.add({ shape, dtype, kind: 'input', name });
    this.inputs.push(t);
    return t;
  }

  weight(name: string, shape: number[], values: Float32Array, origin?: WeightOrigin): number {
    if (values.length !== shape.reduce((a, b) => a * b, 1)) throw new Error(`internal: weight ${name} has ${values.length} values for [${shape}]`);
    return this.add({ shape: shape.length ? shape : [1], dtype: 'float32', kind: 'weight', values, name, origin });
  }

  private add(t: Omit<IrTensor, 'id'>): number {
    const id = this.tensors.length;
    this.tensors.push({ ...t, id });
    return id;
  }

  /** Adds an op; returns its output tensor. `from` names the ONNX node for error messages. */
  op(type: string, inputs: number[], attrs: Record<string, AttrValue>, from: string): number {
    const index = this.ops.length;
    let shape: number[];
    try {
      const resolved = resolveAttrs(type, index, attrs);
      const operands: (OperandInfo | undefined)[] = inputs.map((i) => {
        if (i < 0) return undefined;
        const t = this.tensors[i];
        return { shape: t.shape, dtype: t.dtype, weight: t.kind === 'weight' ? { dense: { dtype: 'float32' } } : undefined };
      });
      [shape] = checkOp(type, index, operands, resolved);
    } catch (e) {
      if (e instanceof WpalFormatError) throw new WpalImportError(`ONNX node ${JSON.stringify(from)}: cannot express it as ${type}: ${e.message.replace(/^op \d+ \([^)]*\): /, '')}`, { cause: e });
      throw e;
    }
    const output = this.add({ shape, dtype: 'float32', kind: 'act' });
    this.ops.push({ type, inputs, output, attrs, from });
    return output;
  }

  /** Drops ops (and weights) nothing reachable from the outputs uses. */
  prune(): void {
    const live = new Set<number>(this.outputs);
    const producer = new Map(this.ops.map((o) => [o.output, o]));
    const stack = [...this.outputs];
    while (stack.length) {
      const op = producer.get(stack.pop()!);
      if (!op) continue;
      for (const i of op.inputs) if (i >= 0 && !live.has(i)) live.add(i), stack.push(i);
    }
    const kept = this.ops.filter((o) => live.has(o.output));
    this.ops.length = 0;
    this.ops.push(...kept);
    for (const t of this.tensors) if (t.kind === 'weight' && !live.has(t.id)) t.values = undefined;
  }
}
