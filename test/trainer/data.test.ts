/**
 * Data-set readers on the real files (../shared/data, or WPAL_DATA) and on damaged copies in a temp dir.
 * A missing data directory fails these tests with the loader's own error; only WPAL_SKIP_DATA=1 skips them.
 * Expected values are facts about the published data sets (counts, label histograms, first labels, the
 * usual normalisation constants), not outputs of this reader.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CLS_ID,
  DATASETS,
  PAD_ID,
  UNK_ID,
  WpalDataError,
  buildVocab,
  clearVerifyCache,
  dataDirCandidates,
  decode,
  encode,
  encodeBatch,
  loadImageDataset,
  loadSst2,
  loadSst2Test,
  parseSst2Tsv,
  readDataFiles,
  readIdxImages,
  readIdxLabels,
  resolveDataDir,
  tokenize,
  vocabFromJson,
  vocabToJson,
  type ImageDataset,
  type Sst2Split,
} from '../../src/trainer/data/index.js';
import { WpalError } from '../../src/format/errors.js';

const realDir = dataDirCandidates().find((c) => existsSync(c.path))?.path ?? dataDirCandidates()[0]!.path;
const skipReal = process.env['WPAL_SKIP_DATA'] === '1' && !existsSync(realDir);

const tmpRoot = mkdtempSync(join(tmpdir(), 'wpal-data-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));
let tmpCount = 0;
/** A fresh data dir under the temp root with the given files: { 'mnist/x.gz': bytes | path to copy }. */
function tmpDataDir(files: Record<string, Uint8Array | string> = {}): string {
  const dir = join(tmpRoot, `d${tmpCount++}`);
  mkdirSync(dir);
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(join(dir, rel.split('/')[0]!), { recursive: true });
    if (typeof content === 'string') copyFileSync(content, join(dir, rel));
    else writeFileSync(join(dir, rel), content);
  }
  return dir;
}
/** A real file's path; when there is no data directory, this throws the loader's error naming the places looked at. */
const real = (rel: string) => join(resolveDataDir(), rel);

/** The WpalDataError fn throws (fails the test if it throws nothing or something else). */
function dataError(fn: () => unknown): WpalDataError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(WpalDataError);
    expect(e).toBeInstanceOf(WpalError);
    expect((e as WpalDataError).code).toBe('WPAL_DATA');
    return e as WpalDataError;
  }
  throw new Error('expected a WpalDataError, nothing was thrown');
}

/** IDX bytes: magic, big-endian dims, then the payload. */
function idxBytes(magic: number, dims: number[], payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + payload.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, magic);
  dims.forEach((d, i) => v.setUint32(4 + 4 * i, d));
  out.set(payload, 4 + 4 * dims.length);
  return out;
}

function histogram(y: Uint8Array): number[] {
  const h = new Array<number>(10).fill(0);
  for (const v of y) h[v]!++;
  return h;
}

function checkImages(d: ImageDataset, count: number): { mean: number; std: number } {
  expect(d.count).toBe(count);
  expect(d.shape).toEqual([28, 28, 1]);
  expect(d.x.length).toBe(count * 784);
  expect(d.y.length).toBe(count);
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let sq = 0;
  let offGrid = 0;
  for (let i = 0; i < d.x.length; i++) {
    const v = d.x[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    sq += v * v;
    if (Math.abs(v * 255 - Math.round(v * 255)) > 1e-4) offGrid++;
  }
  expect([min, max]).toEqual([0, 1]);
  expect(offGrid).toBe(0); // every value is k/255
  const mean = sum / d.x.length;
  return { mean, std: Math.sqrt(sq / d.x.length - mean * mean) };
}

describe.skipIf(skipReal)('real data: MNIST and Fashion-MNIST', () => {
  it('MNIST train: 60000 images, known label histogram, first label 5, mean/std 0.1307/0.3081', () => {
    clearVerifyCache();
    const t0 = performance.now();
    const d = loadImageDataset('mnist', 'train');
    console.log(`load mnist train (gunzip + MD5 + scale): ${(performance.now() - t0).toFixed(0)} ms`);
    const { mean, std } = checkImages(d, 60000);
    expect(histogram(d.y)).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    expect(d.y[0]).toBe(5);
    expect(mean).toBeCloseTo(0.1307, 4);
    expect(std).toBeCloseTo(0.3081, 4);
    expect(d.files[0]).toBe(real('mnist/train-images-idx3-ubyte.gz'));
  });

  it('MNIST test: 10000 images, known label histogram, first label 7', () => {
    const d = loadImageDataset('mnist', 'test', { dataDir: realDir });
    checkImages(d, 10000);
    expect(histogram(d.y)).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    expect(d.y[0]).toBe(7);
    // the first test image is a 7: ink in the top bar (row 7) and none in the corners
    const px = (r: number, c: number) => d.x[r * 28 + c]!;
    expect(px(0, 0) + px(0, 27) + px(27, 0) + px(27, 27)).toBe(0);
    expect(Array.from({ length: 28 }, (_, c) => px(7, c)).some((v) => v > 0.5)).toBe(true);
  });

  it('Fashion-MNIST train and test: 6000 / 1000 per class, first labels ankle boot (9), mean/std 0.2860/0.3530', () => {
    const t0 = performance.now();
    const tr = loadImageDataset('fashion-mnist', 'train');
    console.log(`load fashion-mnist train (gunzip + MD5 + scale): ${(performance.now() - t0).toFixed(0)} ms`);
    const { mean, std } = checkImages(tr, 60000);
    expect(histogram(tr.y)).toEqual(new Array(10).fill(6000));
    expect(tr.y[0]).toBe(9);
    expect(mean).toBeCloseTo(0.286, 3);
    expect(std).toBeCloseTo(0.353, 3);
    const te = loadImageDataset('fashion-mnist', 'test');
    checkImages(te, 10000);
    expect(histogram(te.y)).toEqual(new Array(10).fill(1000));
    expect(te.y[0]).toBe(9);
  });

  it('every published file passes its MD5; the verdict is cached per path+size+mtime', () => {
    clearVerifyCache();
    for (const id of ['mnist', 'fashion-mnist', 'sst2'] as const) {
      const spec = DATASETS[id];
      for (const key of Object.keys(spec.files)) {
        if (key.endsWith('images')) continue; // the image files were hashed by the loads above (and cost ~100 ms each)
        const [f] = readDataFiles(spec, [key]);
        expect(f!.md5).toBe('hashed');
        expect(f!.bytes.length).toBe(spec.files[key]!.bytes);
      }
    }
    expect(readDataFiles(DATASETS.mnist, ['test-labels'])[0]!.md5).toBe('cached');
    expect(readDataFiles(DATASETS.mnist, ['test-labels'], { verify: false })[0]!.md5).toBe('skipped');
    const images = readDataFiles(DATASETS.mnist, ['test-images'])[0]!;
    expect(images.md5).toBe('hashed');
    expect(images.gzip).toBe(true);
  });

  it('an IDX file read without gzip: the decompressed form is accepted and checked against its own MD5', () => {
    const raw = gunzipSync(readFileSync(real('mnist/t10k-labels-idx1-ubyte.gz')));
    const dir = tmpDataDir({ 'mnist/t10k-labels-idx1-ubyte': raw });
    const [f] = readDataFiles(DATASETS.mnist, ['test-labels'], { dataDir: dir });
    expect(f!.gzip).toBe(false);
    expect(f!.md5).toBe('hashed');
    const lbl = readIdxLabels(f!.bytes, f!.path);
    expect(lbl.count).toBe(10000);
    expect(lbl.labels[0]).toBe(7);
  });
});

describe.skipIf(skipReal)('real data: damaged copies in a temp dir', () => {
  const labelsGz = () => new Uint8Array(readFileSync(real('mnist/t10k-labels-idx1-ubyte.gz')));

  it('truncated .gz: MD5 check says partial download; without the check, gunzip failure is a clear error', () => {
    const cut = labelsGz().subarray(0, 3000);
    const dir = tmpDataDir({ 'mnist/t10k-images-idx3-ubyte.gz': real('mnist/t10k-images-idx3-ubyte.gz'), 'mnist/t10k-labels-idx1-ubyte.gz': cut });
    const e1 = dataError(() => loadImageDataset('mnist', 'test', { dataDir: dir }));
    expect(e1.reason).toBe('checksum');
    expect(e1.message).toMatch(/has 3000 bytes instead of 4542 \(a partial download\?\)/);
    expect(e1.message).toContain('ec29112dd5afa0611ce80d1b7f02629c');
    expect(e1.message).toContain('yann.lecun.com');
    expect(e1.file).toBe(join(dir, 'mnist/t10k-labels-idx1-ubyte.gz'));
    const e2 = dataError(() => loadImageDataset('mnist', 'test', { dataDir: dir, verify: false }));
    expect(e2.reason).toBe('corrupt');
    expect(e2.message).toMatch(/t10k-labels-idx1-ubyte\.gz: the gzip data is damaged .*truncated/);
  });

  it('MD5 mismatch with the right size says the bytes were changed', () => {
    const bytes = labelsGz();
    bytes[2000] ^= 0xff;
    const dir = tmpDataDir({ 'mnist/t10k-labels-idx1-ubyte.gz': bytes, 'mnist/t10k-images-idx3-ubyte.gz': real('mnist/t10k-images-idx3-ubyte.gz') });
    const e = dataError(() => loadImageDataset('mnist', 'test', { dataDir: dir }));
    expect(e.reason).toBe('checksum');
    expect(e.message).toMatch(/the size is right \(4542 bytes\), so the bytes were changed/);
    expect(e.message).toContain('verify: false');
  });

  it('files of different splits: image and label counts must match', () => {
    const dir = tmpDataDir({
      'mnist/t10k-images-idx3-ubyte.gz': real('mnist/t10k-images-idx3-ubyte.gz'),
      'mnist/t10k-labels-idx1-ubyte.gz': real('mnist/train-labels-idx1-ubyte.gz'),
    });
    const e = dataError(() => loadImageDataset('mnist', 'test', { dataDir: dir, verify: false }));
    expect(e.message).toMatch(/10000 images but 60000 labels .*not from the same split/);
  });

  it('a label file where images belong: bad magic, and which kind of file it is', () => {
    const labels = labelsGz();
    const e = dataError(() => readIdxImages(labels, 'x.gz'));
    expect(e.reason).toBe('corrupt');
    expect(e.message).toBe('x.gz: bad IDX magic 0x00000801 (that is a label file); an IDX images file starts with 0x00000803');
  });
});

describe('IDX reader on synthetic files', () => {
  const imgs = (n: number, extra = 0) => idxBytes(0x803, [n, 28, 28], new Uint8Array(n * 784 + extra).map((_, i) => i % 256));

  it('reads images and labels, gzip or not', () => {
    const raw = imgs(3);
    for (const b of [raw, gzipSync(raw)]) {
      const r = readIdxImages(b);
      expect([r.count, r.rows, r.cols, r.images.length, r.images[785]]).toEqual([3, 28, 28, 3 * 784, 785 % 256]);
    }
    const l = readIdxLabels(gzipSync(idxBytes(0x801, [4], Uint8Array.of(1, 2, 3, 9))));
    expect([l.count, [...l.labels]]).toEqual([4, [1, 2, 3, 9]]);
  });

  it('bad magic, wrong length (truncated and too long), short header', () => {
    expect(dataError(() => readIdxLabels(imgs(1), 'l')).message).toMatch(/bad IDX magic 0x00000803 \(that is an image file\)/);
    expect(dataError(() => readIdxImages(Uint8Array.of(0x50, 0x4b, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 'zip')).message).toMatch(/bad IDX magic 0x504b0304/);
    const short = imgs(2).subarray(0, 16 + 784 + 100);
    expect(dataError(() => readIdxImages(gzipSync(short), 'f')).message).toBe(
      'f: wrong length: the header says 2 x 28 x 28 images, which is 1584 bytes with the 16-byte header, but the data has 900 bytes (truncated)',
    );
    expect(dataError(() => readIdxImages(imgs(2, 5), 'f')).message).toMatch(/5 bytes too many/);
    expect(dataError(() => readIdxLabels(Uint8Array.of(0, 0, 8, 1, 0), 'f')).message).toMatch(/5 bytes is too short for an IDX labels header \(8 bytes\)/);
  });

  it('labels out of 0..9 and non-28x28 images are rejected by the loader', () => {
    const dir = tmpDataDir({
      'mnist/t10k-images-idx3-ubyte.gz': gzipSync(imgs(2)),
      'mnist/t10k-labels-idx1-ubyte.gz': gzipSync(idxBytes(0x801, [2], Uint8Array.of(3, 12))),
    });
    expect(dataError(() => loadImageDataset('mnist', 'test', { dataDir: dir, verify: false })).message).toMatch(/label 1 is 12; labels are 0\.\.9/);
    const dir2 = tmpDataDir({
      'mnist/t10k-images-idx3-ubyte.gz': gzipSync(idxBytes(0x803, [1, 32, 32], new Uint8Array(1024))),
      'mnist/t10k-labels-idx1-ubyte.gz': gzipSync(idxBytes(0x801, [1], Uint8Array.of(3))),
    });
    expect(dataError(() => loadImageDataset('mnist', 'test', { dataDir: dir2, verify: false })).message).toMatch(/images are 32 x 32; MNIST images are 28 x 28/);
    // a well-formed small file loads with verify: false (custom data), but not with the MD5 check
    const dir3 = tmpDataDir({
      'mnist/t10k-images-idx3-ubyte.gz': gzipSync(imgs(2)),
      'mnist/t10k-labels-idx1-ubyte.gz': gzipSync(idxBytes(0x801, [2], Uint8Array.of(3, 4))),
    });
    const d = loadImageDataset('mnist', 'test', { dataDir: dir3, verify: false });
    expect([d.count, [...d.y]]).toEqual([2, [3, 4]]);
    expect(d.x[1]).toBe(Math.fround(1 / 255));
    expect(dataError(() => loadImageDataset('mnist', 'test', { dataDir: dir3 })).reason).toBe('checksum');
  });
});

describe('data directory and missing files', () => {
  it('order: --data-dir, else WPAL_DATA, else ../shared/data from cwd, then from the package root', () => {
    expect(dataDirCandidates('rel/dir', { WPAL_DATA: '/env' }, '/w/main')).toEqual([{ path: '/w/main/rel/dir', source: '--data-dir' }]);
    expect(dataDirCandidates(undefined, { WPAL_DATA: '/env' }, '/w/main')).toEqual([{ path: '/env', source: 'the WPAL_DATA environment variable' }]);
    const def = dataDirCandidates(undefined, {}, '/nowhere/x');
    expect(def[0]!.path).toBe('/nowhere/shared/data');
    expect(def[1]!.path).toBe(join(new URL('../../..', import.meta.url).pathname, 'shared/data'));
  });

  it('no data directory: the error lists every place looked at', () => {
    const e = dataError(() => resolveDataDir(join(tmpRoot, 'nope')));
    expect(e.reason).toBe('missing');
    expect(e.message).toContain(`${join(tmpRoot, 'nope')} (--data-dir): does not exist`);
    const saved = process.env['WPAL_DATA'];
    process.env['WPAL_DATA'] = join(tmpRoot, 'env-nope');
    try {
      expect(dataError(() => resolveDataDir()).message).toContain(`${join(tmpRoot, 'env-nope')} (the WPAL_DATA environment variable): does not exist`);
    } finally {
      if (saved === undefined) delete process.env['WPAL_DATA'];
      else process.env['WPAL_DATA'] = saved;
    }
  });

  it('missing MNIST files: names each file, its size and MD5, the publisher and the places looked at', () => {
    const dir = tmpDataDir({ 'mnist/t10k-labels-idx1-ubyte.gz': new Uint8Array(1) });
    const e = dataError(() => loadImageDataset('mnist', 'test', { dataDir: dir }));
    expect(e.reason).toBe('missing');
    expect(e.file).toBe(join(dir, 'mnist/t10k-images-idx3-ubyte.gz'));
    const m = e.message;
    expect(m).toMatch(/^MNIST: missing t10k-images-idx3-ubyte\.gz in /);
    expect(m).toContain('t10k-images-idx3-ubyte.gz (1648877 bytes, MD5 9fb629c4189551a2d022fa330f9573f3');
    expect(m).toContain('train-images-idx3-ubyte.gz (9912422 bytes, MD5 f68b3c2dcbeaaa9fbdd348bbdeb94873');
    expect(m).not.toContain('t10k-labels-idx1-ubyte.gz ('); // present (if wrong): not listed as missing
    expect(m).toContain('http://yann.lecun.com/exdb/mnist/');
    expect(m).toContain(`${dir} (--data-dir)`);
  });

  it('missing Fashion-MNIST and SST-2 files name their publishers', () => {
    const dir = tmpDataDir();
    const f = dataError(() => loadImageDataset('fashion-mnist', 'train', { dataDir: dir })).message;
    expect(f).toContain('zalandoresearch/fashion-mnist');
    expect(f).toContain('8d4fb7e6c68d591d4c3dfef9ec88bf0d');
    const s = dataError(() => loadSst2('dev', { dataDir: dir })).message;
    expect(s).toMatch(/^SST-2 .*: missing dev\.tsv in /);
    expect(s).toContain('dev.tsv (94931 bytes, MD5 268856b487b2a31a28c0a93daaff7288)');
    expect(s).toContain('gluebenchmark.com');
  });
});

describe.skipIf(skipReal)('real data: SST-2', () => {
  // loaded by the first test that needs them (a skipped suite must not touch the disk)
  let cache: { train: Sst2Split; dev: Sst2Split } | undefined;
  const data = () => (cache ??= { train: loadSst2('train'), dev: loadSst2('dev') });
  const count = (l: Uint8Array, v: number) => l.reduce((a, b) => a + (b === v ? 1 : 0), 0);

  it('train 67349 rows (37569 pos / 29780 neg), dev 872 (444 / 428), test 1821 unlabelled', () => {
    const t0 = performance.now();
    const { train, dev } = data();
    console.log(`load sst2 train + dev (MD5 + parse): ${(performance.now() - t0).toFixed(0)} ms`);
    expect(train.sentences.length).toBe(67349);
    expect(train.labels.length).toBe(67349);
    expect([count(train.labels, 1), count(train.labels, 0)]).toEqual([37569, 29780]);
    expect(dev.sentences.length).toBe(872);
    expect([count(dev.labels, 1), count(dev.labels, 0)]).toEqual([444, 428]);
    expect(train.sentences[0]).toBe('hide new secretions from the parental units');
    expect(train.labels[0]).toBe(0);
    expect(train.sentences.every((s) => s.length > 0 && s === s.trim() && !s.includes('\t'))).toBe(true);
    const test = loadSst2Test();
    expect(test.sentences.length).toBe(1821);
    expect([test.index[0], test.index[1820]]).toEqual([0, 1820]);
  });

  it('the tokenizer leaves the pre-tokenized SST text as it is (>= 99.8% of sentences), and builds a deterministic vocab', () => {
    const { train, dev } = data();
    const same = train.sentences.filter((s) => tokenize(s).join(' ') === s.split(/\s+/).join(' ')).length;
    expect(same / train.sentences.length).toBeGreaterThan(0.998);
    const vocab = buildVocab(train.sentences);
    expect(vocab.tokens.slice(0, 5)).toEqual(['[PAD]', '[UNK]', '[CLS]', 'the', ',']);
    expect(vocab.tokens.length).toBeGreaterThan(10000);
    expect(vocab.tokens.length).toBeLessThanOrEqual(16000);
    expect(buildVocab([...train.sentences].reverse()).tokens).toEqual(vocab.tokens);
    expect(buildVocab(train.sentences, { maxSize: 1000 }).tokens).toEqual(vocab.tokens.slice(0, 1000));
    let unk = 0;
    let words = 0;
    for (const s of dev.sentences) {
      const ids = encode(s, vocab, 64);
      for (const id of ids) if (id !== PAD_ID && id !== CLS_ID) (words++, id === UNK_ID && unk++);
    }
    expect(unk / words).toBeLessThan(0.08); // about 6% of dev words are [UNK] with the train vocab (minCount 2)
    expect(vocabFromJson(vocabToJson(vocab)).tokens).toEqual(vocab.tokens);
  });

  it('a TSV that is not SST-2: header, label, tab count, test.tsv passed as train', () => {
    const p = (t: string) => dataError(() => parseSst2Tsv(new TextEncoder().encode(t), 'f.tsv')).message;
    expect(p('text\tlabel\na \t1\n')).toMatch(/^f\.tsv:1: header is "text\\tlabel"; expected "sentence\\tlabel"/);
    expect(p('index\tsentence\n0\ta .\n')).toMatch(/this is test\.tsv, which has no labels/);
    expect(p('sentence\tlabel\na \t1\nb \t2\n')).toBe('f.tsv:3: label is "2"; labels are 0 or 1');
    expect(p('sentence\tlabel\na b 1\n')).toMatch(/^f\.tsv:2: expected "sentence<TAB>label" \(one tab\)/);
    expect(p('')).toMatch(/the file is empty/);
    expect(dataError(() => parseSst2Tsv(Uint8Array.of(0xff, 0xfe, 0x41), 'u.tsv')).message).toMatch(/not valid UTF-8/);
    const ok = parseSst2Tsv(new TextEncoder().encode('sentence\tlabel\r\nit \'s fine \t1\r\n'));
    expect([ok.sentences, [...ok.labels]]).toEqual([["it 's fine"], [1]]);
  });
});

describe('tokenizer', () => {
  const vocab = buildVocab(['the film is good .', 'the film is bad .', 'the plot is thin , the film good'], { minCount: 1 });

  it('splits raw text the way SST is tokenized', () => {
    expect(tokenize("It's a charming, often-affecting journey.")).toEqual(['it', "'s", 'a', 'charming', ',', 'often-affecting', 'journey', '.']);
    expect(tokenize("I don't think they can't -- really!")).toEqual(['i', 'do', "n't", 'think', 'they', 'ca', "n't", '--', 'really', '!']);
    expect(tokenize('Mr. Smith said "wow"… in the \u201870s, 2.5 times and/or 1/2')).toEqual(
      ['mr.', 'smith', 'said', '``', 'wow', "''", '...', 'in', 'the', "'70s", ',', '2.5', 'times', 'and/or', '1/2'],
    );
    expect(tokenize("we 've got e.t. and o'brien , you 'll see")).toEqual(['we', "'ve", 'got', 'e.t.', 'and', "o'brien", ',', 'you', "'ll", 'see']);
    expect(tokenize('Café  BUÑUEL\t')).toEqual(['café', 'buñuel']);
    expect(tokenize('   ')).toEqual([]);
  });

  it('vocab: specials 0..2, by frequency then code-unit order; minCount and maxSize', () => {
    expect(vocab.tokens).toEqual(['[PAD]', '[UNK]', '[CLS]', 'the', 'film', 'is', '.', 'good', ',', 'bad', 'plot', 'thin']);
    expect(buildVocab(['a a b c c c'], { minCount: 2 }).tokens).toEqual(['[PAD]', '[UNK]', '[CLS]', 'c', 'a']);
    expect(buildVocab(['a a b c c c'], { maxSize: 4, minCount: 1 }).tokens).toEqual(['[PAD]', '[UNK]', '[CLS]', 'c']);
    expect(buildVocab(['[UNK] x x'], { minCount: 1 }).tokens).toEqual(['[PAD]', '[UNK]', '[CLS]', 'x', '[', ']', 'unk']);
    expect(() => buildVocab([], { maxSize: 2 })).toThrow(RangeError);
  });

  it('encode: [CLS] first, [UNK] for unknown words, padded with [PAD], truncated to seqLen; decode inverts it', () => {
    const ids = encode('The film is GOOD!', vocab, 8);
    expect([...ids]).toEqual([CLS_ID, 3, 4, 5, 7, UNK_ID, PAD_ID, PAD_ID]);
    expect(encode('the film', vocab).length).toBe(48);
    expect([...encode('the film is good . the film is bad .', vocab, 4)]).toEqual([CLS_ID, 3, 4, 5]);
    expect([...encode('', vocab, 3)]).toEqual([CLS_ID, PAD_ID, PAD_ID]);
    expect([...encode('x', vocab, 1)]).toEqual([CLS_ID]);
    expect(decode(encode('the plot is good , the film bad .', vocab), vocab)).toBe('the plot is good , the film bad .');
    expect(decode(ids, vocab)).toBe('the film is good [UNK]');
    const batch = encodeBatch(['the film', 'bad plot'], vocab, 4);
    expect([...batch]).toEqual([CLS_ID, 3, 4, PAD_ID, CLS_ID, 9, 10, PAD_ID]);
  });

  it('vocab JSON round trip, and clear errors for JSON that is not a vocabulary', () => {
    const json = vocabToJson(vocab);
    const back = vocabFromJson(json);
    expect(back.tokens).toEqual(vocab.tokens);
    expect([...encode('the plot is thin', back)]).toEqual([...encode('the plot is thin', vocab)]);
    expect(vocabToJson(back)).toBe(json);
    const obj = JSON.parse(json);
    expect(dataError(() => vocabFromJson('{')).message).toMatch(/^vocabulary JSON: not JSON/);
    expect(dataError(() => vocabFromJson(JSON.stringify({ ...obj, tokenizer: 'bpe' }))).message).toMatch(/tokenizer is "bpe"/);
    expect(dataError(() => vocabFromJson(JSON.stringify({ ...obj, tokens: ['a', 'a'] }))).message).toMatch(/duplicates/);
    expect(dataError(() => vocabFromJson(JSON.stringify({ ...obj, tokens: ['a', 3] }))).message).toMatch(/non-empty strings/);
    expect(dataError(() => vocabFromJson(JSON.stringify({ ...obj, specials: ['[PAD]'] }))).message).toMatch(/specials must be/);
  });
});
