/**
 * Constant folding: ONNX nodes whose inputs are all constants are evaluated here, in plain JS,
 * so the static shape arithmetic exporters emit (Shape -> Gather -> Unsqueeze -> Concat ->
 * Reshape, Constant, Cast, ...) disappears before lowering. Values follow ONNX semantics for the
 * element types they hold (integers exact below 2^53, floats rounded to float32 after each op).
 *
 * The batch size is unknown at import time: Shape() of an activation puts BATCH in its first
 * element. BATCH survives gathering, concatenation and casts; arithmetic on it gives a value no
 * consumer accepts, so a model whose shapes really depend on the batch size fails loudly.
 */
import { sliceRange } from '../../format/ops-spatial.js';
import { WpalImportError } from './errors.js';
import { isFloatType, type ConstTensor, type ElemType, type OnnxNode } from './parse.js';

export const BATCH = -(2 ** 50);

const product = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

export function constOf(dtype: ElemType, dims: number[], values: ArrayLike<number>): ConstTensor {
  const data = isFloatType(dtype) ? Float32Array.from(values) : Float64Array.from(values);
  return { dtype: isFloatType(dtype) ? 'float32' : dtype, dims, data };
}

export const scalarValue = (t: ConstTensor): number | undefined => (t.data.length === 1 ? t.data[0] : undefined);
export const ints = (t: ConstTensor): number[] => Array.from(t.data);

/** NumPy broadcasting of two shapes; undefined when they do not broadcast. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] | undefined {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return undefined;
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** Values of `t` broadcast to `shape` (row-major). */
export function expandTo(t: ConstTensor, shape: readonly number[]): Float32Array | Float64Array {
  const out = t.data instanceof Float32Array ? new Float32Array(product(shape)) : new Float64Array(product(shape));
  const r = shape.length;
  const dims = [...Array(r - t.dims.length).fill(1), ...t.dims];
  const strides = new Array<number>(r);
  let s = 1;
  for (let i = r - 1; i >= 0; i--) {
    strides[i] = dims[i] === 1 ? 0 : s;
    s *= dims[i];
  }
  const idx = new Array<number>(r).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let i = 0; i < r; i++) src += idx[i] * strides[i];
    out[o] = t.data[src];
    for (let i = r - 1; i >= 0; i--) {
      if (++idx[i] < shape[i]) break;
      idx[i] = 0;
    }
  }
  return out;
}

function binary(a: ConstTensor, b: ConstTensor, f: (x: number, y: number) => number, where: string, outType?: ElemType): ConstTensor {
  const shape = broadcastShapes(a.dims, b.dims);
  if (!shape) throw new WpalImportError(`${where}: shapes [${a.dims}] and [${b.dims}] do not broadcast`);
  const x = expandTo(a, shape);
  const y = expandTo(b, shape);
  const dtype = outType ?? a.dtype;
  const out = isFloatType(dtype) ? new Float32Array(x.length) : new Float64Array(x.length);
  for (let i = 0; i < out.length; i++) out[i] = f(x[i], y[i]);
  return { dtype, dims: shape, data: out };
}

function unary(a: ConstTensor, f: (x: number) => number, outType?: ElemType): ConstTensor {
  const dtype = outType ?? a.dtype;
  const out = isFloatType(dtype) ? new Float32Array(a.data.length) : new Float64Array(a.data.length);
  for (let i = 0; i < out.length; i++) out[i] = f(a.data[i]);
  return { dtype, dims: [...a.dims], data: out };
}

const normAxis = (axis: number, rank: number, where: string) => {
  if (!(axis >= -rank && axis < rank)) throw new WpalImportError(`${where}: axis ${axis} is out of range for rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
};

/** Transposes a constant by `perm` (output axis i = input axis perm[i]). */
export function transposeConst(t: ConstTensor, perm: readonly number[]): ConstTensor {
  const moved = transposeData(t, perm);
  if (!t.quant) return moved;
  const levels = transposeData({ ...t, data: t.quant.levels }, perm).data as Float64Array;
  const scale = transposeData({ ...t, data: t.quant.scale }, perm).data as Float32Array;
  return { ...moved, quant: { levels, scale } };
}

function transposeData(t: ConstTensor, perm: readonly number[]): ConstTensor {
  const r = t.dims.length;
  const outDims = perm.map((p) => t.dims[p]);
  const inStrides = new Array<number>(r);
  let s = 1;
  for (let i = r - 1; i >= 0; i--) (inStrides[i] = s), (s *= t.dims[i]);
  const out = t.data instanceof Float32Array ? new Float32Array(t.data.length) : new Float64Array(t.data.length);
  const idx = new Array<number>(r).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let i = 0; i < r; i++) src += idx[i] * inStrides[perm[i]];
    out[o] = t.data[src];
    for (let i = r - 1; i >= 0; i--) {
      if (++idx[i] < outDims[i]) break;
      idx[i] = 0;
    }
  }
  return { dtype: t.dtype, dims: outDims, data: out };
}

function sliceConst(t: ConstTensor, starts: number[], ends: number[], axes: number[], steps: number[], where: string): ConstTensor {
  const r = t.dims.length;
  const begin = new Array<number>(r).fill(0);
  const stride = new Array<number>(r).fill(1);
  const count = [...t.dims];
  axes.forEach((ax, k) => {
    const a = normAxis(ax, r, where);
    const step = steps[k] ?? 1;
    if (step === 0) throw new WpalImportError(`${where}: step 0`);
    const rng = sliceRange(t.dims[a], starts[k], ends[k], step);
    begin[a] = rng.start;
    stride[a] = step;
    count[a] = rng.count;
  });
  const inStrides = new Array<number>(r);
  let s = 1;
  for (let i = r - 1; i >= 0; i--) (inStrides[i] = s), (s *= t.dims[i]);
  const n = product(count);
  const out = t.data instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
  const idx = new Array<number>(r).fill(0);
  for (let o = 0; o < n; o++) {
    let src = 0;
    for (let i = 0; i < r; i++) src += (begin[i] + idx[i] * stride[i]) * inStrides[i];
    out[o] = t.data[src];
    for (let i = r - 1; i >= 0; i--) {
      if (++idx[i] < count[i]) break;
      idx[i] = 0;
    }
  }
  return { dtype: t.dtype, dims: count, data: out };
}

/** Target shape of an ONNX Reshape (0 copies the input dim unless allowzero, one -1 inferred). */
export function reshapeTarget(inDims: readonly number[], target: readonly number[], allowzero: boolean, where: string): number[] {
  const out = target.map((d, i) => (d === 0 && !allowzero ? inDims[i] : d));
  if (out.some((d) => d === undefined)) throw new WpalImportError(`${where}: target shape [${target}] copies a dimension the input does not have`);
  const free = out.indexOf(-1);
  if (out.filter((d) => d === -1).length > 1) throw new WpalImportError(`${where}: target shape [${target}] has more than one -1`);
  const total = product(inDims);
  if (free >= 0) {
    const known = product(out.filter((_, i) => i !== free));
    if (known <= 0 || total % known !== 0) throw new WpalImportError(`${where}: cannot reshape [${inDims}] to [${target}]`);
    out[free] = total / known;
  }
  if (out.some((d) => !(Number.isInteger(d) && d >= 0)) || product(out) !== total) throw new WpalImportError(`${where}: cannot reshape [${inDims}] to [${target}]`);
  return out;
}

const castTo = (to: ElemType) => (x: number) => {
  if (isFloatType(to)) return Math.fround(x);
  if (to === 'bool') return x ? 1 : 0;
  if (x === BATCH) return x;
  const t = Math.trunc(x);
  const wrap = (bits: number, signed: boolean) => {
    const m = 2 ** bits;
    let v = ((t % m) + m) % m;
    if (signed && v >= m / 2) v -= m;
    return v;
  };
  switch (to) {
    case 'int8': return wrap(8, true);
    case 'uint8': return wrap(8, false);
    case 'int16': return wrap(16, true);
    case 'uint16': return wrap(16, false);
    case 'int32': return wrap(32, true);
    case 'uint32': return wrap(32, false);
    default: return t;
  }
};

const ONNX_TYPES: Record<number, ElemType> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 16: 'bfloat16',
};

const ARITH: Record<string, (x: number, y: number, isFloat: boolean) => number> = {
  Add: (x, y) => x + y,
  Sub: (x, y) => x - y,
  Mul: (x, y) => x * y,
  Div: (x, y, f) => (f ? x / y : Math.trunc(x / y)),
  Pow: (x, y) => x ** y,
  Mod: (x, y) => x - y * Math.floor(x / y),
  Max: (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : Math.max(x, y)),
  Min: (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : Math.min(x, y)),
};
const COMPARE: Record<string, (x: number, y: number) => boolean> = {
  Equal: (x, y) => x === y,
  Less: (x, y) => x < y,
  LessOrEqual: (x, y) => x <= y,
  Greater: (x, y) => x > y,
  GreaterOrEqual: (x, y) => x >= y,
  And: (x, y) => !!x && !!y,
  Or: (x, y) => !!x || !!y,
  Xor: (x, y) => !!x !== !!y,
};
const UNARY: Record<string, (x: number) => number> = {
  Neg: (x) => -x, Abs: Math.abs, Sqrt: Math.sqrt, Exp: Math.exp, Log: Math.log, Floor: Math.floor, Ceil: Math.ceil,
  Round: (x) => { const r = Math.round(x); return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r; },
  Reciprocal: (x) => 1 / x, Relu: (x) => Math.max(0, x), Sigmoid: (x) => 1 / (1 + Math.exp(-x)), Tanh: Math.tanh,
  Not: (x) => (x ? 0 : 1), Sign: Math.sign, Erf: (x) => erf(x),
};

function erf(x: number): number {
  // Abramowitz-Stegun 7.1.26 is too coarse for constants; use the series/continued-fraction split.
  const t = Math.abs(x);
  if (t < 2.5) {
    let sum = t;
    let term = t;
    for (let n = 1; n < 60; n++) {
      term *= (-t * t) / n;
      sum += term / (2 * n + 1);
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  let f = 0;
  for (let n = 60; n >= 1; n--) f = n / 2 / (t + f);
  return Math.sign(x) * (1 - Math.exp(-t * t) / Math.sqrt(Math.PI) / (t + f));
}

export type AttrGetter = <T>(name: string, fallback: T) => T;

/**
 * Evaluates a node over constant inputs (undefined = optional input left out). Returns undefined
 * when the op type cannot be folded; throws WpalImportError for invalid inputs.
 */
export function foldNode(node: OnnxNode, inputs: (ConstTensor | undefined)[], attr: AttrGetter, opset: number): ConstTensor[] | undefined {
  const where = `ONNX node ${JSON.stringify(node.name)} (${node.opType})`;
  const [a, b] = inputs;
  const t = node.opType;
  if (t in ARITH && a && b) return [binary(a, b, (x, y) => ARITH[t](x, y, isFloatType(a.dtype)), where)];
  if ((t === 'Max' || t === 'Min' || t === 'Sum' || t === 'Mean') && inputs.every(Boolean)) {
    const f = t === 'Sum' || t === 'Mean' ? ARITH.Add : ARITH[t];
    let acc = inputs[0]!;
    for (const x of inputs.slice(1)) acc = binary(acc, x!, (p, q) => f(p, q, true), where);
    return [t === 'Mean' ? unary(acc, (x) => x / inputs.length) : acc];
  }
  if (t in COMPARE && a && b) return [binary(a, b, (x, y) => (COMPARE[t](x, y) ? 1 : 0), where, 'bool')];
  if (t in UNARY && a) return [unary(a, UNARY[t])];
  switch (t) {
    case 'Identity':
    case 'Dropout':
      return a ? [a, ...(node.outputs.length > 1 ? [constOf('bool', a.dims, new Array(a.data.length).fill(1))] : [])] : undefined;
    case 'Constant': {
      const v = attr<ConstTensor | undefined>('value', undefined);
      if (v) return [v];
      const f = attr<number | undefined>('value_float', undefined);
      if (f !== undefined) return [constOf('float32', [], [f])];
      const fs = attr<number[] | undefined>('value_floats', undefined);
      if (fs) return [constOf('float32', [fs.length], fs)];
      const i = attr<number | undefined>('value_int', undefined);
      if (i !== undefined) return [constOf('int64', [], [i])];
      const is = attr<number[] | undefined>('value_ints', undefined);
      if (is) return [constOf('int64', [is.length], is)];
      throw new WpalImportError(`${where}: Constant without a supported value attribute`);
    }
    case 'Cast': {
      const to = ONNX_TYPES[attr<number>('to', 1)];
      if (!to || !a) throw new WpalImportError(`${where}: unsupported cast target type ${attr('to', 0)}`);
      return [unary(a, castTo(to), to)];
    }
    case 'Shape': {
      if (!a) return undefined;
      const r = a.dims.length;
      const s = attr<number>('start', 0);
      const e = attr<number | undefined>('end', undefined);
      const lo = Math.min(Math.max(s < 0 ? s + r : s, 0), r);
      const hi = Math.min(Math.max(e === undefined ? r : e < 0 ? e + r : e, 0), r);
      return [constOf('int64', [Math.max(0, hi - lo)], a.dims.slice(lo, hi))];
    }
    case 'Size':
      return a ? [constOf('int64', [], [product(a.dims)])] : undefined;
    case 'Gather': {
      if (!a || !b) return undefined;
      const axis = normAxis(attr<number>('axis', 0), a.dims.length, where);
      const idx = ints(b).map((i) => {
        const j = i < 0 ? i + a.dims[axis] : i;
        if (!(j >= 0 && j < a.dims[axis])) throw new WpalImportError(`${where}: index ${i} out of range for axis of size ${a.dims[axis]}`);
        return j;
      });
      const outer = product(a.dims.slice(0, axis));
      const inner = product(a.dims.slice(axis + 1));
      const out: number[] = [];
      for (let o = 0; o < outer; o++) for (const j of idx) for (let k = 0; k < inner; k++) out.push(a.data[(o * a.dims[axis] + j) * inner + k]);
      return [constOf(a.dtype, [...a.dims.slice(0, axis), ...b.dims, ...a.dims.slice(axis + 1)], out)];
    }
    case 'Unsqueeze': {
      if (!a) return undefined;
      const axes = opset >= 13 ? (b ? ints(b) : []) : attr<number[]>('axes', []);
      const r = a.dims.length + axes.length;
      const norm = axes.map((x) => normAxis(x, r, where)).sort((p, q) => p - q);
      const dims = [...a.dims];
      for (const ax of norm) dims.splice(ax, 0, 1);
      return [{ ...a, dims }];
    }
    case 'Squeeze': {
      if (!a) return undefined;
      const axes = opset >= 13 ? (b ? ints(b) : undefined) : attr<number[] | undefined>('axes', undefined);
      const drop = new Set((axes ?? a.dims.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0)).map((x) => normAxis(x, a.dims.length, where)));
      return [{ ...a, dims: a.dims.filter((_, i) => !drop.has(i)) }];
    }
    case 'Concat': {
      const parts = inputs.filter(Boolean) as ConstTensor[];
      if (!parts.length) return undefined;
      const axis = normAxis(attr<number>('axis', 0), parts[0].dims.length, where);
      const outer = product(parts[0].dims.slice(0, axis));
      const out: number[] = [];
      for (let o = 0; o < outer; o++) {
        for (const p of parts) {
          const inner = product(p.dims.slice(axis));
          for (let k = 0; k < inner; k++) out.push(p.data[o * inner + k]);
        }
      }
      const dims = [...parts[0].dims];
      dims[axis] = parts.reduce((s, p) => s + p.dims[axis], 0);
      return [constOf(parts[0].dtype, dims, out)];
    }
    case 'Reshape': {
      if (!a) return undefined;
      const target = opset >= 5 ? (b ? ints(b) : undefined) : attr<number[] | undefined>('shape', undefined);
      if (!target) throw new WpalImportError(`${where}: no target shape`);
      return [{ ...a, dims: reshapeTarget(a.dims, target, attr<number>('allowzero', 0) === 1, where) }];
    }
    case 'Flatten': {
      if (!a) return undefined;
      const axis = normAxis(attr<number>('axis', 1), a.dims.length + 1, where);
      return [{ ...a, dims: [product(a.dims.slice(0, axis)), product(a.dims.slice(axis))] }];
    }
    case 'Transpose': {
      if (!a) return undefined;
      const perm = attr<number[] | undefined>('perm', undefined) ?? a.dims.map((_, i) => a.dims.length - 1 - i);
      return [transposeConst(a, perm)];
    }
    case 'Slice': {
      if (!a) return undefined;
      if (opset < 10) {
        const starts = attr<number[]>('starts', []);
        return [sliceConst(a, starts, attr<number[]>('ends', []), attr<number[]>('axes', starts.map((_, i) => i)), starts.map(() => 1), where)];
      }
      const starts = ints(inputs[1]!);
      const ends = ints(inputs[2]!);
      const axes = inputs[3] ? ints(inputs[3]) : starts.map((_, i) => i);
      const steps = inputs[4] ? ints(inputs[4]) : starts.map(() => 1);
      return [sliceConst(a, starts, ends, axes, steps, where)];
    }
    case 'DequantizeLinear': {
      if (!a || !b) return undefined;
      const zp = inputs[2];
      const r = a.dims.length;
      const perAxis = b.dims.length === 1 && b.data.length > 1;
      const axis = perAxis ? normAxis(attr<number>('axis', 1), r, where) : 0;
      const blockSize = attr<number>('block_size', 0);
      if (blockSize > 0) return undefined;
      if (perAxis && b.data.length !== a.dims[axis]) throw new WpalImportError(`${where}: ${b.data.length} scales for axis ${axis} of size ${a.dims[axis]}`);
      const inner = product(a.dims.slice(axis + 1));
      const levels = new Float64Array(a.data.length);
      const scale = new Float32Array(a.data.length);
      const data = new Float32Array(a.data.length);
      for (let i = 0; i < data.length; i++) {
        const c = perAxis ? Math.floor(i / inner) % a.dims[axis] : 0;
        levels[i] = a.data[i] - (zp ? zp.data[zp.data.length === 1 ? 0 : c] : 0);
        scale[i] = b.data[b.data.length === 1 ? 0 : c];
        data[i] = Math.fround(levels[i] * scale[i]);
      }
      return [{ dtype: 'float32', dims: [...a.dims], data, quant: { levels, scale } }];
    }
    case 'ConstantOfShape': {
      if (!a) return undefined;
      const v = attr<ConstTensor | undefined>('value', undefined) ?? constOf('float32', [1], [0]);
      const dims = ints(a);
      return [constOf(v.dtype, dims, new Array(product(dims)).fill(v.data[0]))];
    }
    case 'Range': {
      const [s, l, d] = inputs.map((x) => x && scalarValue(x));
      if (s === undefined || l === undefined || d === undefined || d === 0) return undefined;
      const n = Math.max(Math.ceil((l - s) / d), 0);
      return [constOf(a!.dtype, [n], Array.from({ length: n }, (_, i) => s + i * d))];
    }
    case 'Expand': {
      if (!a || !b) return undefined;
      const shape = broadcastShapes(a.dims, ints(b));
      if (!shape) throw new WpalImportError(`${where}: cannot expand [${a.dims}] to [${ints(b)}]`);
      return [{ dtype: a.dtype, dims: shape, data: expandTo(a, shape) }];
    }
    case 'Where': {
      const [c, x, y] = inputs;
      if (!c || !x || !y) return undefined;
      const shape = broadcastShapes(broadcastShapes(c.dims, x.dims) ?? [], y.dims) ?? [];
      const cc = expandTo(c, shape);
      const xx = expandTo(x, shape);
      const yy = expandTo(y, shape);
      return [constOf(x.dtype, shape, Array.from(cc, (v, i) => (v ? xx[i] : yy[i])))];
    }
    case 'Clip': {
      if (!a) return undefined;
      const lo = opset >= 11 ? (inputs[1] ? scalarValue(inputs[1]) : -Infinity) : attr('min', -Infinity);
      const hi = opset >= 11 ? (inputs[2] ? scalarValue(inputs[2]) : Infinity) : attr('max', Infinity);
      return [unary(a, (x) => Math.min(Math.max(x, lo ?? -Infinity), hi ?? Infinity))];
    }
    case 'ReduceProd':
    case 'ReduceSum':
    case 'ReduceMax':
    case 'ReduceMin':
    case 'ReduceMean':
      if (!a || a.dims.length > 1 || !(attr<number>('keepdims', 1) === 0 || a.dims.length === 0)) return undefined;
      {
        const v = Array.from(a.data);
        const r = t === 'ReduceProd' ? v.reduce((p, q) => p * q, 1) : t === 'ReduceSum' ? v.reduce((p, q) => p + q, 0) : t === 'ReduceMax' ? Math.max(...v) : t === 'ReduceMin' ? Math.min(...v) : v.reduce((p, q) => p + q, 0) / v.length;
        return [constOf(a.dtype, [], [r])];
      }
    default:
      return undefined;
  }
}

/** Op types foldNode can evaluate. */
export const FOLDABLE = new Set([
  ...Object.keys(ARITH), ...Object.keys(COMPARE), ...Object.keys(UNARY),
  'Sum', 'Mean', 'Identity', 'Dropout', 'Constant', 'Cast', 'Shape', 'Size', 'Gather', 'Unsqueeze', 'Squeeze', 'Concat', 'Reshape',
  'Flatten', 'Transpose', 'Slice', 'DequantizeLinear', 'ConstantOfShape', 'Range', 'Expand', 'Where', 'Clip', 'ReduceProd', 'ReduceSum', 'ReduceMax', 'ReduceMin', 'ReduceMean',
]);
