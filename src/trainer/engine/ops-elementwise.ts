/**
 * Element-wise ops of the graph trainer with no training kernel: unary activations, broadcasting
 * binary ops and reductions, as plain loops over the engine's memory. They sit in imported models
 * between the layers that carry weights (a HardSwish, a Mul by a learned scale, a ReduceMean over
 * tokens) where their cost is small next to the GEMMs; ops that dominate a step (ReLU, GELU,
 * residual Add of equal shapes) keep their kernels (ops.ts, text-ops.ts).
 *
 * Shapes here are full engine shapes ([B, ...per-example]); a graph constant has no batch axis and
 * broadcasts against every example, as the runtime's binary ops define it.
 */
import type { Engine, Tensor } from './tensor.js';

/** Row-major strides of a shape. */
function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

/** Strides of `shape` seen right-aligned inside an output of rank `rank`, 0 where it is broadcast (size 1 or missing). */
function broadcastStrides(shape: readonly number[], out: readonly number[]): number[] {
  const own = stridesOf(shape);
  const r = out.length;
  const s = new Array<number>(r).fill(0);
  for (let i = 0; i < shape.length; i++) {
    const j = r - shape.length + i;
    s[j] = shape[i] === 1 && out[j] !== 1 ? 0 : own[i];
  }
  return s;
}

/**
 * Calls f(i, a, b) for every element i of `out` (row-major), with a and b the offsets into two
 * operands laid out by strides sa and sb over `out`'s axes.
 */
function walk(out: readonly number[], sa: readonly number[], sb: readonly number[], f: (i: number, a: number, b: number) => void): void {
  const r = out.length;
  const n = out.reduce((x, y) => x * y, 1);
  if (r === 0) { f(0, 0, 0); return; }
  const idx = new Array<number>(r).fill(0);
  let a = 0, b = 0;
  for (let i = 0; i < n; i++) {
    f(i, a, b);
    for (let d = r - 1; d >= 0; d--) {
      idx[d]++;
      a += sa[d];
      b += sb[d];
      if (idx[d] < out[d]) break;
      a -= sa[d] * out[d];
      b -= sb[d] * out[d];
      idx[d] = 0;
    }
  }
}

/** y = f(x); the backward pass uses df(x, y) = dy/dx. */
export function unary(e: Engine, x: Tensor, f: (x: number) => number, df: (x: number, y: number) => number): Tensor {
  const y = e.tensor(x.shape, x.requiresGrad);
  const m = e.mod.f32;
  for (let i = 0, xi = x.ptr >> 2, yi = y.ptr >> 2; i < x.size; i++) m[yi + i] = f(m[xi + i]);
  e.record(y, () => {
    const dx = e.sumGrad(x);
    const g = e.mod.f32;
    const dy = y.root.grad >> 2;
    for (let i = 0, xi = x.ptr >> 2, yi = y.ptr >> 2; i < x.size; i++) g[dx + i] += g[dy + i] * df(g[xi + i], g[yi + i]);
    e.wrote(x);
  });
  return y;
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** Forward and derivative of the unary op types of the format (attributes resolved by the reader). */
export function unaryFunctions(type: string, attrs: Readonly<Record<string, unknown>>): [(x: number) => number, (x: number, y: number) => number] | undefined {
  const num = (k: string) => attrs[k] as number;
  switch (type) {
    case 'Relu6': return [(v) => Math.min(Math.max(v, 0), 6), (v) => (v > 0 && v < 6 ? 1 : 0)];
    case 'Sigmoid': return [sigmoid, (_, y) => y * (1 - y)];
    case 'Tanh': return [Math.tanh, (_, y) => 1 - y * y];
    case 'Silu': return [(v) => v * sigmoid(v), (v) => { const s = sigmoid(v); return s + v * s * (1 - s); }];
    case 'LeakyRelu': { const a = num('alpha'); return [(v) => (v >= 0 ? v : a * v), (v) => (v >= 0 ? 1 : a)]; }
    case 'HardSigmoid': {
      const a = num('alpha'), b = num('beta');
      return [(v) => Math.min(1, Math.max(0, a * v + b)), (v) => (a * v + b > 0 && a * v + b < 1 ? a : 0)];
    }
    case 'HardSwish': return [(v) => v * Math.min(1, Math.max(0, v / 6 + 0.5)), (v) => (v < -3 ? 0 : v > 3 ? 1 : v / 3 + 0.5)];
    case 'Clip': { const lo = num('min'), hi = num('max'); return [(v) => Math.min(Math.max(v, lo), hi), (v) => (v >= lo && v <= hi ? 1 : 0)]; }
    case 'Sqrt': return [Math.sqrt, (_, y) => 0.5 / y];
    case 'Log': return [Math.log, (v) => 1 / v];
    case 'Exp': return [Math.exp, (_, y) => y];
    case 'Neg': return [(v) => -v, () => -1];
    case 'Abs': return [Math.abs, (v) => Math.sign(v)];
    default: return undefined;
  }
}

/** [value, d/da, d/db] of a binary op at (a, b). */
type Binary = (a: number, b: number) => [number, number, number];

const BINARY: Record<string, Binary> = {
  Add: (a, b) => [a + b, 1, 1],
  Sub: (a, b) => [a - b, 1, -1],
  Mul: (a, b) => [a * b, b, a],
  Div: (a, b) => [a / b, 1 / b, -a / (b * b)],
  Max: (a, b) => (a >= b ? [a, 1, 0] : [b, 0, 1]),
  Min: (a, b) => (a <= b ? [a, 1, 0] : [b, 0, 1]),
  Pow: (a, b) => { const y = Math.pow(a, b); return [y, b * Math.pow(a, b - 1), a > 0 ? y * Math.log(a) : 0]; },
};

export const BINARY_TYPES = Object.keys(BINARY);

/** A graph constant has no batch axis: it broadcasts against [B, ...] with a leading 1. */
const fullShape = (t: Tensor, batched: boolean) => (batched ? t.shape : [1, ...t.shape]);

/**
 * y = a op b with NumPy broadcasting; `aBatched` / `bBatched` say which operands are activations
 * ([B, ...]) and which graph constants (no batch axis). Gradients sum over broadcast axes.
 */
export function binary(e: Engine, type: string, a: Tensor, b: Tensor, aBatched: boolean, bBatched: boolean): Tensor {
  const fn = BINARY[type];
  if (!fn) throw new Error(`binary: no training rule for ${type}`);
  const sa0 = fullShape(a, aBatched), sb0 = fullShape(b, bBatched);
  const r = Math.max(sa0.length, sb0.length);
  const pad = (s: readonly number[]) => [...new Array<number>(r - s.length).fill(1), ...s];
  const pa = pad(sa0), pb = pad(sb0);
  const out = pa.map((d, i) => Math.max(d, pb[i]));
  const sa = broadcastStrides(pa, out), sb = broadcastStrides(pb, out);
  const y = e.tensor(out, a.requiresGrad || b.requiresGrad);
  const m = e.mod.f32;
  const ai = a.ptr >> 2, bi = b.ptr >> 2, yi = y.ptr >> 2;
  walk(out, sa, sb, (i, oa, ob) => { m[yi + i] = fn(m[ai + oa], m[bi + ob])[0]; });
  e.record(y, () => {
    const da = a.requiresGrad ? e.sumGrad(a) : -1;
    const db = b.requiresGrad ? e.sumGrad(b) : -1;
    const g = e.mod.f32;
    const dy = y.root.grad >> 2;
    walk(out, sa, sb, (i, oa, ob) => {
      const [, ga, gb] = fn(g[ai + oa], g[bi + ob]);
      if (da >= 0) g[da + oa] += g[dy + i] * ga;
      if (db >= 0) g[db + ob] += g[dy + i] * gb;
    });
    if (da >= 0) e.wrote(a);
    if (db >= 0) e.wrote(b);
  });
  return y;
}

/**
 * ReduceMean / ReduceMax over per-example `axes` (already non-negative, counted without the batch
 * axis; empty = all), keeping reduced axes as 1 when keepdims.
 */
export function reduce(e: Engine, type: 'ReduceMean' | 'ReduceMax', x: Tensor, axes: readonly number[], keepdims: boolean): Tensor {
  const per = x.shape.slice(1);
  const set = new Set(axes.length ? axes : per.map((_, i) => i));
  const kept = [x.shape[0], ...per.map((d, i) => (set.has(i) ? 1 : d))];
  const outShape = keepdims ? kept : [x.shape[0], ...per.filter((_, i) => !set.has(i))];
  const y = e.tensor(outShape, x.requiresGrad);
  const so = broadcastStrides(kept, x.shape);
  const sx = stridesOf(x.shape);
  const n = x.size / y.size;
  const m = e.mod.f32;
  const xi = x.ptr >> 2, yi = y.ptr >> 2;
  m.fill(type === 'ReduceMax' ? -Infinity : 0, yi, yi + y.size);
  const arg = new Int32Array(y.size);
  walk(x.shape, sx, so, (i, ox, oy) => {
    const v = m[xi + ox];
    if (type === 'ReduceMean') m[yi + oy] += v / n;
    else if (v > m[yi + oy] || Number.isNaN(v)) { m[yi + oy] = v; arg[oy] = i; }
  });
  e.record(y, () => {
    const dx = e.sumGrad(x);
    const g = e.mod.f32;
    const dy = y.root.grad >> 2;
    if (type === 'ReduceMean') walk(x.shape, sx, so, (_, ox, oy) => { g[dx + ox] += g[dy + oy] / n; });
    else for (let o = 0; o < y.size; o++) g[dx + arg[o]] += g[dy + o];
    e.wrote(x);
  });
  return y;
}

/**
 * y = permute(x, perm) over the full shape (perm[0] = 0 keeps the batch axis first). The trailing
 * axes the permutation leaves in place move as contiguous runs (attention's [B, T, H, dh] ->
 * [B, H, T, dh] copies rows of dh values), so the walk covers only the axes that move.
 */
export function transpose(e: Engine, x: Tensor, perm: readonly number[]): Tensor {
  const out = perm.map((p) => x.shape[p]);
  let k = perm.length;
  while (k > 0 && perm[k - 1] === k - 1) k--;
  const run = x.shape.slice(k).reduce((a, b) => a * b, 1);
  const sx = stridesOf(x.shape);
  const outer = out.slice(0, k);
  const src = perm.slice(0, k).map((p) => sx[p]);
  const y = e.tensor(out, x.requiresGrad);
  const m = e.mod.f32;
  const xi = x.ptr >> 2, yi = y.ptr >> 2;
  walk(outer, src, src, (i, ox) => { m.copyWithin(yi + i * run, xi + ox, xi + ox + run); });
  e.record(y, () => {
    const add = e.accum(x) === 1;
    const dx = e.gradPtr(x) >> 2;
    const g = e.mod.f32;
    const dy = y.root.grad >> 2;
    walk(outer, src, src, (i, ox) => {
      if (!add) g.copyWithin(dx + ox, dy + i * run, dy + (i + 1) * run);
      else for (let j = 0; j < run; j++) g[dx + ox + j] += g[dy + i * run + j];
    });
    e.wrote(x);
  });
  return y;
}

/** Concatenation along full-shape `axis` (>= 1). */
export function concat(e: Engine, xs: readonly Tensor[], axis: number): Tensor {
  const out = [...xs[0].shape];
  out[axis] = xs.reduce((s, t) => s + t.shape[axis], 0);
  const outer = out.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = out.slice(axis + 1).reduce((a, b) => a * b, 1);
  const y = e.tensor(out, xs.some((t) => t.requiresGrad));
  const rowOut = out[axis] * inner;
  const m = e.mod.f32;
  let off = 0;
  const offsets = xs.map((t) => { const o = off; off += t.shape[axis] * inner; return o; });
  xs.forEach((t, k) => {
    const row = t.shape[axis] * inner;
    for (let o = 0; o < outer; o++) m.copyWithin((y.ptr >> 2) + o * rowOut + offsets[k], (t.ptr >> 2) + o * row, (t.ptr >> 2) + (o + 1) * row);
  });
  e.record(y, () => {
    xs.forEach((t, k) => {
      if (!t.requiresGrad) return;
      const dx = e.sumGrad(t);
      const g = e.mod.f32;
      const dy = y.root.grad >> 2;
      const row = t.shape[axis] * inner;
      for (let o = 0; o < outer; o++) for (let j = 0; j < row; j++) g[dx + o * row + j] += g[dy + o * rowOut + offsets[k] + j];
      e.wrote(t);
    });
  });
  return y;
}

/**
 * Inference-form BatchNormalization over the last (channel) axis: y = (x - mean) / sqrt(var + eps)
 * * scale + bias, with mean and var fixed (the statistics the file holds) and scale, bias trained.
 */
export function batchNorm(e: Engine, x: Tensor, scale: Tensor, bias: Tensor, mean: Tensor, variance: Tensor, eps: number): Tensor {
  const C = x.shape[x.shape.length - 1];
  const y = e.tensor(x.shape, x.requiresGrad || scale.requiresGrad || bias.requiresGrad);
  const m = e.mod.f32;
  const inv = Float64Array.from({ length: C }, (_, c) => 1 / Math.sqrt(m[(variance.ptr >> 2) + c] + eps));
  const mu = m.slice(mean.ptr >> 2, (mean.ptr >> 2) + C);
  const xi = x.ptr >> 2, yi = y.ptr >> 2, si = scale.ptr >> 2, bi = bias.ptr >> 2;
  for (let i = 0; i < x.size; i++) { const c = i % C; m[yi + i] = (m[xi + i] - mu[c]) * inv[c] * m[si + c] + m[bi + c]; }
  e.record(y, () => {
    const dx = x.requiresGrad ? e.sumGrad(x) : -1;
    const ds = scale.requiresGrad ? e.sumGrad(scale) : -1;
    const db = bias.requiresGrad ? e.sumGrad(bias) : -1;
    const g = e.mod.f32;
    const dy = y.root.grad >> 2;
    for (let i = 0; i < x.size; i++) {
      const c = i % C, d = g[dy + i];
      if (dx >= 0) g[dx + i] += d * inv[c] * g[si + c];
      if (ds >= 0) g[ds + c] += d * (g[xi + i] - mu[c]) * inv[c];
      if (db >= 0) g[db + c] += d;
    }
    if (dx >= 0) e.wrote(x);
    if (ds >= 0) e.wrote(scale);
    if (db >= 0) e.wrote(bias);
  });
  return y;
}
