/** Data-set options shared by train / compress / eval / verify, and loading a split with an optional --limit. */
import type { OptionSpec } from './args.js';
import { CliError } from './errors.js';
import { loadImageDataset, loadSst2, type ImageDatasetId } from '../../trainer/data/index.js';
import { hashedExamples } from '../../trainer/data/hashed.js';

export const DATASET_IDS = ['mnist', 'fashion-mnist', 'sst2'] as const;
export type CliDataset = (typeof DATASET_IDS)[number];

export const DATA_OPTIONS: Record<string, OptionSpec> = {
  data: { type: 'string', value: 'NAME', choices: DATASET_IDS, description: 'data set: mnist, fashion-mnist (LeNets) or sst2 (the text classifier)' },
  'data-dir': {
    type: 'string',
    value: 'DIR',
    description: 'data directory holding mnist/, fashion-mnist/ and sst2/ (default: $WPAL_DATA, else ../shared/data)',
  },
};

/** How a text model turns a sentence into ids (from its options or its file's metadata). */
export interface TextEncoding {
  seq: number;
  buckets: number;
}

/**
 * A split as the engine and the runtime take it: count x features floats (images: 784 values in
 * [0, 1], NHWC 28x28x1; sentences: `seq` hashed word ids, exact as floats) and labels.
 */
export interface Split {
  dataset: CliDataset;
  split: 'train' | 'test';
  /** The file's own name of the split: "test" for the image sets, "dev" for SST-2 (its test.tsv has no labels). */
  splitName: string;
  /** "images" or "sentences". */
  unit: string;
  x: Float32Array;
  y: ArrayLike<number>;
  count: number;
  /** Examples in the whole split (count < full when --limit cut it). */
  full: number;
}

/**
 * Loads `split` of `dataset` (checking the published MD5s), keeping the first `limit` examples when
 * given. SST-2 needs the text encoding of the model (`text`); its 'test' split is dev.tsv.
 */
export function loadSplit(dataset: CliDataset, split: 'train' | 'test', dataDir: string | undefined, limit?: number, text?: TextEncoding): Split {
  const opts = dataDir !== undefined ? { dataDir } : {};
  if (dataset === 'sst2') {
    if (!text) throw new CliError('sst2 needs a text model (its seq and buckets) to encode the sentences');
    const s = loadSst2(split === 'train' ? 'train' : 'dev', opts);
    const count = limit === undefined ? s.sentences.length : Math.min(limit, s.sentences.length);
    const ex = hashedExamples(s.sentences.slice(0, count), s.labels.subarray(0, count), text);
    return { dataset, split, splitName: split === 'train' ? 'train' : 'dev', unit: 'sentences', x: ex.x, y: ex.y, count, full: s.sentences.length };
  }
  const d = loadImageDataset(dataset, split, opts);
  const count = limit === undefined ? d.count : Math.min(limit, d.count);
  const per = d.x.length / d.count;
  return { dataset, split, splitName: split, unit: 'images', x: d.x.subarray(0, count * per), y: d.y.subarray(0, count), count, full: d.count };
}

/** "10,000 mnist test images", "872 sst2 dev sentences, first 100 of 872 (--limit)". */
export function describeSplit(s: Split, correct?: number): string {
  const n = `${correct !== undefined ? `${correct.toLocaleString('en-US')}/` : ''}${s.count.toLocaleString('en-US')}`;
  return `${n} ${s.dataset} ${s.splitName} ${s.unit}${s.count < s.full ? `, first ${s.count} of ${s.full} (--limit)` : ''}`;
}

export function asDataset(name: unknown, what: string): CliDataset {
  if ((DATASET_IDS as readonly unknown[]).includes(name)) return name as CliDataset;
  throw new CliError(`${what} ${JSON.stringify(name)} is not a data set this command reads (${DATASET_IDS.join(', ')})`);
}

/** The image data sets (the LeNets). */
export function isImageDataset(d: CliDataset): d is ImageDatasetId {
  return d !== 'sst2';
}

/** The text encoding a text-classifier file records (properties seq, buckets), or a CliError. */
export function textEncodingOf(properties: Readonly<Record<string, string>>, file: string): TextEncoding {
  const seq = Number(properties['seq']);
  const buckets = Number(properties['buckets']);
  if (!Number.isInteger(seq) || seq < 1 || !Number.isInteger(buckets) || buckets < 2) {
    throw new CliError(`${file} records no text encoding (metadata properties seq and buckets): it is not a text classifier for sst2`);
  }
  return { seq, buckets };
}
