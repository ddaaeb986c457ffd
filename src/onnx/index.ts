/** ONNX export of .wpal models (for cross-checks against onnxruntime and as the peers' input in the benchmark). */
export { exportOnnx, ONNX_OPSET, ONNX_IR_VERSION, type ExportOptions } from './export.js';
export { MATMUL_NBITS_BLOCK, quantizeGraph, type QuantizeMode } from './quantize.js';
export { graphToModel, type GraphInit, type GraphNode, type OnnxGraph } from './graph.js';
export { Message, OnnxDType, attribute, node, tensor, floatTensor, int64Tensor, valueInfo, type OnnxAttr } from './proto.js';
