/**
 * ResNet-18/34 (basic blocks) and ResNet-50/101/152 (bottleneck blocks, stride on the 3x3 conv as in
 * torchvision, "v1.5"), NHWC input [size, size, 3]. Every BatchNorm is folded into its conv (weight
 * and bias); residuals are Add ops; stem conv 7x7/2 + maxpool 3x3/2, global average pool, fc.
 * Parameters at full size with BN folded: ResNet-18 11,684,712, ResNet-50 25,530,472 (torchvision
 * counts with BN: 11,689,512 and 25,557,032).
 */
import { Net, type BuildOptions, type BuiltModel } from './common.js';
import type { TensorHandle } from '../format/write.js';

export type ResNetDepth = 18 | 34 | 50 | 101 | 152;

const STAGES: Record<ResNetDepth, { bottleneck: boolean; blocks: number[] }> = {
  18: { bottleneck: false, blocks: [2, 2, 2, 2] },
  34: { bottleneck: false, blocks: [3, 4, 6, 3] },
  50: { bottleneck: true, blocks: [3, 4, 6, 3] },
  101: { bottleneck: true, blocks: [3, 4, 23, 3] },
  152: { bottleneck: true, blocks: [3, 8, 36, 3] },
};

export interface ResNetOptions extends BuildOptions {
  depth: ResNetDepth;
  /** Input side (default 224). */
  inputSize?: number;
  channels?: number;
  /** Base width (default 64): stage widths are base, 2 base, 4 base, 8 base. */
  width?: number;
  classes?: number;
  /** Blocks per stage, overriding the depth's (for reduced test models). */
  blocks?: number[];
}

export function buildResNet(opts: ResNetOptions): BuiltModel {
  const { depth, inputSize = 224, channels = 3, width = 64, classes = 1000 } = opts;
  const spec = STAGES[depth];
  if (!spec) throw new RangeError(`buildResNet: depth must be one of ${Object.keys(STAGES).join(', ')}, got ${depth}`);
  const blocks = opts.blocks ?? spec.blocks;
  const expansion = spec.bottleneck ? 4 : 1;
  const net = new Net({ name: `resnet-${depth}`, task: 'image-classification', preprocessing: { layout: 'HWC' } }, opts);
  const relu = (h: TensorHandle, name: string) => net.op('Relu', [h], undefined, name);
  const x = net.input('input', [inputSize, inputSize, channels]);
  let h = relu(net.conv(x, 'conv1', width, { kernel: 7, stride: 2, pad: 3, bn: true }), 'conv1.relu');
  h = net.op('MaxPool', [h], { kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, 'maxpool');
  blocks.forEach((n, stage) => {
    const planes = width << stage;
    for (let b = 0; b < n; b++) {
      const p = `layer${stage + 1}.${b}`;
      const stride = b === 0 && stage > 0 ? 2 : 1;
      const cout = planes * expansion;
      let y: TensorHandle;
      if (spec.bottleneck) {
        y = relu(net.conv(h, `${p}.conv1`, planes, { kernel: 1, bn: true }), `${p}.relu1`);
        y = relu(net.conv(y, `${p}.conv2`, planes, { kernel: 3, stride, pad: 1, bn: true }), `${p}.relu2`);
        y = net.conv(y, `${p}.conv3`, cout, { kernel: 1, bn: true });
      } else {
        y = relu(net.conv(h, `${p}.conv1`, planes, { kernel: 3, stride, pad: 1, bn: true }), `${p}.relu1`);
        y = net.conv(y, `${p}.conv2`, planes, { kernel: 3, pad: 1, bn: true });
      }
      const shortcut = stride !== 1 || h.shape[2] !== cout ? net.conv(h, `${p}.downsample`, cout, { kernel: 1, stride, bn: true }) : h;
      h = relu(net.op('Add', [y, shortcut], undefined, `${p}.add`), `${p}.relu`);
    }
  });
  const g = net.op('Flatten', [net.op('GlobalAveragePool', [h], undefined, 'avgpool')], undefined, 'flatten');
  net.output(net.fc(g, 'fc', classes, { output: 'logits' }));
  return net.finish();
}
