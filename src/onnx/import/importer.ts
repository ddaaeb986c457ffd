/**
 * importOnnx: an ONNX model -> a .wpal file that takes and returns the ONNX model's own tensors
 * (names, layouts, shapes; the batch is the first axis), with weights stored at their true size.
 *
 *   parse (parse.ts) -> check every op type is supported, listing all that are not (before any work)
 *   -> graph inputs (shapes from the file or --shape) -> nodes in order: fold constants (fold.ts),
 *   try fused patterns (fuse.ts), lower (lower-*.ts) -> graph outputs in their logical layout ->
 *   drop dead ops -> write, choosing each weight matrix's exact smallest encoding (weights.ts).
 */
import { ModelWriter, type TensorHandle } from '../../format/write.js';
import { encodeDense } from '../../encode/palette.js';
import { WpalImportError, WpalUnsupportedOpsError, type UnsupportedOp } from './errors.js';
import { FOLDABLE, foldNode } from './fold.js';
import { FUSIONS } from './fuse.js';
import { isAct, Lowering } from './context.js';
import { identity, logical } from './layout.js';
import { ELTWISE_LOWERERS } from './lower-eltwise.js';
import { LINEAR_LOWERERS } from './lower-linear.js';
import { SHAPE_LOWERERS } from './lower-shape.js';
import { WINDOW_LOWERERS } from './lower-window.js';
import { encodeLossless, type WeightReport } from './weights.js';
import { parseOnnx, type OnnxGraph, type OnnxNode, type ParseOptions } from './parse.js';

export interface ImportOptions extends ParseOptions {
  /**
   * Shapes of graph inputs, batch first (e.g. { input: [1, 16000] }): required for every dynamic
   * dimension other than the batch; a batch of 1 here also lets reductions span the batch axis.
   */
  shapes?: Record<string, number[]>;
  /** Model name stored in the file (default: the ONNX graph's producer and file name are kept as properties). */
  name?: string;
  /** Store weight matrices dense float32 instead of detecting exact palettes / zero blocks (default false). */
  dense?: boolean;
}

export interface ImportReport {
  producer: string;
  opset: number;
  /** ONNX op types and their node counts. */
  onnxOps: Record<string, number>;
  /** .wpal op types and their counts, after folding, fusion and dead-op removal. */
  wpalOps: Record<string, number>;
  inputs: { name: string; shape: (number | string)[]; dtype: string }[];
  outputs: { name: string; shape: (number | string)[] }[];
  /** Weight matrices: what lossless detection found and the bytes before / after. */
  weights: WeightReport[];
  /** Other constants (biases, norms, element-wise operands), stored dense float32. */
  otherConstBytes: number;
  notes: string[];
  fileBytes: number;
}

export interface ImportResult {
  bytes: Uint8Array;
  report: ImportReport;
}

const LOWERERS: Record<string, (cx: Lowering, node: OnnxNode) => void> = {
  ...ELTWISE_LOWERERS,
  ...LINEAR_LOWERERS,
  ...SHAPE_LOWERERS,
  ...WINDOW_LOWERERS,
};

/** Op types supported on activations only as part of a fused pattern (fuse.ts). */
const FUSED_ONLY = new Set(['Erf']);

/** ONNX op types the importer lowers to .wpal ops (on values computed from the input). */
export const SUPPORTED_ONNX_OPS: readonly string[] = Object.freeze([...new Set([...Object.keys(LOWERERS), ...FUSED_ONLY])].sort());
/** ONNX op types the importer evaluates at import time when all their inputs are constants. */
export const FOLDED_ONNX_OPS: readonly string[] = Object.freeze([...FOLDABLE].sort());

const isDefaultDomain = (d: string) => d === '' || d === 'ai.onnx';

/** Every node that cannot be imported, grouped by op type, found before anything is lowered. */
function unsupportedOps(graph: OnnxGraph): UnsupportedOp[] {
  const act = new Set(graph.inputs.map((i) => i.name));
  const bad = new Map<string, UnsupportedOp>();
  for (const n of graph.nodes) {
    const fromInput = n.inputs.some((i) => act.has(i));
    const ok = isDefaultDomain(n.domain) && (fromInput ? n.opType in LOWERERS || FUSED_ONLY.has(n.opType) : FOLDABLE.has(n.opType) || n.opType in LOWERERS);
    // Shape of an activation is a constant: what follows it is static shape arithmetic.
    if (fromInput && n.opType !== 'Shape') for (const o of n.outputs) act.add(o);
    if (ok) continue;
    const key = `${n.domain}:${n.opType}`;
    const entry = bad.get(key) ?? { opType: n.opType, domain: n.domain || 'ai.onnx', count: 0, nodes: [] };
    entry.count++;
    entry.nodes.push(n.name);
    bad.set(key, entry);
  }
  return [...bad.values()].sort((a, b) => b.count - a.count);
}

/** The per-example input shapes and batch sizes, or a WpalImportError naming the dynamic dimension. */
function resolveInputs(graph: OnnxGraph, shapes: Record<string, number[]>): { name: string; shape: number[]; batch: number | undefined; dtype: 'float32' | 'int32' }[] {
  for (const name of Object.keys(shapes)) {
    if (!graph.inputs.some((i) => i.name === name)) throw new WpalImportError(`--shape names ${JSON.stringify(name)}, which is not an input of the model (inputs: ${graph.inputs.map((i) => i.name).join(', ')})`);
  }
  return graph.inputs.map((inp) => {
    const given = shapes[inp.name];
    const dims = given ?? inp.dims;
    if (!dims) throw new WpalImportError(`input ${JSON.stringify(inp.name)} has no shape in the file; give it with --shape ${inp.name}=1x...`);
    if (given && inp.dims && given.length !== inp.dims.length) throw new WpalImportError(`--shape ${inp.name} has rank ${given.length}, the model's input has rank ${inp.dims.length}`);
    if (dims.length < 1) throw new WpalImportError(`input ${JSON.stringify(inp.name)} is a scalar; inputs need a batch axis`);
    dims.slice(1).forEach((d, i) => {
      if (typeof d !== 'number' || !(d >= 1)) {
        throw new WpalImportError(
          `input ${JSON.stringify(inp.name)} dimension ${i + 1}${typeof d === 'string' ? ` (${JSON.stringify(d)})` : ''} is dynamic: give the shape with --shape ${inp.name}=${dims.map((x, j) => (j === 0 ? 1 : typeof x === 'number' ? x : 'D')).join('x')} (dimension 0 is the batch)`,
        );
      }
    });
    const t = inp.elemType ?? 'float32';
    const dtype = t === 'float32' || t === 'float16' || t === 'float64' ? 'float32' : t === 'int64' || t === 'int32' ? 'int32' : undefined;
    if (!dtype) throw new WpalImportError(`input ${JSON.stringify(inp.name)} has element type ${t}; inputs must be float or integer ids`);
    return { name: inp.name, shape: (dims.slice(1) as number[]).map(Number), batch: typeof dims[0] === 'number' ? dims[0] : undefined, dtype };
  });
}

/** Imports an ONNX model. Throws WpalImportError / WpalUnsupportedOpError (listing every unsupported op) before writing anything. */
export function importOnnx(bytes: Uint8Array, options: ImportOptions = {}): ImportResult {
  const graph = parseOnnx(bytes, options);
  const bad = unsupportedOps(graph);
  if (bad.length) throw new WpalUnsupportedOpsError(bad, SUPPORTED_ONNX_OPS, FOLDED_ONNX_OPS);
  const inputs = resolveInputs(graph, options.shapes ?? {});
  const cx = new Lowering(graph, inputs.every((i) => i.batch === 1));
  for (const [name, t] of graph.initializers) cx.set(name, t);
  for (const inp of inputs) cx.setAct(inp.name, cx.g.input(inp.name, inp.shape, inp.dtype), inp.shape, identity(inp.shape.length), inp.dtype);

  const fold = (node: OnnxNode): boolean => {
    const vals = node.inputs.map((n) => (n ? cx.values.get(n) : undefined));
    if (vals.some(isAct) || node.inputs.some((n, i) => n && !vals[i]) || !FOLDABLE.has(node.opType)) return false;
    const folded = foldNode(node, vals.map((v) => (isAct(v) ? undefined : v)), (name, fb) => cx.attr(node, name, fb), graph.opset);
    if (!folded) return false;
    folded.forEach((v, i) => cx.set(node.outputs[i], v));
    cx.consumed.add(node.index);
    return true;
  };
  // Constants that do not depend on the input first, so fusions can see every constant operand
  // (exporters often write a Constant node after the first node that reads it).
  for (const node of graph.nodes) fold(node);

  for (const node of graph.nodes) {
    if (cx.consumed.has(node.index)) continue;
    const vals = node.inputs.map((n) => (n ? cx.values.get(n) : undefined));
    node.inputs.forEach((n, i) => {
      if (n && !vals[i]) cx.fail(node, `input ${JSON.stringify(n)} is not defined before this node (the graph is not in topological order, or the name is wrong)`);
    });
    if (fold(node)) continue;
    if ((FUSIONS[node.opType] ?? []).some((fuse) => fuse(cx, node))) continue;
    const lower = LOWERERS[node.opType];
    if (!lower) cx.fail(node, vals.some(isAct) ? 'this op on values computed from the input is not supported' : 'cannot be evaluated at import time');
    lower(cx, node);
  }

  const outputs = graph.outputs.map((o) => {
    const v = cx.values.get(o.name);
    if (!v) throw new WpalImportError(`graph output ${JSON.stringify(o.name)} is not produced by any node`);
    if (!isAct(v)) throw new WpalImportError(`graph output ${JSON.stringify(o.name)} is a constant (it does not depend on the input); wasm-palette outputs must be computed`);
    if (v.order) throw new WpalImportError(`internal: output ${JSON.stringify(o.name)} has a folded layout`);
    let t = logical(cx.g, v, o.name);
    // An output must be its own tensor: not a graph input, not another output.
    if (cx.g.inputs.includes(t) || cx.g.outputs.includes(t)) t = cx.g.op('Reshape', [t], { shape: cx.g.tensors[t].shape }, o.name);
    cx.g.outputs.push(t);
    return { name: o.name, t };
  });
  cx.g.prune();
  return write(cx, inputs, outputs, options, graph);
}

const MATRIX_SLOTS: Record<string, number> = { FullyConnected: 1, Conv2D: 1, ConvTranspose: 1, Embedding: 1 };

function write(cx: Lowering, inputs: ReturnType<typeof resolveInputs>, outputs: { name: string; t: number }[], options: ImportOptions, graph: OnnxGraph): ImportResult {
  const g = cx.g;
  const onnxOps: Record<string, number> = {};
  for (const n of graph.nodes) onnxOps[n.opType] = (onnxOps[n.opType] ?? 0) + 1;
  const w = new ModelWriter({
    name: options.name ?? 'onnx-import',
    properties: {
      source: 'onnx',
      'onnx.producer': graph.producer,
      'onnx.opset': String(graph.opset),
      // The importer reads the ONNX layout per example: what the runtime calls batch is ONNX axis 0.
      'onnx.inputs': JSON.stringify(inputs.map((i) => ({ name: i.name, batch: i.batch ?? 'N' }))),
    },
  });
  const handles = new Map<number, TensorHandle>();
  const matrixUse = new Map<number, string>();
  for (const op of g.ops) if (op.type in MATRIX_SLOTS) matrixUse.set(op.inputs[MATRIX_SLOTS[op.type]], op.type);
  const weights: WeightReport[] = [];
  let otherConstBytes = 0;
  for (const id of g.inputs) {
    const t = g.tensors[id];
    handles.set(id, w.input(t.name!, t.shape, t.dtype));
  }
  const handleOf = (id: number): TensorHandle | null => {
    if (id < 0) return null;
    const have = handles.get(id);
    if (have) return have;
    const t = g.tensors[id];
    if (t.kind !== 'weight') throw new Error(`internal: tensor ${id} used before it is defined`);
    const use = matrixUse.get(id);
    let h: TensorHandle;
    if (use && !options.dense) {
      const { encoded, report } = encodeLossless(t.name!, t.shape, t.values!, t.origin, use !== 'Embedding');
      weights.push(report);
      h = w.weight(t.name!, t.shape, encoded);
    } else {
      if (use) weights.push({ name: t.name!, shape: t.shape, distinct: 0, bits: 0, sparsity: 0, found: 'dense (--dense)', bytesBefore: t.values!.length * 4, bytesAfter: t.values!.length * 4 });
      else otherConstBytes += t.values!.length * 4;
      h = w.weight(t.name!, t.shape, encodeDense(t.values!));
    }
    handles.set(id, h);
    return h;
  };
  const outName = new Map(outputs.map((o) => [o.t, o.name]));
  const wpalOps: Record<string, number> = {};
  for (const op of g.ops) {
    const h = w.op(op.type, op.inputs.map(handleOf), { attrs: op.attrs, output: outName.get(op.output) });
    handles.set(op.output, h);
    wpalOps[op.type] = (wpalOps[op.type] ?? 0) + 1;
  }
  for (const o of outputs) w.output(handles.get(o.t)!);
  const bytes = w.finish();
  const dimsOf = (name: string, list: OnnxGraph['inputs']) => (list.find((v) => v.name === name)?.dims ?? []).map((d) => d ?? '?');
  return {
    bytes,
    report: {
      producer: graph.producer,
      opset: graph.opset,
      onnxOps,
      wpalOps,
      inputs: inputs.map((i) => ({ name: i.name, shape: [i.batch ?? 'N', ...i.shape], dtype: i.dtype })),
      outputs: outputs.map((o) => ({ name: o.name, shape: dimsOf(o.name, graph.outputs) })),
      weights,
      otherConstBytes,
      notes: cx.notes,
      fileBytes: bytes.length,
    },
  };
}
