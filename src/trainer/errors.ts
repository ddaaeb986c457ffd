/** Typed errors of the compress library (the pipeline and post-training compression). */
import { WpalError } from '../format/errors.js';

/** A compress run could not do what was asked (a target size no setting reaches, a layer name the model lacks). */
export class WpalCompressError extends WpalError {
  override readonly code: string = 'WPAL_COMPRESS';
}
