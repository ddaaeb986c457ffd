/**
 * The openWakeWord chain's files and runners over loaded wasm-palette models: the runtime side
 * of models.ts, with no ONNX importer behind it, so a page or a worker can load it as is.
 */
import type { Model } from '../../runtime/model.js';
import type { Infer, WakeWordRunners } from './chain.js';

/** The files of the chain, and the classifiers with how many embeddings each reads. */
export const MEL_FILE = 'melspectrogram.onnx';
export const EMBEDDING_FILE = 'embedding_model.onnx';
export const CLASSIFIERS: Record<string, { file: string; frames: number }> = {
  alexa: { file: 'alexa_v0.1.onnx', frames: 16 },
  hey_mycroft: { file: 'hey_mycroft_v0.1.onnx', frames: 16 },
  timer: { file: 'timer_v0.1.onnx', frames: 34 },
  weather: { file: 'weather_v0.1.onnx', frames: 22 },
};

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
