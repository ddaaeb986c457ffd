/**
 * ONNX ops with weights: Gemm, MatMul (with a constant operand: a fully connected layer; two
 * activations: .wpal MatMul), Conv (1-D and 2-D, grouped and depthwise), ConvTranspose,
 * BatchNormalization (folded into the conv before it when it can be), LayerNormalization, and
 * Gather from a constant table (Embedding). Weights are permuted once into the .wpal layouts
 * (conv weights [O, kh, kw, C/groups]; fully connected [N, K]).
 */
import { scalarValue, transposeConst, expandTo } from './fold.js';
import { isAct, type Lowering } from './context.js';
import { identity, unitReshape, type Act } from './layout.js';
import type { ConstTensor, OnnxNode } from './parse.js';
import type { WeightOrigin } from './ir.js';

type Handler = (cx: Lowering, node: OnnxNode) => void;

/** A constant as values of `shape` (broadcast), e.g. a bias given as [1, N] or a scalar. */
function vectorOf(cx: Lowering, node: OnnxNode, c: ConstTensor, n: number, what: string): Float32Array {
  const nonUnit = c.dims.filter((d) => d !== 1);
  if (!(nonUnit.length === 0 || (nonUnit.length === 1 && nonUnit[0] === n && c.dims[c.dims.length - 1] === n))) {
    cx.fail(node, `${what} of shape [${c.dims}] does not broadcast to [${n}]`);
  }
  return cx.floats({ ...c, data: expandTo({ ...c, dims: nonUnit.length ? [n] : [] }, [n]) });
}

/**
 * BatchNormalization that reads only `name` (the output of a conv or fully connected layer) with
 * constant parameters: returns its per-channel scale and shift and marks it as lowered.
 */
function foldableBatchNorm(cx: Lowering, name: string, channels: number): { scale: Float32Array; shift: Float32Array; output: string } | undefined {
  const bn = cx.soleConsumer(name);
  if (!bn || bn.opType !== 'BatchNormalization' || bn.inputs[0] !== name) return undefined;
  if (bn.outputs.slice(1).some((o) => o && cx.consumers(o).length)) return undefined;
  if (cx.attr<number>(bn, 'training_mode', 0) === 1) return undefined;
  const params = [1, 2, 3, 4].map((i) => cx.values.get(bn.inputs[i]));
  if (params.some((p) => !p || isAct(p))) return undefined;
  const [gamma, beta, mean, variance] = params.map((p) => vectorOf(cx, bn, p as ConstTensor, channels, 'BatchNormalization parameter'));
  const eps = cx.attr<number>(bn, 'epsilon', 1e-5);
  const scale = new Float32Array(channels);
  const shift = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    scale[c] = gamma[c] / Math.sqrt(variance[c] + eps);
    shift[c] = beta[c] - scale[c] * mean[c];
  }
  cx.consumed.add(bn.index);
  cx.notes.push(`BatchNormalization ${JSON.stringify(bn.name)} folded into ${JSON.stringify(name)}'s weights`);
  return { scale, shift, output: bn.outputs[0] };
}

/** A weight matrix [rows, ...] made by DequantizeLinear with one scale per row: its integer levels and row scales. */
export function quantOrigin(c: ConstTensor, rows: number): WeightOrigin | undefined {
  if (!c.quant) return undefined;
  const cols = c.data.length / rows;
  const rowScale = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    rowScale[r] = c.quant.scale[r * cols];
    for (let j = 1; j < cols; j++) if (c.quant.scale[r * cols + j] !== rowScale[r]) return undefined;
  }
  return { kind: 'qdq', levels: c.quant.levels, rowScale };
}

/** Weight rows scaled per output channel (a folded BatchNorm), remembering the unscaled values for lossless encoding. */
function scaleRows(w: Float32Array, rows: number, scale: Float32Array): { values: Float32Array; origin: WeightOrigin } {
  const cols = w.length / rows;
  const values = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) values[r * cols + c] = w[r * cols + c] * scale[r];
  return { values, origin: { kind: 'scaled', base: w, rowScale: scale } };
}

function foldBias(bias: Float32Array | undefined, bn: { scale: Float32Array; shift: Float32Array }): Float32Array {
  const out = new Float32Array(bn.scale.length);
  for (let c = 0; c < out.length; c++) out[c] = (bias ? bias[c] : 0) * bn.scale[c] + bn.shift[c];
  return out;
}

function ints(cx: Lowering, node: OnnxNode, name: string, n: number, fallback: number): number[] {
  const v = cx.attr<number[] | undefined>(node, name, undefined) ?? new Array(n).fill(fallback);
  if (v.length !== n) cx.fail(node, `${name} must have ${n} values, got [${v}]`);
  return v;
}

/** Pads [begin..., end...] of a window op over spatial `sizes`, from pads or auto_pad. */
export function windowPads(cx: Lowering, node: OnnxNode, sizes: number[], kernel: number[], strides: number[], dilations: number[]): number[] {
  const n = sizes.length;
  const auto = cx.attr<string>(node, 'auto_pad', 'NOTSET');
  if (auto === 'NOTSET') return ints(cx, node, 'pads', 2 * n, 0);
  if (auto === 'VALID') return new Array(2 * n).fill(0);
  if (auto !== 'SAME_UPPER' && auto !== 'SAME_LOWER') cx.fail(node, `unknown auto_pad ${JSON.stringify(auto)}`);
  const begin: number[] = [];
  const end: number[] = [];
  sizes.forEach((size, i) => {
    const out = Math.ceil(size / strides[i]);
    const total = Math.max(0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - size);
    const small = Math.floor(total / 2);
    begin.push(auto === 'SAME_UPPER' ? small : total - small);
    end.push(auto === 'SAME_UPPER' ? total - small : small);
  });
  return [...begin, ...end];
}

/** The input of an image op as NHWC: 1-D inputs [C, L] become [C, 1, L] first. Returns the act and whether it was 1-D. */
export function imageInput(cx: Lowering, node: OnnxNode, x: Act): { act: Act; oneD: boolean } {
  if (x.shape.length === 3) return { act: x, oneD: false };
  if (x.shape.length === 2) return { act: unitReshape(cx.g, x, [x.shape[0], 1, x.shape[1]], node.name)!, oneD: true };
  return cx.fail(node, `input must be [N, C, H, W] or [N, C, L], got per-example shape [${x.shape}]`);
}

/** Sets an NHWC result [OH, OW, C] as the logical [C, OH, OW] (or [C, OL] for 1-D). */
export function setImage(cx: Lowering, node: OnnxNode, output: string, t: number, oneD: boolean): Act {
  const [oh, ow, c] = cx.g.tensors[t].shape;
  const a = cx.setAct(output, t, [c, oh, ow], [1, 2, 0]);
  if (!oneD) return a;
  const flat = unitReshape(cx.g, a, [c, ow], node.name)!;
  cx.set(output, flat);
  return flat;
}

function conv(cx: Lowering, node: OnnxNode): void {
  const { act: x, oneD } = imageInput(cx, node, cx.act(node, 0));
  const w = cx.constant(node, 1, 'the weight');
  if (!w) return cx.fail(node, 'the weight is required');
  const b = cx.constant(node, 2, 'the bias');
  const k = oneD ? 1 : 2;
  if (w.dims.length !== k + 2) cx.fail(node, `weight of shape [${w.dims}] does not fit a ${k}-D convolution`);
  const w4 = oneD ? { ...w, dims: [w.dims[0], w.dims[1], 1, w.dims[2]] } : w;
  const [o, cg, kh, kw] = w4.dims;
  const lift = (v: number[], fill: number) => (oneD ? [fill, v[0]] : v);
  const strides = lift(ints(cx, node, 'strides', k, 1), 1);
  const dilations = lift(ints(cx, node, 'dilations', k, 1), 1);
  const kshape = cx.attr<number[] | undefined>(node, 'kernel_shape', undefined);
  if (kshape && kshape.join() !== (oneD ? [kw] : [kh, kw]).join()) cx.fail(node, `kernel_shape [${kshape}] differs from the weight [${w.dims}]`);
  const rawPads = windowPads(cx, node, oneD ? [x.shape[2]] : [x.shape[1], x.shape[2]], oneD ? [kw] : [kh, kw], oneD ? [strides[1]] : strides, oneD ? [dilations[1]] : dilations);
  const pads = oneD ? [0, rawPads[0], 0, rawPads[1]] : rawPads;
  const groups = cx.attr<number>(node, 'group', 1);
  if (cg * groups !== x.shape[0]) cx.fail(node, `weight [${w.dims}] with group ${groups} needs ${cg * groups} input channels, the input has ${x.shape[0]}`);
  const ohwi = cx.floats(transposeConst({ ...w4, quant: undefined }, [0, 2, 3, 1]));
  let bias = b ? vectorOf(cx, node, b, o, 'bias') : undefined;
  let output = node.outputs[0];
  let values = ohwi;
  const permuted = transposeConst(w4, [0, 2, 3, 1]);
  let origin: WeightOrigin | undefined = quantOrigin(permuted, o);
  const bn = foldableBatchNorm(cx, output, o);
  if (bn) {
    ({ values, origin } = scaleRows(ohwi, o, bn.scale));
    bias = foldBias(bias, bn);
    output = bn.output;
  }
  const W = cx.weight(node.inputs[1], [o, kh, kw, cg], values, origin);
  const B = bias ? cx.weight(node.inputs[2] || `${node.inputs[1]}.bias`, [o], bias) : -1;
  const t = cx.emit(node, 'Conv2D', [cx.physical(node, x, [1, 2, 0]), W, B], { strides, pads, dilations, groups });
  setImage(cx, node, output, t, oneD);
}

function convTranspose(cx: Lowering, node: OnnxNode): void {
  const { act: x, oneD } = imageInput(cx, node, cx.act(node, 0));
  const w = cx.constant(node, 1, 'the weight');
  if (!w) return cx.fail(node, 'the weight is required');
  const b = cx.constant(node, 2, 'the bias');
  const k = oneD ? 1 : 2;
  if (w.dims.length !== k + 2) cx.fail(node, `weight of shape [${w.dims}] does not fit a ${k}-D transposed convolution`);
  const w4 = oneD ? { ...w, dims: [w.dims[0], w.dims[1], 1, w.dims[2]] } : w;
  const [c, og, kh, kw] = w4.dims;
  const groups = cx.attr<number>(node, 'group', 1);
  if (c !== x.shape[0]) cx.fail(node, `weight [${w.dims}] needs ${c} input channels, the input has ${x.shape[0]}`);
  const o = og * groups;
  const cg = c / groups;
  // [C, O/g, kh, kw] -> [O, kh, kw, C/g]: output channel o of group gi reads input channels gi*C/g ...
  const vals = new Float32Array(o * kh * kw * cg);
  for (let oc = 0; oc < o; oc++) {
    const gi = Math.floor(oc / og);
    for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) for (let cc = 0; cc < cg; cc++) {
      vals[((oc * kh + i) * kw + j) * cg + cc] = w4.data[(((gi * cg + cc) * og + (oc - gi * og)) * kh + i) * kw + j];
    }
  }
  const lift = (v: number[], fill: number) => (oneD ? [fill, v[0]] : v);
  const strides = lift(ints(cx, node, 'strides', k, 1), 1);
  const dilations = lift(ints(cx, node, 'dilations', k, 1), 1);
  let outPad = lift(ints(cx, node, 'output_padding', k, 0), 0);
  const sizes = oneD ? [x.shape[2]] : [x.shape[1], x.shape[2]];
  const kern = oneD ? [kw] : [kh, kw];
  const st = oneD ? [strides[1]] : strides;
  const dl = oneD ? [dilations[1]] : dilations;
  const outShape = cx.attr<number[] | undefined>(node, 'output_shape', undefined);
  const auto = cx.attr<string>(node, 'auto_pad', 'NOTSET');
  let pads: number[];
  if (outShape || auto === 'SAME_UPPER' || auto === 'SAME_LOWER') {
    const target = outShape ? outShape.slice(-k) : sizes.map((s, i) => s * st[i]);
    const begin: number[] = [];
    const end: number[] = [];
    sizes.forEach((s, i) => {
      const op = oneD ? outPad[1] : outPad[i];
      const total = st[i] * (s - 1) + op + (kern[i] - 1) * dl[i] + 1 - target[i];
      const half = Math.floor(total / 2);
      begin.push(auto === 'SAME_UPPER' ? half : total - half);
      end.push(auto === 'SAME_UPPER' ? total - half : half);
    });
    pads = [...begin, ...end];
    if (pads.some((p) => p < 0)) {
      // A negative total means the output is larger than the transposed conv gives: extra output padding.
      const extra = pads.map((p) => Math.max(0, -p));
      outPad = oneD ? [0, outPad[1] + extra[1] + extra[0]] : outPad.map((v, i) => v + extra[i] + extra[i + 2]);
      pads = pads.map((p) => Math.max(0, p));
    }
  } else pads = auto === 'VALID' ? new Array(2 * k).fill(0) : ints(cx, node, 'pads', 2 * k, 0);
  const pads4 = oneD ? [0, pads[0], 0, pads[1]] : pads;
  const W = cx.weight(node.inputs[1], [o, kh, kw, cg], vals);
  const B = b ? cx.weight(node.inputs[2], [o], vectorOf(cx, node, b, o, 'bias')) : -1;
  const t = cx.emit(node, 'ConvTranspose', [cx.physical(node, x, [1, 2, 0]), W, B], { strides, pads: pads4, dilations, groups, output_padding: outPad });
  setImage(cx, node, node.outputs[0], t, oneD);
}

/** A fully connected layer on the last logical axis of `x`; the rest of the layout is kept. */
function fullyConnected(cx: Lowering, node: OnnxNode, x: Act, weight: Float32Array, n: number, bias: Float32Array | undefined, output: string, wName: string, bName: string, origin?: WeightOrigin): Act {
  const last = x.shape.length - 1;
  const want = x.perm[x.perm.length - 1] === last ? x.perm : [...x.perm.filter((a) => a !== last), last];
  const k = x.shape[last];
  if (x.order) {
    // The input is a flatten kept in physical order: permute the weight columns to match.
    const cols = new Float32Array(weight.length);
    for (let r = 0; r < n; r++) for (let j = 0; j < k; j++) cols[r * k + j] = weight[r * k + x.order[j]];
    weight = cols;
    if (origin?.kind === 'qdq') {
      const levels = new Float64Array(origin.levels.length);
      for (let r = 0; r < n; r++) for (let j = 0; j < k; j++) levels[r * k + j] = origin.levels[r * k + x.order[j]];
      origin = { ...origin, levels };
    } else origin = undefined;
  }
  const W = cx.weight(wName, [n, k], weight, origin);
  const B = bias ? cx.weight(bName, [n], bias) : -1;
  const t = cx.emit(node, 'FullyConnected', [cx.physical(node, x, want), W, B]);
  return cx.setAct(output, t, [...x.shape.slice(0, -1), n], want);
}

function gemm(cx: Lowering, node: OnnxNode): void {
  const a = cx.act(node, 0);
  if (a.shape.length !== 1) cx.fail(node, `input A must be [M, K] with M the batch, got per-example shape [${a.shape}]`);
  if (cx.attr<number>(node, 'transA', 0)) cx.fail(node, 'transA = 1 puts the batch in the columns of A; export the model without it');
  const bw = cx.constant(node, 1, 'B (the weight)');
  if (!bw || bw.dims.length !== 2) return cx.fail(node, 'B must be a 2-D constant');
  const transB = cx.attr<number>(node, 'transB', 0) === 1;
  const w = transB ? bw : transposeConst(bw, [1, 0]);
  const [n, k] = w.dims;
  if (k !== a.shape[0]) cx.fail(node, `A has K = ${a.shape[0]}, B gives K = ${k}`);
  const alpha = cx.attr<number>(node, 'alpha', 1);
  const beta = cx.attr<number>(node, 'beta', 1);
  let values = cx.floats(w);
  const origin = alpha === 1 ? quantOrigin(w, n) : undefined;
  if (alpha !== 1) values = values.map((v) => v * alpha);
  const c = cx.constant(node, 2, 'C (the bias)');
  let bias = c ? vectorOf(cx, node, c, n, 'C') : undefined;
  if (bias && beta !== 1) bias = bias.map((v) => v * beta);
  fullyConnected(cx, node, a, values, n, bias, node.outputs[0], node.inputs[1], node.inputs[2] || `${node.inputs[1]}.bias`, origin);
}

function matmul(cx: Lowering, node: OnnxNode): void {
  const x = cx.value(node, 0);
  const y = cx.value(node, 1);
  if (isAct(x) && isAct(y)) return matmulActs(cx, node, x, y);
  if (!isAct(x)) return cx.fail(node, 'a constant times an activation (W @ x) is not supported; write it as x @ W^T');
  const b = y as ConstTensor;
  const dims = b.dims.length > 2 && b.dims.slice(0, -2).every((d) => d === 1) ? b.dims.slice(-2) : b.dims;
  if (dims.length === 1) {
    // x @ v: a matrix-vector product; the output drops the last axis.
    const out = fullyConnected(cx, node, x, cx.floats(b), 1, undefined, `${node.outputs[0]}#mv`, node.inputs[1], '');
    cx.set(node.outputs[0], unitReshape(cx.g, out, out.shape.slice(0, -1), node.name)!);
    return;
  }
  if (dims.length !== 2) return cx.fail(node, `a batched constant operand [${b.dims}] is not supported`);
  const [k, n] = dims;
  if (x.shape[x.shape.length - 1] !== k) cx.fail(node, `inner dimensions differ: [${x.shape}] x [${b.dims}]`);
  const wt = transposeConst({ ...b, dims }, [1, 0]);
  const w = cx.floats(wt);
  // MatMul + Add(bias) is one fully connected layer.
  let output = node.outputs[0];
  let bias: Float32Array | undefined;
  let bName = '';
  const add = cx.soleConsumer(output);
  if (add && add.opType === 'Add') {
    const other = add.inputs[0] === output ? add.inputs[1] : add.inputs[0];
    const c = cx.values.get(other);
    if (c && !isAct(c) && c.dims.every((d, i) => d === 1 || (i === c.dims.length - 1 && d === n))) {
      bias = vectorOf(cx, add, c, n, 'bias');
      bName = other;
      output = add.outputs[0];
      cx.consumed.add(add.index);
    }
  }
  fullyConnected(cx, node, x, w, n, bias, output, node.inputs[1], bName, quantOrigin(wt, n));
}

function matmulActs(cx: Lowering, node: OnnxNode, a: Act, b: Act): void {
  if (a.shape.length < 2 || a.shape.length !== b.shape.length) {
    cx.fail(node, `activation x activation MatMul needs two inputs of the same rank >= 3 (with the batch), got [N, ${a.shape}] and [N, ${b.shape}]`);
  }
  const t = cx.emit(node, 'MatMul', [cx.logical(node, a), cx.logical(node, b)]);
  cx.setAct(node.outputs[0], t, cx.g.tensors[t].shape, identity(a.shape.length));
}

function batchNorm(cx: Lowering, node: OnnxNode): void {
  const x = cx.act(node, 0);
  if (cx.attr<number>(node, 'training_mode', 0) === 1) cx.fail(node, 'training_mode = 1 is not supported');
  const c = x.shape[0];
  const params = [1, 2, 3, 4].map((i) => {
    const p = cx.constant(node, i, ['scale', 'B', 'mean', 'var'][i - 1]);
    if (!p) return cx.fail(node, `input ${i} is required`);
    return cx.weight(node.inputs[i], [c], vectorOf(cx, node, p, c, 'parameter'));
  });
  // Channels (logical axis 0) must be the innermost physical axis.
  const want = x.perm[x.perm.length - 1] === 0 ? x.perm : [...x.perm.filter((a) => a !== 0), 0];
  const t = cx.emit(node, 'BatchNormalization', [cx.physical(node, x, want), ...params], { epsilon: cx.attr<number>(node, 'epsilon', 1e-5) });
  cx.setAct(node.outputs[0], t, x.shape, want);
}

function layerNormalization(cx: Lowering, node: OnnxNode): void {
  const x = cx.act(node, 0);
  const r = x.shape.length + 1;
  const axis = cx.attr<number>(node, 'axis', -1);
  if ((axis < 0 ? axis + r : axis) !== r - 1) cx.fail(node, `only normalization over the last axis is supported (axis = ${axis})`);
  if (node.outputs.slice(1).some((o) => o && cx.consumers(o).length)) cx.fail(node, 'the mean / inverse std outputs are used');
  const d = x.shape[x.shape.length - 1];
  const scale = cx.constant(node, 1, 'Scale');
  const bias = cx.constant(node, 2, 'B');
  layerNorm(cx, node, x, scale ? vectorOf(cx, node, scale, d, 'Scale') : new Float32Array(d).fill(1), bias && vectorOf(cx, node, bias, d, 'B'), cx.attr<number>(node, 'epsilon', 1e-5), node.outputs[0], node.inputs[1], node.inputs[2]);
}

/** Emits .wpal LayerNorm over the last logical axis of x. */
export function layerNorm(cx: Lowering, node: OnnxNode, x: Act, gamma: Float32Array, beta: Float32Array | undefined, epsilon: number, output: string, gName: string, bName?: string): void {
  const last = x.shape.length - 1;
  const want = x.perm[x.perm.length - 1] === last ? x.perm : [...x.perm.filter((a) => a !== last), last];
  const G = cx.weight(gName || `${node.name}.gamma`, [gamma.length], gamma);
  const B = beta ? cx.weight(bName || `${node.name}.beta`, [beta.length], beta) : -1;
  const t = cx.emit(node, 'LayerNorm', [cx.physical(node, x, want), G, B], { epsilon });
  cx.setAct(output, t, x.shape, want);
}

function gather(cx: Lowering, node: OnnxNode): void {
  const data = cx.value(node, 0);
  const idx = cx.value(node, 1);
  if (!data || !idx) return cx.fail(node, 'data and indices are required');
  const axis = cx.attr<number>(node, 'axis', 0);
  if (!isAct(data) && isAct(idx)) {
    // A lookup table indexed by the input: Embedding.
    if (axis !== 0 || data.dims.length !== 2) cx.fail(node, `only a 2-D table gathered along axis 0 is supported (table [${data.dims}], axis ${axis})`);
    if (idx.dtype !== 'int32') cx.fail(node, 'the indices must be an integer model input');
    const T = cx.weight(node.inputs[0], data.dims, cx.floats(data));
    const t = cx.emit(node, 'Embedding', [idx.t, T]);
    cx.setAct(node.outputs[0], t, [...idx.shape, data.dims[1]], [...idx.perm, idx.shape.length]);
    return;
  }
  if (isAct(data) && !isAct(idx)) {
    // x[..., i, ...] with a constant scalar index: a one-element Slice, then the axis dropped.
    const i = scalarValue(idx);
    const r = data.shape.length + 1;
    const ax = (axis < 0 ? axis + r : axis) - 1;
    if (i === undefined || idx.dims.length > 1 || ax < 0) cx.fail(node, 'only a constant scalar (or one-element) index along a non-batch axis is supported');
    const size = data.shape[ax];
    const j = i < 0 ? i + size : i;
    if (!(j >= 0 && j < size)) cx.fail(node, `index ${i} is out of range for an axis of size ${size}`);
    const phys = data.perm.indexOf(ax);
    const t = cx.emit(node, 'Slice', [data.t], { starts: [j], ends: [j + 1], axes: [phys], steps: [1] });
    const kept = { kind: 'act' as const, t, shape: data.shape.map((d, k) => (k === ax ? 1 : d)), perm: data.perm, dtype: data.dtype };
    const shape = idx.dims.length === 0 ? kept.shape.filter((_, k) => k !== ax) : kept.shape;
    cx.set(node.outputs[0], unitReshape(cx.g, kept, shape, node.name)!);
    return;
  }
  cx.fail(node, 'Gather of an activation by computed indices is not supported');
}

export const LINEAR_LOWERERS: Record<string, Handler> = {
  Conv: conv,
  ConvTranspose: convTranspose,
  Gemm: gemm,
  MatMul: matmul,
  BatchNormalization: batchNorm,
  LayerNormalization: layerNormalization,
  Gather: gather,
};
