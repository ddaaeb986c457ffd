/**
 * exportOnnx: the graph of a .wpal model as an ONNX model (opset 17, IR 8) with every weight
 * decoded to dense float32 (palettized and block-sparse weights expanded exactly as the file
 * defines them), so onnxruntime runs what the file says. The batch dimension is symbolic ("batch").
 *
 * Layouts: .wpal images are NHWC ([H, W, C] per example) with conv weights [O, kh, kw, C/groups];
 * ONNX Conv/pool/BatchNormalization are NCHW with weights [O, C/groups, kh, kw]. The exporter keeps
 * every tensor under its .wpal name in the .wpal layout, computes image ops in NCHW, and inserts a
 * Transpose only where a consumer needs the other layout (element-wise ops run in whichever layout
 * their inputs already have), so a conv stack is NCHW end to end, as an ONNX user would write it.
 *
 * Op mapping: FullyConnected -> Gemm (rank-1 input) or MatMul + Add; Relu, Sigmoid, Tanh, Softmax
 * (axis -1), Add, Mul -> same; Relu6 -> Clip(0, 6); Gelu -> x * 0.5 * (1 + Erf(x / sqrt 2));
 * Silu -> x * Sigmoid(x); Reshape -> Reshape [0, ...shape]; Conv2D -> Conv; MaxPool -> MaxPool;
 * AvgPool -> AveragePool (count_include_pad 0); GlobalAveragePool; BatchNormalization; Concat;
 * Flatten (axis 1); Transpose; LayerNorm -> LayerNormalization (axis -1); MatMul -> [Transpose b]
 * + MatMul [+ Mul alpha]; Embedding -> Gather (axis 0, int32 ids).
 * Format 1.1: Slice -> Slice (int64 starts / ends / axes / steps, axes shifted past the batch, in
 * whichever layout the input has); Resize -> Resize in NCHW (scales [1, 1, sh, sw] when the op has
 * scales, else sizes = Shape(x)[0:2] ++ [OH, OW], as the batch is symbolic); ConvTranspose ->
 * ConvTranspose in NCHW with the weight permuted back to ONNX's [C, O/groups, kh, kw].
 * Format 1.1: LeakyRelu, HardSigmoid, HardSwish, Sqrt, Log, Exp, Neg, Abs -> same; Clip -> Clip with
 * min / max as scalar inputs (+-inf kept); Add, Sub, Mul, Div, Max, Min, Pow -> same, constants as
 * initializers in their own shape (ONNX broadcasting is right-aligned too, so they line up with the
 * per-example axes), an activation of lower per-example rank reshaped to [batch, 1, ..., shape] first;
 * ReduceMean, ReduceMax -> same with axes + 1 ([] = every per-example axis) and keepdims.
 * Not modelled: the int8 attribute of FullyConnected and Conv2D (activation quantization inside the kernel);
 * the export computes that layer in float32.
 */
import { decodeTensor } from '../encode/decode.js';
import { readModel } from '../format/read.js';
import type { ModelInfo, OpInfo } from '../format/types.js';
import { ohwiToOihw } from '../models/common.js';
import { graphToModel, type OnnxGraph } from './graph.js';
import { OnnxDType, type OnnxAttr } from './proto.js';
import { quantizeGraph, type QuantizeMode } from './quantize.js';

export const ONNX_OPSET = 17;
export const ONNX_IR_VERSION = 8;

export interface ExportOptions {
  /**
   * Weight values: 'decoded' (default) = what the file stores, decoded to float32; or dense values
   * by tensor name (e.g. BuiltModel.weights, the uncompressed weights) for every weight tensor.
   */
  weights?: 'decoded' | Record<string, ArrayLike<number>>;
  /** Batch dimension: a symbolic name (default "batch") or a fixed size. */
  batch?: string | number;
  /** Graph name (default: the model name, else "wpal"). */
  name?: string;
  /**
   * Rewrite the float graph as onnxruntime's quantization tools would (src/onnx/quantize.ts):
   * 'dynamic-qint8' = `quantize_dynamic` with its defaults (MatMulInteger / ConvInteger on uint8
   * activations and per-tensor symmetric int8 weights, uint8 Gather tables, Gemm left float);
   * 'dynamic-quint8' = the same with weight_type=QUInt8; 'matmul-4bits' = `MatMul4BitsQuantizer`
   * with its defaults (com.microsoft MatMulNBits, 4 bits, blocks of 128, asymmetric).
   */
  quantize?: QuantizeMode;
}

type Layout = 'nhwc' | 'nchw';

/** The ONNX model bytes of a .wpal model (bytes, a parsed ModelInfo, or a builder's { bytes }). */
export function exportOnnx(src: ModelInfo | Uint8Array | { bytes: Uint8Array }, opts: ExportOptions = {}): Uint8Array {
  const info = src instanceof Uint8Array ? readModel(src) : 'formatMajor' in src ? src : readModel(src.bytes);
  return new Exporter(info, opts).run();
}

class Exporter {
  private readonly g: OnnxGraph = { name: '', nodes: [], inits: [], inputs: [], outputs: [] };
  private readonly names = new Set<string>();
  /** Per activation tensor: its ONNX names in each layout that has been materialized. */
  private readonly avail = new Map<number, Partial<Record<Layout, string>>>();
  private readonly inits = new Map<string, string>();
  private readonly decoded = new Map<number, Float32Array>();
  private readonly batch: string | number;
  private nodeCount = 0;

  constructor(
    private readonly info: ModelInfo,
    private readonly opts: ExportOptions,
  ) {
    this.batch = opts.batch ?? 'batch';
    for (const t of info.tensors) this.names.add(t.name);
  }

  private fresh(base: string): string {
    let n = base;
    for (let k = 1; this.names.has(n); k++) n = `${base}_${k}`;
    this.names.add(n);
    return n;
  }

  private node(type: string, inputs: string[], output: string, attrs: Record<string, OnnxAttr> = {}): string {
    this.g.nodes.push({ type, inputs, outputs: [output], name: `${type}_${this.nodeCount++}`, attrs });
    return output;
  }

  /** A helper tensor computed from `base` (a fresh name derived from it). */
  private tmp(type: string, inputs: string[], base: string, attrs: Record<string, OnnxAttr> = {}): string {
    return this.node(type, inputs, this.fresh(`${base}::${type}`), attrs);
  }

  private values(t: number): Float32Array {
    const given = this.opts.weights;
    if (given && given !== 'decoded') {
      const name = this.info.tensors[t].name;
      const v = given[name];
      if (!v) throw new RangeError(`exportOnnx: weights has no values for tensor ${JSON.stringify(name)}`);
      return v instanceof Float32Array ? v : Float32Array.from(v);
    }
    let v = this.decoded.get(t);
    if (!v) this.decoded.set(t, (v = decodeTensor(this.info, t)));
    return v;
  }

  /** Initializer `key` (created once): float32 values of the given dims. */
  private init(key: string, dims: readonly number[], make: () => Float32Array): string {
    let n = this.inits.get(key);
    if (n === undefined) {
      n = this.names.has(key) && !this.info.tensors.some((t) => t.name === key && t.weight) ? this.fresh(key) : key;
      this.names.add(n);
      this.g.inits.push({ name: n, dims: [...dims], data: make() });
      this.inits.set(key, n);
    }
    return n;
  }

  private weight(t: number): string {
    const tt = this.info.tensors[t];
    return this.init(tt.name, tt.shape, () => this.values(t));
  }

  private scalar(v: number): string {
    return this.init(`::const_${Math.fround(v)}`, [], () => Float32Array.of(v));
  }

  private shapeConst(dims: readonly number[]): string {
    const key = `::shape_${dims.join('_')}`;
    let n = this.inits.get(key);
    if (n === undefined) {
      n = this.fresh(key);
      this.g.inits.push({ name: n, dims: [dims.length], data: BigInt64Array.from(dims.map((d) => BigInt(d))) });
      this.inits.set(key, n);
    }
    return n;
  }

  private rank(t: number): number {
    return this.info.tensors[t].shape.length;
  }

  private isImage(t: number): boolean {
    return this.rank(t) === 3;
  }

  /** The ONNX name of activation t in a layout, inserting a Transpose if needed. */
  private get(t: number, layout: Layout = 'nhwc'): string {
    const a = this.avail.get(t);
    if (!a) throw new Error(`exportOnnx: tensor ${t} used before it is produced`);
    const have = a[layout];
    if (have) return have;
    if (!this.isImage(t)) throw new Error(`exportOnnx: tensor ${t} is not an image`);
    const name = this.info.tensors[t].name;
    if (layout === 'nchw') a.nchw = this.node('Transpose', [a.nhwc!], this.fresh(`${name}::nchw`), { perm: [0, 3, 1, 2] });
    else a.nhwc = this.node('Transpose', [a.nchw!], name, { perm: [0, 2, 3, 1] });
    return a[layout]!;
  }

  /** Layout an element-wise op over these inputs should use (NCHW when every input has it and not NHWC). */
  private preferred(ts: number[]): Layout {
    return ts.every((t) => this.isImage(t) && this.avail.get(t)?.nchw) && ts.some((t) => !this.avail.get(t)?.nhwc) ? 'nchw' : 'nhwc';
  }

  /** Output name of op output t in a layout (the canonical name for NHWC). */
  private out(t: number, layout: Layout = 'nhwc'): string {
    const name = this.info.tensors[t].name;
    const n = layout === 'nhwc' ? name : this.fresh(`${name}::nchw`);
    this.avail.set(t, { [layout]: n });
    return n;
  }

  run(): Uint8Array {
    const info = this.info;
    for (const t of info.inputs) {
      const tt = info.tensors[t];
      this.avail.set(t, { nhwc: tt.name });
      this.g.inputs.push({ name: tt.name, dtype: tt.dtype === 'int32' ? OnnxDType.INT32 : OnnxDType.FLOAT, dims: [this.batch, ...tt.shape] });
    }
    for (const op of info.ops) this.op(op);
    for (const t of info.outputs) {
      const tt = info.tensors[t];
      this.get(t, 'nhwc');
      this.g.outputs.push({ name: tt.name, dtype: OnnxDType.FLOAT, dims: [this.batch, ...tt.shape] });
    }
    this.g.name = this.opts.name ?? info.metadata.name ?? 'wpal';
    const g = this.opts.quantize ? quantizeGraph(this.g, this.opts.quantize) : this.g;
    return graphToModel(g, { irVersion: ONNX_IR_VERSION, opset: ONNX_OPSET, producer: 'wasm-palette', producerVersion: `wpal ${info.formatMajor}.${info.formatMinor}` });
  }

  /** A binary op of format 1.1 (broadcasting; constants on either side). */
  private binary(op: OpInfo): void {
    const [ta, tb] = op.inputs;
    const y = op.outputs[0];
    const tensors = this.info.tensors;
    const sa = tensors[ta].shape;
    const sb = tensors[tb].shape;
    const sameActivations = !tensors[ta].weight && !tensors[tb].weight && sa.length === sb.length && sa.every((d, i) => d === sb[i]);
    if (sameActivations) {
      // As in 1.0: whichever layout both inputs already have.
      const l = this.preferred([ta, tb]);
      this.node(op.type, [this.get(ta, l), this.get(tb, l)], this.out(y, l));
      return;
    }
    const r = this.rank(y);
    const operand = (t: number): string => {
      if (tensors[t].weight) return this.weight(t);
      const shape = tensors[t].shape;
      if (shape.length === r) return this.get(t);
      // [batch, ...shape] -> [batch, 1, ..., 1, ...shape], so the batch axis stays the first.
      const ones = new Array<number>(r - shape.length).fill(1);
      return this.tmp('Reshape', [this.get(t), this.shapeConst([0, ...ones, ...shape])], tensors[y].name);
    };
    this.node(op.type, [operand(ta), operand(tb)], this.out(y));
  }

  private op(op: OpInfo): void {
    const [x, w, b] = op.inputs;
    const y = op.outputs[0];
    const a = op.attrs;
    const has = (i: number | undefined): i is number => i !== undefined && i >= 0;
    const yName = this.info.tensors[y].name;
    switch (op.type) {
      case 'FullyConnected': {
        const tw = this.info.tensors[w];
        const [n, k] = tw.shape;
        if (this.rank(x) === 1) {
          const ins = [this.get(x), this.weight(w), ...(has(b) ? [this.weight(b)] : [])];
          this.node('Gemm', ins, this.out(y), { transB: 1 });
        } else {
          const wt = this.init(`${tw.name}::transposed`, [k, n], () => {
            const v = this.values(w);
            const t = new Float32Array(k * n);
            for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) t[j * n + i] = v[i * k + j];
            return t;
          });
          if (has(b)) {
            const mm = this.tmp('MatMul', [this.get(x), wt], yName);
            this.node('Add', [mm, this.weight(b)], this.out(y));
          } else this.node('MatMul', [this.get(x), wt], this.out(y));
        }
        return;
      }
      case 'Relu':
      case 'Sigmoid':
      case 'Tanh':
      case 'Relu6':
      case 'Gelu':
      case 'Silu': {
        const l = this.preferred([x]);
        const xi = this.get(x, l);
        if (op.type === 'Relu6') this.node('Clip', [xi, this.scalar(0), this.scalar(6)], this.out(y, l));
        else if (op.type === 'Gelu') {
          const e = this.tmp('Erf', [this.tmp('Mul', [xi, this.scalar(Math.SQRT1_2)], yName)], yName);
          const m = this.tmp('Mul', [xi, this.tmp('Add', [e, this.scalar(1)], yName)], yName);
          this.node('Mul', [m, this.scalar(0.5)], this.out(y, l));
        } else if (op.type === 'Silu') this.node('Mul', [xi, this.tmp('Sigmoid', [xi], yName)], this.out(y, l));
        else this.node(op.type, [xi], this.out(y, l));
        return;
      }
      case 'LeakyRelu':
      case 'HardSigmoid':
      case 'HardSwish':
      case 'Clip':
      case 'Sqrt':
      case 'Log':
      case 'Exp':
      case 'Neg':
      case 'Abs': {
        const l = this.preferred([x]);
        const xi = this.get(x, l);
        if (op.type === 'Clip') this.node('Clip', [xi, this.scalar(a.min as number), this.scalar(a.max as number)], this.out(y, l));
        else if (op.type === 'LeakyRelu') this.node(op.type, [xi], this.out(y, l), { alpha: { float: a.alpha as number } });
        else if (op.type === 'HardSigmoid') {
          this.node(op.type, [xi], this.out(y, l), { alpha: { float: a.alpha as number }, beta: { float: a.beta as number } });
        }
        else this.node(op.type, [xi], this.out(y, l));
        return;
      }
      case 'Softmax':
        this.node('Softmax', [this.get(x)], this.out(y), { axis: -1 });
        return;
      case 'Add':
      case 'Sub':
      case 'Mul':
      case 'Div':
      case 'Max':
      case 'Min':
      case 'Pow':
        this.binary(op);
        return;
      case 'ReduceMean':
      case 'ReduceMax': {
        const r = this.rank(x);
        const given = a.axes as number[];
        const axes = (given.length ? given.map((k) => (k < 0 ? k + r : k)) : Array.from({ length: r }, (_, k) => k)).map((k) => k + 1);
        if (axes.length === 0) this.node('Identity', [this.get(x)], this.out(y));
        else this.node(op.type, [this.get(x)], this.out(y), { axes, keepdims: a.keepdims as number });
        return;
      }
      case 'Reshape':
        this.node('Reshape', [this.get(x), this.shapeConst([0, ...this.info.tensors[y].shape])], this.out(y));
        return;
      case 'Conv2D': {
        const tw = this.info.tensors[w];
        const [o, kh, kw, cg] = tw.shape;
        const wn = this.init(`${tw.name}::oihw`, [o, cg, kh, kw], () => ohwiToOihw(this.values(w), o, cg, kh, kw));
        const ins = [this.get(x, 'nchw'), wn, ...(has(b) ? [this.weight(b)] : [])];
        this.node('Conv', ins, this.out(y, 'nchw'), {
          kernel_shape: [kh, kw],
          strides: a.strides as number[],
          pads: a.pads as number[],
          dilations: a.dilations as number[],
          group: a.groups as number,
        });
        return;
      }
      case 'MaxPool':
      case 'AvgPool': {
        const attrs: Record<string, OnnxAttr> = { kernel_shape: a.kernel as number[], strides: a.strides as number[], pads: a.pads as number[] };
        if (op.type === 'AvgPool') attrs.count_include_pad = 0;
        this.node(op.type === 'MaxPool' ? 'MaxPool' : 'AveragePool', [this.get(x, 'nchw')], this.out(y, 'nchw'), attrs);
        return;
      }
      case 'GlobalAveragePool':
        this.node('GlobalAveragePool', [this.get(x, 'nchw')], this.out(y, 'nchw'));
        return;
      case 'BatchNormalization': {
        const params = op.inputs.slice(1).map((t) => this.weight(t));
        const attrs = { epsilon: { float: a.epsilon as number } };
        const r = this.rank(x);
        if (r === 3) this.node('BatchNormalization', [this.get(x, 'nchw'), ...params], this.out(y, 'nchw'), attrs);
        else if (r === 1) this.node('BatchNormalization', [this.get(x), ...params], this.out(y), attrs);
        else {
          // Channels last -> axis 1 and back (full rank R = r + 1 with the batch).
          const R = r + 1;
          const fwd = [0, R - 1, ...Array.from({ length: R - 2 }, (_, i) => i + 1)];
          const inv = [0, ...Array.from({ length: R - 2 }, (_, i) => i + 2), 1];
          const t = this.tmp('Transpose', [this.get(x)], yName, { perm: fwd });
          const bn = this.tmp('BatchNormalization', [t, ...params], yName, attrs);
          this.node('Transpose', [bn], this.out(y), { perm: inv });
        }
        return;
      }
      case 'Concat': {
        const r = this.rank(x);
        const axis = (a.axis as number) < 0 ? (a.axis as number) + r : (a.axis as number);
        const l = this.preferred(op.inputs);
        const onnxAxis = l === 'nchw' ? [2, 3, 1][axis] : axis + 1;
        this.node('Concat', op.inputs.map((t) => this.get(t, l)), this.out(y, l), { axis: onnxAxis });
        return;
      }
      case 'Flatten':
        this.node('Flatten', [this.get(x)], this.out(y), { axis: 1 });
        return;
      case 'Transpose':
        this.node('Transpose', [this.get(x)], this.out(y), { perm: [0, ...(a.perm as number[]).map((p) => p + 1)] });
        return;
      case 'LayerNorm': {
        const ins = [this.get(x), this.weight(w), ...(has(b) ? [this.weight(b)] : [])];
        this.node('LayerNormalization', ins, this.out(y), { axis: -1, epsilon: { float: a.epsilon as number } });
        return;
      }
      case 'MatMul': {
        let bn = this.get(w);
        if (a.transpose_b === 1) {
          const R = this.rank(w) + 1;
          const perm = Array.from({ length: R }, (_, i) => i);
          [perm[R - 2], perm[R - 1]] = [perm[R - 1], perm[R - 2]];
          bn = this.tmp('Transpose', [bn], yName, { perm });
        }
        const alpha = a.alpha as number;
        if (alpha === 1) this.node('MatMul', [this.get(x), bn], this.out(y));
        else this.node('Mul', [this.tmp('MatMul', [this.get(x), bn], yName), this.scalar(alpha)], this.out(y));
        return;
      }
      case 'Embedding':
        this.node('Gather', [this.weight(w), this.get(x)], this.out(y), { axis: 0 });
        return;
      case 'Slice': {
        const starts = a.starts as number[];
        const r = this.rank(x);
        const l = this.preferred([x]);
        const axes = (a.axes as number[]).length ? (a.axes as number[]) : starts.map((_, i) => i);
        const onnxAxes = axes.map((k) => (k < 0 ? k + r : k)).map((k) => (l === 'nchw' ? [2, 3, 1][k] : k + 1));
        const ins = [this.get(x, l), this.shapeConst(starts), this.shapeConst(a.ends as number[]), this.shapeConst(onnxAxes)];
        if ((a.steps as number[]).length) ins.push(this.shapeConst(a.steps as number[]));
        this.node('Slice', ins, this.out(y, l));
        return;
      }
      case 'Resize': {
        const xi = this.get(x, 'nchw');
        const scales = a.scales as number[];
        const attrs = { mode: a.mode as string, coordinate_transformation_mode: a.coordinate_transformation_mode as string, nearest_mode: a.nearest_mode as string };
        let ins: string[];
        if (scales.length) ins = [xi, '', this.init(`::scales_${scales.join('_')}`, [4], () => Float32Array.of(1, 1, scales[0], scales[1]))];
        else {
          const nc = this.tmp('Shape', [xi], yName, { start: 0, end: 2 });
          ins = [xi, '', '', this.tmp('Concat', [nc, this.shapeConst(a.sizes as number[])], yName, { axis: 0 })];
        }
        this.node('Resize', ins, this.out(y, 'nchw'), attrs);
        return;
      }
      case 'ConvTranspose': {
        const tw = this.info.tensors[w];
        const [o, kh, kw, cg] = tw.shape;
        const groups = a.groups as number;
        const wn = this.init(`${tw.name}::iohw`, [cg * groups, o / groups, kh, kw], () => ohwiToIohw(this.values(w), o, kh, kw, cg, groups));
        const ins = [this.get(x, 'nchw'), wn, ...(has(b) ? [this.weight(b)] : [])];
        this.node('ConvTranspose', ins, this.out(y, 'nchw'), {
          kernel_shape: [kh, kw],
          strides: a.strides as number[],
          pads: a.pads as number[],
          dilations: a.dilations as number[],
          group: groups,
          output_padding: a.output_padding as number[],
        });
        return;
      }
      default:
        throw new RangeError(`exportOnnx: op ${op.index} (${op.type}) has no ONNX mapping`);
    }
  }
}

/** ConvTranspose weight [O, kh, kw, C/groups] (.wpal) -> [C, O/groups, kh, kw] (ONNX). */
function ohwiToIohw(v: ArrayLike<number>, o: number, kh: number, kw: number, cg: number, groups: number): Float32Array {
  const og = o / groups;
  const out = new Float32Array(o * kh * kw * cg);
  for (let j = 0; j < o; j++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let ci = 0; ci < cg; ci++) {
    const c = Math.floor(j / og) * cg + ci; // input channel: group of j, then ci
    out[((c * og + (j % og)) * kh + y) * kw + x] = v[((j * kh + y) * kw + x) * cg + ci];
  }
  return out;
}
