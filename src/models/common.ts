/**
 * Shared machinery of the architecture builders (src/models): where weight values come from
 * (seeded random or given arrays), how each layer is stored (dense / palettized / block-sparse /
 * both), and a thin layer-level wrapper over ModelWriter that records every dense float32 value it
 * wrote, so the same weights can be compared with or exported to other runtimes.
 *
 * Layouts (the .wpal layouts, see src/format/ops.ts):
 *   - images are NHWC: one example is [H, W, C];
 *   - FullyConnected weights are [out, in]; Conv2D weights are [O, kh, kw, C/groups] (use
 *     `oihwToOhwi` for PyTorch/ONNX [O, C/groups, kh, kw] arrays);
 *   - Flatten of an [H, W, C] tensor is in H, W, C order (PyTorch flattens C, H, W: a given fc
 *     weight that follows a flatten must be permuted accordingly, see `chwToHwcColumns`).
 */
import { encodeBlockSparse, encodeDense, encodePalettized, type EncodedWeight } from '../encode/palette.js';
import { seededRandom } from '../encode/kmeans.js';
import { ModelWriter, type ModelWriterOptions, type TensorHandle } from '../format/write.js';
import type { AttrValue, DTypeName, PreprocessingInfo } from '../format/types.js';
import type { DenseElementName, ElementName } from '../format/elements.js';

/** How one weight tensor is stored. Neither palette nor sparse = dense. Both = sparse + palettized. */
export interface WeightCompression {
  /** Storage of plain values (dense, or the kept blocks of a dense-valued sparse tensor). Default float32. */
  dtype?: DenseElementName;
  /** Palettize (k-means) with these settings. */
  palette?: {
    bits: number;
    /** Output channels (rows) per palette; 0 / absent = one palette for the tensor. Clamped to the rows. */
    groupRows?: number;
    entryType?: ElementName;
    channelScales?: boolean;
    /** Lloyd iterations at most (default: the encoder's, 100). */
    iters?: number;
  };
  /** Block sparsity: `block` = [rows, cols] of the [O, K] view (clamped to the tensor), `sparsity` = fraction of blocks dropped (smallest L2 norm). */
  sparse?: { block: [number, number]; sparsity: number };
  /**
   * FullyConnected and Conv2D layers: run on the int8 fast path (activations quantized to int8
   * inside the kernel: per row for FullyConnected, per output pixel's window for Conv2D; depthwise
   * convs stay on the exact path). Needs `palette.entryType: 'int8'`.
   */
  int8?: boolean;
}

export type LayerKind = 'fc' | 'conv' | 'dwconv' | 'embedding';

/** A compressible weight (conv / fc / embedding table), in the order the builder creates them. */
export interface LayerDesc {
  /** Tensor name of the weight, e.g. "layer1.0.conv1.weight". */
  name: string;
  kind: LayerKind;
  /** Full weight shape. */
  shape: number[];
  /** Position among the compressible weights (0 = first layer). */
  index: number;
  /** Number of weights. */
  count: number;
}

/**
 * Per-layer compression: one setting for every compressible weight, or a function of the layer
 * (return undefined for dense float32). Biases and normalization parameters are always dense float32.
 */
export type CompressionConfig = WeightCompression | ((layer: LayerDesc) => WeightCompression | undefined);

/** Where weight values come from. */
export interface WeightSource {
  /** Seed of the random initialization (He-normal weights, small uniform biases). Default 1. */
  seed?: number;
  /**
   * Given dense float32 values by tensor name (in the .wpal layouts above); every tensor not given
   * is drawn at random. Conv layers whose BatchNorm is folded by the builder also take
   * `<conv>.bn.gamma|beta|mean|var` ([O] each): when given, they are folded into the conv weight and bias.
   */
  values?: Record<string, ArrayLike<number>>;
}

export interface BuildOptions {
  weights?: WeightSource;
  compression?: CompressionConfig;
  /** Model name in the file metadata (default: the architecture's name). */
  name?: string;
  /** Extra metadata properties. */
  properties?: Record<string, string>;
  /** How inputs were made from raw data (scale, mean, std), over the builder's own (its layout). */
  preprocessing?: Partial<PreprocessingInfo>;
  /** Class names, index = output position (replaces the builder's own). */
  outputLabels?: string[];
  /** Store intermediate activation names in the file (ModelWriterOptions.activationNames; default false). */
  activationNames?: boolean;
}

export interface ModelIO {
  name: string;
  /** Per example, without the batch dimension. */
  shape: number[];
  dtype: DTypeName;
}

/** What every builder returns. */
export interface BuiltModel {
  /** The .wpal file (already validated by readModel inside ModelWriter.finish). */
  bytes: Uint8Array;
  /** Dense float32 values of every constant tensor by tensor name, before compression (BN folded). */
  weights: Record<string, Float32Array>;
  /** The compressible weights, in order. */
  layers: LayerDesc[];
  inputs: ModelIO[];
  outputs: ModelIO[];
  /** Number of parameters (every constant tensor's element count). */
  params: number;
}

/** Seeded normal draws (Box-Muller over mulberry32). */
export class Normal {
  private readonly rand: () => number;
  constructor(seed: number) {
    this.rand = seededRandom(seed);
  }
  uniform(n: number, lo: number, hi: number): Float32Array {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * this.rand();
    return a;
  }
  normal(n: number, std: number): Float32Array {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i += 2) {
      const r = Math.sqrt(-2 * Math.log(1 - this.rand())) * std;
      const t = 2 * Math.PI * this.rand();
      a[i] = r * Math.cos(t);
      if (i + 1 < n) a[i + 1] = r * Math.sin(t);
    }
    return a;
  }
}

/** Stores values as the compression setting says. rows = shape[0], cols = the rest. */
export function encodeWeight(values: Float32Array, shape: readonly number[], c: WeightCompression | undefined, seed = 1): EncodedWeight {
  const rows = shape[0];
  const cols = shape.slice(1).reduce((a, b) => a * b, 1);
  const dtype = c?.dtype ?? 'float32';
  const pal = c?.palette && {
    bits: c.palette.bits,
    groupRows: Math.min(c.palette.groupRows ?? 0, rows),
    entryType: c.palette.entryType ?? 'float32',
    channelScales: c.palette.channelScales ?? false,
    seed,
    ...(c.palette.iters !== undefined ? { iters: c.palette.iters } : {}),
  };
  if (c?.sparse) {
    const blocks = { blockRows: Math.min(c.sparse.block[0], rows), blockCols: Math.min(c.sparse.block[1], cols), sparsity: c.sparse.sparsity };
    return encodeBlockSparse(values, rows, cols, blocks, pal ?? { dtype });
  }
  if (pal) return encodePalettized(values, rows, cols, pal);
  return encodeDense(values, dtype);
}

/** [O, C, kh, kw] (PyTorch / ONNX) -> [O, kh, kw, C] (.wpal Conv2D weight). */
export function oihwToOhwi(v: ArrayLike<number>, o: number, c: number, kh: number, kw: number): Float32Array {
  const out = new Float32Array(o * c * kh * kw);
  for (let a = 0; a < o; a++) for (let i = 0; i < c; i++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) {
    out[((a * kh + y) * kw + x) * c + i] = v[((a * c + i) * kh + y) * kw + x];
  }
  return out;
}

/** [O, kh, kw, C] (.wpal) -> [O, C, kh, kw] (ONNX Conv). */
export function ohwiToOihw(v: ArrayLike<number>, o: number, c: number, kh: number, kw: number): Float32Array {
  const out = new Float32Array(o * c * kh * kw);
  for (let a = 0; a < o; a++) for (let i = 0; i < c; i++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) {
    out[((a * c + i) * kh + y) * kw + x] = v[((a * kh + y) * kw + x) * c + i];
  }
  return out;
}

/**
 * An fc weight [N, C*H*W] whose columns follow a CHW flatten (PyTorch) -> columns in HWC order
 * (the .wpal Flatten of an NHWC image).
 */
export function chwToHwcColumns(v: ArrayLike<number>, n: number, c: number, h: number, w: number): Float32Array {
  const k = c * h * w;
  const out = new Float32Array(n * k);
  for (let r = 0; r < n; r++) for (let ci = 0; ci < c; ci++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    out[r * k + (y * w + x) * c + ci] = v[r * k + (ci * h + y) * w + x];
  }
  return out;
}

/** Folds y = gamma * (conv(x) + b - mean) / sqrt(var + eps) + beta into the conv weight [O, ...] and bias. */
export function foldBatchNorm(
  weight: Float32Array,
  bias: Float32Array | undefined,
  bn: { gamma: ArrayLike<number>; beta: ArrayLike<number>; mean: ArrayLike<number>; var: ArrayLike<number> },
  eps = 1e-5,
): { weight: Float32Array; bias: Float32Array } {
  const o = bn.gamma.length;
  const per = weight.length / o;
  const w = new Float32Array(weight.length);
  const b = new Float32Array(o);
  for (let j = 0; j < o; j++) {
    const s = bn.gamma[j] / Math.sqrt(bn.var[j] + eps);
    for (let i = 0; i < per; i++) w[j * per + i] = weight[j * per + i] * s;
    b[j] = ((bias ? bias[j] : 0) - bn.mean[j]) * s + bn.beta[j];
  }
  return { weight: w, bias: b };
}

export interface ConvOptions {
  kernel: number | [number, number];
  stride?: number;
  /** Symmetric padding, or [top, left, bottom, right]. Default 0. */
  pad?: number | [number, number, number, number];
  groups?: number;
  /** Default true. */
  bias?: boolean;
  /** Fold a BatchNorm (from values `<name>.bn.*` when given). Default false. */
  bn?: boolean;
}

/** Layer-level wrapper over ModelWriter used by the builders. */
export class Net {
  readonly w: ModelWriter;
  readonly weights: Record<string, Float32Array> = {};
  readonly layers: LayerDesc[] = [];
  readonly inputs: ModelIO[] = [];
  readonly outputs: ModelIO[] = [];
  private readonly rng: Normal;
  private readonly values: Record<string, ArrayLike<number>>;
  private readonly used = new Set<string>();
  private readonly seed: number;

  constructor(
    meta: ModelWriterOptions,
    private readonly opts: BuildOptions,
  ) {
    this.w = new ModelWriter({
      ...meta,
      ...(opts.name ? { name: opts.name } : {}),
      properties: { ...meta.properties, ...opts.properties },
      ...(opts.preprocessing ? { preprocessing: { ...meta.preprocessing, ...opts.preprocessing } } : {}),
      ...(opts.outputLabels ? { outputLabels: opts.outputLabels } : {}),
      activationNames: opts.activationNames ?? false,
    });
    this.seed = opts.weights?.seed ?? 1;
    this.rng = new Normal(this.seed);
    this.values = opts.weights?.values ?? {};
  }

  input(name: string, shape: number[], dtype: DTypeName = 'float32'): TensorHandle {
    this.inputs.push({ name, shape: [...shape], dtype });
    return this.w.input(name, shape, dtype);
  }

  output(h: TensorHandle): void {
    this.outputs.push({ name: h.name, shape: [...h.shape], dtype: 'float32' });
    this.w.output(h);
  }

  op(type: string, inputs: (TensorHandle | null)[], attrs?: Record<string, AttrValue>, output?: string): TensorHandle {
    return this.w.op(type, inputs, { ...(attrs ? { attrs } : {}), ...(output ? { output } : {}) });
  }

  /** Given values for `name`, or `init()`; checked for length. */
  values_(name: string, n: number, init: () => Float32Array): Float32Array {
    const given = this.values[name];
    if (given === undefined) return init();
    if (given.length !== n) throw new RangeError(`weights.values[${JSON.stringify(name)}] has ${given.length} values, expected ${n}`);
    this.used.add(name);
    return Float32Array.from(given);
  }

  has(name: string): boolean {
    return this.values[name] !== undefined;
  }

  /** He-normal values for a weight with the given fan-in. */
  heNormal(n: number, fanIn: number): Float32Array {
    return this.rng.normal(n, Math.sqrt(2 / fanIn));
  }

  uniform(n: number, lo: number, hi: number): Float32Array {
    return this.rng.uniform(n, lo, hi);
  }

  /** A dense float32 parameter (bias, norm parameter). */
  param(name: string, values: Float32Array, shape: readonly number[] = [values.length]): TensorHandle {
    this.weights[name] = values;
    return this.w.weight(name, shape, encodeDense(values));
  }

  /** A compressible weight, stored as the compression config says for it. */
  compressed(name: string, kind: LayerKind, shape: number[], values: Float32Array): TensorHandle {
    const layer: LayerDesc = { name, kind, shape: [...shape], index: this.layers.length, count: values.length };
    this.layers.push(layer);
    this.weights[name] = values;
    const c = this.opts.compression;
    const setting = typeof c === 'function' ? c(layer) : c;
    return this.w.weight(name, shape, encodeWeight(values, shape, setting, (this.seed + layer.index * 7919) >>> 0));
  }

  /** FullyConnected with an [n, K] weight (He-normal) and a bias. */
  fc(x: TensorHandle, name: string, n: number, opts: { bias?: boolean; output?: string } = {}): TensorHandle {
    const k = x.shape[x.shape.length - 1];
    const W = this.compressed(`${name}.weight`, 'fc', [n, k], this.values_(`${name}.weight`, n * k, () => this.heNormal(n * k, k)));
    const b = opts.bias === false ? null : this.param(`${name}.bias`, this.values_(`${name}.bias`, n, () => this.uniform(n, -0.1, 0.1)));
    const c = this.opts.compression;
    const setting = typeof c === 'function' ? c(this.layers[this.layers.length - 1]) : c;
    return this.op('FullyConnected', b ? [x, W, b] : [x, W], setting?.int8 ? { int8: 1 } : undefined, opts.output ?? name);
  }

  /** Conv2D over an [H, W, C] input; weight [O, kh, kw, C/groups]. */
  conv(x: TensorHandle, name: string, o: number, opts: ConvOptions): TensorHandle {
    const [kh, kw] = typeof opts.kernel === 'number' ? [opts.kernel, opts.kernel] : opts.kernel;
    const c = x.shape[2];
    const groups = opts.groups ?? 1;
    const cg = c / groups;
    const n = o * kh * kw * cg;
    const fanIn = kh * kw * cg;
    let weight = this.values_(`${name}.weight`, n, () => this.heNormal(n, fanIn));
    // A folded BatchNorm always leaves a bias (its beta - mean * scale).
    const hasBias = opts.bias !== false || !!opts.bn;
    let bias = hasBias ? this.values_(`${name}.bias`, o, () => this.uniform(o, -0.1, 0.1)) : undefined;
    if (opts.bn && this.has(`${name}.bn.gamma`)) {
      const get = (p: string) => this.values_(`${name}.bn.${p}`, o, () => {
        throw new RangeError(`weights.values: ${name}.bn.gamma is given but not ${name}.bn.${p}`);
      });
      const f = foldBatchNorm(weight, this.has(`${name}.bias`) ? bias : undefined, { gamma: get('gamma'), beta: get('beta'), mean: get('mean'), var: get('var') });
      weight = f.weight;
      bias = f.bias;
    }
    const kind: LayerKind = groups > 1 && groups === c && o === c ? 'dwconv' : 'conv';
    const W = this.compressed(`${name}.weight`, kind, [o, kh, kw, cg], weight);
    const cfg = this.opts.compression;
    const int8 = kind === 'conv' && (typeof cfg === 'function' ? cfg(this.layers[this.layers.length - 1]) : cfg)?.int8;
    const B = bias ? this.param(`${name}.bias`, bias) : null;
    const pad = opts.pad ?? 0;
    const pads = typeof pad === 'number' ? [pad, pad, pad, pad] : pad;
    const s = opts.stride ?? 1;
    return this.op('Conv2D', B ? [x, W, B] : [x, W], { strides: [s, s], pads, dilations: [1, 1], groups, ...(int8 ? { int8: 1 } : {}) }, name);
  }

  /** Given values that no layer asked for: a typo in a name would otherwise go unnoticed. */
  unused(): string[] {
    return Object.keys(this.values).filter((k) => !this.used.has(k));
  }

  finish(): BuiltModel {
    const extra = this.unused();
    if (extra.length) throw new RangeError(`weights.values: no tensor named ${extra.map((e) => JSON.stringify(e)).join(', ')}`);
    const bytes = this.w.finish();
    const params = Object.values(this.weights).reduce((a, v) => a + v.length, 0);
    return { bytes, weights: this.weights, layers: this.layers, inputs: this.inputs, outputs: this.outputs, params };
  }
}
