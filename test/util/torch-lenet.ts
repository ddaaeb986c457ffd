/**
 * A LeNet-5 as torch.onnx.export writes one (tests and scripts/experiments/imported-lenet5.ts):
 * NCHW input [batch, C, H, W], Conv weights [O, C, kh, kw], torch.flatten(x, 1) of the NCHW
 * activation (so fc1 reads its columns channel-major), nn.Linear as Gemm with transB = 1, ReLU
 * after each conv (the PyTorch tutorial LeNet) only when `reluAfterConvs`. Built from the weights of a
 * LeNet-5 trained in this project (.wpal layouts, NHWC), converted to PyTorch's, with onnx-proto
 * (independent of our importer and exporter).
 */
import type { DenseModel } from '../../src/trainer/compress.js';
import { ohwiToOihw } from '../../src/models/common.js';
import { buildOnnx, type GraphSpec } from './onnx-build.js';

export function torchStyleLeNet5(m: DenseModel, opts: { reluAfterConvs?: boolean } = {}): Uint8Array {
  const s = m.shapes, w = m.weights;
  const [c1, kh, kw, inC] = s['conv1.weight'];
  const c2 = s['conv2.weight'][0];
  const [f1, flat] = s['fc1.weight'];
  const classes = s['fc2.weight'][0];
  const side = Math.round(Math.sqrt(flat / c2));
  const input = m.graph.tensors[m.graph.inputs[0]].shape;
  // fc1 columns: .wpal reads the pooled map as (h, w, c); torch.flatten of NCHW as (c, h, w)
  const fc1 = new Float32Array(f1 * flat);
  for (let n = 0; n < f1; n++) for (let c = 0; c < c2; c++) for (let p = 0; p < side * side; p++) fc1[n * flat + c * side * side + p] = w['fc1.weight'][n * flat + p * c2 + c];
  const init = (dims: number[], values: Float32Array) => ({ dims, values });
  const relu = opts.reluAfterConvs ?? false;
  const spec: GraphSpec = {
    inputs: [{ name: 'input', dims: ['batch', inC, input[0], input[1]] }],
    outputs: [{ name: 'logits', dims: ['batch', classes] }],
    inits: {
      'conv1.weight': init([c1, inC, kh, kw], ohwiToOihw(w['conv1.weight'], c1, inC, kh, kw)), 'conv1.bias': init([c1], w['conv1.bias']),
      'conv2.weight': init([c2, c1, kh, kw], ohwiToOihw(w['conv2.weight'], c2, c1, kh, kw)), 'conv2.bias': init([c2], w['conv2.bias']),
      'fc1.weight': init([f1, flat], fc1), 'fc1.bias': init([f1], w['fc1.bias']),
      'fc2.weight': init([classes, f1], w['fc2.weight']), 'fc2.bias': init([classes], w['fc2.bias']),
    },
    nodes: [
      { op: 'Conv', inputs: ['input', 'conv1.weight', 'conv1.bias'], outputs: ['c1'], attrs: { kernel_shape: [kh, kw] } },
      ...(relu ? [{ op: 'Relu', inputs: ['c1'], outputs: ['r1'] }] : []),
      { op: 'MaxPool', inputs: [relu ? 'r1' : 'c1'], outputs: ['p1'], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
      { op: 'Conv', inputs: ['p1', 'conv2.weight', 'conv2.bias'], outputs: ['c2'], attrs: { kernel_shape: [kh, kw] } },
      ...(relu ? [{ op: 'Relu', inputs: ['c2'], outputs: ['r2'] }] : []),
      { op: 'MaxPool', inputs: [relu ? 'r2' : 'c2'], outputs: ['p2'], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
      { op: 'Flatten', inputs: ['p2'], outputs: ['flat'], attrs: { axis: 1 } },
      { op: 'Gemm', inputs: ['flat', 'fc1.weight', 'fc1.bias'], outputs: ['h'], attrs: { transB: 1 } },
      { op: 'Relu', inputs: ['h'], outputs: ['hr'] },
      { op: 'Gemm', inputs: ['hr', 'fc2.weight', 'fc2.bias'], outputs: ['logits'], attrs: { transB: 1 } },
    ],
  };
  return buildOnnx(spec);
}
