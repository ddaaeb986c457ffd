/**
 * The user's own data (src/trainer/data/user.ts and its readers): image folders written here with
 * pngjs / jpeg-js, .npy pairs and .npz files (fflate's zip writer), CSV / TSV / JSONL tables, the
 * seeded stratified carves, and the round trip of the preprocessing through a model file's metadata.
 * Expected pixel values come from the definitions (half-pixel bilinear, ITU-R 601 luma), not from
 * the code under test.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { encode as encodeJpeg } from 'jpeg-js';
import { zipSync } from 'fflate';
import { WpalDataError } from '../../src/trainer/data/errors.js';
import { loadUserData, classesOfLabels, type UserDataRequest } from '../../src/trainer/data/user.js';
import { carveStratified, SPLIT_DEFAULTS } from '../../src/trainer/data/split.js';
import { decodeImage, imageToExample, centerCrop, type ImagePreprocessing } from '../../src/trainer/data/images.js';
import { parseTextTable } from '../../src/trainer/data/text-table.js';
import { hashedExamples } from '../../src/trainer/data/hashed.js';
import { recordUserData, requestFromMetadata } from '../../src/trainer/data/meta.js';
import { loadData } from '../../src/trainer/data/load.js';
import { dataDirCandidates } from '../../src/trainer/data/datadir.js';
import { buildLeNet300100 } from '../../src/models/lenet.js';
import { readModel } from '../../src/format/read.js';

const skipReal = process.env['WPAL_SKIP_DATA'] === '1' && !dataDirCandidates().some((c) => existsSync(c.path));
const tmp = mkdtempSync(join(tmpdir(), 'wpal-userdata-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const fresh = (name = 'd') => {
  const d = join(tmp, `${name}${n++}`);
  mkdirSync(d, { recursive: true });
  return d;
};

/** A PNG of width x height from an RGBA function. */
function png(width: number, height: number, px: (x: number, y: number) => [number, number, number, number?]): Buffer {
  const p = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b, a = 255] = px(x, y);
      p.data.set([r, g, b, a], 4 * (y * width + x));
    }
  }
  return PNG.sync.write(p);
}

function jpeg(width: number, height: number, px: (x: number, y: number) => [number, number, number]): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([...px(x, y), 255], 4 * (y * width + x));
  return encodeJpeg({ data, width, height }, 95).data;
}

function write(root: string, files: Record<string, Uint8Array | string>): string {
  for (const [rel, bytes] of Object.entries(files)) {
    const p = join(root, rel);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, bytes);
  }
  return root;
}

/** A NumPy .npy (format 1.0, C order) written from the format's definition. */
function npy(shape: number[], values: ArrayLike<number>, descr = '<f4'): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  while ((10 + header.length + 1) % 64 !== 0) header += ' ';
  header += '\n';
  const size = Number(descr.slice(2));
  const body = new Uint8Array(values.length * size);
  const v = new DataView(body.buffer);
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (descr === '<f4') v.setFloat32(4 * i, x, true);
    else if (descr === '<f8') v.setFloat64(8 * i, x, true);
    else if (descr === '|u1') v.setUint8(i, x);
    else if (descr === '<i8') v.setBigInt64(8 * i, BigInt(x), true);
    else throw new Error(descr);
  }
  const out = new Uint8Array(10 + header.length + body.length);
  out.set([0x93, ...Buffer.from('NUMPY'), 1, 0, header.length & 0xff, header.length >> 8]);
  out.set(Buffer.from(header, 'latin1'), 10);
  out.set(body, 10 + header.length);
  return out;
}

function dataError(fn: () => unknown): WpalDataError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(WpalDataError);
    return e as WpalDataError;
  }
  throw new Error('expected a WpalDataError');
}

const req = (path: string, o: Partial<UserDataRequest> = {}): UserDataRequest => ({ path, want: ['train', 'val', 'test'], splits: SPLIT_DEFAULTS, ...o });

describe('images: decode, channels, resize, normalize', () => {
  const P = (o: Partial<ImagePreprocessing>): ImagePreprocessing => ({ height: 2, width: 2, channels: 3, resize: 'stretch', scale: 1, mean: [], std: [], ...o });
  const run = (bytes: Uint8Array, p: ImagePreprocessing) => {
    const out = new Float32Array(p.height * p.width * p.channels);
    imageToExample(decodeImage(bytes, 'x.png'), p, out, 0);
    return Array.from(out);
  };

  it('PNG and JPEG decode to the pixels written (JPEG within its loss), NHWC', () => {
    const f = (x: number, y: number): [number, number, number] => [10 + 100 * x, 20 + 100 * y, 200];
    expect(run(png(2, 2, f), P({}))).toEqual([10, 20, 200, 110, 20, 200, 10, 120, 200, 110, 120, 200]);
    const j = run(jpeg(8, 8, () => [200, 40, 90]), P({ height: 8, width: 8 }));
    for (let i = 0; i < j.length; i += 3) expect([j[i]!, j[i + 1]!, j[i + 2]!].map((v, k) => Math.abs(v - [200, 40, 90][k]!)).every((d) => d <= 3)).toBe(true);
  });

  it('gray: R when R = G = B, else 0.299 R + 0.587 G + 0.114 B; alpha dropped; gray PNGs expand', () => {
    expect(run(png(1, 1, () => [77, 77, 77, 0]), P({ height: 1, width: 1, channels: 1 }))).toEqual([77]);
    expect(run(png(1, 1, () => [100, 50, 200]), P({ height: 1, width: 1, channels: 1 }))[0]).toBeCloseTo(0.299 * 100 + 0.587 * 50 + 0.114 * 200, 4);
    const gray = PNG.sync.write({ width: 2, height: 1, data: Buffer.from([5, 250]) } as PNG, { colorType: 0, inputColorType: 0, inputHasAlpha: false });
    expect(run(gray, P({ height: 1, width: 2 }))).toEqual([5, 5, 5, 250, 250, 250]);
  });

  it('scale, mean, std per channel: (x * scale - mean[c]) / std[c]', () => {
    const out = run(png(1, 1, () => [255, 0, 51]), P({ height: 1, width: 1, scale: 1 / 255, mean: [0.5, 0.25, 0], std: [0.5, 0.25, 0.1] }));
    expect(out[0]).toBeCloseTo(1, 6);
    expect(out[1]).toBeCloseTo(-1, 6);
    expect(out[2]).toBeCloseTo(2, 5);
  });

  it('upscaling is half-pixel bilinear with clamped edges; the same size copies exactly', () => {
    const ramp = png(2, 1, (x) => [x * 100, 0, 0]);
    expect(run(ramp, P({ height: 1, width: 4 })).filter((_, i) => i % 3 === 0)).toEqual([0, 25, 75, 100]);
  });

  it('shrinking averages (antialiased): a 1-pixel checkerboard shrunk 8x is flat gray; a constant stays constant', () => {
    const board = png(64, 64, (x, y) => ((x + y) % 2 ? [255, 255, 255] : [0, 0, 0]));
    for (const v of run(board, P({ height: 8, width: 8, channels: 1 }))) expect(Math.abs(v - 127.5)).toBeLessThan(8);
    for (const v of run(png(7, 5, () => [9, 9, 9]), P({ height: 3, width: 4, channels: 1 }))) expect(v).toBeCloseTo(9, 4);
  });

  it("crop: the centered box of the target's aspect ratio", () => {
    expect(centerCrop(8, 4, 4, 4)).toEqual([2, 0, 4, 4]);
    expect(centerCrop(4, 10, 2, 4)).toEqual([0, 1, 4, 8]);
    const cols = png(8, 4, (x) => [x * 10, 0, 0]);
    expect(run(cols, P({ height: 4, width: 4, channels: 3, resize: 'crop' })).filter((_, i) => i % 3 === 0).slice(0, 4)).toEqual([20, 30, 40, 50]);
  });

  it('a file that is not an image, or a damaged one: WpalDataError naming it', () => {
    expect(dataError(() => decodeImage(new Uint8Array([1, 2, 3, 4]), '/d/a.png')).message).toBe('/d/a.png: not a PNG or JPEG image (it starts with 01 02 03 04)');
    const cut = png(4, 4, () => [1, 2, 3]).subarray(0, 40);
    const e = dataError(() => decodeImage(cut, '/d/b.png'));
    expect(e.message).toMatch(/^\/d\/b\.png: cannot decode the PNG \(.*\); the file is damaged or truncated$/);
    expect(e.file).toBe('/d/b.png');
    expect(dataError(() => decodeImage(new Uint8Array(0), '/d/c.jpg')).message).toContain('the file is empty');
  });
});

describe('image folders', () => {
  const red = () => png(6, 4, () => [220, 10, 10]);
  const blue = () => jpeg(6, 4, () => [10, 10, 220]);
  function flat(count = 20): string {
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i < count; i++) {
      files[`red/r${String(i).padStart(2, '0')}.png`] = red();
      files[`blue/sub/b${String(i).padStart(2, '0')}.JPG`] = blue();
    }
    return write(fresh('flat'), { ...files, 'README.txt': 'classes', 'red/.DS_Store': 'x' });
  }

  it('root/<class>/: classes sorted, images in subfolders, other files skipped; test then val carved, stratified', () => {
    const d = loadUserData(req(flat(), { image: { height: 4, width: 4 } }));
    expect(d.format).toBe('image-folder');
    expect(d.classes).toEqual(['blue', 'red']);
    expect(d.shape).toEqual([4, 4, 3]);
    expect(d.carved).toEqual({ test: 0.2, val: 0.1, seed: 1 });
    // 20 per class: 4 test, then round(16 x 0.1) = 2 val, 14 train
    expect([d.splits.train!.count, d.splits.val!.count, d.splits.test!.count]).toEqual([28, 4, 8]);
    for (const s of ['train', 'val', 'test'] as const) {
      const y = Array.from(d.splits[s]!.y);
      expect(y.filter((c) => c === 0).length).toBe(y.length / 2);
    }
    expect(d.splits.test!.origin).toBe('carved');
    const x = d.splits.train!.x;
    expect(x.length).toBe(28 * 48);
    // blue first (class 0): R ~ 10/255, B ~ 220/255 (JPEG loss)
    expect(Math.abs(x[2]! - 220 / 255)).toBeLessThan(0.02);
  });

  it('the carves are seeded: the same files every run, other files with another seed', () => {
    const root = flat();
    const a = loadUserData(req(root, { image: { height: 2, width: 2 }, want: ['test'] }));
    const b = loadUserData(req(root, { image: { height: 2, width: 2 }, want: ['test'] }));
    expect(Array.from(a.splits.test!.x)).toEqual(Array.from(b.splits.test!.x));
    const c = carveStratified(Int32Array.from({ length: 40 }, (_, i) => i % 2), 2, 0.25, 1);
    const c2 = carveStratified(Int32Array.from({ length: 40 }, (_, i) => i % 2), 2, 0.25, 2);
    expect(Array.from(c.held)).not.toEqual(Array.from(c2.held));
  });

  it('root/{train,val,test}/<class>/: the data\'s own splits, nothing carved; --limit keeps the first N', () => {
    const root = write(fresh('splits'), {
      'train/a/1.png': red(), 'train/a/2.png': red(), 'train/b/1.jpg': blue(), 'train/b/2.jpg': blue(),
      'val/a/1.png': red(), 'test/b/1.jpg': blue(), 'test/a/1.png': red(),
    });
    const d = loadUserData(req(root, { image: { height: 4, width: 6, channels: 1 } }));
    expect([d.splits.train!.count, d.splits.val!.count, d.splits.test!.count]).toEqual([4, 1, 2]);
    expect(d.carved).toEqual({ seed: 1 });
    expect(Array.from(d.splits.test!.y)).toEqual([0, 1]);
    const lim = loadUserData(req(root, { limit: 1, image: { height: 4, width: 6 } }));
    expect([lim.splits.train!.count, lim.splits.train!.full]).toEqual([1, 4]);
  });

  it('default size: the first training image\'s; classes fixed by a model keep their indices', () => {
    const root = flat(3);
    const d = loadUserData(req(root, { splits: { ...SPLIT_DEFAULTS, valFraction: 0, testFraction: 0.34 } }));
    expect(d.shape).toEqual([4, 6, 3]);
    const fixed = loadUserData(req(root, { classes: ['red', 'green', 'blue'], image: { height: 1, width: 1 }, splits: { ...SPLIT_DEFAULTS, valFraction: 0, testFraction: 0.34 } }));
    expect(new Set(fixed.splits.train!.y)).toEqual(new Set([0, 2]));
    expect(dataError(() => loadUserData(req(root, { image: { height: 1, width: 1 } }))).message).toMatch(/flat\d+\/: 4 examples are too few to carve 10% as val$/);
  });

  it('bad folders: errors name the folder or file at fault', () => {
    const empty = write(fresh('empty'), { 'a/1.png': red(), 'b/notes.txt': 'no images' });
    expect(dataError(() => loadUserData(req(empty))).message).toMatch(/\/b: empty class "b": the folder holds no \.png, \.jpg or \.jpeg image$/);
    const loose = write(fresh('loose'), { 'a/1.png': red(), 'x.png': red() });
    expect(dataError(() => loadUserData(req(loose))).message).toMatch(/x\.png: an image directly in the image folder .*put every image in a folder named after its class/);
    const mixed = write(fresh('mixed'), { 'train/a/1.png': red(), 'cats/1.png': red() });
    expect(dataError(() => loadUserData(req(mixed))).message).toMatch(/holds split folders \(train\) and other folders \(cats\)/);
    const noTrain = write(fresh('notrain'), { 'test/a/1.png': red() });
    expect(dataError(() => loadUserData(req(noTrain))).message).toMatch(/holds test\/ but no train\/ folder/);
    const stranger = write(fresh('stranger'), { 'train/a/1.png': red(), 'train/b/1.png': red(), 'test/c/1.png': red() });
    const e = dataError(() => loadUserData(req(stranger, { image: { height: 2, width: 2 } })));
    expect(e.message).toMatch(/test\/c: class "c" is not one of the 2 classes \(a, b\)$/);
    const broken = write(fresh('broken'), { 'a/1.png': red(), 'a/2.png': red(), 'b/1.png': red(), 'b/2.png': new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0, 1]) });
    const b = dataError(() => loadUserData(req(broken, { image: { height: 2, width: 2 }, splits: { ...SPLIT_DEFAULTS, valFraction: 0, testFraction: 0.5 } })));
    expect(b.message).toMatch(/\/b\/2\.png: cannot decode the PNG/);
    expect(b.file).toMatch(/\/b\/2\.png$/);
    const one = write(fresh('one'), { 'a/1.png': red(), 'a/2.png': red() });
    expect(dataError(() => loadUserData(req(one))).message).toMatch(/1 class \(a\); a classifier needs at least 2/);
    expect(dataError(() => loadUserData(req(join(tmp, 'nowhere')))).message).toMatch(/nowhere: no such file or folder; --data takes mnist, fashion-mnist, sst2, or the path of/);
  });
});

describe('NumPy arrays', () => {
  const xs = (n: number, per: number) => Float32Array.from({ length: n * per }, (_, i) => (i % 251) / 10);
  const ys = (n: number, k: number) => Int32Array.from({ length: n }, (_, i) => i % k);

  it('a folder of .npy pairs: (N, H, W) becomes [H, W, 1], labels as stored, test split the data\'s own, val carved', () => {
    const root = write(fresh('npy'), {
      'x_train.npy': npy([30, 4, 5], xs(30, 20)), 'y_train.npy': npy([30], ys(30, 3), '<i8'),
      'x_test.npy': npy([6, 4, 5], xs(6, 20)), 'y_test.npy': npy([6, 1], ys(6, 3), '<f8'),
    });
    const d = loadUserData(req(root, { arrays: { scale: 2, mean: [1], std: [4] } }));
    expect(d.format).toBe('npy');
    expect(d.shape).toEqual([4, 5, 1]);
    expect(d.classes).toEqual(['0', '1', '2']);
    expect([d.splits.train!.count, d.splits.val!.count, d.splits.test!.count]).toEqual([27, 3, 6]);
    expect(d.carved).toEqual({ val: 0.1, seed: 1 });
    expect(Array.from(d.splits.test!.y)).toEqual([0, 1, 2, 0, 1, 2]);
    expect(d.splits.test!.x[1]).toBeCloseTo((0.1 * 2 - 1) / 4, 6);
  });

  it('uint8 inputs are scaled by 1/255 by default; a .npz (stored or deflated) holds the same keys', () => {
    const u8 = Uint8Array.from({ length: 40 * 3 }, (_, i) => (i * 7) % 256);
    const entries = { 'x_train.npy': npy([40, 3], u8, '|u1'), 'y_train.npy': npy([40], ys(40, 2), '<i8') };
    for (const level of [0, 6] as const) {
      const file = join(fresh('npz'), 'd.npz');
      writeFileSync(file, zipSync(entries, { level }));
      const d = loadUserData(req(file, { splits: { ...SPLIT_DEFAULTS, valFraction: 0 } }));
      expect(d.format).toBe('npz');
      expect(d.shape).toEqual([3]);
      expect(d.arrays!.scale).toBe(Math.fround(1 / 255));
      expect([d.splits.train!.count, d.splits.test!.count]).toEqual([32, 8]);
      expect(d.splits.train!.x.every((v) => v >= 0 && v <= 1)).toBe(true);
    }
  });

  it('bad arrays: errors name the file', () => {
    const base = { 'x_train.npy': npy([10, 2], xs(10, 2)), 'y_train.npy': npy([10], ys(10, 2), '<i8') };
    const msg = (files: Record<string, Uint8Array>) => dataError(() => loadUserData(req(write(fresh('bad'), files)))).message;
    expect(msg({ ...base, 'y_train.npy': npy([9], ys(9, 2), '<i8') })).toMatch(/x_train\.npy: 10 examples but 9 labels in .*y_train\.npy$/);
    expect(msg({ ...base, 'x_test.npy': npy([4, 3], xs(4, 3)), 'y_test.npy': npy([4], ys(4, 2), '<i8') })).toMatch(/x_test\.npy: examples of shape \(3\); x_train's are \(2\)$/);
    expect(msg({ ...base, 'x_test.npy': npy([4, 2], xs(4, 2)), 'y_test.npy': npy([4], [0, 1, 5, 1], '<i8') })).toMatch(/y_test\.npy: label 2 is 5, outside the 2 classes 0\.\.1 of y_train$/);
    expect(msg({ ...base, 'y_train.npy': npy([10], [0, 2, 0, 2, 0, 2, 0, 2, 0, 2], '<i8') })).toMatch(/y_train\.npy: empty class 1: no training example has this label/);
    expect(msg({ ...base, 'y_train.npy': npy([10], [0, 1, 0.5, 1, 0, 1, 0, 1, 0, 1], '<f4') })).toMatch(/y_train\.npy: label 2 is 0\.5, not an integer class index$/);
    expect(msg({ ...base, 'y_train.npy': npy([10], [0, 1, -1, 1, 0, 1, 0, 1, 0, 1], '<i8') })).toMatch(/y_train\.npy: label 2 is -1; labels are class indices/);
    expect(msg({ ...base, 'x_val.npy': npy([2, 2], xs(2, 2)) })).toMatch(/y_val\.npy: missing; x_val is there, and a split needs both$/);
    expect(msg({ ...base, 'x_train.npy': new Uint8Array([1, 2, 3]) })).toMatch(/x_train\.npy: not a NumPy \.npy array/);
    expect(msg({ 'x_train.npy': base['x_train.npy'] })).toMatch(/no y_train\.npy; NumPy data needs x_train and y_train/);
    const npzFile = join(fresh('npz'), 'e.npz');
    writeFileSync(npzFile, zipSync({ 'x.npy': npy([2], [1, 2]) }));
    expect(dataError(() => loadUserData(req(npzFile))).message).toMatch(/e\.npz: no x_train; .* the \.npz holds x$/);
    writeFileSync(npzFile, 'not a zip');
    expect(dataError(() => loadUserData(req(npzFile))).message).toMatch(/e\.npz: not a readable \.npz \(zip\) file/);
  });
});

describe('text tables', () => {
  const enc = { seq: 8, buckets: 97 };
  const textReq = (path: string, o: Partial<UserDataRequest> = {}) => req(path, { text: { encoding: enc }, ...o });

  it('CSV: quoted fields with commas, newlines and doubled quotes; CRLF; a BOM', () => {
    const csv = '\ufeffid,text,label\r\n1,"good, really ""good""",pos\r\n2,"bad\nline",neg\r\n3,plain,pos\r\n';
    const t = parseTextTable(Buffer.from(csv), 'r.csv', 'csv');
    expect(t.texts).toEqual(['good, really "good"', 'bad\nline', 'plain']);
    expect(t.labels).toEqual(['pos', 'neg', 'pos']);
    expect(t.lines).toEqual([2, 3, 5]);
  });

  it('TSV (no quoting) and JSONL; column flags; classes: 0..K-1 by number, other labels sorted', () => {
    const tsv = parseTextTable(Buffer.from('sentence\tstars\n"so" good\t3\nmeh\t10\n'), 't.tsv', 'tsv', { label: 'stars' });
    expect(tsv).toMatchObject({ texts: ['"so" good', 'meh'], labels: ['3', '10'], textColumn: 'sentence', labelColumn: 'stars' });
    const jl = parseTextTable(Buffer.from('{"review":"fine","y":1}\n\n{"review":"awful","y":0}\n'), 'j.jsonl', 'jsonl', { text: 'review', label: 'y' });
    expect(jl.texts).toEqual(['fine', 'awful']);
    expect(jl.labels).toEqual(['1', '0']);
    expect(classesOfLabels(['2', '0', '1', '0'])).toEqual(['0', '1', '2']);
    expect(classesOfLabels(['pos', 'neg', 'Neutral'])).toEqual(['Neutral', 'neg', 'pos']);
    expect(classesOfLabels(['1', '01'])).toEqual(['01', '1']);
  });

  it('words are hashed exactly as the SST-2 path does (hashedExamples)', () => {
    const rows = Array.from({ length: 20 }, (_, i) => `${i % 2 ? 'great fun' : "isn't good"} movie number ${i}`);
    const file = join(fresh('t'), 'r.jsonl');
    writeFileSync(file, rows.map((t, i) => JSON.stringify({ text: t, label: i % 2 ? 'pos' : 'neg' })).join('\n'));
    const d = loadUserData(textReq(file, { splits: { seed: 1, valFraction: 0, testFraction: 0.2 } }));
    expect(d.classes).toEqual(['neg', 'pos']);
    expect(d.shape).toEqual([8]);
    const train = d.splits.train!;
    const texts = rows.filter((_, i) => !new Set([...carveStratified(rows.map((_, j) => j % 2), 2, 0.2, 1).held]).has(i));
    expect(Array.from(train.x)).toEqual(Array.from(hashedExamples(texts, new Int32Array(texts.length), enc).x));
  });

  it('a folder with train.csv and test.csv; a label of the test file that training never saw names file and line', () => {
    const root = write(fresh('tx'), { 'train.csv': 'text,label\na,x\nb,y\nc,x\nd,y\n', 'test.csv': 'text,label\ne,x\nf,z\n' });
    expect(dataError(() => loadUserData(textReq(root))).message).toMatch(/test\.csv:3: label "z" is not one of the 2 classes \(x, y\) of the training file$/);
    const gap = write(fresh('tx'), { 'train.csv': 'text,label\na,0\nb,2\nc,0\nd,2\n' });
    expect(dataError(() => loadUserData(textReq(gap))).message).toMatch(/train\.csv: empty class 1: no training example has this label \(classes \(0, 1, 2\)\)/);
    const two = write(fresh('tx'), { 'train.csv': 'text,label\na,1\n', 'train.tsv': 'text\tlabel\n' });
    expect(dataError(() => loadUserData(textReq(two))).message).toMatch(/holds train\.csv and train\.tsv; give one train file/);
  });

  it('bad tables: file and line', () => {
    const bad = (text: string, fmt: 'csv' | 'tsv' | 'jsonl' = 'csv', cols = {}) => dataError(() => parseTextTable(Buffer.from(text), 'f', fmt, cols)).message;
    expect(bad('words,label\na,1\n')).toBe('f: no text column "text" or "sentence" (columns: "words", "label"); choose one with --text-column');
    expect(bad('text,label\na,1\n', 'csv', { label: 'y' })).toBe('f: no label column "y" (columns: "text", "label"); choose one with --label-column');
    expect(bad('text,label\na,1,2\n')).toBe('f:2: 3 fields; the header has 2');
    expect(bad('text\tlabel\na\tb\t1\n', 'tsv')).toBe('f:2: 3 fields; the header has 2 (TSV has no quoting: a tab inside a text splits it)');
    expect(bad('text,label\n"open,1\n')).toBe('f:2: a quoted field is never closed (a missing ")');
    expect(bad('text,label\n"a"b,1\n')).toMatch(/^f:2: text after a closing quote/);
    expect(bad('text,label\na,\n')).toBe('f:2: empty label (column "label")');
    expect(bad('text,label\n')).toBe('f: holds a header but no rows');
    expect(bad('{"text":"a","label":1}\n{"text":"b"\n', 'jsonl')).toMatch(/^f:2: not a JSON object/);
    expect(bad('{"text":3,"label":1}\n', 'jsonl')).toBe('f:1: "text" is a number, not a string');
    expect(bad('{"text":"a","label":1.5}\n', 'jsonl')).toBe('f:1: "label" is 1.5; a label is an integer or a non-empty string');
    expect(dataError(() => parseTextTable(new Uint8Array([0x74, 0xff, 0xfe]), 'f', 'csv')).message).toBe('f: not valid UTF-8 text');
  });
});

describe('carveStratified', () => {
  it('each class gives round(n x fraction), at most n - 1; held and rest partition the pool in order', () => {
    const labels = Int32Array.from([...Array(50).fill(0), ...Array(7).fill(1), 2]);
    const c = carveStratified(labels, 3, 0.2, 7);
    const count = (idx: Uint32Array, k: number) => Array.from(idx).filter((i) => labels[i] === k).length;
    expect([count(c.held, 0), count(c.held, 1), count(c.held, 2)]).toEqual([10, 1, 0]);
    expect([...c.held, ...c.rest].sort((a, b) => a - b)).toEqual(Array.from({ length: labels.length }, (_, i) => i));
    expect(Array.from(c.held)).toEqual([...c.held].sort((a, b) => a - b));
    expect(carveStratified(Int32Array.from([0, 1]), 2, 0.5, 1).held.length).toBe(0);
  });
});

describe('the preprocessing round trip through a model file', () => {
  it('a file records how the data was read; the request from its metadata reads the same test examples', () => {
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i < 12; i++) {
      files[`cat/${i}.png`] = png(10, 6, (x) => [20 * x, 100, 30]);
      files[`dog/${i}.jpg`] = jpeg(7, 9, (_, y) => [200, 10 * y, 60]);
    }
    const root = write(fresh('rt'), files);
    const splits = { valFraction: 0.25, testFraction: 0.3, seed: 9 };
    const image = { height: 8, width: 8, channels: 1 as const, resize: 'crop' as const, scale: 1 / 255, mean: [0.3], std: [0.2] };
    const d = loadUserData(req(root, { splits, image }));
    const rec = recordUserData(d, splits);
    expect(rec.properties).toEqual({ data_format: 'image-folder', image_size: '8x8', image_channels: '1', image_resize: 'crop', split_seed: '9', test_fraction: '0.3', val_fraction: '0.25' });
    expect(rec.outputLabels).toEqual(['cat', 'dog']);
    const bytes = buildLeNet300100({ inputSize: 64, hidden: [4], classes: 2, properties: rec.properties, preprocessing: rec.preprocessing!, outputLabels: rec.outputLabels! }).bytes;
    const meta = readModel(bytes).metadata;
    expect(meta.preprocessing).toEqual({ layout: 'HWC', scale: Math.fround(1 / 255), mean: [Math.fround(0.3)], std: [Math.fround(0.2)] });
    const again = loadUserData({ path: root, want: ['test'], ...requestFromMetadata(meta, [64]) });
    expect(again.splits.test!.count).toBe(d.splits.test!.count);
    expect(Array.from(again.splits.test!.y)).toEqual(Array.from(d.splits.test!.y));
    expect(Array.from(again.splits.test!.x)).toEqual(Array.from(d.splits.test!.x)); // bit for bit: float32 settings on both sides
  });

  it('a channel-first model (input [C, H, W], as imported from PyTorch) reads the folder as CHW, and its file records it', () => {
    const files: Record<string, Uint8Array> = {};
    // pixel (x, y): R = 10 x, G = 100 + y, B = 7
    for (let i = 0; i < 20; i++) for (const k of ['a', 'b']) files[`${k}/${i}.png`] = png(5, 3, (x, y) => [10 * x, 100 + y, 7]);
    const root = write(fresh('chw'), files);
    const meta = { outputLabels: [], properties: {} };
    const rgb = loadUserData({ path: root, want: ['train'], ...requestFromMetadata(meta, [3, 3, 5]) });
    expect(rgb.shape).toEqual([3, 3, 5]);
    const x = rgb.splits.train!.x.subarray(0, 45);
    // channel planes: all R values first (row-major), then G, then B
    const want = [...Array.from({ length: 15 }, (_, j) => (10 * (j % 5)) / 255), ...Array.from({ length: 15 }, (_, j) => (100 + Math.floor(j / 5)) / 255), ...Array(15).fill(7 / 255)];
    want.forEach((v, j) => expect(x[j]).toBeCloseTo(v, 6));
    const rec = recordUserData(rgb, SPLIT_DEFAULTS);
    expect(rec.preprocessing!.layout).toBe('CHW');
    // the record read back gives the same layout whatever the input shape looks like
    const again = requestFromMetadata({ outputLabels: [], properties: rec.properties, preprocessing: { layout: 'CHW', scale: rec.preprocessing!.scale!, mean: [], std: [] } }, [3, 3, 5]);
    expect(again.image!.layout).toBe('chw');
    // gray [1, H, W]: one plane, the same values as HWC [H, W, 1]
    const gray = loadUserData({ path: root, want: ['train'], ...requestFromMetadata(meta, [1, 3, 5]) });
    expect(gray.shape).toEqual([1, 3, 5]);
    const hwc = loadUserData({ path: root, want: ['train'], ...requestFromMetadata(meta, [3, 5, 1]) });
    expect(Array.from(gray.splits.train!.x)).toEqual(Array.from(hwc.splits.train!.x));
  });

  it.skipIf(skipReal)('built-in sets get a validation split too: carved from train, stratified, the test split untouched', () => {
    const d = loadData({ data: 'mnist', want: ['train', 'val', 'test'], limit: 500 });
    expect([d.train!.full, d.val!.full, d.test!.full]).toEqual([54000, 6000, 10000]);
    expect([d.train!.count, d.val!.count, d.test!.count]).toEqual([500, 500, 500]);
    expect(d.val!.origin).toBe('carved: 10% of the training data, seed 1, stratified');
    expect(d.record).toEqual({ properties: {}, preprocessing: { scale: Math.fround(1 / 255) } });
  });
});
