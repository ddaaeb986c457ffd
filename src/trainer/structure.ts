/**
 * Which layers of a graph can lose whole filters / neurons (structured pruning), found by reading
 * the graph, not by layer names: a FullyConnected or Conv2D (groups 1) layer L whose output
 * reaches exactly one other such layer N as N's input, through ops that act on each channel alone
 * (activations, max / average pooling, a Flatten of NHWC or a Reshape that keeps the channel the
 * fastest axis: to rank 1, or with the channel count as its last dimension),
 * with nothing else reading those tensors. Removing filter j of L removes input channel j of N;
 * the constant j still output (its bias through the path) is folded into N's bias, which is exact
 * when N adds it the same way at every output (no padding in N). The logits layer has no N.
 */
import type { OpInfo } from '../format/types.js';
import { unaryFunctions } from './engine/ops-elementwise.js';
import type { DenseModel } from './engine/graph-net.js';

export interface Unit {
  /** Weight tensor of the layer whose filters / neurons may go, and its bias (if any). */
  weight: string;
  bias?: string;
  kind: 'fc' | 'conv';
  /** Filters / neurons now. */
  width: number;
  /** The layer reading them: its weight, bias, and what a removed unit's constant becomes on the way. */
  next: string;
  nextBias?: string;
  nextKind: 'fc' | 'conv';
  path: ((v: number) => number)[];
  /** Reshape ops on the way (their target shape names the channel count; shrinking rewrites it with -1). */
  reshapes: number[];
  /** Whether the layer's input comes (through such a path) from a conv layer: LeNet-5's fc1. */
  afterConv: boolean;
}

const CHANNELWISE_POOLS = new Set(['MaxPool', 'AvgPool']);

function weightedKind(m: DenseModel, op: OpInfo): 'fc' | 'conv' | undefined {
  if (op.type === 'FullyConnected') return 'fc';
  if (op.type === 'Conv2D' && ((op.attrs.groups as number | undefined) ?? 1) === 1) return 'conv';
  return undefined;
}

/** The constant a removed unit still outputs, passed through a channel-wise op; undefined when the op is not channel-wise. */
function channelwise(op: OpInfo): ((v: number) => number) | undefined {
  if (op.type === 'Relu') return (v) => Math.max(v, 0);
  if (op.type === 'Flatten' || CHANNELWISE_POOLS.has(op.type)) return (v) => v;
  if (op.type === 'Gelu') return undefined;
  return unaryFunctions(op.type, op.attrs)?.[0];
}

/** A Reshape that keeps the channel (last axis of `from`) fastest: a flatten to rank 1, or one that keeps the last dimension. */
function keepsChannelFastest(op: OpInfo, from: readonly number[]): boolean {
  const to = op.attrs.shape as number[];
  return to.length === 1 || to[to.length - 1] === from[from.length - 1];
}

const hasPads = (op: OpInfo) => Array.isArray(op.attrs.pads) && (op.attrs.pads as number[]).some((p) => p !== 0);

/** The layers that can lose units, in graph order (see the header). */
export function shrinkableUnits(m: DenseModel): Unit[] {
  const g = m.graph;
  const consumers = new Map<number, OpInfo[]>();
  for (const op of g.ops) for (const t of op.inputs) if (t >= 0) consumers.set(t, [...(consumers.get(t) ?? []), op]);
  const outputs = new Set(g.outputs);
  const name = (t: number | undefined) => (t !== undefined && t >= 0 ? g.tensors[t].name : undefined);
  const convFed = new Set<number>();
  const units: Unit[] = [];
  for (const op of g.ops) {
    const kind = weightedKind(m, op);
    if (!kind) continue;
    let t = op.outputs[0];
    const path: ((v: number) => number)[] = [];
    const reshapes: number[] = [];
    let next: OpInfo | undefined;
    for (;;) {
      const users = consumers.get(t) ?? [];
      if (outputs.has(t) || users.length !== 1) break;
      const u = users[0];
      if (weightedKind(m, u)) { if (u.inputs[0] === t) next = u; break; }
      const reshape = u.type === 'Reshape' && keepsChannelFastest(u, g.tensors[t].shape);
      const f = reshape ? (v: number) => v : channelwise(u);
      if (!f || (u.type === 'MaxPool' && hasPads(u))) break;
      if (reshape) reshapes.push(u.index);
      path.push(f);
      t = u.outputs[0];
    }
    if (kind === 'conv' && next) convFed.add(next.index);
    if (!next || hasPads(next)) continue;
    units.push({
      weight: name(op.inputs[1])!, ...(op.inputs[2] >= 0 && op.inputs[2] !== undefined ? { bias: name(op.inputs[2])! } : {}),
      kind, width: m.shapes[name(op.inputs[1])!][0],
      next: name(next.inputs[1])!, ...(next.inputs[2] >= 0 && next.inputs[2] !== undefined ? { nextBias: name(next.inputs[2])! } : {}),
      nextKind: weightedKind(m, next)!, path, reshapes, afterConv: false,
    });
  }
  const byWeight = new Map(g.ops.filter((op) => weightedKind(m, op)).map((op) => [name(op.inputs[1])!, op.index]));
  for (const u of units) u.afterConv = convFed.has(byWeight.get(u.weight)!);
  return units;
}
