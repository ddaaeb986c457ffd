/** The CLI's own error kinds and how any error becomes a one-line message and an exit code. */
import { WpalError } from '../../format/errors.js';
import { eprintln, type Io } from './io.js';

/** Exit codes: 0 success, 1 failure (bad file, missing data, a verify claim that fails), 2 usage. */
export const EXIT_OK = 0;
export const EXIT_FAIL = 1;
export const EXIT_USAGE = 2;

/** A bad command line: unknown command or option, missing or malformed value. Exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A failure the user can act on (unreadable file, model that does not fit the data set). Exit code 1, no stack. */
export class CliError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
  }
}

/**
 * Prints `err` as "wpal <command>: <message>" and returns the exit code. Typed errors (usage,
 * CLI, every WpalError, file-system errors) print their message only; anything else is a bug
 * and says so. `--debug` adds the stack trace.
 */
export function reportError(io: Io, command: string, err: unknown, debug: boolean): number {
  const prefix = command ? `wpal ${command}` : 'wpal';
  if (err instanceof UsageError) {
    eprintln(io, `${prefix}: ${err.message}`);
    eprintln(io, `Run \`wpal ${command ? command + ' ' : ''}--help\` for usage.`);
    return EXIT_USAGE;
  }
  const e = err as (Error & { code?: unknown; path?: unknown }) | undefined;
  const fsError = e instanceof Error && typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code) && typeof e.path === 'string';
  const typed = err instanceof CliError || err instanceof WpalError || fsError;
  // Messages can quote names from a file: control characters (escape sequences) are shown escaped.
  // eslint-disable-next-line no-control-regex
  const message = (err instanceof Error ? err.message : String(err)).replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  eprintln(io, `${prefix}: error: ${typed ? message : `internal error: ${message}`}`);
  if (debug && err instanceof Error && err.stack) eprintln(io, err.stack);
  else if (!typed) eprintln(io, 'Run with --debug for the stack trace.');
  return EXIT_FAIL;
}
