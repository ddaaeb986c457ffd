/**
 * The user's own data behind `--data PATH`: what the path is, its splits, its classes, and the
 * train / val / test examples as the engine and the runtime take them.
 *
 *   PATH                                   format         splits
 *   folder of class folders                image-folder   one pool
 *   folder with train/ [val/] [test/]      image-folder   as given
 *   folder with x_train.npy, y_train.npy   npy            train [val] [test] (x_val.npy ...)
 *   file.npz                               npz            the same keys
 *   folder with train.csv|tsv|jsonl        csv/tsv/jsonl  train [val.*] [test.*]
 *   file.csv | file.tsv | file.jsonl       csv/tsv/jsonl  one pool
 *
 * A split the data does not have is carved (split.ts): test first, from the pool (testFraction),
 * then val from what is left (valFraction, 0 = no val); training uses the rest. The carves depend
 * only on the pool's order, labels, fractions and seed, so eval and verify find the same test split
 * from the settings the model file records. `limit` keeps the first N of each split after carving.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { WpalDataError } from './errors.js';
import { readArraySet, type ArraySet } from './arrays.js';
import { describeClasses, firstImageSize, imageLabels, listImageFolder, loadImages, type SplitFolder } from './image-folder.js';
import { checkImagePreprocessing, type ImagePreprocessing } from './images.js';
import { TEXT_EXTENSIONS, parseTextTable, type TextColumns, type TextFormat, type TextTable } from './text-table.js';
import { hashedExamples, type HashedOptions } from './hashed.js';
import { carveStratified, valSeed, type SplitSettings } from './split.js';

export type UserDataFormat = 'image-folder' | 'npy' | 'npz' | TextFormat;
export type SplitName = SplitFolder;

/** How arrays are normalized: x' = (x x scale - mean[c]) / std[c], c = the last axis of [H, W, C] examples. */
export interface ArrayNormalization {
  scale: number;
  mean: readonly number[];
  std: readonly number[];
}

export interface UserDataRequest {
  path: string;
  /** The splits to build examples for (the others are only carved). */
  want: readonly SplitName[];
  splits: SplitSettings;
  /** Keep the first N examples of each split. */
  limit?: number;
  /** The classes, in label order, when a model file fixes them (its output labels); else from the training data. */
  classes?: readonly string[];
  /** Image folders: preprocessing (missing fields: defaults, see resolveImagePreprocessing). */
  image?: Partial<ImagePreprocessing>;
  /** NumPy data: normalization (default scale 1/255 for uint8 inputs, else 1; mean 0; std 1). */
  arrays?: Partial<ArrayNormalization>;
  /** Text: columns, and the model's word hashing (required for text data). */
  text?: { columns?: TextColumns; encoding?: HashedOptions };
}

export interface UserSplit {
  x: Float32Array;
  y: Int32Array;
  count: number;
  /** Examples in the whole split (count < full when limit cut it). */
  full: number;
  /** 'data': the data's own split; 'carved': taken from the pool. */
  origin: 'data' | 'carved';
}

export interface UserData {
  format: UserDataFormat;
  path: string;
  /** The data's name: the last part of the path. */
  name: string;
  kind: 'images' | 'arrays' | 'text';
  classes: string[];
  /** One example: [H, W, C] images, [F] or [H, W, C] arrays, [seq] text. */
  shape: number[];
  splits: Partial<Record<SplitName, UserSplit>>;
  /** Which splits were carved, with the settings used. */
  carved: { val?: number; test?: number; seed: number };
  image?: ImagePreprocessing;
  arrays?: ArrayNormalization;
  textColumns?: { text: string; label: string };
}

/** What `--data PATH` names: its format, or a WpalDataError saying what a path may be. */
export function detectUserData(path: string): UserDataFormat {
  const st = statSync(path, { throwIfNoEntry: false });
  const what = 'mnist, fashion-mnist, sst2, or the path of an image folder, a folder of .npy files, a .npz, or a .csv / .tsv / .jsonl file';
  if (!st) throw new WpalDataError('missing', `${path}: no such file or folder; --data takes ${what}`, { file: path });
  if (st.isFile()) {
    const ext = extname(path).toLowerCase();
    if (ext === '.npz') return 'npz';
    if (TEXT_EXTENSIONS[ext]) return TEXT_EXTENSIONS[ext]!;
    throw new WpalDataError('corrupt', `${path}: a ${ext || 'file without extension'}; --data takes ${what}`, { file: path });
  }
  if (existsSync(join(path, 'x_train.npy')) || existsSync(join(path, 'y_train.npy'))) return 'npy';
  const texts = textSplitFiles(path);
  if (texts.train) return TEXT_EXTENSIONS[extname(texts.train).toLowerCase()]!;
  return 'image-folder';
}

/** train.* / val.* / test.* text files of a folder (one per split at most). */
function textSplitFiles(dir: string): Partial<Record<SplitName, string>> {
  const out: Partial<Record<SplitName, string>> = {};
  for (const s of ['train', 'val', 'test'] as const) {
    const found = Object.keys(TEXT_EXTENSIONS).map((e) => join(dir, `${s}${e}`)).filter((f) => existsSync(f));
    if (found.length > 1) throw new WpalDataError('corrupt', `${dir}: holds ${found.map((f) => basename(f)).join(' and ')}; give one ${s} file`, { file: found[1]! });
    if (found.length) out[s] = found[0]!;
  }
  return out;
}

/** Labels "0".."K-1" (integers without leading zeros) name classes by number; any other label set sorts by code unit. */
export function classesOfLabels(labels: readonly string[]): string[] {
  const unique = [...new Set(labels)];
  if (unique.every((l) => /^(0|[1-9]\d{0,8})$/.test(l))) {
    const k = Math.max(...unique.map(Number)) + 1;
    return Array.from({ length: k }, (_, i) => String(i));
  }
  return unique.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** One source split before examples are built: labels (class indices) and a builder for chosen rows. */
interface Source {
  labels: Int32Array;
  /** Names the split in errors ("d/train/", "d/x_test.npy"). */
  from: string;
  build(rows: Uint32Array): Float32Array;
}

/** Every class must have a training example when the classes come from the training data. */
function checkNoEmptyClass(train: Source, classes: readonly string[], file: string): void {
  const n = new Int32Array(classes.length);
  for (const c of train.labels) n[c]!++;
  const empty = classes.filter((_, i) => n[i] === 0);
  if (empty.length) {
    throw new WpalDataError('corrupt', `${file}: empty class${empty.length > 1 ? 'es' : ''} ${empty.slice(0, 8).join(', ')}: no training example has ${empty.length > 1 ? 'these labels' : 'this label'} (classes ${describeClasses(classes)}); labels are 0..K-1 with every class present`, { file });
  }
}

/** Default image preprocessing: the first training image's size, RGB, stretch, scale 1/255, mean 0, std 1. */
function resolveImagePreprocessing(o: Partial<ImagePreprocessing>, first: () => { height: number; width: number }): ImagePreprocessing {
  const size = o.height !== undefined && o.width !== undefined ? { height: o.height, width: o.width } : first();
  // float32 values, as the file stores them: the file then reproduces the examples exactly.
  const f = (v: readonly number[]) => v.map(Math.fround);
  const p: ImagePreprocessing = { ...size, channels: o.channels ?? 3, resize: o.resize ?? 'stretch', scale: Math.fround(o.scale ?? 1 / 255), mean: f(o.mean ?? []), std: f(o.std ?? []), ...(o.layout === 'chw' ? { layout: 'chw' as const } : {}) };
  const bad = checkImagePreprocessing(p);
  if (bad) throw new RangeError(bad);
  return p;
}

function imageSources(req: UserDataRequest, out: Partial<UserData>): { sources: Partial<Record<SplitName, Source>>; classes: string[]; fileOfTrain: string } {
  const folder = listImageFolder(req.path);
  const classes = req.classes ? [...req.classes] : folder.splits.train!.classes;
  const image = resolveImagePreprocessing(req.image ?? {}, () => firstImageSize(folder.splits.train!));
  out.image = image;
  out.shape = image.layout === 'chw' ? [image.channels, image.height, image.width] : [image.height, image.width, image.channels];
  const sources: Partial<Record<SplitName, Source>> = {};
  for (const [s, list] of Object.entries(folder.splits) as [SplitName, NonNullable<(typeof folder.splits)['train']>][]) {
    const labels = imageLabels(list, classes);
    sources[s] = { labels, from: `${list.dir}/`, build: (rows) => loadImages(Array.from(rows, (r) => list.files[r]!), image) };
  }
  return { sources, classes, fileOfTrain: folder.splits.train!.dir };
}

function arraySources(req: UserDataRequest, format: 'npy' | 'npz', out: Partial<UserData>): { sources: Partial<Record<SplitName, Source>>; classes: string[]; fileOfTrain: string } {
  const set: ArraySet = readArraySet(req.path, format);
  const norm: ArrayNormalization = { scale: Math.fround(req.arrays?.scale ?? (set.uint8 ? 1 / 255 : 1)), mean: (req.arrays?.mean ?? []).map(Math.fround), std: (req.arrays?.std ?? []).map(Math.fround) };
  const C = set.shape.length === 3 ? set.shape[2]! : 1;
  for (const [name, v] of [['mean', norm.mean], ['std', norm.std]] as const) {
    if (v.length > 1 && v.length !== C) throw new RangeError(`${name} has ${v.length} values; give 1 or one per channel (the examples have ${C}, the last axis of (${set.shape.join(', ')}))`);
  }
  if (norm.std.some((s) => s === 0)) throw new RangeError('std holds 0 (a division by zero)');
  out.arrays = norm;
  out.shape = set.shape;
  const trainY = set.splits.train!.y;
  const classes = req.classes ? [...req.classes] : Array.from({ length: Math.max(...trainY) + 1 }, (_, i) => String(i));
  const sources: Partial<Record<SplitName, Source>> = {};
  const F = set.shape.reduce((a, b) => a * b, 1);
  for (const [s, pair] of Object.entries(set.splits) as [SplitName, NonNullable<ArraySet['splits']['train']>][]) {
    const bad = pair.y.findIndex((v) => v >= classes.length);
    if (bad >= 0) throw new WpalDataError('corrupt', `${pair.yFile}: label ${bad} is ${pair.y[bad]}, outside the ${classes.length} classes 0..${classes.length - 1}${req.classes ? ' of the model' : ' of y_train'}`, { file: pair.yFile.replace(/:[^:/\\]*$/, '') });
    sources[s] = {
      labels: pair.y,
      from: pair.xFile,
      build: (rows) => {
        const x = new Float32Array(rows.length * F);
        const mean = Array.from({ length: C }, (_, c) => (norm.mean.length === 0 ? 0 : norm.mean[norm.mean.length === 1 ? 0 : c]!));
        const std = Array.from({ length: C }, (_, c) => (norm.std.length === 0 ? 1 : norm.std[norm.std.length === 1 ? 0 : c]!));
        rows.forEach((r, i) => {
          const src = pair.x.data.subarray(r * F, (r + 1) * F);
          for (let j = 0; j < F; j++) x[i * F + j] = (src[j]! * norm.scale - mean[j % C]!) / std[j % C]!;
        });
        return x;
      },
    };
  }
  return { sources, classes, fileOfTrain: set.splits.train!.yFile };
}

function textSources(req: UserDataRequest, out: Partial<UserData>): { sources: Partial<Record<SplitName, Source>>; classes: string[]; fileOfTrain: string } {
  const enc = req.text?.encoding;
  if (!enc) throw new RangeError('text data needs the word hashing of a text model (seq, buckets)');
  const files: Partial<Record<SplitName, string>> = statSync(req.path).isFile() ? { train: req.path } : textSplitFiles(req.path);
  const tables: Partial<Record<SplitName, TextTable & { file: string }>> = {};
  for (const [s, f] of Object.entries(files) as [SplitName, string][]) {
    const ext = TEXT_EXTENSIONS[extname(f).toLowerCase()]!;
    tables[s] = { ...parseTextTable(new Uint8Array(readFileSync(f)), f, ext, req.text?.columns), file: f };
  }
  const train = tables.train!;
  out.textColumns = { text: train.textColumn, label: train.labelColumn };
  out.shape = [enc.seq];
  const classes = req.classes ? [...req.classes] : classesOfLabels(train.labels);
  const index = new Map(classes.map((c, i) => [c, i]));
  const sources: Partial<Record<SplitName, Source>> = {};
  for (const [s, t] of Object.entries(tables) as [SplitName, TextTable & { file: string }][]) {
    const labels = new Int32Array(t.labels.length);
    t.labels.forEach((l, i) => {
      // A model's classes may have names (negative, positive) where the file has indices (0, 1).
      const c = index.get(l) ?? (req.classes && /^\d{1,9}$/.test(l) && Number(l) < classes.length ? Number(l) : undefined);
      if (c === undefined) throw new WpalDataError('corrupt', `${t.file}:${t.lines[i]}: label ${JSON.stringify(l)} is not one of the ${classes.length} classes ${describeClasses(classes)}${req.classes ? ' of the model' : ' of the training file'}`, { file: t.file });
      labels[i] = c;
    });
    sources[s] = { labels, from: t.file, build: (rows) => hashedExamples(Array.from(rows, (r) => t.texts[r]!), new Int32Array(rows.length), enc).x };
  }
  return { sources, classes, fileOfTrain: train.file };
}

function iota(n: number): Uint32Array {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

/** Reads the user's data at req.path (see the header). Errors are WpalDataErrors naming the file, or RangeErrors for bad settings. */
export function loadUserData(req: UserDataRequest): UserData {
  const format = detectUserData(req.path);
  const out: Partial<UserData> = { format, path: req.path, name: basename(req.path.replace(/[\\/]+$/, '')) || req.path };
  const kind = format === 'image-folder' ? 'images' : format === 'npy' || format === 'npz' ? 'arrays' : 'text';
  const { sources, classes, fileOfTrain } =
    kind === 'images' ? imageSources(req, out) : kind === 'arrays' ? arraySources(req, format as 'npy' | 'npz', out) : textSources(req, out);
  if (classes.length < 2) throw new WpalDataError('corrupt', `${fileOfTrain}: ${classes.length} class ${describeClasses(classes)}; a classifier needs at least 2`, { file: fileOfTrain });
  if (!req.classes) checkNoEmptyClass(sources.train!, classes, fileOfTrain);
  // Carve what the data does not have: test from the pool, then val from the rest.
  const { valFraction, testFraction, seed } = req.splits;
  const train = sources.train!;
  let rows = iota(train.labels.length);
  const take = (r: Uint32Array, idx: Uint32Array) => Uint32Array.from(idx, (i) => r[i]!);
  const labelsAt = (r: Uint32Array) => Int32Array.from(r, (i) => train.labels[i]!);
  const chosen: Partial<Record<SplitName, { source: Source; rows: Uint32Array; origin: 'data' | 'carved' }>> = {};
  const carved: UserData['carved'] = { seed };
  for (const s of ['test', 'val'] as const) {
    if (sources[s]) {
      chosen[s] = { source: sources[s], rows: iota(sources[s].labels.length), origin: 'data' };
      continue;
    }
    const fraction = s === 'test' ? testFraction : valFraction;
    if (fraction <= 0) continue;
    const c = carveStratified(labelsAt(rows), classes.length, fraction, s === 'test' ? seed : valSeed(seed));
    if (c.held.length === 0) throw new WpalDataError('corrupt', `${train.from}: ${rows.length} examples are too few to carve ${+(fraction * 100).toFixed(2)}% as ${s}`, { file: fileOfTrain });
    chosen[s] = { source: train, rows: take(rows, c.held), origin: 'carved' };
    carved[s] = fraction;
    rows = take(rows, c.rest);
  }
  chosen.train = { source: train, rows, origin: 'data' };
  const splits: Partial<Record<SplitName, UserSplit>> = {};
  for (const s of req.want) {
    const c = chosen[s];
    if (!c) continue;
    const full = c.rows.length;
    const keep = req.limit !== undefined && req.limit < full ? c.rows.subarray(0, req.limit) : c.rows;
    splits[s] = { x: c.source.build(keep), y: Int32Array.from(keep, (r) => c.source.labels[r]!), count: keep.length, full, origin: c.origin };
  }
  return { ...(out as UserData), kind, classes, splits, carved };
}
