/**
 * How the user's data was read, as a model file records it, and back: `wpal train` writes it,
 * `compress`, `eval` and `verify` read the same examples from the file alone (with --data PATH).
 *
 *   format field (Metadata)    value
 *   preprocessing.scale/mean/std   x' = (x x scale - mean[c]) / std[c]  (images: x = pixel 0..255; arrays: x as stored)
 *   preprocessing.layout           HWC for images and (N, H, W, C) arrays (flattened for a fully connected net);
 *                                  CHW for images read for a channel-first model (imported from PyTorch / ONNX)
 *   output_labels                  the class names in label order (class folders, label values, "0".."K-1")
 *
 *   property        value
 *   data_format     image-folder | npy | npz | csv | tsv | jsonl
 *   image_size      "HxW" the images were resized to
 *   image_channels  1 (gray) or 3 (RGB)
 *   image_resize    stretch | crop (center crop to the aspect ratio, then resize)
 *   text_column     the column (or JSON key) holding the text
 *   label_column    the column (or JSON key) holding the label
 *   split_seed      seed of the carves
 *   test_fraction   present when the test split was carved from the pool: the fraction
 *   val_fraction    the fraction carved as validation (0: none); absent when the data had its own val
 *
 * Numbers are stored as float32 (scale, mean, std) or as decimal text; training uses the float32
 * values, so the file reproduces the examples bit for bit.
 */
import type { MetadataInfo, PreprocessingInfo } from '../../format/types.js';
import type { ImagePreprocessing } from './images.js';
import type { UserData, UserDataRequest } from './user.js';
import { SPLIT_DEFAULTS, type SplitSettings } from './split.js';

export const DATA_FORMAT = 'data_format';

/** What a model file records about its data: the format's preprocessing and labels, plus properties. */
export interface DataRecord {
  properties: Record<string, string>;
  preprocessing?: Partial<PreprocessingInfo>;
  outputLabels?: string[];
}

/** The record of user data `d` read with split settings `splits`. */
export function recordUserData(d: UserData, splits: SplitSettings): DataRecord {
  const p: Record<string, string> = { [DATA_FORMAT]: d.format };
  let pre: Partial<PreprocessingInfo> | undefined;
  if (d.image) {
    p['image_size'] = `${d.image.height}x${d.image.width}`;
    p['image_channels'] = String(d.image.channels);
    p['image_resize'] = d.image.resize;
    pre = { layout: d.image.layout === 'chw' ? 'CHW' : 'HWC', scale: d.image.scale, mean: [...d.image.mean], std: [...d.image.std] };
  }
  if (d.arrays) pre = { ...(d.shape.length === 3 ? { layout: 'HWC' } : {}), scale: d.arrays.scale, mean: [...d.arrays.mean], std: [...d.arrays.std] };
  if (d.textColumns) {
    p['text_column'] = d.textColumns.text;
    p['label_column'] = d.textColumns.label;
  }
  p['split_seed'] = String(splits.seed);
  if (d.carved.test !== undefined) p['test_fraction'] = String(d.carved.test);
  if (d.splits.val?.origin !== 'data') p['val_fraction'] = String(d.carved.val ?? 0);
  return { properties: p, ...(pre ? { preprocessing: pre } : {}), outputLabels: [...d.classes] };
}

/** "28x28" -> [28, 28]. */
export function parseImageSize(text: string): [number, number] | undefined {
  const m = /^\s*(\d{1,5})\s*[xX]\s*(\d{1,5})\s*$/.exec(text);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

function num(v: string | undefined): number | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Whether a model's image input is channel first ([C, H, W], e.g. imported from ONNX): the file says
 * so, or (no image settings recorded) the input is [1|3, H, W] with W not 1 or 3.
 */
export function channelsFirst(meta: MetadataInfo, inputShape: readonly number[]): boolean {
  if (meta.preprocessing?.layout === 'CHW') return true;
  const recorded = meta.properties['image_size'] !== undefined;
  return !recorded && inputShape.length === 3 && (inputShape[0] === 1 || inputShape[0] === 3) && inputShape[2]! > 3;
}

/**
 * The request that reads the same examples as the file's training did (see the header), for a
 * model whose input takes `inputShape` per example. Files that record no image properties (trained
 * on a built-in image set) read images at the input's size and channels, scaled by 1/255.
 */
export function requestFromMetadata(meta: MetadataInfo, inputShape: readonly number[]): Omit<UserDataRequest, 'path' | 'want' | 'limit'> {
  const p = meta.properties;
  const splits: SplitSettings = {
    seed: num(p['split_seed']) ?? SPLIT_DEFAULTS.seed,
    testFraction: num(p['test_fraction']) ?? SPLIT_DEFAULTS.testFraction,
    valFraction: num(p['val_fraction']) ?? SPLIT_DEFAULTS.valFraction,
  };
  const pre = meta.preprocessing;
  const size = p['image_size'] !== undefined ? parseImageSize(p['image_size']) : undefined;
  const recorded = size !== undefined;
  const chw = channelsFirst(meta, inputShape);
  const [h, w, c] = chw ? [inputShape[1], inputShape[2], inputShape[0]] : [inputShape[0], inputShape[1], inputShape.length === 3 ? inputShape[2] : 1];
  const image: Partial<ImagePreprocessing> = {
    height: size?.[0] ?? h,
    width: size?.[1] ?? w,
    channels: (num(p['image_channels']) ?? c) === 1 ? 1 : 3,
    ...(chw ? { layout: 'chw' as const } : {}),
    resize: p['image_resize'] === 'crop' ? 'crop' : 'stretch',
    scale: recorded && pre ? pre.scale : 1 / 255,
    mean: recorded && pre ? pre.mean : [],
    std: recorded && pre ? pre.std : [],
  };
  const text = { ...(p['text_column'] !== undefined ? { text: p['text_column'] } : {}), ...(p['label_column'] !== undefined ? { label: p['label_column'] } : {}) };
  return {
    splits,
    ...(meta.outputLabels.length >= 2 ? { classes: meta.outputLabels } : {}),
    ...(inputShape.length >= 2 || recorded ? { image } : {}),
    ...(pre && p[DATA_FORMAT] !== undefined ? { arrays: { scale: pre.scale, mean: pre.mean, std: pre.std } } : {}),
    text: { columns: text },
  };
}
