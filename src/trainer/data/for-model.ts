/**
 * The data a model file is measured or fine-tuned on, read as the file records it: SST-2 and text
 * files hashed with the file's own word encoding (metadata properties seq, buckets), the user's data
 * with the file's preprocessing, classes and carves. The CLI's compress / eval / verify and code
 * that calls compress() directly (scripts/results.ts) read data through this one function.
 */
import { loadData, type DataRequest, type LoadedData } from './load.js';
import { WpalDataError } from './errors.js';
import type { HashedOptions } from './hashed.js';
import type { MetadataInfo } from '../../format/types.js';

/** What this module needs of a model: its metadata and its inputs (a read file or a loaded runtime Model). */
export interface ModelDataSource {
  metadata: MetadataInfo;
  inputs: readonly { shape: readonly number[]; dtype: string }[];
}

export interface ModelDataRequest {
  /** A built-in id or a path (a file trained on the user's data needs its path). */
  data: string;
  want: DataRequest['want'];
  dataDir?: string;
  limit?: number;
}

/** The word encoding a text-classifier file records (properties seq, buckets); WpalDataError when it records none. */
export function textEncodingOf(properties: Readonly<Record<string, string>>, file: string): Pick<HashedOptions, 'seq' | 'buckets'> {
  const seq = Number(properties['seq']);
  const buckets = Number(properties['buckets']);
  if (!Number.isInteger(seq) || seq < 1 || !Number.isInteger(buckets) || buckets < 2) {
    throw new WpalDataError('mismatch', `${file} records no text encoding (metadata properties seq and buckets): it is not a text classifier`);
  }
  return { seq, buckets };
}

/** Loads `req.want` of `req.data` as `model` records it (`file` names the model in messages). */
export function loadDataForModel(model: ModelDataSource, req: ModelDataRequest, file = 'the model'): LoadedData {
  const input = model.inputs[0];
  const text = input?.dtype === 'int32' ? textEncodingOf(model.metadata.properties, file) : undefined;
  return loadData({
    data: req.data,
    want: req.want,
    file: { metadata: model.metadata, inputShape: input ? [...input.shape] : [] },
    ...(req.dataDir !== undefined ? { dataDir: req.dataDir } : {}),
    ...(req.limit !== undefined ? { limit: req.limit } : {}),
    ...(text ? { text } : {}),
  });
}
