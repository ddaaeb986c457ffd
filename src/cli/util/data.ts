/**
 * Data options shared by train / compress / eval / verify, and loading train / val / test splits of a
 * built-in set or of the user's own data (src/trainer/data/load.ts) with an optional --limit.
 */
import type { OptionSpec } from './args.js';
import { CliError, UsageError } from './errors.js';
import { BUILTIN_DATASETS, isBuiltinDataset, loadData, type DataRequest, type LoadedData, type Split } from '../../trainer/data/load.js';
import { DATA_FORMAT, parseImageSize } from '../../trainer/data/meta.js';
import { SPLIT_DEFAULTS, type SplitSettings } from '../../trainer/data/split.js';
import type { UserDataRequest } from '../../trainer/data/user.js';
import { loadDataForModel, type ModelDataSource } from '../../trainer/data/for-model.js';

export { type Split, type LoadedData } from '../../trainer/data/load.js';
export { textEncodingOf } from '../../trainer/data/for-model.js';

export const DATASET_IDS = BUILTIN_DATASETS;
export type CliDataset = (typeof DATASET_IDS)[number];

export const DATA_OPTIONS: Record<string, OptionSpec> = {
  data: {
    type: 'string',
    value: 'NAME|PATH',
    description: 'data: mnist, fashion-mnist (LeNets), sst2 (the text classifier), or your own data: an image folder, a folder of .npy files, a .npz, or a .csv/.tsv/.jsonl file (a folder named like a built-in set: write ./mnist)',
  },
  'data-dir': {
    type: 'string',
    value: 'DIR',
    description: 'data directory holding mnist/, fashion-mnist/ and sst2/ (default: $WPAL_DATA, else ../shared/data)',
  },
};

/** How `wpal train` reads the user's data; compress, eval and verify take these from the model file. */
export const USER_DATA_OPTIONS: Record<string, OptionSpec> = {
  'image-size': { type: 'string', value: 'HxW', description: 'image folders: resize every image to H x W pixels (default: the size of the first training image)' },
  grayscale: { type: 'boolean', description: 'image folders: one gray channel (0.299 R + 0.587 G + 0.114 B) instead of R, G, B' },
  resize: { type: 'string', value: 'MODE', choices: ['stretch', 'crop'], description: 'image folders: stretch the whole image to H x W (default), or crop its center to the aspect ratio of H x W first' },
  scale: { type: 'number', value: 'X', description: 'inputs: x\' = (x * scale - mean) / std; default 1/255 for images and uint8 arrays (x = 0..255), else 1' },
  mean: { type: 'string', value: 'M[,M,M]', description: 'inputs: mean subtracted after scaling, one value or one per channel (default 0)' },
  std: { type: 'string', value: 'S[,S,S]', description: 'inputs: divisor after the mean, one value or one per channel (default 1)' },
  'text-column': { type: 'string', value: 'NAME', description: 'text files: the column (JSONL: key) holding the text (default text, else sentence)' },
  'label-column': { type: 'string', value: 'NAME', description: 'text files: the column (JSONL: key) holding the label (default label)' },
  'val-fraction': { type: 'number', value: 'F', min: 0, max: 0.9, description: `validation split carved from the training data when the data has no val split (default ${SPLIT_DEFAULTS.valFraction}; 0 = none)` },
  'test-fraction': { type: 'number', value: 'F', min: 0.01, max: 0.9, description: `your data: test split carved first when the data has no test split (default ${SPLIT_DEFAULTS.testFraction})` },
  'split-seed': { type: 'int', value: 'N', min: 0, max: 2 ** 32 - 1, description: `seed of the validation and test carves (default ${SPLIT_DEFAULTS.seed})` },
};

/** How a text model turns a sentence into ids (from its options or its file's metadata). */
export interface TextEncoding {
  seq: number;
  buckets: number;
}

function numbers(text: string, flag: string): number[] {
  const v = text.split(',').map((s) => (s.trim() === '' ? NaN : Number(s)));
  if (v.length > 3 || v.some((x) => !Number.isFinite(x))) throw new UsageError(`${flag} ${JSON.stringify(text)}: expected one number or one per channel, separated by commas`);
  return v;
}

/** The split settings of `wpal train`'s options. */
export function splitSettingsOf(o: Record<string, unknown>): SplitSettings {
  return {
    valFraction: (o['val-fraction'] as number | undefined) ?? SPLIT_DEFAULTS.valFraction,
    testFraction: (o['test-fraction'] as number | undefined) ?? SPLIT_DEFAULTS.testFraction,
    seed: (o['split-seed'] as number | undefined) ?? SPLIT_DEFAULTS.seed,
  };
}

/** The user-data reading options of `wpal train` (UsageError for malformed values or options that do not apply to the data). */
export function userOptionsOf(o: Record<string, unknown>, data: string): Pick<UserDataRequest, 'image' | 'arrays' | 'text'> {
  const given = Object.keys(USER_DATA_OPTIONS).filter((k) => o[k] !== undefined && !['val-fraction', 'split-seed'].includes(k));
  if (isBuiltinDataset(data)) {
    if (given.length) throw new UsageError(`--${given[0]} is for your own data; ${data} is read as published`);
    return {};
  }
  const image: UserDataRequest['image'] = {};
  if (o['image-size'] !== undefined) {
    const s = parseImageSize(o['image-size'] as string);
    if (!s || s[0] < 1 || s[1] < 1) throw new UsageError(`--image-size ${JSON.stringify(o['image-size'])}: expected HxW in pixels, e.g. 28x28`);
    [image.height, image.width] = s;
  }
  if (o['grayscale'] === true) image.channels = 1;
  if (o['resize'] !== undefined) image.resize = o['resize'] as 'stretch' | 'crop';
  const norm: { scale?: number; mean?: number[]; std?: number[] } = {};
  if (o['scale'] !== undefined) {
    if (o['scale'] === 0) throw new UsageError('--scale 0 would make every input the same');
    norm.scale = o['scale'] as number;
  }
  if (o['mean'] !== undefined) norm.mean = numbers(o['mean'] as string, '--mean');
  if (o['std'] !== undefined) {
    norm.std = numbers(o['std'] as string, '--std');
    if (norm.std.some((s) => s === 0)) throw new UsageError('--std holds 0 (a division by zero)');
  }
  const channels = image.channels ?? 3;
  for (const k of ['mean', 'std'] as const) {
    const v = norm[k];
    if (v && v.length !== 1 && v.length !== channels && image.channels !== undefined) throw new UsageError(`--${k} has ${v.length} values; give 1 or one per channel (${channels})`);
  }
  const columns = {
    ...(o['text-column'] !== undefined ? { text: o['text-column'] as string } : {}),
    ...(o['label-column'] !== undefined ? { label: o['label-column'] as string } : {}),
  };
  return { image: { ...image, ...norm }, arrays: norm, text: { columns } };
}

/** Options that make sense only for one kind of data: a UsageError when given for another. */
export function checkOptionsFitData(o: Record<string, unknown>, d: Pick<LoadedData, 'dataset' | 'kind'>): void {
  const only: Record<string, LoadedData['kind'][]> = {
    'image-size': ['images'], grayscale: ['images'], resize: ['images'],
    scale: ['images', 'arrays'], mean: ['images', 'arrays'], std: ['images', 'arrays'],
    'text-column': ['text'], 'label-column': ['text'],
  };
  for (const [k, kinds] of Object.entries(only)) {
    if (o[k] !== undefined && !kinds.includes(d.kind)) throw new UsageError(`--${k} does not apply to ${d.dataset}: it holds ${d.kind === 'arrays' ? 'NumPy arrays' : d.kind}`);
  }
}

/** loadData, with bad settings as usage errors. */
export function loadCliData(req: DataRequest): LoadedData {
  try {
    return loadData(req);
  } catch (e) {
    if (e instanceof RangeError) throw new UsageError(e.message);
    throw e;
  }
}

/**
 * Loads `split` of a built-in `dataset` (checking the published MD5s), keeping the first `limit`
 * examples when given. SST-2 needs the text encoding of the model (`text`); its 'test' split is dev.tsv.
 * The training split is all of it (no validation carve): calibration reads it.
 */
export function loadSplit(dataset: CliDataset, split: 'train' | 'test', dataDir: string | undefined, limit?: number, text?: TextEncoding): Split {
  if (dataset === 'sst2' && !text) throw new CliError('sst2 needs a text model (its seq and buckets) to encode the sentences');
  const d = loadData({ data: dataset, want: [split], splits: { ...SPLIT_DEFAULTS, valFraction: 0 }, ...(dataDir !== undefined ? { dataDir } : {}), ...(limit !== undefined ? { limit } : {}), ...(text ? { text } : {}) });
  return d[split]!;
}

/** "10,000 mnist test images", "872 sst2 dev sentences, first 100 of 872 (--limit)", "600 digits val images (carved: ...)". */
export function describeSplit(s: Split, correct?: number): string {
  const n = `${correct !== undefined ? `${correct.toLocaleString('en-US')}/` : ''}${s.count.toLocaleString('en-US')}`;
  const notes = [...(s.origin ? [s.origin] : []), ...(s.count < s.full ? [`first ${s.count} of ${s.full} (--limit)`] : [])];
  return `${n} ${s.dataset} ${s.splitName} ${s.unit}${notes.length ? `, ${notes.join('; ')}` : ''}`;
}

export function asDataset(name: unknown, what: string): CliDataset {
  if ((DATASET_IDS as readonly unknown[]).includes(name)) return name as CliDataset;
  throw new CliError(`${what} ${JSON.stringify(name)} is not a data set this command reads (${DATASET_IDS.join(', ')})`);
}

/**
 * The data a command measures (or fine-tunes) a model file on: --data, else the built-in set the
 * file records; the user's data is read as the file records it (preprocessing, classes, splits).
 */
export function dataForModel(model: ModelDataSource, file: string, o: Record<string, unknown>, want: DataRequest['want']): LoadedData {
  const props = model.metadata.properties;
  const name = (o['data'] as string | undefined) ?? props['accuracy_dataset'] ?? props['dataset'];
  if (name === undefined) throw new UsageError('--data is required (the file records no data set)');
  if (o['data'] === undefined && props[DATA_FORMAT] !== undefined) {
    throw new UsageError(`${file} was trained on your own data (${props[DATA_FORMAT]} "${name}"): give its path with --data PATH`);
  }
  if (o['data'] === undefined && !isBuiltinDataset(name)) throw new UsageError(`--data is required: ${file} records data set ${JSON.stringify(name)}, which is not one of ${DATASET_IDS.join(', ')}`);
  try {
    return loadDataForModel(model, { data: name, want, ...(o['data-dir'] !== undefined ? { dataDir: o['data-dir'] as string } : {}), ...(o['limit'] !== undefined ? { limit: o['limit'] as number } : {}) }, file);
  } catch (e) {
    if (e instanceof RangeError) throw new UsageError(e.message);
    throw e;
  }
}
