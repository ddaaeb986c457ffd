/**
 * The imported wake-word chain compressed without training: every model's weight matrices
 * clustered by post-training k-means (compressPostTraining), sensitivity-weighted with inputs
 * that the dense chain computes from calibration audio (mel chunks, embedding windows, runs of
 * embeddings), so each model is calibrated on what it really sees.
 */
import { loadModel } from '../../runtime/load.js';
import type { Model, ShapedInput } from '../../runtime/model.js';
import { calibrationBatches, compressPostTraining, type PostTrainingReport } from '../../trainer/post-training.js';
import { CHUNK, CONTEXT, EMBEDDING, MEL_BINS, WINDOW_FRAMES, classifierInputs, embeddingWindows, melFrames, melInputs, padClip } from './chain.js';
import { CLASSIFIERS, EMBEDDING_FILE, MEL_FILE, wpalInfer } from './models.js';

export interface ChainCompression {
  bits: number;
  /** Rows per palette (default 0: one palette per tensor). */
  groupRows?: number;
  /** Settings that replace `bits` / `groupRows` for one model, by .onnx file name. */
  models?: Record<string, { bits?: number; groupRows?: number }>;
  /** 16 kHz int16-scale clips for calibration (not the clips the result is judged on). */
  calibrationAudio?: Float32Array[];
}

/**
 * The chain at about 4 bits: classifiers and embedding model 4-bit (the embedding model with a
 * palette per output channel: one per tensor loses triggers), melspectrogram 8-bit (its STFT basis
 * at 4 bits drops the timer phrase's score from 0.67 to 0.17). Chosen on the espeak-ng phrases of
 * the tests; measured in test/onnx/import-real.test.ts and `npm run bench -- --imported`.
 */
export const CHAIN_4BIT: ChainCompression = { bits: 4, groupRows: 0, models: { [MEL_FILE]: { bits: 8 }, [EMBEDDING_FILE]: { groupRows: 1 } } };

/**
 * 2-bit classifiers (a palette per output row), except the timer classifier, which needs 4 bits
 * post-training (at 2 or 3 bits its score for the timer phrase falls to 0.37-0.52); embedding
 * model 4-bit per row (at 2 bits every trigger is lost without fine-tuning); melspectrogram 8-bit.
 */
export const CHAIN_2BIT: ChainCompression = {
  bits: 2,
  groupRows: 1,
  models: { [MEL_FILE]: { bits: 8, groupRows: 0 }, [EMBEDDING_FILE]: { bits: 4, groupRows: 1 }, [CLASSIFIERS.timer.file]: { bits: 4, groupRows: 0 } },
};


export async function compressChain(files: Record<string, Uint8Array>, o: ChainCompression): Promise<{ files: Record<string, Uint8Array>; reports: Record<string, PostTrainingReport> }> {
  const calibration: Record<string, Record<string, ShapedInput>[]> = {};
  if (o.calibrationAudio?.length) {
    const dense: Record<string, Model> = {};
    for (const [f, b] of Object.entries(files)) dense[f] = await loadModel(b);
    try {
      const maxFrames = Math.max(...Object.values(CLASSIFIERS).map((c) => c.frames));
      const add = (file: string, parts: Record<string, ShapedInput>[]) => (calibration[file] ??= []).push(...parts);
      for (const clip of o.calibrationAudio) {
        const mel = melInputs(padClip(clip, Math.ceil(((maxFrames + 10) * CHUNK) / 16000)));
        add(MEL_FILE, calibrationBatches(dense[MEL_FILE].inputs[0].name, mel.data, [CHUNK + CONTEXT], mel.chunks));
        const windows = embeddingWindows(await melFrames(wpalInfer(dense[MEL_FILE]), mel, true));
        add(EMBEDDING_FILE, calibrationBatches(dense[EMBEDDING_FILE].inputs[0].name, windows.data, [WINDOW_FRAMES, MEL_BINS, 1], windows.count));
        const embeddings = await wpalInfer(dense[EMBEDDING_FILE])(windows.data, [windows.count, WINDOW_FRAMES, MEL_BINS, 1]);
        for (const c of Object.values(CLASSIFIERS)) {
          if (!dense[c.file]) continue;
          const inputs = classifierInputs(embeddings, c.frames);
          add(c.file, calibrationBatches(dense[c.file].inputs[0].name, inputs.data, [c.frames, EMBEDDING], inputs.count));
        }
      }
    } finally {
      for (const m of Object.values(dense)) m.dispose();
    }
  }
  const out: Record<string, Uint8Array> = {};
  const reports: Record<string, PostTrainingReport> = {};
  for (const [f, b] of Object.entries(files)) {
    const own = o.models?.[f];
    const r = await compressPostTraining(b, { bits: own?.bits ?? o.bits, groupRows: own?.groupRows ?? o.groupRows ?? 0, calibration: calibration[f] });
    out[f] = r.bytes;
    reports[f] = r.report;
  }
  return { files: out, reports };
}
