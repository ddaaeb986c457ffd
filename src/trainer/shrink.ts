/**
 * Structured pruning made physical: a model whose filters / neurons were pruned as whole rows
 * (block 'row': every weight of the unit is exactly 0) becomes the narrower model it really is.
 * A removed unit still outputs a constant (its bias through the channel-wise ops after it), so
 * that constant times the next layer's weights on it is folded into the next layer's bias before
 * those weights are dropped: the narrow model computes what the pruned one did. Which layers can
 * lose units is read from the graph (structure.ts).
 */
import { reshapedModel, type DenseModel } from './dense-model.js';
import { shrinkableUnits } from './structure.js';

export interface Shrunk {
  model: DenseModel;
  /** Units kept per shrinkable layer (structure.ts order; LeNet-5: conv1, conv2, fc1). */
  widths: number[];
  /** Units removed per layer. */
  removed: number[];
  /** Weight tensor of each shrinkable layer. */
  layers: string[];
}

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

/**
 * Shrinks a model whose pruned units (structure.ts) have all-zero weight rows: the narrower model
 * that computes what the pruned one does, its graph written again with the new shapes.
 */
export function shrinkZeroRows(m: DenseModel): Shrunk {
  const units = shrinkableUnits(m);
  if (units.length === 0) throw new Error('shrinkZeroRows: no layer of this model can lose filters or neurons (a fully connected or conv layer feeding another through channel-wise ops)');
  const w: Record<string, Float32Array> = Object.fromEntries(Object.entries(m.weights).map(([k, v]) => [k, new Float32Array(v)]));
  const shapes = Object.fromEntries(Object.entries(m.shapes).map(([k, v]) => [k, [...v]]));
  // rows kept are read from the weights given, before any column is dropped
  const keeps = units.map((u) => keptRows(m.weights[u.weight], m.shapes[u.weight][0]));
  units.forEach((u, i) => {
    const keep = keeps[i];
    const rows = shapes[u.weight][0];
    const b = u.bias ? w[u.bias] : new Float32Array(rows);
    const value = (ch: number) => u.path.reduce((v, f) => f(v), b[ch]);
    const nextRows = shapes[u.next][0];
    const nb = u.nextBias ? w[u.nextBias] : new Float32Array(nextRows);
    w[u.next] = dropInputChannels(w[u.next], nextRows, rows, keep, value, nb);
    if (!u.nextBias && nb.some((v) => v !== 0)) throw new Error(`shrinkZeroRows: ${u.next} has no bias to take the constant output of the removed units of ${u.weight}`);
    const ns = shapes[u.next];
    shapes[u.next] = u.nextKind === 'conv' ? [ns[0], ns[1], ns[2], keep.length] : [ns[0], (ns[1] / rows) * keep.length];
    w[u.weight] = takeRows(w[u.weight], rows, keep);
    shapes[u.weight] = [keep.length, ...shapes[u.weight].slice(1)];
    if (u.bias) {
      w[u.bias] = Float32Array.from(keep, (r) => b[r]);
      shapes[u.bias] = [keep.length];
    }
  });
  // a Reshape between a layer and the next names the channel count: let it infer the new one
  const reshapes = new Set(units.flatMap((u) => u.reshapes));
  const ops = m.graph.ops.map((op) => {
    if (!reshapes.has(op.index)) return op;
    const to = op.attrs.shape as number[];
    return { ...op, attrs: { ...op.attrs, shape: to.length === 1 ? [-1] : [...to.slice(0, -1), -1] } };
  });
  return {
    model: reshapedModel({ graph: { ...m.graph, ops }, weights: w, shapes }),
    widths: keeps.map((k) => k.length),
    removed: units.map((u, i) => u.width - keeps[i].length),
    layers: units.map((u) => u.weight),
  };
}
