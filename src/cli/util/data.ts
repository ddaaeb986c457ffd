/** Data-set options shared by train / eval / verify, and loading a split with an optional --limit. */
import type { OptionSpec } from './args.js';
import { CliError } from './errors.js';
import { loadImageDataset, type ImageDatasetId } from '../../trainer/data/index.js';

export const DATASET_IDS = ['mnist', 'fashion-mnist'] as const;

export const DATA_OPTIONS: Record<string, OptionSpec> = {
  data: { type: 'string', value: 'NAME', choices: DATASET_IDS, description: 'data set' },
  'data-dir': {
    type: 'string',
    value: 'DIR',
    description: 'data directory holding mnist/ and fashion-mnist/ (default: $WPAL_DATA, else ../shared/data)',
  },
};

/** A split as the engine and the runtime take it: count x 784 floats in [0, 1] (NHWC 28x28x1) and labels. */
export interface Split {
  dataset: ImageDatasetId;
  split: 'train' | 'test';
  x: Float32Array;
  y: Uint8Array;
  count: number;
  /** Examples in the whole split (count < full when --limit cut it). */
  full: number;
}

/** Loads `split` of `dataset` (checking the published MD5s), keeping the first `limit` examples when given. */
export function loadSplit(dataset: ImageDatasetId, split: 'train' | 'test', dataDir: string | undefined, limit?: number): Split {
  const d = loadImageDataset(dataset, split, dataDir !== undefined ? { dataDir } : {});
  const count = limit === undefined ? d.count : Math.min(limit, d.count);
  const per = d.x.length / d.count;
  return { dataset, split, x: d.x.subarray(0, count * per), y: d.y.subarray(0, count), count, full: d.count };
}

export function asDataset(name: unknown, what: string): ImageDatasetId {
  if (name === 'mnist' || name === 'fashion-mnist') return name;
  throw new CliError(`${what} ${JSON.stringify(name)} is not a data set this command reads (mnist, fashion-mnist)`);
}
