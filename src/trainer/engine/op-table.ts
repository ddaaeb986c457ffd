/**
 * The training rows of the format's ops, by op type (the runtime's glue is model.ts's COMPILERS,
 * keyed the same way): how a graph op runs forward on the engine (recording its backward step),
 * which of its constant inputs are trained, and which one is the layer weight the trainer clusters
 * and prunes. A training graph is any .wpal graph whose ops on the path to the logits all have a
 * row here (graph-net.ts); test/trainer/op-table.test.ts checks every format op type is either here
 * or in NOT_TRAINABLE with its reason.
 *
 * Engine tensors carry the batch axis first; graph constants do not (`batched` says which inputs
 * are activations). A row returns any tensor of the op's output size; graph-net views it as
 * [B, ...the graph's per-example output shape].
 */
import type { AttrValue, OpInfo } from '../../format/types.js';
import { BINARY_OPS_1_1, REDUCE_OPS_1_1, UNARY_OPS_1_1 } from '../../format/ops-elementwise.js';
import type { LayerKind } from '../../models/common.js';
import type { Engine, Tensor } from './tensor.js';
import { conv2d, linear, maxpool2d, relu } from './ops.js';
import { add, embedding, gelu, layerNorm, meanPool, softmax } from './text-ops.js';
import { batchNorm, binary, concat, reduce, transpose, unary, unaryFunctions } from './ops-elementwise.js';
import { avgPool, groupedConv2d, type Window } from './ops-window.js';
import { matmul } from './ops-matmul.js';
import { convTranspose, resize, slice } from './ops-spatial.js';
import { resizeScales, sliceAxes } from '../../format/ops-spatial.js';

export interface TrainOpContext {
  e: Engine;
  op: OpInfo;
  /** Per input: an activation (batch axis first) or a graph constant. */
  batched: readonly boolean[];
  /** The graph's per-example shape of every input and of the output. */
  inShapes: readonly (readonly number[])[];
  outShape: readonly number[];
}

export interface TrainOpRow {
  forward(c: TrainOpContext, x: readonly (Tensor | null)[]): Tensor;
  /** Input positions whose constants are trained (others stay fixed). */
  params?: readonly number[];
  /** Only constants with at least this many values are trained (default 1): a scalar of a binary op is a hyperparameter. */
  minParamSize?: number;
  /** The weight the trainer may cluster and prune (an input position), and its kind of layer. */
  layer?: { input: number; kind: (op: OpInfo, weightShape: readonly number[]) => LayerKind };
}

/** Op types of the format the trainer cannot differentiate, and why (none today; graph-net refuses them by name). */
export const NOT_TRAINABLE: Readonly<Record<string, string>> = {};

const ints = (v: AttrValue | undefined, fallback: number[]) => (Array.isArray(v) ? (v as number[]) : fallback);
const pair = (v: AttrValue | undefined, d: number): [number, number] => { const a = ints(v, [d, d]); return [a[0], a[1]]; };
const pads = (v: AttrValue | undefined): [number, number, number, number] => { const a = ints(v, [0, 0, 0, 0]); return [a[0], a[1], a[2], a[3]]; };

function need(t: Tensor | null, c: TrainOpContext, what: string): Tensor {
  if (!t) throw new Error(`op ${c.op.index} (${c.op.type}): its ${what} is missing`);
  return t;
}

/** A per-example axis attribute as a full-shape axis (batch first). */
function fullAxis(axis: number, rank: number): number {
  return (axis < 0 ? axis + rank : axis) + 1;
}

function unaryRow(type: string): TrainOpRow {
  return {
    forward: (c, [x]) => {
      const fns = unaryFunctions(type, c.op.attrs);
      if (!fns) throw new Error(`op ${c.op.index}: no training rule for ${type}`);
      return unary(c.e, need(x, c, 'input'), ...fns);
    },
  };
}

const weightsRow = (kind: (op: OpInfo, weightShape: readonly number[]) => LayerKind): Pick<TrainOpRow, 'params' | 'layer'> => ({ params: [1, 2], layer: { input: 1, kind } });

export const TRAIN_OPS: Readonly<Record<string, TrainOpRow>> = {
  FullyConnected: {
    ...weightsRow(() => 'fc'),
    forward: (c, [x, w, b]) => {
      const xs = need(x, c, 'input'), ws = need(w, c, 'weight');
      const K = ws.shape[1];
      return linear(c.e, c.e.view(xs, [xs.size / K, K]), ws, b);
    },
  },
  Conv2D: {
    // depthwise as the builders name it: one input channel per filter, one filter per group
    ...weightsRow((op, [o, , , cg]) => ((op.attrs.groups as number) > 1 && cg === 1 && op.attrs.groups === o ? 'dwconv' : 'conv')),
    forward: (c, [x, w, b]) => {
      const a = c.op.attrs;
      const groups = (a.groups as number | undefined) ?? 1;
      const win = { strides: pair(a.strides, 1), pads: pads(a.pads), dilations: pair(a.dilations, 1) };
      if (groups === 1) return conv2d(c.e, need(x, c, 'input'), need(w, c, 'weight'), b, { stride: win.strides, pad: win.pads, dilation: win.dilations });
      return groupedConv2d(c.e, need(x, c, 'input'), need(w, c, 'weight'), b, win, groups);
    },
  },
  ConvTranspose: {
    ...weightsRow(() => 'conv'),
    forward: (c, [x, w, b]) => {
      const a = c.op.attrs;
      return convTranspose(c.e, need(x, c, 'input'), need(w, c, 'weight'), b, {
        strides: pair(a.strides, 1), pads: pads(a.pads), dilations: pair(a.dilations, 1),
        outputPadding: pair(a.output_padding, 0), groups: (a.groups as number | undefined) ?? 1,
      });
    },
  },
  Slice: {
    forward: (c, [x]) => {
      const xs = need(x, c, 'input');
      return slice(c.e, c.e.view(xs, [xs.shape[0], ...c.inShapes[0]]), sliceAxes(c.inShapes[0], c.op.attrs));
    },
  },
  Resize: {
    forward: (c, [x]) => {
      const xs = need(x, c, 'input');
      const [h, w] = c.inShapes[0];
      const [oh, ow] = c.outShape;
      return resize(c.e, c.e.view(xs, [xs.shape[0], ...c.inShapes[0]]), c.op.attrs, [oh, ow], resizeScales(c.op.attrs, h, w, oh, ow));
    },
  },
  MaxPool: {
    forward: (c, [x]) => maxpool2d(c.e, need(x, c, 'input'), { kernel: pair(c.op.attrs.kernel, 1), stride: pair(c.op.attrs.strides, 1), pad: pads(c.op.attrs.pads) }),
  },
  AvgPool: {
    forward: (c, [x]) => {
      const win: Window = { kernel: pair(c.op.attrs.kernel, 1), strides: pair(c.op.attrs.strides, 1), pads: pads(c.op.attrs.pads), dilations: [1, 1] };
      return avgPool(c.e, need(x, c, 'input'), win);
    },
  },
  GlobalAveragePool: {
    forward: (c, [x]) => {
      const xs = need(x, c, 'input');
      const [B, H, W, C] = xs.shape;
      return meanPool(c.e, c.e.view(xs, [B, H * W, C]));
    },
  },
  Relu: { forward: (c, [x]) => relu(c.e, need(x, c, 'input')) },
  Gelu: { forward: (c, [x]) => gelu(c.e, need(x, c, 'input')) },
  ...Object.fromEntries(['Relu6', 'Sigmoid', 'Tanh', 'Silu', ...UNARY_OPS_1_1].map((t) => [t, unaryRow(t)])),
  Softmax: { forward: (c, [x]) => softmax(c.e, need(x, c, 'input')) },
  Reshape: { forward: (c, [x]) => need(x, c, 'input') },
  Flatten: { forward: (c, [x]) => need(x, c, 'input') },
  Transpose: {
    forward: (c, [x]) => {
      const xs = need(x, c, 'input');
      const perm = c.op.attrs.perm as number[];
      return transpose(c.e, c.e.view(xs, [xs.shape[0], ...c.inShapes[0]]), [0, ...perm.map((p) => p + 1)]);
    },
  },
  Concat: {
    forward: (c, xs) => {
      const B = need(xs[0], c, 'input').shape[0];
      const ins = xs.map((t, i) => c.e.view(need(t, c, `input ${i}`), [B, ...c.inShapes[i]]));
      return concat(c.e, ins, fullAxis(c.op.attrs.axis as number, c.outShape.length));
    },
  },
  BatchNormalization: {
    params: [1, 2],
    forward: (c, [x, scale, bias, mean, variance]) =>
      batchNorm(c.e, need(x, c, 'input'), need(scale, c, 'scale'), need(bias, c, 'bias'), need(mean, c, 'mean'), need(variance, c, 'var'), c.op.attrs.epsilon as number),
  },
  LayerNorm: {
    params: [1, 2],
    forward: (c, [x, gamma, beta]) => {
      const g = need(gamma, c, 'gamma');
      return layerNorm(c.e, need(x, c, 'input'), g, beta ?? c.e.input(new Float32Array(g.size), [g.size]), c.op.attrs.epsilon as number);
    },
  },
  MatMul: {
    forward: (c, [a, b]) => {
      const as = need(a, c, 'a'), bs = need(b, c, 'b');
      const B = as.shape[0];
      return matmul(c.e, c.e.view(as, [B, ...c.inShapes[0]]), c.e.view(bs, [B, ...c.inShapes[1]]), c.op.attrs.transpose_b === 1, c.op.attrs.alpha as number);
    },
  },
  Embedding: {
    params: [1],
    layer: { input: 1, kind: () => 'embedding' },
    forward: (c, [ids, table]) => embedding(c.e, need(ids, c, 'ids'), need(table, c, 'table')),
  },
  ...Object.fromEntries(
    BINARY_OPS_1_1.map((t): [string, TrainOpRow] => [
      t,
      {
        params: [0, 1],
        minParamSize: 2,
        forward: (c, [a, b]) => {
          const as = need(a, c, 'a'), bs = need(b, c, 'b');
          // a residual connection: the kernel's same-shape add
          if (t === 'Add' && c.batched[0] && c.batched[1] && as.size === bs.size) return add(c.e, as, bs);
          const B = (c.batched[0] ? as : bs).shape[0];
          const view = (x: Tensor, i: number) => (c.batched[i] ? c.e.view(x, [B, ...c.inShapes[i]]) : x);
          return binary(c.e, t, view(as, 0), view(bs, 1), c.batched[0], c.batched[1]);
        },
      },
    ]),
  ),
  ...Object.fromEntries(
    REDUCE_OPS_1_1.map((t): [string, TrainOpRow] => [
      t,
      {
        forward: (c, [x]) => {
          const xs = need(x, c, 'input');
          const rank = c.inShapes[0].length;
          const axes = (c.op.attrs.axes as number[] | undefined ?? []).map((a) => (a < 0 ? a + rank : a));
          return reduce(c.e, t, c.e.view(xs, [xs.shape[0], ...c.inShapes[0]]), axes, (c.op.attrs.keepdims ?? 1) === 1);
        },
      },
    ]),
  ),
};
