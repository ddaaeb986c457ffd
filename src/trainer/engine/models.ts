/**
 * The trainable networks of src/models/lenet.ts, on the engine: same tensor names and layouts, so
 * `exportWeights()` feeds `buildLeNet300100` / `buildLeNet5` ({ weights: { values } }) directly.
 * Initialization (seeded): 'he' (default, as src/models) is He-normal weights (std sqrt(2 / fan_in))
 * and zero biases; 'torch' is PyTorch's nn.Linear / nn.Conv2d default, weights
 * and biases uniform in +-1/sqrt(fan_in). On 2,000 MNIST images x 2 epochs 'he' learned faster.
 */
import { Normal } from '../../models/common.js';
import type { Engine, Tensor } from './tensor.js';
import { conv2d, flatten, linear, maxpool2d, relu } from './ops.js';

export interface TrainableNet {
  /** Architecture id, for logs. */
  readonly kind: 'lenet-300-100' | 'lenet-5' | 'text-transformer';
  /** Input shape per example (NHWC for images, [seq] for token ids). */
  readonly inputShape: readonly number[];
  /**
   * Element type of the input tensor (default float32). 'int32': token ids; the float values of
   * Examples.x are written to the input as integers (exact below 2^24).
   */
  readonly inputDtype?: 'float32' | 'int32';
  readonly params: readonly Tensor[];
  /** Logits [B, classes] of a batch x [B, ...inputShape]. */
  forward(x: Tensor): Tensor;
  /** Dense float32 values by tensor name (.wpal layouts). */
  exportWeights(): Record<string, Float32Array>;
}

export type InitScheme = 'torch' | 'he';

/** spec: [name, shape, fan_in of the layer, is a bias]. */
function makeParams(e: Engine, seed: number, init: InitScheme, spec: Array<[string, number[], number, boolean]>): Tensor[] {
  const rnd = new Normal(seed);
  return spec.map(([name, shape, fanIn, isBias]) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const bound = 1 / Math.sqrt(fanIn);
    const values = init === 'torch' ? rnd.uniform(size, -bound, bound) : isBias ? new Float32Array(size) : rnd.normal(size, Math.sqrt(2 / fanIn));
    return e.parameter(name, shape, values);
  });
}

function exporter(e: Engine, params: readonly Tensor[]): () => Record<string, Float32Array> {
  return () => Object.fromEntries(params.map((p) => [p.name, e.read(p)]));
}

export interface MlpOptions {
  inputSize?: number;
  hidden?: number[];
  classes?: number;
  seed?: number;
  init?: InitScheme;
}

/** LeNet-300-100 (784 -> 300 -> 100 -> 10, ReLU); `hidden` changes the widths. */
export function lenet300100(e: Engine, opts: MlpOptions = {}): TrainableNet {
  const { inputSize = 784, hidden = [300, 100], classes = 10, seed = 1, init = 'he' } = opts;
  const widths = [inputSize, ...hidden, classes];
  const spec: Array<[string, number[], number, boolean]> = [];
  for (let i = 1; i < widths.length; i++) {
    spec.push([`fc${i}.weight`, [widths[i], widths[i - 1]], widths[i - 1], false], [`fc${i}.bias`, [widths[i]], widths[i - 1], true]);
  }
  const params = makeParams(e, seed, init, spec);
  return {
    kind: 'lenet-300-100',
    inputShape: [inputSize],
    params,
    forward(x: Tensor): Tensor {
      let h = flatten(e, x);
      for (let i = 0; i < params.length; i += 2) {
        h = linear(e, h, params[i], params[i + 1]);
        if (i + 2 < params.length) h = relu(e, h);
      }
      return h;
    },
    exportWeights: exporter(e, params),
  };
}

export interface LeNet5Options {
  inputSize?: number;
  channels?: number;
  /** conv1 filters, conv2 filters, fc1 units (default 20, 50, 500). */
  widths?: [number, number, number];
  classes?: number;
  seed?: number;
  init?: InitScheme;
}

/** LeNet-5, Caffe variant: conv 5x5, maxpool 2, conv 5x5, maxpool 2, fc, ReLU, fc (no ReLU after the convs). */
export function lenet5(e: Engine, opts: LeNet5Options = {}): TrainableNet {
  const { inputSize = 28, channels = 1, widths = [20, 50, 500], classes = 10, seed = 1, init = 'he' } = opts;
  const [c1, c2, f1] = widths;
  const s2 = ((inputSize - 4) / 2 - 4) / 2;
  if (!Number.isInteger(s2) || s2 < 1) throw new Error(`lenet5: input size ${inputSize} does not pool evenly`);
  const flat = s2 * s2 * c2;
  const params = makeParams(e, seed, init, [
    ['conv1.weight', [c1, 5, 5, channels], 25 * channels, false], ['conv1.bias', [c1], 25 * channels, true],
    ['conv2.weight', [c2, 5, 5, c1], 25 * c1, false], ['conv2.bias', [c2], 25 * c1, true],
    ['fc1.weight', [f1, flat], flat, false], ['fc1.bias', [f1], flat, true],
    ['fc2.weight', [classes, f1], f1, false], ['fc2.bias', [classes], f1, true],
  ]);
  const [w1, b1, w2, b2, w3, b3, w4, b4] = params;
  return {
    kind: 'lenet-5',
    inputShape: [inputSize, inputSize, channels],
    params,
    forward(x: Tensor): Tensor {
      const p1 = maxpool2d(e, conv2d(e, x, w1, b1));
      const p2 = maxpool2d(e, conv2d(e, p1, w2, b2));
      const h = relu(e, linear(e, flatten(e, p2), w3, b3));
      return linear(e, h, w4, b4);
    },
    exportWeights: exporter(e, params),
  };
}
