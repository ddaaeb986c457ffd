/**
 * A trainable network made from a .wpal graph: every op on the path from the input to the logits
 * runs through its row of the training op table (op-table.ts), so any model the runtime can run
 * trains (built-in, imported from ONNX, written by a user's ModelWriter code) as long as those ops
 * have rows. The graph is the architecture; nothing here knows a model by name.
 *
 * - Input: the graph's one input (float32 images / features, or int32 token ids).
 * - Logits: the graph's first output; when a Softmax makes it, the Softmax's input (cross-entropy
 *   is computed on logits; the argmax, and so the accuracy, is the same).
 * - Parameters: the constants at an op's trained input positions (weights, biases, norms, learned
 *   constants of binary ops); other constants (BatchNorm statistics, scalars) stay fixed.
 */
import type { ModelInfo, TensorInfo } from '../../format/types.js';
import type { LayerDesc } from '../../models/common.js';
import type { Engine, Tensor } from './tensor.js';
import { NOT_TRAINABLE, TRAIN_OPS } from './op-table.js';

/** A model by value: its graph (as read from a .wpal file) and every float constant by name, decoded. */
export interface DenseModel {
  /** Ops, tensors (names, per-example activation shapes), inputs, outputs and metadata. */
  graph: ModelInfo;
  /** Tensor name -> float32 values (.wpal layouts), for every constant of the graph. */
  weights: Record<string, Float32Array>;
  /** Tensor name -> shape of every constant (may differ from the graph's after filters were removed). */
  shapes: Record<string, number[]>;
}

export interface TrainableNet {
  /** Input shape per example. */
  readonly inputShape: readonly number[];
  /** int32: token ids (the float values of Examples.x are written as integers). */
  readonly inputDtype: 'float32' | 'int32';
  /** Trained tensors, in graph order. */
  readonly params: readonly Tensor[];
  /** Logits [B, classes] of a batch x [B, ...inputShape]. */
  forward(x: Tensor): Tensor;
  /** Values of every parameter by tensor name. */
  exportWeights(): Record<string, Float32Array>;
}

/** The tensor the trainer takes as logits (see the header). */
export function logitsTensor(g: ModelInfo): number {
  const out = g.outputs[0];
  const producer = g.ops.find((op) => op.outputs.includes(out));
  return producer?.type === 'Softmax' ? producer.inputs[0] : out;
}

/** Ops needed to compute the logits, in graph order; a clear error naming every op type without a training rule. */
export function trainingOps(g: ModelInfo): ModelInfo['ops'] {
  const producer = new Map<number, number>();
  g.ops.forEach((op, i) => op.outputs.forEach((t) => producer.set(t, i)));
  const needed = new Set<number>();
  const stack = [logitsTensor(g)];
  while (stack.length) {
    const o = producer.get(stack.pop()!);
    if (o === undefined || needed.has(o)) continue;
    needed.add(o);
    for (const i of g.ops[o].inputs) if (i >= 0) stack.push(i);
  }
  const ops = g.ops.filter((_, i) => needed.has(i));
  const missing = [...new Set(ops.filter((op) => !TRAIN_OPS[op.type]).map((op) => op.type))];
  if (missing.length) {
    const why = missing.map((t) => `${t} (${NOT_TRAINABLE[t] ?? 'unknown op type'})`).join(', ');
    throw new Error(`this model cannot be fine-tuned: the trainer has no backward pass for ${why}. Post-training compression (--epochs 0) works on any model`);
  }
  if (g.inputs.length !== 1) throw new Error(`the trainer feeds one input; this model has ${g.inputs.length} (${g.inputs.map((i) => g.tensors[i].name).join(', ')})`);
  return ops;
}

/** Names of the trained constants, in graph order (see the header). */
export function parameterNames(m: DenseModel): string[] {
  const names = new Set<string>();
  for (const op of trainingOps(m.graph)) {
    const row = TRAIN_OPS[op.type];
    for (const pos of row.params ?? []) {
      const t = op.inputs[pos];
      if (t === undefined || t < 0 || !m.graph.tensors[t].weight) continue;
      const name = m.graph.tensors[t].name;
      if ((m.weights[name]?.length ?? 0) >= (row.minParamSize ?? 1)) names.add(name);
    }
  }
  return m.graph.tensors.filter((t) => names.has(t.name)).map((t) => t.name);
}

/**
 * The weights the trainer clusters and prunes (fc, conv, embedding tables), in graph order, as the
 * .wpal writers describe them (LayerDesc). A constant used as the weight of several ops counts once.
 */
export function compressibleLayers(m: DenseModel): LayerDesc[] {
  const out: LayerDesc[] = [];
  const seen = new Set<number>();
  for (const op of m.graph.ops) {
    const layer = TRAIN_OPS[op.type]?.layer;
    const t = layer ? op.inputs[layer.input] : -1;
    if (t === undefined || t < 0 || seen.has(t) || !m.graph.tensors[t].weight) continue;
    seen.add(t);
    const name = m.graph.tensors[t].name;
    const shape = m.shapes[name];
    out.push({ name, kind: layer!.kind(op, shape), shape: [...shape], index: out.length, count: shape.reduce((a, b) => a * b, 1) });
  }
  return out;
}

export function inputOf(m: DenseModel): TensorInfo {
  return m.graph.tensors[m.graph.inputs[0]];
}

/**
 * The forward pass of the graph on `e` over the parameter tensors `params` (order of
 * parameterNames), where `weight(i)` may stand in for parameter i (DKM's soft weights, a pruning
 * mask). Fixed constants are copied into the engine once, here.
 */
export function graphForward(e: Engine, m: DenseModel, params: readonly Tensor[], weight: (i: number) => Tensor = (i) => params[i]): (x: Tensor) => Tensor {
  const g = m.graph;
  const ops = trainingOps(g);
  const paramIndex = new Map(params.map((p, i) => [p.name, i]));
  const fixed = new Map<number, Tensor>();
  for (const op of ops) {
    for (const t of op.inputs) {
      const info = t >= 0 ? g.tensors[t] : undefined;
      if (!info?.weight || paramIndex.has(info.name) || fixed.has(t)) continue;
      fixed.set(t, e.constant(info.name, m.shapes[info.name], m.weights[info.name]));
    }
  }
  const input = g.inputs[0];
  const logits = logitsTensor(g);
  return (x) => {
    const B = x.shape[0];
    const values = new Map<number, Tensor>([[input, x]]);
    const valueOf = (t: number): Tensor | null => {
      if (t < 0) return null;
      const v = values.get(t) ?? fixed.get(t);
      if (v) return v;
      const p = paramIndex.get(g.tensors[t].name);
      if (p === undefined) throw new Error(`tensor ${t} (${g.tensors[t].name}) is used before it is computed`);
      return weight(p);
    };
    for (const op of ops) {
      const inputs = op.inputs.map(valueOf);
      const batched = op.inputs.map((t) => t >= 0 && !g.tensors[t].weight);
      const outShape = g.tensors[op.outputs[0]].shape;
      const y = TRAIN_OPS[op.type].forward({ e, op, batched, inShapes: op.inputs.map((t) => (t >= 0 ? g.tensors[t].shape : [])), outShape }, inputs);
      const full = [B, ...outShape];
      const same = y.shape.length === full.length && y.shape.every((d, i) => d === full[i]);
      values.set(op.outputs[0], same ? y : e.view(y, full));
    }
    const out = values.get(logits)!;
    return out.shape.length === 2 ? out : e.view(out, [B, out.size / B]);
  };
}

/** A TrainableNet on `e` holding a copy of the model's values. */
export function graphNet(e: Engine, m: DenseModel): TrainableNet {
  const params = parameterNames(m).map((n) => e.parameter(n, m.shapes[n], m.weights[n]));
  const input = inputOf(m);
  return {
    inputShape: input.shape,
    inputDtype: input.dtype === 'int32' ? 'int32' : 'float32',
    params,
    forward: graphForward(e, m, params),
    exportWeights: () => Object.fromEntries(params.map((p) => [p.name, e.read(p)])),
  };
}
