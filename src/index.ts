// Public API of wasm-palette: re-exports only.
export { loadModel, type ModelSource, type LoadOptions } from './runtime/load.js';
export { loadModelInWorker, type WorkerModel, type WorkerLoadOptions, type RunOptions, type WebWorkerLike, type NodeWorkerLike } from './worker/index.js';
export { Model, type TensorSpec, type TensorData, type ShapedInput, type Output, type MemoryReport, type ModelRunOptions } from './runtime/model.js';
export { hasSimd, hasRelaxedSimd } from './runtime/wasm.js';
export { textClassifierIds, textClassifierWords } from './models/text.js';
export { WpalLoadError, WpalEngineError, WpalInputError, WpalDisposedError } from './runtime/errors.js';
export * from './format/errors.js';
export { readModel, type ReadOptions } from './format/read.js';
export { ModelWriter } from './format/write.js';
export { sizeReport, type SizeReport, type FileParts, type FilePart } from './format/size.js';
export { stripMetadata, ESSENTIAL_PROPERTIES } from './format/metadata.js';
export { FORMAT_MAJOR, FORMAT_MINOR } from './format/version.js';
export type * from './format/types.js';
export * from './encode/palette.js';
export * from './encode/bitpack.js';
export * from './encode/blocksparse.js';
