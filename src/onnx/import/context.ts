/**
 * The state of one import while the ONNX nodes are lowered in order: every ONNX value is either a
 * constant (initializer or folded) or an activation (a .wpal tensor plus its layout, layout.ts).
 * Lowering functions (lower-*.ts) read their inputs through this object and set their outputs.
 */
import { WpalImportError } from './errors.js';
import { IrGraph, type WeightOrigin } from './ir.js';
import { logical, materialize, type Act } from './layout.js';
import type { ConstTensor, OnnxGraph, OnnxNode } from './parse.js';
import type { AttrValue } from '../../format/types.js';

export type Value = Act | ConstTensor;
export const isAct = (v: Value | undefined): v is Act => !!v && (v as Act).kind === 'act';

/** What the lowering of a node needs; one instance per import. */
export class Lowering {
  readonly g = new IrGraph();
  readonly values = new Map<string, Value>();
  /** Nodes already lowered as part of a fused pattern started by an earlier node. */
  readonly consumed = new Set<number>();
  /** Import notes for the report (fusions, folded BatchNorms, layout decisions). */
  readonly notes: string[] = [];
  private readonly consumerMap = new Map<string, OnnxNode[]>();
  private readonly graphOutputs: Set<string>;
  private weightNames = new Set<string>();

  constructor(
    readonly graph: OnnxGraph,
    /** Every graph input has batch size 1 (fixed in the file or by --shape): reductions over the batch axis are per example. */
    readonly batchOne: boolean,
  ) {
    for (const n of graph.nodes) for (const i of n.inputs) if (i) (this.consumerMap.get(i) ?? this.consumerMap.set(i, []).get(i)!).push(n);
    this.graphOutputs = new Set(graph.outputs.map((o) => o.name));
  }

  get opset(): number {
    return this.graph.opset;
  }

  where(node: OnnxNode): string {
    return `ONNX node ${JSON.stringify(node.name)} (${node.opType})`;
  }

  fail(node: OnnxNode, msg: string): never {
    throw new WpalImportError(`${this.where(node)}: ${msg}`);
  }

  value(node: OnnxNode, i: number): Value | undefined {
    const name = node.inputs[i];
    if (!name) return undefined;
    const v = this.values.get(name);
    if (!v) this.fail(node, `input ${JSON.stringify(name)} is not produced by any earlier node, initializer or graph input`);
    return v;
  }

  /** Input i as an activation (an error names the node when it is a constant or missing). */
  act(node: OnnxNode, i: number): Act {
    const v = this.value(node, i);
    if (!isAct(v)) this.fail(node, v ? `input ${i} must be computed from the model input, not a constant` : `input ${i} is required`);
    return v;
  }

  /** Input i as a constant, or undefined when left out; an activation is an error. */
  constant(node: OnnxNode, i: number, what = `input ${i}`): ConstTensor | undefined {
    const v = this.value(node, i);
    if (isAct(v)) this.fail(node, `${what} must be a constant (an initializer or computed from constants only)`);
    return v;
  }

  attr<T>(node: OnnxNode, name: string, fallback: T): T {
    const v = node.attrs.get(name);
    return (v === undefined ? fallback : v) as T;
  }

  set(name: string, v: Value): void {
    if (name) this.values.set(name, v);
  }

  /** An activation output of `node`: .wpal tensor t holding logical `shape` in layout `perm`. */
  setAct(name: string, t: number, shape: number[], perm: number[], dtype: Act['dtype'] = 'float32'): Act {
    const a: Act = { kind: 'act', t, shape, perm, dtype };
    this.set(name, a);
    return a;
  }

  emit(node: OnnxNode, type: string, inputs: number[], attrs: Record<string, AttrValue> = {}): number {
    return this.g.op(type, inputs, attrs, node.name);
  }

  /** A constant operand as a .wpal weight (dense float32 unless it is a weight matrix; see weights.ts). */
  weight(name: string, shape: number[], values: Float32Array, origin?: WeightOrigin): number {
    let n = name && !name.startsWith('#') ? name : `w${name}`;
    for (let k = 1; this.weightNames.has(n) || this.graphOutputs.has(n); k++) n = `${name}_${k}`;
    this.weightNames.add(n);
    return this.g.weight(n, shape, values, origin);
  }

  physical(node: OnnxNode, a: Act, perm: readonly number[]): number {
    return materialize(this.g, a, perm, node.name);
  }

  logical(node: OnnxNode, a: Act): number {
    return logical(this.g, a, node.name);
  }

  /** Nodes that read a value. */
  consumers(name: string): OnnxNode[] {
    return this.consumerMap.get(name) ?? [];
  }

  /** The only node reading `name`, when the value has exactly one reader and is not a graph output (so a pattern may swallow it). */
  soleConsumer(name: string): OnnxNode | undefined {
    const c = this.consumers(name);
    return c.length === 1 && !this.graphOutputs.has(name) && !this.consumed.has(c[0].index) ? c[0] : undefined;
  }

  /** A float constant as float32 values (integers converted). */
  floats(t: ConstTensor): Float32Array {
    return t.data instanceof Float32Array ? t.data : Float32Array.from(t.data);
  }
}
