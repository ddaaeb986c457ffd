/**
 * Names a format 1.3 compact file does not store (schemas/wpal.fbs, "Names not stored"): the
 * reader derives them, and the writer leaves a name out exactly when it equals the derived one, so
 * a model reads back with the names it was written with.
 *
 *   graph input k     "input" (k = 0), "input1", ...
 *   graph output k    "output" (k = 0), "output1", ...
 *   weight            "<layer>.<role>" after its first consumer: "conv1.weight", "fc2.bias", ...
 *   anything else     "#<index>" (intermediate activations, as since 1.0)
 */
import { opSchema } from './ops.js';

/** What naming looks at: the graph's wiring. */
export interface NamingGraph {
  tensorCount: number;
  /** Tensor indices of the weights (constants). */
  weights: ReadonlySet<number>;
  ops: readonly { type: string; inputs: readonly number[] }[];
  inputs: readonly number[];
  outputs: readonly number[];
}

const LAYER_PREFIX: Readonly<Record<string, string>> = { Conv2D: 'conv', FullyConnected: 'fc' };

/** The name a tensor gets when the file does not store one, by tensor index. */
export function derivedNames(g: NamingGraph): string[] {
  const names = Array.from({ length: g.tensorCount }, (_, i) => `#${i}`);
  const seen = new Map<string, number>();
  const named = new Set<number>();
  for (const op of g.ops) {
    const n = (seen.get(op.type) ?? 0) + 1;
    seen.set(op.type, n);
    const schema = opSchema(op.type);
    op.inputs.forEach((t, k) => {
      if (!g.weights.has(t) || named.has(t)) return;
      named.add(t);
      const role = schema ? schema.inputs[Math.min(k, schema.inputs.length - 1)].name : `input${k}`;
      names[t] = `${LAYER_PREFIX[op.type] ?? op.type.toLowerCase()}${n}.${role}`;
    });
  }
  // Graph inputs and outputs last: a tensor that is both keeps the input's name.
  g.outputs.forEach((t, k) => {
    if (t >= 0 && t < g.tensorCount) names[t] = k === 0 ? 'output' : `output${k}`;
  });
  g.inputs.forEach((t, k) => {
    if (t >= 0 && t < g.tensorCount) names[t] = k === 0 ? 'input' : `input${k}`;
  });
  return names;
}
