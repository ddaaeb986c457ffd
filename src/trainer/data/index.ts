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
export { carveStratified, describeCarve, valSeed, SPLIT_DEFAULTS, type SplitSettings, type Carve } from './split.js';
export { decodeImage, imageToExample, centerCrop, IMAGE_EXTENSIONS, type ImagePreprocessing, type DecodedImage } from './images.js';
export { listImageFolder, type ImageFolder, type ImageList } from './image-folder.js';
export { readArraySet, type ArraySet, type ArrayPair } from './arrays.js';
export { parseNpy, type NpyArray } from './npy.js';
export { parseTextTable, type TextTable, type TextFormat, type TextColumns } from './text-table.js';
export { detectUserData, loadUserData, classesOfLabels, type UserData, type UserDataFormat, type UserDataRequest, type UserSplit, type SplitName } from './user.js';
export { recordUserData, requestFromMetadata, DATA_FORMAT, type DataRecord } from './meta.js';
export { loadData, dataKind, isTextData, isBuiltinDataset, BUILTIN_DATASETS, type Split, type LoadedData, type DataRequest, type BuiltinDataset } from './load.js';
