/**
 * The trainer as a library (`wasm-palette/trainer`, Node only: it reads data files): what the
 * `wpal train` and `wpal compress` commands call.
 *
 *   loadData({ data, want })            built-in sets (mnist, fashion-mnist, sst2) or your own data
 *   train(data, options)                a fresh network trained, written as a dense .wpal
 *   readDenseModel(bytes)               any dense .wpal (trained, imported from ONNX, your own writer)
 *   compress(model, data, options)      DKM palettes, pruning, distillation, target sizes -> .wpal
 */
export { train, trainSettings, TRAIN_DEFAULTS, TEXT_TRAIN_DEFAULTS, WpalTrainError, type TrainOptions, type TrainReport, type TrainEpoch } from './train.js';
export { compress, compressSettings, COMPRESS_DEFAULTS, TEXT_COMPRESS_DEFAULTS, WpalCompressError, type PipelineOptions, type PipelineReport, type PipelineEvent } from './pipeline.js';
export { readDenseModel, buildDenseModel, type DenseModel, type LayerSetting } from './dense-model.js';
export { ARCHITECTURES, type ArchName } from './architectures.js';
export { loadData, type DataRequest, type LoadedData, type Split } from './data/load.js';
export { targetForRatio } from './allocate/index.js';
