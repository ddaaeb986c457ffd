/** Architecture builders shared by tests, bench and trainer: each returns the .wpal bytes and the dense float32 weights. */
export * from './common.js';
export { buildLeNet300100, buildLeNet5, type LeNet300100Options, type LeNet5Options } from './lenet.js';
export { buildMobileNetV1, MOBILENET_V1_BLOCKS, type MobileNetV1Options } from './mobilenet.js';
export { buildResNet, type ResNetDepth, type ResNetOptions } from './resnet.js';
export { buildDistilBert, type DistilBertOptions } from './distilbert.js';
export { buildTextClassifier, textClassifierIds, textClassifierWords, type TextClassifierOptions } from './text.js';
