/**
 * Graph passes that turn a float ONNX graph into what onnxruntime's Python quantization tools
 * write for it, with the tools' default settings, so the benchmark can run onnxruntime-web the way
 * its users run compressed models without Python in the loop.
 *
 * 'dynamic-qint8' = `onnxruntime.quantization.quantize_dynamic(model_in, model_out)` (IntegerOps
 * mode; defaults per_channel=False, reduce_range=False, weight_type=QInt8, activations QUInt8,
 * extra_options WeightSymmetric=True (QInt8 weights), ActivationSymmetric=False,
 * MatMulConstBOnly=True; op types = its IntegerOpsRegistry). 'dynamic-quint8' is the same call with
 * its one documented alternative, weight_type=QUInt8 (WeightSymmetric then defaults to False):
 *
 *   Conv(x, W, b)       -> DynamicQuantizeLinear(x) -> x_q (uint8), x_s, x_zp
 *                          ConvInteger(x_q, W_q, x_zp, W_zp) -> Cast(float) -> Mul(., x_s * W_s)
 *                          -> Add(., Reshape(b, [1, -1, 1, 1]))
 *   MatMul(x, W const)  -> DynamicQuantizeLinear(x); MatMulInteger(x_q, W_q, x_zp, W_zp) -> Cast -> Mul
 *   Gather(T const, i)  -> Gather(T_q (uint8, asymmetric), i) -> DequantizeLinear
 *   Gemm, MatMul of two activations, everything else: unchanged (float); Gemm is not in the
 *   IntegerOps registry, so a classifier head written as Gemm stays float32, as it does there.
 *
 * W_q: one scale per tensor. QInt8: symmetric in [-127, 127], s = max|W| / 127, zero point 0,
 * q = clip(round_half_even(w / s)). QUInt8 weights and Gather tables T (uint8 in both modes, the
 * activation type): rmin = min(T, 0), rmax = max(T, 0), s = (rmax - rmin) / 255,
 * zp = round(-rmin / s), q = clip(round_half_even(t / s) + zp, 0, 255). One DynamicQuantizeLinear
 * per activation, shared by its quantized consumers (the tool's quantized-value map).
 *
 * 'matmul-4bits' = `onnxruntime.quantization.matmul_4bits_quantizer.MatMul4BitsQuantizer(model)`
 * (defaults block_size=128, is_symmetric=False, accuracy_level unset, op types MatMul only): every
 * MatMul with a constant 2-D B [K, N] -> com.microsoft MatMulNBits(x, B_q, scales, zero_points)
 * {K, N, bits 4, block_size 128}. Per column n and block of 128 rows of K (the last block padded
 * with zeros): min = min(block, 0), max = max(block, 0), s = (max - min) / 15,
 * zp = clamp(round(-min / s), 0, 15), q = clamp(round(w / s + zp), 0, 15) (round half away from
 * zero, as MLAS's roundf). B_q is uint8 [N, blocks, 64], element 2j in the low nibble of byte j;
 * scales float [N * blocks]; zero points uint8 [N * ceil(blocks / 2)], block 2i in the low nibble.
 */
import type { GraphInit, GraphNode, OnnxGraph } from './graph.js';

export type QuantizeMode = 'dynamic-qint8' | 'dynamic-quint8' | 'matmul-4bits';

export const MATMUL_NBITS_BLOCK = 128;

export function quantizeGraph(g: OnnxGraph, mode: QuantizeMode): OnnxGraph {
  return mode === 'matmul-4bits' ? new MatMul4Bits(g).run() : new Dynamic(g, mode === 'dynamic-qint8').run();
}

/** numpy's round (half to even). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Asymmetric uint8, one scale per tensor (see the file comment). */
function asymmetricU8(v: Float32Array): { data: Uint8Array; scale: number; zp: number } {
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < v.length; i++) {
    lo = Math.min(lo, v[i]);
    hi = Math.max(hi, v[i]);
  }
  const scale = hi !== lo ? Math.fround((hi - lo) / 255) : 1;
  const zp = roundHalfEven(-lo / scale);
  const data = new Uint8Array(v.length);
  for (let i = 0; i < v.length; i++) data[i] = Math.max(0, Math.min(255, roundHalfEven(Math.fround(v[i] / scale)) + zp));
  return { data, scale, zp };
}

/** Symmetric int8 in [-127, 127], one scale per tensor. */
function symmetricS8(v: Float32Array): { data: Int8Array; scale: number } {
  let absMax = 0;
  for (let i = 0; i < v.length; i++) absMax = Math.max(absMax, Math.abs(v[i]));
  const scale = absMax > 0 ? Math.fround((2 * absMax) / 254) : 1;
  const data = new Int8Array(v.length);
  for (let i = 0; i < v.length; i++) data[i] = Math.max(-127, Math.min(127, roundHalfEven(Math.fround(v[i] / scale))));
  return { data, scale };
}

/** C roundf (half away from zero). */
function roundAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** Shared by the passes: float initializers by name, fresh names, dropping initializers no node reads. */
abstract class Pass {
  protected readonly floats = new Map<string, GraphInit>();
  protected readonly names = new Set<string>();
  protected readonly nodes: GraphNode[] = [];
  protected readonly inits: GraphInit[];

  constructor(protected readonly g: OnnxGraph) {
    this.inits = [...g.inits];
    for (const t of g.inits) {
      this.names.add(t.name);
      if (t.data instanceof Float32Array) this.floats.set(t.name, t);
    }
    for (const n of g.nodes) for (const o of n.outputs) this.names.add(o);
    for (const v of [...g.inputs, ...g.outputs]) this.names.add(v.name);
  }

  protected fresh(base: string): string {
    let n = base;
    for (let k = 1; this.names.has(n); k++) n = `${base}_${k}`;
    this.names.add(n);
    return n;
  }

  protected add(type: string, inputs: string[], outputs: string[], name: string, attrs: GraphNode['attrs'] = {}, domain?: string): void {
    this.nodes.push({ type, inputs, outputs, name: this.fresh(name), attrs, ...(domain ? { domain } : {}) });
  }

  protected init(base: string, dims: number[], data: GraphInit['data']): string {
    const name = this.fresh(base);
    this.inits.push({ name, dims, data });
    return name;
  }

  protected abstract rewrite(n: GraphNode): boolean;

  run(): OnnxGraph {
    for (const n of this.g.nodes) if (!this.rewrite(n)) this.nodes.push(n);
    const used = new Set(this.nodes.flatMap((n) => n.inputs));
    for (const o of this.g.outputs) used.add(o.name);
    return { ...this.g, nodes: this.nodes, inits: this.inits.filter((t) => used.has(t.name)) };
  }
}

class Dynamic extends Pass {
  constructor(
    g: OnnxGraph,
    private readonly signedWeights: boolean,
  ) {
    super(g);
  }

  private readonly activations = new Map<string, [string, string, string]>();
  private readonly weights = new Map<string, [string, string, string]>();

  /** DynamicQuantizeLinear of an activation, once: [x_quantized, x_scale, x_zero_point]. */
  private activation(x: string): [string, string, string] {
    let q = this.activations.get(x);
    if (!q) {
      q = [this.fresh(`${x}_quantized`), this.fresh(`${x}_scale`), this.fresh(`${x}_zero_point`)];
      this.add('DynamicQuantizeLinear', [x], q, `${x}_QuantizeLinear`);
      this.activations.set(x, q);
    }
    return q;
  }

  /** Per-tensor weight (QInt8 symmetric or QUInt8 asymmetric): [W_quantized, W_scale, W_zero_point]. */
  private weight(w: string): [string, string, string] {
    let q = this.weights.get(w);
    if (!q) {
      const { dims, data: v } = this.floats.get(w)!;
      const s8 = this.signedWeights ? symmetricS8(v as Float32Array) : undefined;
      const u8 = s8 ? undefined : asymmetricU8(v as Float32Array);
      const zp = s8 ? new Int8Array(1) : Uint8Array.of(u8!.zp);
      q = [this.init(`${w}_quantized`, dims, s8 ? s8.data : u8!.data), this.init(`${w}_scale`, [], Float32Array.of(s8 ? s8.scale : u8!.scale)), this.init(`${w}_zero_point`, [], zp)];
      this.weights.set(w, q);
    }
    return q;
  }

  /** Integer op -> Cast -> Mul by both scales, into `out`. */
  private integerOp(n: GraphNode, op: 'ConvInteger' | 'MatMulInteger', out: string, attrs: GraphNode['attrs']): void {
    const [xq, xs, xz] = this.activation(n.inputs[0]);
    const [wq, ws, wz] = this.weight(n.inputs[1]);
    const y = n.outputs[0];
    const yi = this.fresh(`${y}_output_quantized`);
    this.add(op, [xq, wq, xz, wz], [yi], `${n.name}_quant`, attrs);
    const yc = this.fresh(`${yi}_cast_output`);
    this.add('Cast', [yi], [yc], `${yi}_cast`, { to: 1 });
    const scales = this.fresh(`${n.name}_quant_scales_mul:0`);
    this.add('Mul', [xs, ws], [scales], `${n.name}_quant_scales_mul`);
    this.add('Mul', [yc, scales], [out], `${n.name}_quant_output_scale_mul`);
  }

  protected rewrite(n: GraphNode): boolean {
    const [a, b, bias] = n.inputs;
    if (n.type === 'Conv' && this.floats.has(b)) {
      const y = n.outputs[0];
      if (!bias) {
        this.integerOp(n, 'ConvInteger', y, n.attrs);
        return true;
      }
      const scaled = this.fresh(`${y}quant_scaled_output`);
      this.integerOp(n, 'ConvInteger', scaled, n.attrs);
      const rank = this.floats.get(b)!.dims.length;
      const shape = this.init(`${y}_bias_reshape_shape`, [rank], BigInt64Array.from({ length: rank }, (_, i) => (i === 1 ? -1n : 1n)));
      const reshaped = this.fresh(`${y}_bias_reshape_output`);
      this.add('Reshape', [bias, shape], [reshaped], `${y}_bias_reshape`);
      this.add('Add', [scaled, reshaped], [y], `${y}_bias_add`);
      return true;
    }
    if (n.type === 'MatMul' && this.floats.has(b)) {
      this.integerOp(n, 'MatMulInteger', n.outputs[0], {});
      return true;
    }
    if (n.type === 'Gather' && this.floats.has(a)) {
      const t = this.floats.get(a)!;
      const { data, scale, zp } = asymmetricU8(t.data as Float32Array);
      const tq = this.init(`${a}_quantized`, t.dims, data);
      const ts = this.init(`${a}_scale`, [], Float32Array.of(scale));
      const tz = this.init(`${a}_zero_point`, [], Uint8Array.of(zp));
      const y = n.outputs[0];
      const yq = this.fresh(`${y}_quantized`);
      this.add('Gather', [tq, b], [yq], n.name, n.attrs);
      this.add('DequantizeLinear', [yq, ts, tz], [y], `${y}_DequantizeLinear`);
      return true;
    }
    return false;
  }
}

class MatMul4Bits extends Pass {
  protected rewrite(n: GraphNode): boolean {
    const w = this.floats.get(n.inputs[1]);
    if (n.type !== 'MatMul' || !w || w.dims.length !== 2) return false;
    const [K, N] = w.dims;
    const v = w.data as Float32Array;
    const bs = MATMUL_NBITS_BLOCK;
    const blocks = Math.ceil(K / bs);
    const zpBytes = Math.ceil(blocks / 2);
    const packed = new Uint8Array(N * blocks * (bs / 2));
    const scales = new Float32Array(N * blocks);
    const zps = new Uint8Array(N * zpBytes);
    const q = new Uint8Array(bs);
    for (let col = 0; col < N; col++) {
      for (let blk = 0; blk < blocks; blk++) {
        let lo = 0;
        let hi = 0;
        for (let r = blk * bs; r < Math.min(K, (blk + 1) * bs); r++) {
          lo = Math.min(lo, v[r * N + col]);
          hi = Math.max(hi, v[r * N + col]);
        }
        const s = Math.fround((hi - lo) / 15);
        const zpf = s !== 0 ? -lo / s : lo;
        const zp = zpf < 0 ? 0 : zpf > 15 ? 15 : roundAway(zpf);
        const inv = s !== 0 ? Math.fround(1 / s) : 0;
        for (let j = 0; j < bs; j++) {
          const r = blk * bs + j;
          const x = r < K ? v[r * N + col] : 0;
          q[j] = Math.max(0, Math.min(15, roundAway(Math.fround(x * inv) + zp)));
        }
        const base = (col * blocks + blk) * (bs / 2);
        for (let j = 0; j < bs / 2; j++) packed[base + j] = q[2 * j] | (q[2 * j + 1] << 4);
        scales[col * blocks + blk] = s;
        zps[col * zpBytes + (blk >> 1)] |= (blk & 1 ? zp << 4 : zp);
      }
    }
    const wn = w.name;
    const ins = [n.inputs[0], this.init(`${wn}_Q4`, [N, blocks, bs / 2], packed), this.init(`${wn}_scales`, [N * blocks], scales), this.init(`${wn}_zero_points`, [N * zpBytes], zps)];
    this.add('MatMulNBits', ins, n.outputs, `${n.name}_Q4`, { K, N, bits: 4, block_size: bs }, 'com.microsoft');
    return true;
  }
}
