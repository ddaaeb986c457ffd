/**
 * MobileNet-v1 (Howard et al. 2017), width multiplier alpha, NHWC input [size, size, 3]:
 * conv 3x3/2 32, then 13 depthwise-separable blocks (depthwise 3x3 + pointwise 1x1, each followed
 * by BatchNorm and ReLU as in the paper; BN folded into the conv weight and bias), global average
 * pool, fc `classes`. About 4.2M parameters at alpha 1.0 (BN folded: 4,221,032).
 * Padding is symmetric 1 for the 3x3 convs (the PyTorch convention; TF's SAME pads stride-2 convs
 * bottom/right only: same output size).
 */
import { Net, type BuildOptions, type BuiltModel } from './common.js';
import type { TensorHandle } from '../format/write.js';

export interface MobileNetV1Options extends BuildOptions {
  /** Input side (default 224). */
  inputSize?: number;
  channels?: number;
  /** Width multiplier (default 1). Channel counts are round(c * alpha), at least 8. */
  alpha?: number;
  classes?: number;
  /** The paper uses ReLU; TF-slim checkpoints use ReLU6. Default 'relu'. */
  activation?: 'relu' | 'relu6';
  /** Keep only the first n separable blocks (default 13), for reduced test models. */
  blocks?: number;
}

/** [output channels, stride] of the 13 depthwise-separable blocks. */
export const MOBILENET_V1_BLOCKS: readonly [number, number][] = [
  [64, 1], [128, 2], [128, 1], [256, 2], [256, 1], [512, 2],
  [512, 1], [512, 1], [512, 1], [512, 1], [512, 1], [1024, 2], [1024, 1],
];

export function buildMobileNetV1(opts: MobileNetV1Options = {}): BuiltModel {
  const { inputSize = 224, channels = 3, alpha = 1, classes = 1000, activation = 'relu', blocks = 13 } = opts;
  const act = activation === 'relu' ? 'Relu' : 'Relu6';
  const ch = (c: number) => Math.max(8, Math.round(c * alpha));
  const net = new Net(
    { name: 'mobilenet-v1', task: 'image-classification', preprocessing: { layout: 'HWC' }, properties: { alpha: String(alpha), activation } },
    opts,
  );
  const x = net.input('input', [inputSize, inputSize, channels]);
  let h: TensorHandle = net.op(act, [net.conv(x, 'conv1', ch(32), { kernel: 3, stride: 2, pad: 1, bn: true })], undefined, 'conv1.act');
  MOBILENET_V1_BLOCKS.slice(0, blocks).forEach(([c, s], i) => {
    const p = `blocks.${i}`;
    const cin = h.shape[2];
    h = net.op(act, [net.conv(h, `${p}.dw`, cin, { kernel: 3, stride: s, pad: 1, groups: cin, bn: true })], undefined, `${p}.dw.act`);
    h = net.op(act, [net.conv(h, `${p}.pw`, ch(c), { kernel: 1, bn: true })], undefined, `${p}.pw.act`);
  });
  const g = net.op('Flatten', [net.op('GlobalAveragePool', [h], undefined, 'avgpool')], undefined, 'flatten');
  net.output(net.fc(g, 'fc', classes, { output: 'logits' }));
  return net.finish();
}
