// The training engine: reverse-mode autodiff over the project's own AssemblyScript kernels
// (build/wpal.train.wasm). Re-exports only; design notes in src/trainer/engine/README.md.
export { TrainModule, trainModuleUrl, PARAM_SLOTS, type TrainBuild, type KernelIsa, type TrainKernels, type TrainModuleOptions } from './module.js';
export { Tensor, Engine } from './tensor.js';
export { linear, conv2d, maxpool2d, relu, flatten, labelTensor, softmaxCrossEntropy, scalar, countCorrect, type Conv2dOptions } from './ops.js';
export { SGD, Adam, type Optimizer, type SgdOptions, type AdamOptions } from './optim.js';
export { graphNet, graphForward, parameterNames, compressibleLayers, logitsTensor, trainingOps, type DenseModel, type TrainableNet } from './graph-net.js';
export { TRAIN_OPS, NOT_TRAINABLE, type TrainOpRow, type TrainOpContext } from './op-table.js';
export { trainEpoch, evaluate, permutation, loadBatch, type Examples, type EpochResult, type EpochOptions } from './loop.js';
export { idsTensor, embedding, layerNorm, gelu, add, softmax, attentionScores, attentionContext, meanPool } from './text-ops.js';
export { trainTextClassifier, type TextTrainOptions, type TextEpochRecord } from './text-train.js';
