/**
 * Metadata kept on request: what a model needs to be measured again, and nothing else. A stripped
 * file keeps its preprocessing, its output labels and the properties listed in
 * ESSENTIAL_PROPERTIES (accuracy claims, which data and how it was read, how text becomes ids), so
 * `wpal eval` and `wpal verify` reproduce its numbers; name, description, task and every other
 * property (training settings, provenance, times) are dropped. ModelWriterOptions.stripMetadata,
 * rewriteModel(info, { stripMetadata: true }), `wpal strip` and `wpal compress --strip-metadata`
 * all go through stripMetadata.
 */
import type { PreprocessingInfo } from './types.js';

/**
 * Property keys a stripped file keeps. The keys are defined where they are written: accuracy claims
 * in trainer/measure.ts, the data record in trainer/data/meta.ts, the text encoding in models/text.ts
 * (test/format/metadata.test.ts checks this list against them).
 */
export const ESSENTIAL_PROPERTIES: readonly string[] = [
  // The accuracy claim that `wpal verify` checks.
  'accuracy',
  'accuracy_examples',
  'accuracy_dataset',
  // Which data set measures the model.
  'dataset',
  // How the user's own data was read (the same examples again).
  'data_format',
  'image_size',
  'image_channels',
  'image_resize',
  'text_column',
  'label_column',
  'split_seed',
  'test_fraction',
  'val_fraction',
  // How a sentence becomes the model's input ids.
  'tokenizer',
  'seq',
  'buckets',
  'pad_id',
];

/** The metadata fields stripMetadata keeps. */
export interface StrippedMetadata {
  preprocessing?: Partial<PreprocessingInfo>;
  outputLabels?: string[];
  properties: Record<string, string>;
}

/** `meta` without name, description, task and the properties not in `keep` (default ESSENTIAL_PROPERTIES). */
export function stripMetadata(
  meta: { preprocessing?: Partial<PreprocessingInfo>; outputLabels?: readonly string[]; properties?: Readonly<Record<string, string>> },
  keep: readonly string[] = ESSENTIAL_PROPERTIES,
): StrippedMetadata {
  const properties: Record<string, string> = {};
  for (const [k, v] of Object.entries(meta.properties ?? {})) {
    if (keep.includes(k)) Object.defineProperty(properties, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return {
    ...(meta.preprocessing ? { preprocessing: { ...meta.preprocessing, ...(meta.preprocessing.mean ? { mean: [...meta.preprocessing.mean] } : {}), ...(meta.preprocessing.std ? { std: [...meta.preprocessing.std] } : {}) } } : {}),
    ...(meta.outputLabels?.length ? { outputLabels: [...meta.outputLabels] } : {}),
    properties,
  };
}
