/** Errors raised by the runtime (the file itself is judged by src/format/errors.ts). */
import { WpalError } from '../format/errors.js';

/** The model source could not be read (missing file, HTTP error, ...). */
export class WpalLoadError extends WpalError {
  override readonly code: string = 'WPAL_LOAD';
}

/** This JavaScript engine cannot run the kernels (no WebAssembly SIMD, memory limit, ...). */
export class WpalEngineError extends WpalError {
  override readonly code: string = 'WPAL_ENGINE';
}

/** run() was given inputs that do not match the model (names, types, sizes). */
export class WpalInputError extends WpalError {
  override readonly code: string = 'WPAL_INPUT';
}

/** The model was disposed and can no longer run. */
export class WpalDisposedError extends WpalError {
  override readonly code: string = 'WPAL_DISPOSED';
  constructor(message = 'this model was disposed; load it again to run it') {
    super(message);
  }
}
