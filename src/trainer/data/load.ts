/**
 * One entry for every data set the trainer and the CLI read, built-in or the user's own: train,
 * val and test splits as count x features floats (images NHWC, sentences as hashed word ids, exact
 * as floats) with integer labels, plus what a model file must record to read them again.
 *
 * Built-in sets: mnist, fashion-mnist (train 60,000 / test 10,000 images, 28x28x1 in [0, 1]) and
 * sst2 (train.tsv / dev.tsv, dev is the test split: SST-2's test.tsv has no labels). None has a
 * val split: it is carved from train (split.ts, valFraction, seed: valSeed(seed)), the same way as
 * for the user's data. `limit` keeps the first N examples of each split after the carve.
 */
import { loadImageDataset } from './idx.js';
import { loadSst2, sentenceGroups } from './sst2.js';
import { hashedExamples, type HashedOptions } from './hashed.js';
import { WpalDataError } from './errors.js';
import { carveGrouped, carveStratified, describeCarve, SPLIT_DEFAULTS, takeRows, valSeed, type SplitSettings } from './split.js';
import { detectUserData, loadUserData, type SplitName, type UserData, type UserDataRequest } from './user.js';
import { recordUserData, requestFromMetadata, type DataRecord } from './meta.js';
import { CLASS_NAMES } from './catalog.js';
import type { MetadataInfo } from '../../format/types.js';

export const BUILTIN_DATASETS = ['mnist', 'fashion-mnist', 'sst2'] as const;
export type BuiltinDataset = (typeof BUILTIN_DATASETS)[number];

export function isBuiltinDataset(name: unknown): name is BuiltinDataset {
  return (BUILTIN_DATASETS as readonly unknown[]).includes(name);
}

/**
 * A split as the engine and the runtime take it: count x features floats and labels.
 */
export interface Split {
  /** A built-in id, or the user's data's name (the last part of its path). */
  dataset: string;
  split: SplitName;
  /** The data's own name of the split: "test", "dev" (SST-2's labelled test), "val", "train". */
  splitName: string;
  /** How a carved split was made ("carved: 10% of the training data, seed 1, stratified"); absent for the data's own. */
  origin?: string;
  /** "images", "sentences" or "examples". */
  unit: string;
  x: Float32Array;
  y: ArrayLike<number>;
  count: number;
  /** Examples in the whole split (count < full when --limit cut it). */
  full: number;
  /** One example's shape ([28, 28, 1], [seq], ...). */
  shape: number[];
  /** Classes of the data set (outputs a classifier needs). */
  classes: number;
}

export interface DataRequest {
  /** A built-in id or a path. */
  data: string;
  /** The data directory of the built-in sets (default: WPAL_DATA, then ../shared/data). */
  dataDir?: string;
  want: readonly SplitName[];
  limit?: number;
  /** The word hashing of a text model (needed for sst2 and text files). */
  text?: HashedOptions;
  /** Split settings (default SPLIT_DEFAULTS); ignored when `file` is given (the file's count). */
  splits?: SplitSettings;
  /** How the user's data is read (training: from flags). */
  user?: Pick<UserDataRequest, 'image' | 'arrays' | 'text'>;
  /** Read the data as this model file records it (compress, eval, verify): its metadata and input shape. */
  file?: { metadata: MetadataInfo; inputShape: readonly number[] };
}

export interface LoadedData {
  dataset: string;
  /** 'images', 'arrays' or 'text'. */
  kind: 'images' | 'arrays' | 'text';
  train?: Split;
  val?: Split;
  test?: Split;
  /** Class names in label order. */
  classes: string[];
  shape: number[];
  /** What a model file trained on these data records. */
  record: DataRecord;
  /** The user's data, when it is not a built-in set. */
  user?: UserData;
}

/** What `data` (a built-in id or a path) holds, from its name or format alone. Throws WpalDataError for a path that is no data. */
export function dataKind(data: string): LoadedData['kind'] {
  if (isBuiltinDataset(data)) return data === 'sst2' ? 'text' : 'images';
  const f = detectUserData(data);
  return f === 'image-folder' ? 'images' : f === 'npy' || f === 'npz' ? 'arrays' : 'text';
}

/** Whether `data` holds text (sst2, .csv, .tsv, .jsonl). */
export function isTextData(data: string): boolean {
  return dataKind(data) === 'text';
}

/** The split settings a file records (defaults for what it does not). */
function settingsOf(req: DataRequest): SplitSettings {
  return req.file ? requestFromMetadata(req.file.metadata, req.file.inputShape).splits : (req.splits ?? SPLIT_DEFAULTS);
}

function builtin(req: DataRequest & { data: BuiltinDataset }): LoadedData {
  const { data: dataset, limit } = req;
  const splits = settingsOf(req);
  const opts = req.dataDir !== undefined ? { dataDir: req.dataDir } : {};
  const text = dataset === 'sst2';
  if (text && !req.text) throw new RangeError('sst2 needs a text model (its seq and buckets) to encode the sentences');
  const load = (which: 'train' | 'test'): { x: Float32Array; y: ArrayLike<number>; count: number; per: number; groups?: () => Int32Array } => {
    if (text) {
      const s = loadSst2(which === 'train' ? 'train' : 'dev', opts);
      const ex = hashedExamples(s.sentences, s.labels, req.text!);
      // the training phrases are cut from whole sentences: validation holds whole sentences out (groups found only when carving)
      return { x: ex.x, y: ex.y, count: ex.count, per: req.text!.seq, ...(which === 'train' ? { groups: () => sentenceGroups(s.sentences) } : {}) };
    }
    const d = loadImageDataset(dataset, which, opts);
    return { x: d.x, y: d.y, count: d.count, per: d.x.length / d.count };
  };
  const classes = text ? ['negative', 'positive'] : [...CLASS_NAMES[dataset]];
  const shape = text ? [req.text!.seq] : [28, 28, 1];
  const unit = text ? 'sentences' : 'images';
  const make = (split: SplitName, splitName: string, src: ReturnType<typeof load>, rows: Uint32Array | undefined, origin?: string): Split => {
    const full = rows ? rows.length : src.count;
    const n = limit === undefined ? full : Math.min(limit, full);
    let x: Float32Array;
    let y: ArrayLike<number>;
    if (rows) {
      ({ x, y } = takeRows(src, rows.subarray(0, n)));
    } else {
      x = src.x.subarray(0, n * src.per);
      y = (src.y as Uint8Array | Int32Array).subarray(0, n);
    }
    return { dataset, split, splitName, ...(origin ? { origin } : {}), unit, x, y, count: n, full, shape, classes: classes.length };
  };
  const out: LoadedData = { dataset, kind: text ? 'text' : 'images', classes, shape, record: builtinRecord(dataset, splits) };
  if (req.want.includes('train') || req.want.includes('val')) {
    const src = load('train');
    let rest: Uint32Array | undefined;
    if (splits.valFraction > 0) {
      const c = src.groups
        ? carveGrouped(src.groups(), src.y, classes.length, splits.valFraction, valSeed(splits.seed))
        : carveStratified(src.y, classes.length, splits.valFraction, valSeed(splits.seed));
      rest = c.rest;
      if (req.want.includes('val')) out.val = make('val', 'val', src, c.held, describeCarve(splits.valFraction, splits.seed, 'the training data', src.groups ? 'sentences (with all their phrases)' : undefined));
    }
    if (req.want.includes('train')) out.train = make('train', 'train', src, rest);
  }
  if (req.want.includes('test')) out.test = make('test', text ? 'dev' : 'test', load('test'), undefined);
  return out;
}

/** What a file trained on a built-in set records: the pixel scale of the image sets, and split settings that differ from the defaults. */
function builtinRecord(dataset: BuiltinDataset, s: SplitSettings): DataRecord {
  const properties: Record<string, string> = {};
  if (s.valFraction !== SPLIT_DEFAULTS.valFraction) properties['val_fraction'] = String(s.valFraction);
  if (s.seed !== SPLIT_DEFAULTS.seed) properties['split_seed'] = String(s.seed);
  return { properties, ...(dataset !== 'sst2' ? { preprocessing: { scale: Math.fround(1 / 255) } } : {}) };
}

function user(req: DataRequest): LoadedData {
  const fromFile = req.file ? requestFromMetadata(req.file.metadata, req.file.inputShape) : undefined;
  const splits = settingsOf(req);
  const ureq: UserDataRequest = {
    path: req.data,
    want: req.want,
    splits,
    ...(req.limit !== undefined ? { limit: req.limit } : {}),
    ...(fromFile ?? req.user ?? {}),
    text: { ...(fromFile?.text ?? req.user?.text ?? {}), ...(req.text ? { encoding: req.text } : {}) },
  };
  if (fromFile?.classes) ureq.classes = fromFile.classes;
  const d = loadUserData(ureq);
  const unit = d.kind === 'images' ? 'images' : d.kind === 'text' ? 'sentences' : 'examples';
  const make = (s: SplitName): Split | undefined => {
    const u = d.splits[s];
    if (!u) return undefined;
    const fraction = s === 'test' ? d.carved.test : d.carved.val;
    const origin = u.origin === 'carved' ? describeCarve(fraction!, splits.seed, s === 'test' ? 'the data' : d.carved.test !== undefined ? 'the data left after the test carve' : 'the training data') : undefined;
    return { dataset: d.name, split: s, splitName: s, ...(origin ? { origin } : {}), unit, x: u.x, y: u.y, count: u.count, full: u.full, shape: d.shape, classes: d.classes.length };
  };
  const out: LoadedData = { dataset: d.name, kind: d.kind, classes: d.classes, shape: d.shape, record: recordUserData(d, splits), user: d };
  for (const s of ['train', 'val', 'test'] as const) {
    const sp = make(s);
    if (sp) out[s] = sp;
  }
  return out;
}

/**
 * Loads the wanted splits of a built-in set or of the user's data (see the header). Throws
 * WpalDataError for data that cannot be read, RangeError for settings that do not fit the data.
 */
export function loadData(req: DataRequest): LoadedData {
  if (isBuiltinDataset(req.data)) return builtin(req as DataRequest & { data: BuiltinDataset });
  if (req.data === '') throw new WpalDataError('missing', 'no data given', {});
  return user(req);
}
