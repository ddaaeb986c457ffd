// Data-set readers of the trainer: re-exports only.
export { WpalDataError, type WpalDataErrorReason } from './errors.js';
export { DATASETS, CLASS_NAMES, SST2_LABEL_COUNTS, type DatasetId, type ImageDatasetId, type DatasetSpec, type DataFileSpec } from './catalog.js';
export {
  resolveDataDir,
  dataDirCandidates,
  readDataFiles,
  clearVerifyCache,
  type DataOptions,
  type DataFile,
  type DataDirCandidate,
} from './datadir.js';
export { readIdxImages, readIdxLabels, loadImageDataset, type IdxImages, type IdxLabels, type ImageDataset } from './idx.js';
export { parseSst2Tsv, parseSst2TestTsv, loadSst2, loadSst2Test, type Sst2Split, type Sst2Test } from './sst2.js';
export {
  tokenize,
  buildVocab,
  encode,
  encodeBatch,
  decode,
  vocabToJson,
  vocabFromJson,
  PAD_ID,
  UNK_ID,
  CLS_ID,
  SPECIAL_TOKENS,
  TOKENIZER_ID,
  type Vocab,
  type BuildVocabOptions,
} from './tokenizer.js';
export { HASHED_TOKENIZER_ID, HASHED_PAD_ID, fnv1a32, hashedId, hashedIds, hashedExamples, type HashedOptions } from './hashed.js';
