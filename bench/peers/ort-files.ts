/**
 * The onnxruntime-web files of the model bench: the dense ONNX export of a built model and what
 * onnxruntime's quantization tools make of it with their default settings (exportOnnx quantize,
 * src/onnx/quantize.ts), each run at every thread count in its own worker (ort-threads.ts).
 */
import { exportOnnx, type QuantizeMode } from '../../src/onnx/index.js';
import type { BuiltModel } from '../../src/models/index.js';
import { createOrtThreadsRunner } from './ort-threads.js';
import type { Feeds, PeerRunner } from './types.js';

/**
 * Quantized ONNX files must match wasm-palette dense within this (max |diff| / max |y|): int8 per
 * tensor is 1.5-6% on these random-weight nets. Any 4-bit file of the random-weight encoder is far
 * off (measured 2026-12-06: MatMulNBits 0.48 max, 0.40 relative RMS; wasm-palette's own 4-bit
 * palettes 0.39 relative RMS), so the 4-bit bound only says the output is on the right scale.
 */
export const QUANT_TOL: Record<QuantizeMode, number> = { 'dynamic-qint8': 0.1, 'dynamic-quint8': 0.1, 'matmul-4bits': 0.75 };

/** onnxruntime-web files: the dense export and what onnxruntime's quantization tools make of it. */
export interface OrtConfig {
  /** For --ort. */
  id: string;
  label: string;
  quantize?: QuantizeMode;
}

export const ORT_CONFIGS: OrtConfig[] = [
  { id: 'dense', label: 'dense f32' },
  { id: 'qint8', label: 'int8 dynamic', quantize: 'dynamic-qint8' },
  { id: 'quint8', label: 'int8 dynamic, u8 weights', quantize: 'dynamic-quint8' },
  { id: 'nbits4', label: '4-bit MatMulNBits', quantize: 'matmul-4bits' },
];
/** ORT int8 labels (the ratio vs ORT int8 uses the faster of them at each thread count). */
export const ORT_INT8 = ORT_CONFIGS.filter((c) => c.quantize?.startsWith('dynamic')).map((c) => c.label);

/**
 * One runner per file and thread count. A quantized file equal to the dense one (its tool
 * quantizes no op of the graph, e.g. an all-Gemm MLP for quantize_dynamic) is skipped, with the
 * reason pushed to `skipped`. Returns the runners and each file's bytes by label.
 */
export async function createOrtFileRunners(
  built: BuiltModel, feeds: Feeds, threadCounts: number[], configs: OrtConfig[], skipped: Array<{ config: string; reason: string }>,
): Promise<{ runners: PeerRunner[]; files: Map<string, number> }> {
  const runners: PeerRunner[] = [];
  const files = new Map<string, number>();
  let dense: Uint8Array | undefined;
  for (const oc of configs) {
    const onnx = exportOnnx(built, { weights: built.weights, batch: 1, quantize: oc.quantize });
    if (!dense) dense = onnx;
    else if (onnx.length === dense.length && onnx.every((b, i) => b === dense![i])) {
      skipped.push({ config: `onnxruntime-web ${oc.label}`, reason: 'its tool quantizes no op of this graph (the file equals the dense one)' });
      continue;
    }
    files.set(oc.label, onnx.length);
    for (const threads of threadCounts) runners.push(await createOrtThreadsRunner(onnx, built, feeds, threads, oc.label));
  }
  return { runners, files };
}
