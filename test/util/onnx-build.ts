/**
 * ONNX models for tests, encoded with onnx-proto (the official schema), independent of the
 * importer and of our exporter: inputs and outputs with their shapes, nodes, initializers.
 */
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-web';
import { expect } from 'vitest';
import { importOnnx, type ImportOptions, type ImportResult } from '../../src/onnx/import/index.js';
import { loadModel } from '../../src/index.js';
import type { Rng } from './rng.js';

const { onnx } = onnxProto;

export type Dim = number | string;
export type AttrIn = number | string | number[] | { f: number } | { floats: number[] } | { ints: number[] } | { t: Init };

export interface Init {
  dims: number[];
  /** float32 unless type says otherwise (7 = int64, 3 = int8, 2 = uint8, 6 = int32). */
  type?: number;
  values: ArrayLike<number>;
}

export interface GraphSpec {
  inputs: { name: string; dims: Dim[]; type?: number }[];
  outputs: { name: string; dims?: Dim[] }[];
  nodes: { op: string; inputs: string[]; outputs: string[]; name?: string; attrs?: Record<string, AttrIn>; domain?: string }[];
  inits?: Record<string, Init>;
  opset?: number;
}

function tensorProto(name: string, t: Init) {
  const type = t.type ?? 1;
  const base = { name, dims: t.dims, dataType: type };
  if (type === 1) return onnx.TensorProto.create({ ...base, rawData: new Uint8Array(Float32Array.from(t.values).buffer) });
  if (type === 7) return onnx.TensorProto.create({ ...base, rawData: new Uint8Array(BigInt64Array.from(Array.from(t.values, (v) => BigInt(v))).buffer) });
  if (type === 6) return onnx.TensorProto.create({ ...base, rawData: new Uint8Array(Int32Array.from(t.values).buffer) });
  if (type === 3) return onnx.TensorProto.create({ ...base, rawData: new Uint8Array(Int8Array.from(t.values).buffer) });
  if (type === 2) return onnx.TensorProto.create({ ...base, rawData: Uint8Array.from(t.values) });
  throw new Error(`onnx-build: type ${type}`);
}

function attrProto(name: string, v: AttrIn) {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'number') return Number.isInteger(v) ? { name, type: T.INT, i: v } : { name, type: T.FLOAT, f: v };
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  if ('f' in v) return { name, type: T.FLOAT, f: v.f };
  if ('floats' in v) return { name, type: T.FLOATS, floats: v.floats };
  if ('ints' in v) return { name, type: T.INTS, ints: v.ints };
  return { name, type: T.TENSOR, t: tensorProto(name, v.t) };
}

const valueInfo = (name: string, dims: Dim[] | undefined, type = 1) =>
  onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType: type, ...(dims ? { shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } : {}) } },
  });

export function buildOnnx(spec: GraphSpec): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'wasm-palette-tests',
    opsetImport: [{ domain: '', version: spec.opset ?? 17 }],
    graph: {
      name: 'test',
      input: spec.inputs.map((i) => valueInfo(i.name, i.dims, i.type)),
      output: spec.outputs.map((o) => valueInfo(o.name, o.dims)),
      initializer: Object.entries(spec.inits ?? {}).map(([n, t]) => tensorProto(n, t)),
      node: spec.nodes.map((n, k) => ({
        opType: n.op, input: n.inputs, output: n.outputs, name: n.name ?? `${n.op}_${k}`, domain: n.domain ?? '',
        attribute: Object.entries(n.attrs ?? {}).map(([a, v]) => attrProto(a, v)),
      })),
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

export async function ortRun(model: Uint8Array, feeds: Record<string, { data: Float32Array | Int32Array; dims: number[] }>): Promise<Record<string, Float32Array>> {
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(model);
  try {
    const f: Record<string, ort.Tensor> = {};
    for (const [k, v] of Object.entries(feeds)) f[k] = v.data instanceof Int32Array ? new ort.Tensor('int64', BigInt64Array.from(Array.from(v.data, BigInt)), v.dims) : new ort.Tensor('float32', v.data, v.dims);
    const out = await session.run(f);
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, t.data as Float32Array]));
  } finally {
    await session.release();
  }
}

/**
 * Largest |a - b| / max(|b|, floor), floor = 1% of the largest |b|: the relative error of every
 * element, where elements near zero (below 1% of the output's scale; float sums in another order
 * legitimately differ there by more than 1e-4 of themselves) are judged against that 1%.
 */
export function worstRelative(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let big = 0;
  for (let i = 0; i < b.length; i++) big = Math.max(big, Math.abs(b[i]));
  let worst = 0;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-2 * big, 1e-30));
  return worst;
}

/**
 * Imports `model`, runs it through wasm-palette and onnxruntime-web on the same random inputs
 * (batch sizes `batches`), and checks every output against ORT's within `rel`. Returns the import.
 */
export async function expectLikeOrt(model: Uint8Array, rng: Rng, opts: { import?: ImportOptions; batches?: number[]; rel?: number; scale?: number } = {}): Promise<ImportResult & { worst: number }> {
  const r = importOnnx(model, opts.import);
  const m = await loadModel(r.bytes);
  let worst = 0;
  try {
    for (const batch of opts.batches ?? [1, 2]) {
      const ours: Record<string, Float32Array | Int32Array> = {};
      const feeds: Record<string, { data: Float32Array | Int32Array; dims: number[] }> = {};
      for (const inp of m.inputs) {
        const n = batch * inp.shape.reduce((a, b) => a * b, 1);
        const data = inp.dtype === 'int32' ? Int32Array.from({ length: n }, () => rng.int(0, 9)) : rng.floats(n, -(opts.scale ?? 1), opts.scale ?? 1);
        ours[inp.name] = data;
        feeds[inp.name] = { data, dims: [batch, ...inp.shape] };
      }
      const a = m.run(ours);
      const b = await ortRun(model, feeds);
      for (const o of m.outputs) {
        expect(a[o.name].data.length, `output ${o.name} length`).toBe(b[o.name].length);
        const w = worstRelative(a[o.name].data, b[o.name]);
        worst = Math.max(worst, w);
        expect(w, `output ${o.name} (batch ${batch}) relative error vs onnxruntime-web`).toBeLessThanOrEqual(opts.rel ?? 1e-4);
      }
    }
  } finally {
    m.dispose();
  }
  return { ...r, worst };
}
