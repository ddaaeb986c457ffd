/**
 * What the trainer's data sets are: file names, sizes and checksums of the published files, and where they
 * are published. The addresses are only named in error messages; nothing here downloads anything.
 * Values from /work/shared/data/README.md (MNIST and Fashion-MNIST: the upstream MD5s, the same ones
 * torchvision checks; SST-2: the GLUE files, which have no official MD5, so the MD5 of the known copies).
 */

/** One published file. */
export interface DataFileSpec {
  /** File name inside the data set's folder. */
  readonly name: string;
  /** Size in bytes. */
  readonly bytes: number;
  /** MD5 (hex) of the file as published. */
  readonly md5: string;
  /** For .gz files: the decompressed file (same name without .gz), which is accepted in place of the .gz. */
  readonly raw?: { readonly name: string; readonly bytes: number; readonly md5: string };
  /** Number of records (images, labels or TSV rows without the header). */
  readonly count: number;
}

/** One data set: a folder of files under the data directory. */
export interface DatasetSpec {
  readonly id: DatasetId;
  readonly title: string;
  /** Folder under the data directory. */
  readonly folder: string;
  /** Who publishes it and where, as plain text for error messages. */
  readonly publisher: string;
  readonly urls: readonly string[];
  readonly license: string;
  readonly files: Readonly<Record<string, DataFileSpec>>;
}

export type DatasetId = 'mnist' | 'fashion-mnist' | 'sst2';
export type ImageDatasetId = 'mnist' | 'fashion-mnist';

/** An IDX .gz file and its decompressed form. */
function idx(name: string, bytes: number, md5: string, rawBytes: number, rawMd5: string, count: number): DataFileSpec {
  return { name: `${name}.gz`, bytes, md5, raw: { name, bytes: rawBytes, md5: rawMd5 }, count };
}

export const DATASETS: Readonly<Record<DatasetId, DatasetSpec>> = {
  mnist: {
    id: 'mnist',
    title: 'MNIST',
    folder: 'mnist',
    publisher: 'Y. LeCun, C. Cortes, C. J. C. Burges',
    urls: [
      'http://yann.lecun.com/exdb/mnist/ (original)',
      'https://ossci-datasets.s3.amazonaws.com/mnist/ (the mirror torchvision uses, same files and MD5s)',
    ],
    license: 'no license file; usually cited as CC BY-SA 3.0',
    files: {
      'train-images': idx('train-images-idx3-ubyte', 9912422, 'f68b3c2dcbeaaa9fbdd348bbdeb94873', 47040016, '6bbc9ace898e44ae57da46a324031adb', 60000),
      'train-labels': idx('train-labels-idx1-ubyte', 28881, 'd53e105ee54ea40749a09fcbcd1e9432', 60008, 'a25bea736e30d166cdddb491f175f624', 60000),
      'test-images': idx('t10k-images-idx3-ubyte', 1648877, '9fb629c4189551a2d022fa330f9573f3', 7840016, '2646ac647ad5339dbf082846283269ea', 10000),
      'test-labels': idx('t10k-labels-idx1-ubyte', 4542, 'ec29112dd5afa0611ce80d1b7f02629c', 10008, '27ae3e4e09519cfbb04c329615203637', 10000),
    },
  },
  'fashion-mnist': {
    id: 'fashion-mnist',
    title: 'Fashion-MNIST',
    folder: 'fashion-mnist',
    publisher: 'Zalando Research',
    urls: [
      'https://github.com/zalandoresearch/fashion-mnist (folder data/fashion/)',
      'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/ (the download links in the upstream README)',
    ],
    license: 'MIT, (c) 2017 Zalando SE',
    files: {
      'train-images': idx('train-images-idx3-ubyte', 26421880, '8d4fb7e6c68d591d4c3dfef9ec88bf0d', 47040016, 'f4a8712d7a061bf5bd6d2ca38dc4d50a', 60000),
      'train-labels': idx('train-labels-idx1-ubyte', 29515, '25c81989df183df01b3e8a0aad5dffbe', 60008, '9018921c3c673c538a1fc5bad174d6f9', 60000),
      'test-images': idx('t10k-images-idx3-ubyte', 4422102, 'bef4ecab320f06d8554ea6380940ec79', 7840016, '8181f5470baa50b63fa0f6fddb340f0a', 10000),
      'test-labels': idx('t10k-labels-idx1-ubyte', 5148, 'bb300cfdad3c16e7a12a480ee83cd310', 10008, '15d484375f8d13e6eb1aabb0c3f46965', 10000),
    },
  },
  sst2: {
    id: 'sst2',
    title: 'SST-2 (GLUE, Stanford Sentiment Treebank, binary)',
    folder: 'sst2',
    publisher: 'the GLUE benchmark (Wang et al.), from the Stanford Sentiment Treebank (Socher et al., 2013)',
    urls: [
      'https://gluebenchmark.com/tasks (task SST-2: SST-2.zip, folder SST-2/)',
      'https://dl.fbaipublicfiles.com/glue/data/SST-2.zip (the address GLUE\'s download_glue_data.py uses)',
    ],
    license: 'GLUE ships SST-2 without a license file; the Stanford Sentiment Treebank is free for research use',
    files: {
      train: { name: 'train.tsv', bytes: 3806081, md5: 'da409a0a939379ed32a470bc0f7fe99a', count: 67349 },
      dev: { name: 'dev.tsv', bytes: 94931, md5: '268856b487b2a31a28c0a93daaff7288', count: 872 },
      test: { name: 'test.tsv', bytes: 197335, md5: '3230e4efec76488b87877a56ae49675a', count: 1821 },
    },
  },
};

/** Label counts of SST-2 as published (label 0 = negative, 1 = positive). */
export const SST2_LABEL_COUNTS = { train: [29780, 37569], dev: [428, 444] } as const;

/** Class names of the image data sets, index = label. */
export const CLASS_NAMES: Readonly<Record<ImageDatasetId, readonly string[]>> = {
  mnist: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  'fashion-mnist': ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
};
