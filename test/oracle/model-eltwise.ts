/**
 * The format 1.1 ops (unary, broadcasting binary, reductions) for the float64 graph oracle
 * (test/oracle/model-ops.ts), from the definitions in test/oracle/eltwise.ts, binary.ts and
 * reduce.ts. Float attributes are float32 in the file; the oracle uses them as stored.
 */
import type { OpInfo, TensorInfo } from '../../src/format/types.js';
import { clip, hardSigmoid, hardSwish, leakyRelu } from './eltwise.js';
import { BINARY_F64, broadcastBinary } from './binary.js';
import { reduceOracle } from './reduce.js';

const UNARY: Record<string, (x: number, a: Record<string, number>) => number> = {
  LeakyRelu: (x, a) => leakyRelu(x, a.alpha),
  HardSigmoid: (x, a) => hardSigmoid(x, a.alpha, a.beta),
  HardSwish: (x) => hardSwish(x),
  Clip: (x, a) => clip(x, a.min, a.max),
  Sqrt: Math.sqrt,
  Log: Math.log,
  Exp: Math.exp,
  Neg: (x) => -x,
  Abs: Math.abs,
};

/**
 * y of one 1.1 op, or undefined for another op type. `value(t)`: an activation's batch of values
 * or a weight's decoded values (`tensors[t].weight` tells which).
 */
export function runOp11(op: OpInfo, tensors: readonly TensorInfo[], value: (t: number) => Float64Array, batch: number): Float64Array | undefined {
  const [i0, i1] = op.inputs;
  const attrs = Object.fromEntries(Object.entries(op.attrs).map(([k, v]) => [k, typeof v === 'number' ? Math.fround(v) : v])) as Record<string, number>;
  if (op.type in UNARY) return Float64Array.from(value(i0), (v) => UNARY[op.type](v, attrs));
  if (op.type in BINARY_F64) {
    const operand = (t: number) => ({ values: value(t), shape: tensors[t].shape, batched: !tensors[t].weight });
    return broadcastBinary(BINARY_F64[op.type], operand(i0), operand(i1), batch);
  }
  if (op.type === 'ReduceMean' || op.type === 'ReduceMax') {
    const shape = tensors[i0].shape;
    const axes = (op.attrs.axes as number[]).map((a) => (a < 0 ? a + shape.length : a)).sort((p, q) => p - q);
    return reduceOracle(op.type === 'ReduceMean' ? 'mean' : 'max', value(i0), shape, axes, batch);
  }
  return undefined;
}
