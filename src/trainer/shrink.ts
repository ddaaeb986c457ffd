/**
 * Structured pruning made physical: a LeNet whose filters / neurons were pruned as whole rows
 * (block 'row': every weight of the unit is exactly 0) becomes the narrower LeNet it really is.
 * A removed unit still outputs a constant (its bias; through max-pooling, which keeps a constant,
 * or ReLU), so that constant times the next layer's weights on it is folded into the next layer's
 * bias before those weights are dropped: the narrow model computes what the pruned one did (the
 * convolutions have no padding, so a constant input channel adds the same to every output pixel).
 */
import type { DenseModel } from './engine/archs.js';

export interface Shrunk {
  model: DenseModel;
  /** Units kept per shrinkable layer (LeNet-5: conv1, conv2, fc1 filters/neurons; LeNet-300-100: hidden widths). */
  widths: number[];
  /** Units removed per layer. */
  removed: number[];
}

const relu = (v: number) => (v > 0 ? v : 0);

/** Rows of a [rows, cols] weight that are not all zero. */
function keptRows(w: Float32Array, rows: number): number[] {
  const cols = w.length / rows;
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) if (w[r * cols + c] !== 0) { out.push(r); break; }
  }
  if (out.length === 0) out.push(0); // a layer needs one unit; an all-zero one computes its bias like any other
  return out;
}

/** The rows `keep` of a [rows, cols] matrix. */
function takeRows(w: Float32Array, rows: number, keep: readonly number[]): Float32Array {
  const cols = w.length / rows;
  const out = new Float32Array(keep.length * cols);
  keep.forEach((r, i) => out.set(w.subarray(r * cols, (r + 1) * cols), i * cols));
  return out;
}

/**
 * Removes input channel(s) from a weight viewed as [rows, inner, channels] (the channel is the
 * fastest axis: conv weights [O][kh][kw][I], or a flattened NHWC input), folding the constant
 * `value(ch)` of every removed channel into `bias`. Returns the kept-channel weights.
 */
function dropInputChannels(w: Float32Array, rows: number, channels: number, keep: readonly number[], value: (ch: number) => number, bias: Float32Array): Float32Array {
  const inner = w.length / rows / channels;
  const kept = new Set(keep);
  const out = new Float32Array(rows * inner * keep.length);
  for (let r = 0; r < rows; r++) {
    let acc = 0;
    for (let i = 0; i < inner; i++) {
      const base = (r * inner + i) * channels;
      for (let ch = 0; ch < channels; ch++) if (!kept.has(ch)) acc += w[base + ch] * value(ch);
      keep.forEach((ch, j) => { out[(r * inner + i) * keep.length + j] = w[base + ch]; });
    }
    bias[r] += acc;
  }
  return out;
}

/** Shrinks a LeNet-5 or LeNet-300-100 whose pruned units have all-zero weight rows (see the header). */
export function shrinkZeroRows(m: DenseModel): Shrunk {
  const w: Record<string, Float32Array> = Object.fromEntries(Object.entries(m.weights).map(([k, v]) => [k, new Float32Array(v)]));
  const shapes = Object.fromEntries(Object.entries(m.shapes).map(([k, v]) => [k, [...v]]));
  if (m.kind === 'lenet-5') {
    const [c1, , , inC] = shapes['conv1.weight'];
    const c2 = shapes['conv2.weight'][0];
    const f1 = shapes['fc1.weight'][0];
    const classes = shapes['fc2.weight'][0];
    const flat = shapes['fc1.weight'][1];
    const k1 = keptRows(w['conv1.weight'], c1);
    const k2 = keptRows(w['conv2.weight'], c2);
    const k3 = keptRows(w['fc1.weight'], f1);
    // conv1 -> conv2: removed conv1 filters output their bias (max-pooled constant).
    const b1 = w['conv1.bias'];
    const conv2 = dropInputChannels(w['conv2.weight'], c2, c1, k1, (ch) => b1[ch], w['conv2.bias']);
    const conv1 = takeRows(w['conv1.weight'], c1, k1);
    // conv2 -> fc1: fc1 reads the pooled conv2 output flattened NHWC, channel fastest.
    const b2 = w['conv2.bias'];
    const fc1 = dropInputChannels(w['fc1.weight'], f1, c2, k2, (ch) => b2[ch], w['fc1.bias']);
    const conv2Kept = takeRows(conv2, c2, k2);
    // fc1 -> fc2: a removed neuron outputs relu(bias).
    const b3 = w['fc1.bias'];
    const fc2 = dropInputChannels(w['fc2.weight'], classes, f1, k3, (n) => relu(b3[n]), w['fc2.bias']);
    const fc1Kept = takeRows(fc1, f1, k3);
    const pick = (v: Float32Array, keep: readonly number[]) => Float32Array.from(keep, (i) => v[i]);
    const weights: Record<string, Float32Array> = {
      'conv1.weight': conv1, 'conv1.bias': pick(b1, k1),
      'conv2.weight': conv2Kept, 'conv2.bias': pick(b2, k2),
      'fc1.weight': fc1Kept, 'fc1.bias': pick(b3, k3),
      'fc2.weight': fc2, 'fc2.bias': w['fc2.bias'],
    };
    const out: Record<string, number[]> = {
      'conv1.weight': [k1.length, 5, 5, inC], 'conv1.bias': [k1.length],
      'conv2.weight': [k2.length, 5, 5, k1.length], 'conv2.bias': [k2.length],
      'fc1.weight': [k3.length, (flat / c2) * k2.length], 'fc1.bias': [k3.length],
      'fc2.weight': [classes, k3.length], 'fc2.bias': [classes],
    };
    return { model: { ...m, weights, shapes: out }, widths: [k1.length, k2.length, k3.length], removed: [c1 - k1.length, c2 - k2.length, f1 - k3.length] };
  }
  if (m.kind === 'lenet-300-100') {
    const layers: number[] = [];
    for (let i = 1; w[`fc${i}.weight`]; i++) layers.push(i);
    const widths: number[] = [], removed: number[] = [];
    for (const i of layers.slice(0, -1)) {
      const rows = shapes[`fc${i}.weight`][0];
      const keep = keptRows(w[`fc${i}.weight`], rows);
      const b = w[`fc${i}.bias`];
      const next = shapes[`fc${i + 1}.weight`][0];
      w[`fc${i + 1}.weight`] = dropInputChannels(w[`fc${i + 1}.weight`], next, rows, keep, (n) => relu(b[n]), w[`fc${i + 1}.bias`]);
      shapes[`fc${i + 1}.weight`] = [next, keep.length];
      w[`fc${i}.weight`] = takeRows(w[`fc${i}.weight`], rows, keep);
      w[`fc${i}.bias`] = Float32Array.from(keep, (r) => b[r]);
      shapes[`fc${i}.weight`] = [keep.length, shapes[`fc${i}.weight`][1]];
      shapes[`fc${i}.bias`] = [keep.length];
      widths.push(keep.length);
      removed.push(rows - keep.length);
    }
    return { model: { ...m, weights: w, shapes }, widths, removed };
  }
  throw new Error(`shrinkZeroRows: ${m.kind} has no filters or neurons to remove (LeNet-5 and LeNet-300-100 only)`);
}
