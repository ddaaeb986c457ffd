/**
 * TensorFlow.js peer: tfjs-core with the wasm backend, single-threaded SIMD build
 * (WASM_HAS_MULTITHREAD_SUPPORT = false), running the same network with its dense float32 weights
 * (BuiltModel.weights), written with tfjs-core ops the way a tfjs user would: NHWC conv2d /
 * depthwiseConv2d with filters [kh, kw, I, O] / [kh, kw, C, 1], matMul with the fc weight stored
 * as W^T [K, N] (no transposeB: it costs 8-10x here), bias and a directly following ReLU/ReLU6
 * fused into the conv / matMul (tf.fused.*), LayerNorm from mean/rsqrt, GELU from erf.
 *
 * The graph is interpreted from the .wpal op list (readModel), so every architecture the builders
 * make runs without a hand-written tfjs copy of it; weights are taken by tensor name.
 *
 * Threads: none in Node. tfjs-backend-wasm 4.22's WASM_HAS_MULTITHREAD_SUPPORT flag returns false
 * when IS_NODE (its source cites tensorflow/tfjs#3830), so setThreadsCount has no effect; forcing the
 * flag to true (checked 2026-12-06) makes the threaded-SIMD build's emscripten glue start its
 * pthread workers from a blob: URL, which Node's worker_threads rejects ("ERR_WORKER_PATH: The
 * worker script or module filename must be an absolute path or a relative path starting with './'
 * or '../'. Received "blob:nodedata:..."), and the backend fails to initialize. Threaded tfjs-wasm
 * needs a browser (cross-origin isolated page).
 */
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { fileURLToPath } from 'node:url';
import { readModel } from '../../src/format/read.js';
import type { ModelInfo, OpInfo } from '../../src/format/types.js';
import type { BuiltModel } from '../../src/models/index.js';
import type { Feeds, PeerRunner } from './types.js';

export const TFJS_VERSION: string = tf.version_core;

let ready: Promise<void> | undefined;

/** Selects the wasm backend (single-threaded SIMD) once per process. */
export function initTfjs(): Promise<void> {
  ready ??= (async () => {
    const dist = fileURLToPath(new URL('../../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url));
    setWasmPaths(dist.endsWith('/') ? dist : dist + '/');
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend did not initialize');
    await tf.ready();
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    if (!simd) throw new Error('tfjs: wasm backend without SIMD');
  })();
  return ready;
}

type Act = 'relu' | 'relu6' | undefined;

interface Prepared {
  /** Per op index: the step, or null when fused into its producer. */
  steps: Array<((env: Map<number, tf.Tensor>) => void) | null>;
  consts: tf.Tensor[];
}

function prepare(info: ModelInfo, weights: Record<string, Float32Array>): Prepared {
  const consts: tf.Tensor[] = [];
  const keep = <T extends tf.Tensor>(t: T): T => (consts.push(t), t);
  const T = (i: number) => info.tensors[i];
  const W = (i: number): Float32Array => {
    const v = weights[T(i).name];
    if (!v) throw new Error(`tfjs peer: no dense values for weight ${T(i).name}`);
    return v;
  };
  const has = (i: number | undefined): i is number => i !== undefined && i >= 0;
  const vec = (i: number | undefined) => (has(i) ? keep(tf.tensor1d(W(i))) : undefined);

  // Consumers of every tensor, to fuse an activation into the op producing its only input.
  const consumers = new Map<number, OpInfo[]>();
  for (const op of info.ops) for (const t of op.inputs) if (t >= 0) consumers.set(t, [...(consumers.get(t) ?? []), op]);
  const outputs = new Set(info.outputs);
  const fused = new Set<number>();
  const fuseAct = (op: OpInfo): { act: Act; out: number } => {
    const y = op.outputs[0];
    const c = consumers.get(y) ?? [];
    if (!outputs.has(y) && c.length === 1 && (c[0].type === 'Relu' || c[0].type === 'Relu6')) {
      fused.add(c[0].index);
      return { act: c[0].type === 'Relu' ? 'relu' : 'relu6', out: c[0].outputs[0] };
    }
    return { act: undefined, out: y };
  };
  const withBatch = (t: number) => [1, ...T(t).shape];

  const steps: Prepared['steps'] = info.ops.map((op) => {
    if (fused.has(op.index)) return null;
    const [x, w, b] = op.inputs;
    const y = op.outputs[0];
    const a = op.attrs;
    switch (op.type) {
      case 'FullyConnected': {
        const [n, k] = T(w).shape;
        const v = W(w);
        const wt = new Float32Array(k * n);
        for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) wt[j * n + i] = v[i * k + j];
        const wT = keep(tf.tensor2d(wt, [k, n]));
        const bias = vec(b);
        const { act, out } = fuseAct(op);
        const shape = withBatch(y);
        return (env) => {
          const x2 = tf.reshape(env.get(x)!, [-1, k]) as tf.Tensor2D;
          env.set(out, tf.reshape(tf.fused.matMul({ a: x2, b: wT, bias, activation: act }), shape));
        };
      }
      case 'Conv2D': {
        const [o, kh, kw, cg] = T(w).shape;
        const c = T(x).shape[2];
        const groups = a.groups as number;
        const v = W(w);
        const [pt, pl, pb, pr] = a.pads as number[];
        const pad: 'valid' | [[number, number], [number, number], [number, number], [number, number]] =
          pt || pl || pb || pr ? [[0, 0], [pt, pb], [pl, pr], [0, 0]] : 'valid';
        const strides = a.strides as [number, number];
        const dilations = a.dilations as [number, number];
        const bias = vec(b);
        const { act, out } = fuseAct(op);
        if (groups === 1) {
          // [O, kh, kw, I] -> [kh, kw, I, O]
          const f = new Float32Array(v.length);
          for (let oo = 0; oo < o; oo++) for (let r = 0; r < kh * kw * cg; r++) f[r * o + oo] = v[oo * kh * kw * cg + r];
          const filter = keep(tf.tensor4d(f, [kh, kw, cg, o]));
          return (env) => {
            env.set(out, tf.fused.conv2d({ x: env.get(x) as tf.Tensor4D, filter, strides, pad, dilations, bias, activation: act, dataFormat: 'NHWC' }));
          };
        }
        if (groups === c && o === c && cg === 1) {
          // [C, kh, kw, 1] -> [kh, kw, C, 1]
          const f = new Float32Array(v.length);
          for (let ch = 0; ch < c; ch++) for (let r = 0; r < kh * kw; r++) f[r * c + ch] = v[ch * kh * kw + r];
          const filter = keep(tf.tensor4d(f, [kh, kw, c, 1]));
          // tfjs depthwiseConv2d takes symmetric padding only (a number), not explicit pads.
          if (!(pt === pl && pt === pb && pt === pr)) throw new Error(`tfjs peer: asymmetric depthwise padding ${a.pads} is not mapped`);
          const dwPad = pt ? pt : 'valid';
          return (env) => {
            env.set(out, tf.fused.depthwiseConv2d({ x: env.get(x) as tf.Tensor4D, filter, strides, pad: dwPad, dilations, bias, activation: act, dataFormat: 'NHWC' }));
          };
        }
        throw new Error(`tfjs peer: grouped conv (groups ${groups}) is not mapped`);
      }
      case 'MaxPool':
      case 'AvgPool': {
        const [kh, kw] = a.kernel as number[];
        const strides = a.strides as [number, number];
        const pads = (a.pads as number[] | undefined) ?? [0, 0, 0, 0];
        if (pads.some((p) => p !== pads[0])) throw new Error(`tfjs peer: asymmetric pool padding ${pads} is not mapped`);
        const pad = pads[0] ? pads[0] : 'valid';
        if (op.type === 'AvgPool' && pads[0]) throw new Error('tfjs peer: padded AvgPool (count_include_pad 0) is not mapped');
        return (env) => {
          const xi = env.get(x) as tf.Tensor4D;
          env.set(y, op.type === 'MaxPool' ? tf.maxPool(xi, [kh, kw], strides, pad) : tf.avgPool(xi, [kh, kw], strides, pad));
        };
      }
      case 'GlobalAveragePool': {
        const shape = withBatch(y);
        return (env) => env.set(y, tf.reshape(tf.mean(env.get(x)!, [1, 2]), shape));
      }
      case 'Relu':
        return (env) => env.set(y, tf.relu(env.get(x)!));
      case 'Relu6':
        return (env) => env.set(y, tf.relu6(env.get(x)!));
      case 'Sigmoid':
        return (env) => env.set(y, tf.sigmoid(env.get(x)!));
      case 'Tanh':
        return (env) => env.set(y, tf.tanh(env.get(x)!));
      case 'Gelu': {
        const s = keep(tf.scalar(Math.SQRT1_2));
        const half = keep(tf.scalar(0.5));
        const one = keep(tf.scalar(1));
        return (env) => {
          const xi = env.get(x)!;
          env.set(y, tf.mul(tf.mul(xi, half), tf.add(tf.erf(tf.mul(xi, s)), one)));
        };
      }
      case 'Add':
        return (env) => env.set(y, tf.add(env.get(x)!, env.get(w)!));
      case 'Mul':
        return (env) => env.set(y, tf.mul(env.get(x)!, env.get(w)!));
      case 'Softmax':
        return (env) => env.set(y, tf.softmax(env.get(x)!));
      case 'Reshape':
      case 'Flatten': {
        const shape = withBatch(y);
        return (env) => env.set(y, tf.reshape(env.get(x)!, shape));
      }
      case 'Transpose': {
        const perm = [0, ...(a.perm as number[]).map((p) => p + 1)];
        return (env) => env.set(y, tf.transpose(env.get(x)!, perm));
      }
      case 'LayerNorm': {
        const g = vec(w)!;
        const beta = vec(b);
        const eps = keep(tf.scalar(a.epsilon as number));
        return (env) => {
          const xi = env.get(x)!;
          const xc = tf.sub(xi, tf.mean(xi, -1, true));
          const inv = tf.rsqrt(tf.add(tf.mean(tf.square(xc), -1, true), eps));
          const n = tf.mul(tf.mul(xc, inv), g);
          env.set(y, beta ? tf.add(n, beta) : n);
        };
      }
      case 'MatMul': {
        const alpha = (a.alpha as number | undefined) ?? 1;
        const tb = a.transpose_b === 1;
        const al = keep(tf.scalar(alpha));
        return (env) => {
          let bi = env.get(w)!;
          if (tb) {
            const r = bi.rank;
            const perm = Array.from({ length: r }, (_, i) => i);
            [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
            bi = tf.transpose(bi, perm); // explicit: matMul's transposeB is 8-10x slower in tfjs-wasm
          }
          const m = tf.matMul(env.get(x)!, bi);
          env.set(y, alpha === 1 ? m : tf.mul(m, al));
        };
      }
      case 'Embedding': {
        const [rows, d] = T(w).shape;
        const table = keep(tf.tensor2d(W(w), [rows, d]));
        return (env) => env.set(y, tf.gather(table, env.get(x)!));
      }
      case 'Concat': {
        const axis = (a.axis as number) < 0 ? (a.axis as number) + T(x).shape.length : (a.axis as number);
        return (env) => env.set(y, tf.concat(op.inputs.map((t) => env.get(t)!), axis + 1));
      }
      default:
        throw new Error(`tfjs peer: op ${op.index} (${op.type}) is not mapped`);
    }
  });
  return { steps, consts };
}

export async function createTfjsRunner(built: BuiltModel, feeds: Feeds): Promise<PeerRunner> {
  await initTfjs();
  const info = readModel(built.bytes);
  const { steps, consts } = prepare(info, built.weights);
  const inputs = info.inputs.map((t) => {
    const tt = info.tensors[t];
    const v = feeds[tt.name];
    return { t, tensor: v instanceof Int32Array ? tf.tensor(v, [1, ...tt.shape], 'int32') : tf.tensor(v, [1, ...tt.shape], 'float32') };
  });
  const outT = info.outputs[0];
  const forward = () => {
    const env = new Map<number, tf.Tensor>();
    for (const i of inputs) env.set(i.t, i.tensor);
    for (const s of steps) s?.(env);
    const y = env.get(outT);
    if (!y) throw new Error('tfjs peer: output not produced');
    return y;
  };
  return {
    name: 'tfjs-wasm',
    run() {
      const y = tf.tidy(forward);
      const d = y.dataSync() as Float32Array;
      y.dispose();
      return d;
    },
    dispose() {
      tf.dispose([...consts, ...inputs.map((i) => i.tensor)]);
    },
  };
}
