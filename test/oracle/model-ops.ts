/**
 * Float64 oracle for whole models with every op of format 1.0 and 1.1 (the 1.1 ops in
 * model-eltwise.ts; test/oracle/model.ts covers the fully connected subset and stays as it is). Written from the op definitions in src/format/ops.ts
 * (images NHWC per example, conv weights [O, kh, kw, C/groups]), with naive loops; weights are
 * decoded by model.ts's decodeWeight from the file's documented layout.
 */
import type { ModelInfo } from '../../src/format/types.js';
import { decodeWeight } from './model.js';
import { erf } from './eltwise.js';
import { spatialOpOracle } from './model-spatial.js';
import { runOp11 } from './model-eltwise.js';

const ACT: Record<string, (x: number) => number> = {
  Relu: (x) => Math.max(0, x),
  Relu6: (x) => Math.min(6, Math.max(0, x)),
  Sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  Tanh: Math.tanh,
  Silu: (x) => x / (1 + Math.exp(-x)),
  Gelu: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
};

const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/**
 * Runs the model in float64 on one batch (inputs: batch examples, row-major); returns outputs by
 * name. `weightValues` replaces the decoded values of weights (by tensor index), e.g. for finite
 * differences in float64.
 */
export function runModelOracle(info: ModelInfo, inputs: Record<string, ArrayLike<number>>, batch: number, weightValues?: ReadonlyMap<number, Float64Array>): Record<string, Float64Array> {
  const vals = new Map<number, Float64Array>();
  const weights = new Map<number, Float64Array>(weightValues);
  const W = (t: number) => {
    let v = weights.get(t);
    if (!v) weights.set(t, (v = decodeWeight(info, info.tensors[t].weight!)));
    return v;
  };
  for (const t of info.inputs) {
    const given = inputs[info.tensors[t].name];
    if (!given) throw new Error(`oracle: no input ${info.tensors[t].name}`);
    vals.set(t, Float64Array.from(given));
  }
  const shape = (t: number) => info.tensors[t].shape;
  const val = (t: number) => vals.get(t)!;
  for (const op of info.ops) {
    const out = op.outputs[0];
    const [i0, i1, i2] = op.inputs;
    const has = (i: number | undefined): i is number => i !== undefined && i >= 0;
    const per = prod(shape(out));
    const y = new Float64Array(batch * per);
    const a = op.attrs;
    switch (op.type) {
      case 'FullyConnected': {
        const x = val(i0);
        const w = info.tensors[i1].weight!;
        const Wv = W(i1);
        const bias = has(i2) ? W(i2) : undefined;
        const m = x.length / w.cols;
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < w.rows; j++) {
            let s = 0;
            for (let k = 0; k < w.cols; k++) s += Wv[j * w.cols + k] * x[i * w.cols + k];
            y[i * w.rows + j] = s + (bias ? bias[j] : 0);
          }
        }
        break;
      }
      case 'Relu': case 'Relu6': case 'Sigmoid': case 'Tanh': case 'Silu': case 'Gelu': {
        const x = val(i0);
        for (let i = 0; i < y.length; i++) y[i] = ACT[op.type](x[i]);
        break;
      }
      case 'Softmax': {
        const x = val(i0);
        const s = shape(out);
        const n = s[s.length - 1];
        for (let r = 0; r < y.length / n; r++) {
          let mx = -Infinity;
          for (let c = 0; c < n; c++) mx = Math.max(mx, x[r * n + c]);
          let sum = 0;
          for (let c = 0; c < n; c++) sum += Math.exp(x[r * n + c] - mx);
          for (let c = 0; c < n; c++) y[r * n + c] = Math.exp(x[r * n + c] - mx) / sum;
        }
        break;
      }
      case 'Reshape': case 'Flatten':
        y.set(val(i0));
        break;
      case 'Conv2D': {
        const x = val(i0);
        const [H, Wd, C] = shape(i0);
        const [O, kh, kw, Cg] = shape(i1);
        const [OH, OW] = shape(out);
        const Wv = W(i1);
        const bias = has(i2) ? W(i2) : undefined;
        const [sh, sw] = a.strides as number[];
        const [pt, pl] = a.pads as number[];
        const [dh, dw] = a.dilations as number[];
        const Og = O / (a.groups as number);
        for (let b = 0; b < batch; b++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) for (let o = 0; o < O; o++) {
          const g = Math.floor(o / Og);
          let s = bias ? bias[o] : 0;
          for (let ky = 0; ky < kh; ky++) {
            const iy = oy * sh - pt + ky * dh;
            if (iy < 0 || iy >= H) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ix = ox * sw - pl + kx * dw;
              if (ix < 0 || ix >= Wd) continue;
              const xb = ((b * H + iy) * Wd + ix) * C + g * Cg;
              const wb = ((o * kh + ky) * kw + kx) * Cg;
              for (let ci = 0; ci < Cg; ci++) s += Wv[wb + ci] * x[xb + ci];
            }
          }
          y[((b * OH + oy) * OW + ox) * O + o] = s;
        }
        break;
      }
      case 'MaxPool': case 'AvgPool': {
        const x = val(i0);
        const [H, Wd, C] = shape(i0);
        const [OH, OW] = shape(out);
        const [kh, kw] = a.kernel as number[];
        const [sh, sw] = a.strides as number[];
        const [pt, pl] = a.pads as number[];
        for (let b = 0; b < batch; b++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) for (let c = 0; c < C; c++) {
          let acc = op.type === 'MaxPool' ? -Infinity : 0;
          let n = 0;
          for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
            const iy = oy * sh - pt + ky;
            const ix = ox * sw - pl + kx;
            if (iy < 0 || iy >= H || ix < 0 || ix >= Wd) continue;
            const v = x[((b * H + iy) * Wd + ix) * C + c];
            acc = op.type === 'MaxPool' ? Math.max(acc, v) : acc + v;
            n++;
          }
          y[((b * OH + oy) * OW + ox) * C + c] = op.type === 'MaxPool' ? acc : acc / n;
        }
        break;
      }
      case 'GlobalAveragePool': {
        const x = val(i0);
        const [H, Wd, C] = shape(i0);
        for (let b = 0; b < batch; b++) for (let c = 0; c < C; c++) {
          let s = 0;
          for (let p = 0; p < H * Wd; p++) s += x[(b * H * Wd + p) * C + c];
          y[b * C + c] = s / (H * Wd);
        }
        break;
      }
      case 'BatchNormalization': {
        const x = val(i0);
        const [scale, bias, mean, vr] = op.inputs.slice(1).map(W);
        const C = scale.length;
        for (let i = 0; i < y.length; i++) {
          const c = i % C;
          y[i] = ((x[i] - mean[c]) / Math.sqrt(vr[c] + (a.epsilon as number))) * scale[c] + bias[c];
        }
        break;
      }
      case 'LayerNorm': {
        const x = val(i0);
        const g = W(i1);
        const be = has(i2) ? W(i2) : undefined;
        const D = g.length;
        for (let r = 0; r < y.length / D; r++) {
          let mu = 0;
          for (let d = 0; d < D; d++) mu += x[r * D + d];
          mu /= D;
          let v = 0;
          for (let d = 0; d < D; d++) v += (x[r * D + d] - mu) ** 2;
          v /= D;
          const inv = 1 / Math.sqrt(v + (a.epsilon as number));
          for (let d = 0; d < D; d++) y[r * D + d] = (x[r * D + d] - mu) * inv * g[d] + (be ? be[d] : 0);
        }
        break;
      }
      case 'Concat': {
        const s0 = shape(i0);
        const axis = (a.axis as number) < 0 ? (a.axis as number) + s0.length : (a.axis as number);
        const outer = batch * prod(s0.slice(0, axis));
        const so = shape(out);
        const rowOut = prod(so.slice(axis));
        let off = 0;
        for (const t of op.inputs) {
          const x = val(t);
          const row = prod(shape(t).slice(axis));
          for (let o = 0; o < outer; o++) for (let i = 0; i < row; i++) y[o * rowOut + off + i] = x[o * row + i];
          off += row;
        }
        break;
      }
      case 'Transpose': {
        const x = val(i0);
        const si = shape(i0);
        const perm = a.perm as number[];
        const so = shape(out);
        const r = si.length;
        const strideIn = si.map((_, i) => prod(si.slice(i + 1)));
        const n = prod(si);
        const idx = new Array<number>(r).fill(0);
        for (let b = 0; b < batch; b++) {
          for (let o = 0; o < n; o++) {
            let rem = o;
            for (let d = r - 1; d >= 0; d--) {
              idx[d] = rem % so[d];
              rem = Math.floor(rem / so[d]);
            }
            let src = 0;
            for (let d = 0; d < r; d++) src += idx[d] * strideIn[perm[d]];
            y[b * n + o] = x[b * n + src];
          }
        }
        break;
      }
      case 'MatMul': {
        const A = val(i0);
        const B = val(i1);
        const sa = shape(i0);
        const sb = shape(i1);
        const r = sa.length;
        const M = sa[r - 2];
        const K = sa[r - 1];
        const tb = a.transpose_b === 1;
        const N = tb ? sb[r - 2] : sb[r - 1];
        const mats = batch * prod(sa.slice(0, r - 2));
        for (let p = 0; p < mats; p++) for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
          let s = 0;
          for (let k = 0; k < K; k++) s += A[p * M * K + i * K + k] * (tb ? B[p * N * K + j * K + k] : B[p * K * N + k * N + j]);
          y[p * M * N + i * N + j] = s * (a.alpha as number);
        }
        break;
      }
      case 'Embedding': {
        const ids = val(i0);
        const T = info.tensors[i1].weight!;
        const table = W(i1);
        const D = T.cols;
        for (let i = 0; i < ids.length; i++) {
          const id = ids[i];
          if (!(Number.isInteger(id) && id >= 0 && id < T.rows)) throw new Error(`oracle: id ${id} out of range`);
          for (let d = 0; d < D; d++) y[i * D + d] = table[id * D + d];
        }
        break;
      }
      default: {
        const z = spatialOpOracle(info, op, batch, val, W) ?? runOp11(op, info.tensors, (t) => (info.tensors[t].weight ? W(t) : val(t)), batch);
        if (!z) throw new Error(`oracle: op ${op.type} not implemented`);
        y.set(z);
      }
    }
    vals.set(out, y);
  }
  const res: Record<string, Float64Array> = {};
  for (const t of info.outputs) res[info.tensors[t].name] = vals.get(t)!;
  return res;
}
