/**
 * Float64 oracle for whole models: decodes every weight from the file's documented layout
 * (schemas/wpal.fbs) to dense float64 and runs the graph with naive loops. It shares no code with
 * the kernels; it uses the project's bit unpacker and block scatter, which have their own
 * round-trip tests.
 */
import type { ModelInfo, WeightInfo } from '../../src/format/types.js';
import { unpackRows, unpackStream } from '../../src/encode/bitpack.js';
import { blockGrid, scatterKept } from '../../src/encode/blocksparse.js';
import { f16BitsToF32 } from '../../src/encode/f16.js';

function slice(info: ModelInfo, r: { offset: number; length: number }): Uint8Array {
  return info.bytes.subarray(r.offset, r.offset + r.length);
}

function view(info: ModelInfo, r: { offset: number; length: number }): DataView {
  return new DataView(info.bytes.buffer, info.bytes.byteOffset + r.offset, r.length);
}

/** Dense [rows * cols] float64 values of a weight, as the file defines them. */
export function decodeWeight(info: ModelInfo, w: WeightInfo): Float64Array {
  const { rows, cols } = w;
  const g = w.sparse ? blockGrid(rows, cols, w.sparse.blockRows, w.sparse.blockCols) : undefined;
  const stored = w.sparse ? w.sparse.keptBlocks * w.sparse.blockRows * w.sparse.blockCols : rows * cols;
  // Row (output channel) of the i-th stored value, needed for per-group palettes.
  const rowOf = (i: number): number => {
    if (!g) return Math.floor(i / cols);
    const R = g.blockRows;
    const C = g.blockCols;
    const block = Math.floor(i / (R * C));
    let seen = -1;
    const mask = slice(info, w.sparse!.mask);
    for (let br = 0; br < g.gridRows; br++) {
      for (let bc = 0; bc < g.gridCols; bc++) {
        if ((mask[br * g.maskRowBytes + (bc >> 3)] >> (bc & 7)) & 1 && ++seen === block) {
          return br * R + Math.floor((i % (R * C)) / C);
        }
      }
    }
    throw new Error('oracle: value beyond the kept blocks');
  };
  const values = new Float32Array(stored);
  if (w.dense) {
    const v = view(info, w.dense.data);
    for (let i = 0; i < stored; i++) values[i] = w.dense.dtype === 'float16' ? f16BitsToF32(v.getUint16(2 * i, true)) : v.getFloat32(4 * i, true);
  } else {
    const p = w.palettized!;
    const idx = g ? unpackStream(slice(info, p.indices), stored, p.bits) : unpackRows(slice(info, p.indices), rows, cols, p.bits);
    const e = view(info, p.entries);
    const scales = p.entryScales ? view(info, p.entryScales) : undefined;
    const ch = p.channelScales ? view(info, p.channelScales) : undefined;
    const rowOfAll = g ? Array.from({ length: stored }, (_, i) => rowOf(i)) : undefined;
    for (let i = 0; i < stored; i++) {
      const row = rowOfAll ? rowOfAll[i] : Math.floor(i / cols);
      if (row >= rows) continue; // edge padding of a block
      const pal = Math.floor(row / p.groupRows);
      const at = (pal << p.bits) + idx[i];
      let c =
        p.entryType === 'float32' ? e.getFloat32(4 * at, true)
        : p.entryType === 'float16' ? f16BitsToF32(e.getUint16(2 * at, true))
        : e.getInt8(at) * scales!.getFloat32(4 * pal, true);
      if (ch) c *= ch.getFloat32(4 * row, true);
      values[i] = c;
    }
  }
  const dense = g ? scatterKept(values, slice(info, w.sparse!.mask), g) : values;
  return Float64Array.from(dense);
}

const ACT: Record<string, (x: number) => number> = {
  Relu: (x) => Math.max(0, x),
  Relu6: (x) => Math.min(6, Math.max(0, x)),
  Sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  Tanh: Math.tanh,
  Silu: (x) => x / (1 + Math.exp(-x)),
};

/** Runs the model in float64 on one batch; returns outputs by name. */
export function runOracle(info: ModelInfo, inputs: Record<string, ArrayLike<number>>, batch: number): Record<string, Float64Array> {
  const vals = new Map<number, Float64Array>();
  for (const t of info.inputs) vals.set(t, Float64Array.from(inputs[info.tensors[t].name]));
  const per = (t: number) => info.tensors[t].shape.reduce((a, b) => a * b, 1);
  for (const op of info.ops) {
    const out = op.outputs[0];
    const x = vals.get(op.inputs[0])!;
    const y = new Float64Array(batch * per(out));
    if (op.type === 'FullyConnected') {
      const w = info.tensors[op.inputs[1]].weight!;
      const W = decodeWeight(info, w);
      const bias = op.inputs[2] !== undefined && op.inputs[2] >= 0 ? decodeWeight(info, info.tensors[op.inputs[2]].weight!) : undefined;
      const m = x.length / w.cols;
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < w.rows; j++) {
          let s = 0;
          for (let k = 0; k < w.cols; k++) s += W[j * w.cols + k] * x[i * w.cols + k];
          y[i * w.rows + j] = s + (bias ? bias[j] : 0);
        }
      }
    } else if (op.type in ACT) {
      for (let i = 0; i < y.length; i++) y[i] = ACT[op.type](x[i]);
    } else if (op.type === 'Add' || op.type === 'Mul') {
      const b = vals.get(op.inputs[1])!;
      for (let i = 0; i < y.length; i++) y[i] = op.type === 'Add' ? x[i] + b[i] : x[i] * b[i];
    } else if (op.type === 'Softmax') {
      const shape = info.tensors[out].shape;
      const n = shape[shape.length - 1];
      for (let r = 0; r < y.length / n; r++) {
        let mx = -Infinity;
        for (let c = 0; c < n; c++) mx = Math.max(mx, x[r * n + c]);
        let s = 0;
        for (let c = 0; c < n; c++) s += Math.exp(x[r * n + c] - mx);
        for (let c = 0; c < n; c++) y[r * n + c] = Math.exp(x[r * n + c] - mx) / s;
      }
    } else if (op.type === 'Reshape') {
      y.set(x);
    } else {
      throw new Error(`oracle: op ${op.type} not implemented`);
    }
    vals.set(out, y);
  }
  const res: Record<string, Float64Array> = {};
  for (const t of info.outputs) res[info.tensors[t].name] = vals.get(t)!;
  return res;
}
