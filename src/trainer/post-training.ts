/**
 * Post-training compression of any .wpal model (built-in, imported from ONNX, hand-written): every
 * weight matrix (FullyConnected, Conv2D, ConvTranspose weights and Embedding tables) is clustered
 * with k-means into 2^bits-entry palettes, per tensor or per group of rows, optionally block-pruned
 * first; no training. With calibration inputs the k-means is sensitivity-weighted: each weight
 * counts with E[x^2] of the input it multiplies (the diagonal of the layer's Hessian, as in
 * SqueezeLLM / coremltools' SKM), measured by running the model on the calibration data.
 *
 * The report gives, per layer, the bytes before and after and how far the layer's output moves
 * (relative RMS, compressed model vs original, on the calibration inputs or, without them, on
 * random normal inputs), and the same for the model outputs.
 */
import { decodeTensor, encodeBlockSparse, encodeDense, encodePalettized, type EncodedWeight } from '../encode/palette.js';
import { readModel } from '../format/read.js';
import { sizeReport } from '../format/size.js';
import { Normal } from '../models/common.js';
import { rewriteModel } from '../format/rewrite.js';
import { ACCURACY, ACCURACY_DATASET, ACCURACY_EXAMPLES } from './measure.js';
import type { AttrValue, ModelInfo, OpInfo } from '../format/types.js';
import { loadModel } from '../runtime/load.js';
import type { Model, ShapedInput, TensorData } from '../runtime/model.js';
import type { ElementName } from '../format/elements.js';
import { WpalCompressError, checkPaletteEntries } from './errors.js';
import { layerKey } from './compress.js';

export interface LayerSetting {
  /** Index bits 1..8. */
  bits?: number;
  /** Rows (output channels) per palette; 0 = one palette for the tensor. */
  groupRows?: number;
  /** Fraction of blocks dropped (smallest L2 norm first), with `block` = [rows, cols]. */
  sparsity?: number;
  block?: [number, number];
  /** Leave this weight as it is. */
  skip?: boolean;
}

export interface PostTrainingOptions extends LayerSetting {
  bits: number;
  entryType?: ElementName;
  /** int8 palette entries, and FullyConnected / non-depthwise Conv2D layers on int8 activations. */
  int8?: boolean;
  /** Scale each row to max |w| = 1 before clustering and store the scale per row (default false). */
  channelScales?: boolean;
  /**
   * Bias correction (needs calibration data; default off: with a few calibration clips it
   * overfits their mean): each layer's bias absorbs the
   * mean shift its compressed weights cause on the calibration inputs, b -= (W' - W) E[x].
   */
  biasCorrection?: boolean;
  /** Per weight tensor name: settings that replace the global ones. */
  layers?: Record<string, LayerSetting>;
  /** Batches of model inputs (by input name) for sensitivity weights and the agreement report. */
  calibration?: Record<string, TensorData | ShapedInput>[];
  /** Weights with fewer values stay as they are (default 64: biases-sized tables are not worth a palette). */
  minValues?: number;
  seed?: number;
  onProgress?: (done: number, total: number, layer: string) => void;
}

export interface LayerReport {
  name: string;
  op: string;
  shape: number[];
  bits: number;
  groupRows: number;
  sparsity: number;
  block?: [number, number];
  bytesBefore: number;
  bytesAfter: number;
  /** Whether importance weights from calibration data were used. */
  weighted: boolean;
  /** Relative RMS difference of this layer's output, compressed vs original model (same inputs). */
  outputError: number;
}

export interface PostTrainingReport {
  layers: LayerReport[];
  outputs: { name: string; relRms: number; argmaxAgreement: number }[];
  /** 'calibration' or 'random normal inputs'. */
  measuredOn: string;
  bytesBefore: number;
  bytesAfter: number;
}

const WEIGHT_SLOT: Record<string, number> = { FullyConnected: 1, Conv2D: 1, ConvTranspose: 1, Embedding: 1 };

interface Layer {
  op: OpInfo;
  weight: number;
  input: number;
}

function layersOf(info: ModelInfo): Layer[] {
  const seen = new Set<number>();
  const out: Layer[] = [];
  for (const op of info.ops) {
    const slot = WEIGHT_SLOT[op.type];
    if (slot === undefined) continue;
    const w = op.inputs[slot];
    if (seen.has(w)) continue;
    seen.add(w);
    out.push({ op, weight: w, input: op.inputs[0] });
  }
  return out;
}

/** The model with extra outputs (named calib:<index>) for the given tensors. */
async function instrumented(info: ModelInfo, tensors: number[]): Promise<Model> {
  return loadModel(rewriteModel(info, { extraOutputs: tensors.map((t) => ({ tensor: t, name: `calib:${t}` })) }));
}

function randomInputs(model: Model, batch: number, seed: number): Record<string, ShapedInput> {
  const rng = new Normal(seed);
  const out: Record<string, ShapedInput> = {};
  for (const inp of model.inputs) {
    const n = batch * inp.shape.reduce((a, b) => a * b, 1);
    out[inp.name] = { data: inp.dtype === 'int32' ? new Int32Array(n) : rng.normal(n, 1), shape: [batch, ...inp.shape] };
  }
  return out;
}

/**
 * Calibration batches of `size` examples (the last one partial) from `count` examples of shape
 * `shape` held in one array, for the model input `name`.
 */
export function calibrationBatches(name: string, data: TensorData, shape: readonly number[], count: number, size = 64): Record<string, ShapedInput>[] {
  const per = shape.reduce((a, b) => a * b, 1);
  const out: Record<string, ShapedInput>[] = [];
  for (let i = 0; i < count; i += size) {
    const n = Math.min(size, count - i);
    out.push({ [name]: { data: data.subarray(i * per, (i + n) * per), shape: [n, ...shape] } });
  }
  return out;
}

/** E[x] per input channel (the innermost axis) over the calibration batches. */
function meanOf(channels: number, inputs: Float32Array[]): Float64Array {
  const sum = new Float64Array(channels);
  let n = 0;
  for (const x of inputs) {
    for (let i = 0; i < x.length; i++) sum[i % channels] += x[i];
    n += x.length / channels;
  }
  return sum.map((v) => v / Math.max(1, n));
}

/**
 * The bias that keeps a layer's mean output where it was: b - (W' - W) E[x], with E[x] per input
 * channel (for a conv the same at every tap: border padding is ignored).
 */
function correctedBias(info: ModelInfo, l: Layer, before: Float32Array, after: Float32Array, inputs: Float32Array[]): Float32Array | undefined {
  const b = l.op.inputs[2];
  if (b === undefined || b < 0 || l.op.type === 'Embedding') return undefined;
  const w = info.tensors[l.weight];
  const rows = w.shape[0];
  const cols = before.length / rows;
  const inShape = info.tensors[l.input].shape;
  const channels = inShape[inShape.length - 1];
  const mean = meanOf(channels, inputs);
  const bias = decodeTensor(info, b).slice();
  const cg = l.op.type === 'FullyConnected' ? cols : w.shape[3];
  const perGroup = rows / (channels / cg);
  for (let r = 0; r < rows; r++) {
    const g = l.op.type === 'FullyConnected' ? 0 : Math.floor(r / perGroup);
    let shift = 0;
    for (let c = 0; c < cols; c++) shift += (after[r * cols + c] - before[r * cols + c]) * mean[g * cg + (c % cg)];
    bias[r] = bias[r] - shift;
  }
  return bias;
}

/** Per weight value: E[x^2] of the input element it multiplies, over the calibration batches. */
function importanceOf(info: ModelInfo, l: Layer, inputs: Float32Array[]): Float32Array {
  const w = info.tensors[l.weight];
  const rows = w.shape[0];
  const cols = w.shape.slice(1).reduce((a, b) => a * b, 1);
  const out = new Float32Array(rows * cols);
  if (l.op.type === 'Embedding') {
    // Rows are tokens: how often each id is looked up.
    const counts = new Float64Array(rows);
    for (const ids of inputs) for (const id of ids) if (id >= 0 && id < rows) counts[id]++;
    for (let r = 0; r < rows; r++) out.fill(counts[r] + 1e-3, r * cols, (r + 1) * cols);
    return out;
  }
  const inShape = info.tensors[l.input].shape;
  const channels = inShape[inShape.length - 1];
  const sq = new Float64Array(channels);
  let n = 0;
  for (const x of inputs) {
    for (let i = 0; i < x.length; i++) sq[i % channels] += x[i] * x[i];
    n += x.length / channels;
  }
  for (let c = 0; c < channels; c++) sq[c] = sq[c] / Math.max(1, n) + 1e-12;
  if (l.op.type === 'FullyConnected') {
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = sq[c];
    return out;
  }
  // Conv2D / ConvTranspose weight [O, kh, kw, C/groups]: the input channel of (o, ., ., c).
  const cg = w.shape[3];
  const groups = channels / cg;
  const perGroup = rows / groups;
  for (let r = 0; r < rows; r++) {
    const g = Math.floor(r / perGroup);
    for (let c = 0; c < cols; c++) out[r * cols + c] = sq[g * cg + (c % cg)];
  }
  return out;
}

function relRms(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) (num += (a[i] - b[i]) ** 2), (den += b[i] * b[i]);
  return den > 0 ? Math.sqrt(num / den) : Math.sqrt(num / Math.max(1, a.length));
}

/** A layer's own settings, by its tensor name ("fc1.weight") or its layer name ("fc1"), as --layer takes them. */
function settingOf(layers: Record<string, LayerSetting> | undefined, tensor: string): LayerSetting | undefined {
  return layers?.[tensor] ?? layers?.[layerKey(tensor)];
}

/** Compresses the weight matrices of a .wpal model without training; returns the new file and a report. */
export async function compressPostTraining(bytes: Uint8Array, opts: PostTrainingOptions): Promise<{ bytes: Uint8Array; report: PostTrainingReport }> {
  checkPaletteEntries(opts.int8, opts.entryType);
  const info = readModel(bytes);
  const layers = layersOf(info).filter((l) => {
    const t = info.tensors[l.weight];
    const set = settingOf(opts.layers, t.name);
    return !set?.skip && t.shape.reduce((a, b) => a * b, 1) >= (opts.minValues ?? 64);
  });
  for (const name of Object.keys(opts.layers ?? {})) {
    if (!layersOf(info).some((l) => [name, `${name}.weight`].includes(info.tensors[l.weight].name))) {
      throw new WpalCompressError(`no weight matrix named ${JSON.stringify(name)} (weights: ${layersOf(info).map((l) => info.tensors[l.weight].name).join(', ')})`);
    }
  }
  const probe = [...new Set([...layers.map((l) => l.input), ...layers.map((l) => l.op.outputs[0])])];
  const original = await instrumented(info, probe);
  const batches = opts.calibration?.length ? opts.calibration : [randomInputs(original, 16, opts.seed ?? 1)];
  const measuredOn = opts.calibration?.length ? 'calibration' : 'random normal inputs';
  // What a probe reads: a graph input from the batch itself, a graph output or activation from the run.
  const inputName = new Map(info.inputs.map((t) => [t, info.tensors[t].name]));
  const outputName = new Map(info.outputs.map((t) => [t, info.tensors[t].name]));
  const probeKey = (t: number) => inputName.get(t) ?? outputName.get(t) ?? `calib:${t}`;
  const flat = (v: TensorData | ShapedInput): TensorData => (ArrayBuffer.isView(v) ? v : v.data);
  const runAll = (m: Model) => batches.map((b) => {
    const r = m.run(b);
    const got: Record<string, Float32Array> = {};
    for (const [k, v] of Object.entries(r)) got[k] = v.data;
    for (const name of inputName.values()) got[name] = Float32Array.from(flat(b[name]));
    return got;
  });
  const reference = runAll(original);
  original.dispose();

  const weights = new Map<number, EncodedWeight>();
  const settings = new Map<number, Required<Omit<LayerSetting, 'skip' | 'block'>> & { block?: [number, number] }>();
  layers.forEach((l, i) => {
    const t = info.tensors[l.weight];
    const set = { ...opts, ...settingOf(opts.layers, t.name) };
    const rows = t.shape[0];
    const cols = t.shape.slice(1).reduce((a, b) => a * b, 1);
    const groupRows = Math.min(set.groupRows ?? 0, rows);
    const importance = opts.calibration?.length ? importanceOf(info, l, reference.map((r) => r[probeKey(l.input)])) : undefined;
    const pal = { bits: set.bits ?? opts.bits, groupRows, entryType: opts.int8 ? 'int8' as const : opts.entryType ?? 'float32', seed: opts.seed ?? 1, importance, channelScales: opts.channelScales ?? false };
    const values = decodeTensor(info, l.weight);
    const sparse = set.sparsity && set.sparsity > 0 && l.op.type !== 'Embedding';
    const block: [number, number] = set.block ?? [1, 4];
    const encoded = sparse ? encodeBlockSparse(values, rows, cols, { blockRows: Math.min(block[0], rows), blockCols: Math.min(block[1], cols), sparsity: set.sparsity }, pal) : encodePalettized(values, rows, cols, pal);
    weights.set(l.weight, encoded);
    if (opts.calibration?.length && opts.biasCorrection) {
      const bias = correctedBias(info, l, values, encoded.decode(), reference.map((r) => r[probeKey(l.input)]));
      if (bias) weights.set(l.op.inputs[2], encodeDense(bias));
    }
    settings.set(l.weight, { bits: pal.bits, groupRows: groupRows, sparsity: sparse ? set.sparsity! : 0, ...(sparse ? { block } : {}) });
    opts.onProgress?.(i + 1, layers.length, t.name);
  });
  const attrs = new Map<number, Record<string, AttrValue>>();
  if (opts.int8) {
    for (const l of layers) {
      // depthwise convs have no int8 kernel (they would run on the exact path anyway)
      const [o, , , cg] = info.tensors[l.weight].shape;
      const depthwise = l.op.type === 'Conv2D' && (l.op.attrs.groups as number) > 1 && cg === 1 && l.op.attrs.groups === o;
      if (l.op.type === 'FullyConnected' || (l.op.type === 'Conv2D' && !depthwise)) attrs.set(l.op.index, { int8: 1 });
    }
  }
  // The accuracy a file records was measured on its old weights: the new file makes no claim until measured.
  const out = rewriteModel(info, { weights, attrs, dropProperties: [ACCURACY, ACCURACY_EXAMPLES, ACCURACY_DATASET] });
  const compressed = await instrumented(readModel(out), probe);
  const got = runAll(compressed);
  compressed.dispose();

  const err = (t: number) => relRms(concat(got.map((g) => g[probeKey(t)])), concat(reference.map((r) => r[probeKey(t)])));
  const sizes = (m: ModelInfo) => new Map(sizeReport(m).layers.map((l) => [l.tensor, l.bytes.total]));
  const [before, after] = [sizes(info), sizes(readModel(out))];
  const report: PostTrainingReport = {
    layers: layers.map((l) => {
      const s = settings.get(l.weight)!;
      const t = info.tensors[l.weight];
      return {
        name: t.name, op: l.op.type, shape: [...t.shape], bits: s.bits, groupRows: s.groupRows, sparsity: s.sparsity, ...(s.block ? { block: s.block } : {}),
        bytesBefore: before.get(l.weight)!, bytesAfter: after.get(l.weight)!, weighted: !!opts.calibration?.length, outputError: err(l.op.outputs[0]),
      };
    }),
    outputs: info.outputs.map((o) => {
      const name = info.tensors[o].name;
      const a = concat(got.map((g) => g[name]));
      const b = concat(reference.map((r) => r[name]));
      const width = info.tensors[o].shape.reduce((x, y) => x * y, 1);
      let same = 0;
      for (let i = 0; i < a.length; i += width) if (argmax(a, i, width) === argmax(b, i, width)) same++;
      return { name, relRms: relRms(a, b), argmaxAgreement: same / Math.max(1, a.length / width) };
    }),
    measuredOn,
    bytesBefore: bytes.length,
    bytesAfter: out.length,
  };
  return { bytes: out, report };
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) out.set(p, o), (o += p.length);
  return out;
}

function argmax(a: Float32Array, at: number, n: number): number {
  let best = at;
  for (let i = at + 1; i < at + n; i++) if (a[i] > a[best]) best = i;
  return best - at;
}
