/**
 * LeNet-300-100 (784 -> 300 -> 100 -> 10, ReLU) and LeNet-5 in its Caffe variant (conv 20@5x5,
 * maxpool 2, conv 50@5x5, maxpool 2, fc 500, ReLU, fc 10; no activation after the convs): 266,610
 * and 431,080 parameters at full size. Outputs are logits named "logits".
 */
import { Net, type BuildOptions, type BuiltModel } from './common.js';

export interface LeNet300100Options extends BuildOptions {
  /** Input features (default 784 = 28 x 28). */
  inputSize?: number;
  /** Hidden widths (default [300, 100]). */
  hidden?: number[];
  classes?: number;
}

export function buildLeNet300100(opts: LeNet300100Options = {}): BuiltModel {
  const { inputSize = 784, hidden = [300, 100], classes = 10 } = opts;
  const net = new Net({ name: 'lenet-300-100', task: 'image-classification', preprocessing: { layout: 'HW' } }, opts);
  let h = net.input('input', [inputSize]);
  hidden.forEach((n, i) => {
    h = net.op('Relu', [net.fc(h, `fc${i + 1}`, n)], undefined, `relu${i + 1}`);
  });
  net.output(net.fc(h, `fc${hidden.length + 1}`, classes, { output: 'logits' }));
  return net.finish();
}

export interface LeNet5Options extends BuildOptions {
  /** Input image side (default 28) and channels (default 1); NHWC [size, size, channels]. */
  inputSize?: number;
  channels?: number;
  /** Widths: conv1 filters, conv2 filters, fc1 units (default 20, 50, 500). */
  widths?: [number, number, number];
  classes?: number;
}

export function buildLeNet5(opts: LeNet5Options = {}): BuiltModel {
  const { inputSize = 28, channels = 1, widths = [20, 50, 500], classes = 10 } = opts;
  const net = new Net({ name: 'lenet-5', task: 'image-classification', preprocessing: { layout: 'HWC' } }, opts);
  const x = net.input('input', [inputSize, inputSize, channels]);
  const pool = (h: ReturnType<typeof net.input>, name: string) => net.op('MaxPool', [h], { kernel: [2, 2], strides: [2, 2] }, name);
  const p1 = pool(net.conv(x, 'conv1', widths[0], { kernel: 5 }), 'pool1');
  const p2 = pool(net.conv(p1, 'conv2', widths[1], { kernel: 5 }), 'pool2');
  const f = net.op('Flatten', [p2], undefined, 'flatten');
  const h = net.op('Relu', [net.fc(f, 'fc1', widths[2])], undefined, 'relu1');
  net.output(net.fc(h, 'fc2', classes, { output: 'logits' }));
  return net.finish();
}
