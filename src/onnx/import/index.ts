/** ONNX import: `importOnnx(bytes, options)` and its report and errors. */
export { importOnnx, SUPPORTED_ONNX_OPS, FOLDED_ONNX_OPS, type ImportOptions, type ImportReport, type ImportResult } from './importer.js';
export { WpalImportError, WpalUnsupportedOpsError, type UnsupportedOp } from './errors.js';
export type { WeightReport } from './weights.js';
