/** Errors of the trainer's data-set readers (the model file itself is judged by src/format/errors.ts). */
import { WpalError } from '../../format/errors.js';

/**
 * Why a data set could not be read:
 * - `missing`: the data directory or a file in it does not exist;
 * - `checksum`: a file exists but its MD5 is not the published one (wrong file, partial download);
 * - `corrupt`: the bytes do not parse (bad gzip, bad IDX magic, wrong length, bad TSV row, label out of range);
 * - `mismatch`: the model file does not record what reading the data needs (a text model's word encoding).
 */
export type WpalDataErrorReason = 'missing' | 'checksum' | 'corrupt' | 'mismatch';

/** A data set is missing, is not the published file, or its bytes do not parse. The message says which file and what to do. */
export class WpalDataError extends WpalError {
  override readonly code: string = 'WPAL_DATA';
  constructor(
    readonly reason: WpalDataErrorReason,
    message: string,
    options?: { cause?: unknown; file?: string },
  ) {
    super(message, options);
    this.file = options?.file;
  }
  /** The file (absolute path) the error is about, when there is one. */
  readonly file: string | undefined;
}
