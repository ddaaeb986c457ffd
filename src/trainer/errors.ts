/** Typed errors of the compress library (the pipeline and post-training compression), and the checks both share. */
import { WpalError } from '../format/errors.js';

/** A compress run could not do what was asked (a target size no setting reaches, a layer name the model lacks). */
export class WpalCompressError extends WpalError {
  override readonly code: string = 'WPAL_COMPRESS';
}

/** int8 compute writes int8 palette entries: another entry type with it is refused, not overridden. */
export function checkPaletteEntries(int8: boolean | undefined, entryType: string | undefined): void {
  if (int8 && entryType && entryType !== 'float32' && entryType !== 'int8') {
    throw new WpalCompressError(`int8 writes int8 palette entries; it does not go with ${entryType} entries`);
  }
}
