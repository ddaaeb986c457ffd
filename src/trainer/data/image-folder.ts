/**
 * Image folders: `root/<class>/**.png|jpg|jpeg` (one pool) or `root/{train,val,test}/<class>/...`
 * (train required; val and test optional). Class names are the folder names, sorted by code unit
 * (the label of a class is its index in that order, or in the model file's output labels when a
 * file is measured). Images may sit in subfolders of a class folder. Hidden entries (a leading dot)
 * are skipped and so are other files (README, .txt), counted in `ignored`. Files are listed in
 * code-unit order of their path, which fixes the pool order the carves depend on.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { WpalDataError } from './errors.js';
import { IMAGE_EXTENSIONS, decodeImage, imageToExample, type ImagePreprocessing } from './images.js';

export const SPLIT_FOLDERS = ['train', 'val', 'test'] as const;
export type SplitFolder = (typeof SPLIT_FOLDERS)[number];

/** The images of one split: absolute paths and the class folder each came from. */
export interface ImageList {
  /** The split's folder (root itself for a flat folder). */
  dir: string;
  files: string[];
  /** Class folder name of each file. */
  classNames: string[];
  /** Class folders in code-unit order. */
  classes: string[];
  /** Files skipped for not being .png / .jpg / .jpeg. */
  ignored: number;
}

export interface ImageFolder {
  root: string;
  /** 'splits' when root holds train/ (and maybe val/, test/); 'flat' when root holds the class folders. */
  layout: 'flat' | 'splits';
  splits: Partial<Record<SplitFolder, ImageList>>;
}

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function entries(dir: string): { name: string; dir: boolean }[] {
  let list;
  try {
    list = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    throw new WpalDataError('missing', `${dir}: cannot read the folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e, file: dir });
  }
  return list
    .filter((d) => !d.name.startsWith('.'))
    .map((d) => ({ name: d.name, dir: d.isDirectory() || (d.isSymbolicLink() && statSync(join(dir, d.name), { throwIfNoEntry: false })?.isDirectory() === true) }))
    .sort((a, b) => byCodeUnit(a.name, b.name));
}

function isImage(name: string): boolean {
  return (IMAGE_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase());
}

/** Every image under `dir` (recursively), sorted; `ignored` counts the other files. */
function walk(dir: string, out: string[], counts: { ignored: number }): void {
  for (const e of entries(dir)) {
    const p = join(dir, e.name);
    if (e.dir) walk(p, out, counts);
    else if (isImage(e.name)) out.push(p);
    else counts.ignored++;
  }
}

/** The class folders of `dir` and their images. Empty class folders and loose images are errors naming them. */
function listClasses(dir: string, what: string): ImageList {
  const list = entries(dir);
  const loose = list.filter((e) => !e.dir && isImage(e.name));
  if (loose.length > 0) {
    throw new WpalDataError('corrupt', `${join(dir, loose[0]!.name)}: an image directly in ${what} ${dir}; put every image in a folder named after its class (${dir}/<class>/${loose[0]!.name})`, { file: join(dir, loose[0]!.name) });
  }
  const classes = list.filter((e) => e.dir).map((e) => e.name);
  if (classes.length === 0) throw new WpalDataError('corrupt', `${dir}: no class folders in ${what}; expected ${dir}/<class>/*.png|jpg`, { file: dir });
  const files: string[] = [];
  const classNames: string[] = [];
  const counts = { ignored: list.length - classes.length };
  for (const c of classes) {
    const found: string[] = [];
    walk(join(dir, c), found, counts);
    if (found.length === 0) throw new WpalDataError('corrupt', `${join(dir, c)}: empty class "${c}": the folder holds no .png, .jpg or .jpeg image`, { file: join(dir, c) });
    for (const f of found) {
      files.push(f);
      classNames.push(c);
    }
  }
  return { dir, files, classNames, classes, ignored: counts.ignored };
}

/** Lists an image folder (see the header). Throws WpalDataError naming the folder or file at fault. */
export function listImageFolder(root: string): ImageFolder {
  const top = entries(root).filter((e) => e.dir);
  const splitDirs = top.filter((e) => (SPLIT_FOLDERS as readonly string[]).includes(e.name)).map((e) => e.name as SplitFolder);
  if (splitDirs.length === 0) return { root, layout: 'flat', splits: { train: listClasses(root, 'the image folder') } };
  const other = top.filter((e) => !(SPLIT_FOLDERS as readonly string[]).includes(e.name)).map((e) => e.name);
  if (other.length > 0) {
    throw new WpalDataError(
      'corrupt',
      `${root}: holds split folders (${splitDirs.join(', ')}) and other folders (${other.slice(0, 5).join(', ')}${other.length > 5 ? ', ...' : ''}); ` +
        'use either root/<class>/ or root/{train,val,test}/<class>/',
      { file: root },
    );
  }
  if (!splitDirs.includes('train')) throw new WpalDataError('corrupt', `${root}: holds ${splitDirs.join(', ')}/ but no train/ folder`, { file: join(root, 'train') });
  const splits: Partial<Record<SplitFolder, ImageList>> = {};
  for (const s of splitDirs) splits[s] = listClasses(join(root, s), `split folder ${s}/ of`);
  return { root, layout: 'splits', splits };
}

/**
 * Class index of every file of `list` under the class list `classes` (the training split's, or the
 * model file's output labels). A class folder that is not in `classes` is an error naming it.
 */
export function imageLabels(list: ImageList, classes: readonly string[]): Int32Array {
  const index = new Map(classes.map((c, i) => [c, i]));
  for (const c of list.classes) {
    if (!index.has(c)) {
      throw new WpalDataError('corrupt', `${join(list.dir, c)}: class "${c}" is not one of the ${classes.length} classes ${describeClasses(classes)}`, { file: join(list.dir, c) });
    }
  }
  return Int32Array.from(list.classNames, (c) => index.get(c)!);
}

/** "(cat, dog, ...)" */
export function describeClasses(classes: readonly string[]): string {
  return `(${classes.slice(0, 8).join(', ')}${classes.length > 8 ? `, ... ${classes.length - 8} more` : ''})`;
}

/** Decodes and preprocesses `files` into one NHWC (or NCHW, p.layout) Float32Array. Errors name the file. */
export function loadImages(files: readonly string[], p: ImagePreprocessing): Float32Array {
  const per = p.height * p.width * p.channels;
  const x = new Float32Array(files.length * per);
  const chw = p.layout === 'chw' && p.channels > 1;
  const hwc = chw ? new Float32Array(per) : undefined;
  files.forEach((f, i) => {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(f));
    } catch (e) {
      throw new WpalDataError('missing', `${f}: cannot read the image (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e, file: f });
    }
    const img = decodeImage(bytes, f);
    if (!hwc) return imageToExample(img, p, x, i * per);
    imageToExample(img, p, hwc, 0);
    const hw = p.height * p.width;
    for (let c = 0; c < p.channels; c++) for (let j = 0; j < hw; j++) x[i * per + c * hw + j] = hwc[j * p.channels + c]!;
  });
  return x;
}

/** The first image's size, for a default --image-size. */
export function firstImageSize(list: ImageList): { height: number; width: number; file: string } {
  const f = list.files[0]!;
  const img = decodeImage(new Uint8Array(readFileSync(f)), f);
  return { height: img.height, width: img.width, file: f };
}
