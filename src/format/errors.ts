/**
 * Typed errors of the model-file layer. Every failure to read a file is a WpalError, whatever the
 * bytes: callers can tell "bad file" from "bug" with one `instanceof`.
 */
import { FORMAT_MAJOR, FORMAT_MINOR, SUPPORTED_MAJORS } from './version.js';

/** Base class of every error the format layer throws on purpose. */
export class WpalError extends Error {
  readonly code: string = 'WPAL_ERROR';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The file is corrupt, truncated, or describes something invalid. The message says what and where. */
export class WpalFormatError extends WpalError {
  override readonly code: string = 'WPAL_FORMAT';
  /**
   * Set when the file does not match its checksum (format 1.2 on), i.e. it was damaged after it
   * was written: the weight tensors whose data changed, or [] when the damage is in the header,
   * graph or metadata.
   */
  readonly damagedTensors?: readonly string[];
  constructor(message: string, options?: { cause?: unknown; damagedTensors?: readonly string[] }) {
    super(message, options);
    if (options?.damagedTensors) this.damagedTensors = Object.freeze([...options.damagedTensors]);
  }
}

/**
 * The file was written with a major format version this build does not read, or (`needs`) it is a
 * compact file whose stub op names a later minor version than this build reads (schemas/wpal.fbs).
 */
export class WpalVersionError extends WpalError {
  override readonly code: string = 'WPAL_VERSION';
  constructor(
    readonly fileMajor: number,
    readonly fileMinor: number,
    /** The version the file says it needs to be read ("1.5"), when that, not its major, is the problem. */
    readonly needs?: string,
  ) {
    super(
      needs !== undefined
        ? `this .wpal file (format ${fileMajor}.${fileMinor}) needs a reader of format ${needs}; this wasm-palette reads up to ` +
            `${FORMAT_MAJOR}.${FORMAT_MINOR}. The file is newer than this reader: upgrade wasm-palette.`
        : `unsupported .wpal format version ${fileMajor}.${fileMinor}: this wasm-palette reads format major ` +
            `${SUPPORTED_MAJORS.join(', ')} (writes ${FORMAT_MAJOR}.${FORMAT_MINOR}). ` +
            (fileMajor > Math.max(...SUPPORTED_MAJORS)
              ? 'The file is newer than this reader: upgrade wasm-palette.'
              : 'The file is older than any format this reader knows: re-export it with a current wasm-palette writer.'),
    );
  }
}

/** The graph uses an op type this build does not know. */
export class WpalUnsupportedOpError extends WpalError {
  override readonly code: string = 'WPAL_UNSUPPORTED_OP';
  constructor(
    readonly opType: string,
    readonly opIndex: number,
    known: readonly string[] = [],
  ) {
    super(
      `op ${opIndex}: unsupported op type ${JSON.stringify(opType)}` +
        (known.length ? ` (this wasm-palette knows ${known.join(', ')})` : '') +
        `; if the file was written by a newer wasm-palette, upgrade wasm-palette`,
    );
  }
}
