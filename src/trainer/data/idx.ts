/**
 * IDX reader for MNIST and Fashion-MNIST (the format of yann.lecun.com/exdb/mnist):
 *
 *   offset 0   u8 0, u8 0, u8 type (0x08 = unsigned byte), u8 ndim      magic 0x00000803 images / 0x00000801 labels
 *   offset 4   u32 big-endian dim[0] (count), then dim[1..ndim-1] (rows, cols)
 *   then       count * rows * cols unsigned bytes, row-major, nothing after them
 *
 * Files may be gzip-compressed (the published .gz) or not; gzip is recognised by its 1f 8b header.
 */
import { gunzipSync } from 'node:zlib';
import { DATASETS, type ImageDatasetId } from './catalog.js';
import { readDataFiles, type DataOptions } from './datadir.js';
import { WpalDataError } from './errors.js';

const MAGIC_IMAGES = 0x00000803;
const MAGIC_LABELS = 0x00000801;

export interface IdxImages {
  /** count * rows * cols pixels, 0..255, row-major (image, row, col). */
  readonly images: Uint8Array;
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
}

export interface IdxLabels {
  readonly labels: Uint8Array;
  readonly count: number;
}

const hex8 = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

function corrupt(source: string, what: string, cause?: unknown): WpalDataError {
  return new WpalDataError('corrupt', `${source}: ${what}`, { cause, file: source });
}

/** The IDX bytes: gunzipped if they start with the gzip header, else as given. */
function ungzip(bytes: Uint8Array, source: string): Uint8Array {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    return new Uint8Array(gunzipSync(bytes));
  } catch (e) {
    throw corrupt(source, `the gzip data is damaged (${(e as Error).message}); the file is truncated or not the published .gz: download it again`, e);
  }
}

/** Check magic and exact length; returns the dims. */
function header(bytes: Uint8Array, source: string, magic: number, kind: string): number[] {
  const ndim = magic & 0xff;
  const head = 4 + 4 * ndim;
  if (bytes.length < head) throw corrupt(source, `${bytes.length} bytes is too short for an IDX ${kind} header (${head} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const got = view.getUint32(0, false);
  if (got !== magic) {
    const other = got === MAGIC_IMAGES ? ' (that is an image file)' : got === MAGIC_LABELS ? ' (that is a label file)' : '';
    throw corrupt(source, `bad IDX magic ${hex8(got)}${other}; an IDX ${kind} file starts with ${hex8(magic)}`);
  }
  const dims: number[] = [];
  for (let i = 0; i < ndim; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const want = head + dims.reduce((a, b) => a * b, 1);
  if (bytes.length !== want) {
    throw corrupt(
      source,
      `wrong length: the header says ${dims.join(' x ')} ${kind}, which is ${want} bytes with the ${head}-byte header, ` +
        `but the data has ${bytes.length} bytes (${bytes.length < want ? 'truncated' : `${bytes.length - want} bytes too many`})`,
    );
  }
  return dims;
}

/** Parse an IDX image file (magic 0x00000803), gzip or not. `source` names the file in errors. */
export function readIdxImages(bytes: Uint8Array, source = 'IDX images'): IdxImages {
  const data = ungzip(bytes, source);
  const [count, rows, cols] = header(data, source, MAGIC_IMAGES, 'images') as [number, number, number];
  return { images: data.subarray(16), count, rows, cols };
}

/** Parse an IDX label file (magic 0x00000801), gzip or not. `source` names the file in errors. */
export function readIdxLabels(bytes: Uint8Array, source = 'IDX labels'): IdxLabels {
  const data = ungzip(bytes, source);
  const [count] = header(data, source, MAGIC_LABELS, 'labels') as [number];
  return { labels: data.subarray(8), count };
}

/** An image data set split, ready for training. */
export interface ImageDataset {
  /** count * 28 * 28 pixels scaled to [0, 1], NHWC (image, row, col, channel). */
  readonly x: Float32Array;
  /** Labels 0..9. */
  readonly y: Uint8Array;
  readonly count: number;
  /** Shape of one image, [H, W, C] as the runtime lays images out. */
  readonly shape: readonly [28, 28, 1];
  /** The files read (absolute paths), images then labels. */
  readonly files: readonly [string, string];
}

/**
 * Load MNIST or Fashion-MNIST ('train': 60000 images, 'test': 10000) from `<dataDir>/<name>/`.
 * Throws WpalDataError when a file is missing (naming it, its MD5 and where it is published), is not the
 * published file (MD5, unless verify: false) or does not parse.
 */
export function loadImageDataset(name: ImageDatasetId, split: 'train' | 'test', opts: DataOptions = {}): ImageDataset {
  const spec = DATASETS[name];
  if (!spec || (name !== 'mnist' && name !== 'fashion-mnist')) throw new TypeError(`unknown image data set ${JSON.stringify(name)}: use 'mnist' or 'fashion-mnist'`);
  if (split !== 'train' && split !== 'test') throw new TypeError(`unknown split ${JSON.stringify(split)}: use 'train' or 'test'`);
  const files = readDataFiles(spec, [`${split}-images`, `${split}-labels`], opts);
  const imgFile = files[0]!;
  const lblFile = files[1]!;
  const img = readIdxImages(imgFile.bytes, imgFile.path);
  const lbl = readIdxLabels(lblFile.bytes, lblFile.path);
  if (img.rows !== 28 || img.cols !== 28) throw corrupt(imgFile.path, `images are ${img.rows} x ${img.cols}; ${spec.title} images are 28 x 28`);
  if (img.count !== lbl.count) {
    throw corrupt(imgFile.path, `${img.count} images but ${lbl.count} labels in ${lblFile.path}: the two files are not from the same split`);
  }
  const expected = spec.files[`${split}-images`]!.count;
  if (opts.verify !== false && img.count !== expected) {
    throw corrupt(imgFile.path, `${img.count} images; the ${split} split of ${spec.title} has ${expected}`);
  }
  const y = lbl.labels;
  for (let i = 0; i < y.length; i++) {
    if (y[i]! > 9) throw corrupt(lblFile.path, `label ${i} is ${y[i]}; labels are 0..9`);
  }
  const scale = new Float32Array(256);
  for (let v = 0; v < 256; v++) scale[v] = v / 255;
  const px = img.images;
  const x = new Float32Array(px.length);
  for (let i = 0; i < px.length; i++) x[i] = scale[px[i]!]!;
  return { x, y, count: img.count, shape: [28, 28, 1], files: [imgFile.path, lblFile.path] };
}
