/** Where a command writes: stdout (results, --json) and stderr (progress, diagnostics). Tests pass their own. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal (progress redraws one line) or a log/CI (one line per epoch). */
  readonly errIsTTY: boolean;
  /** Terminal width for the progress line (default 100). */
  readonly columns?: number;
}

let pipeGuarded = false;

/**
 * process.stdout / process.stderr. A reader that closes the pipe early (`wpal inspect f | head`)
 * ends the command quietly, as Unix tools do, instead of an unhandled EPIPE stack trace.
 */
export function processIo(): Io {
  if (!pipeGuarded) {
    pipeGuarded = true;
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(0);
      throw e;
    });
  }
  return {
    out: (s) => void process.stdout.write(s),
    err: (s) => void process.stderr.write(s),
    errIsTTY: !!process.stderr.isTTY && !process.env['CI'],
    columns: process.stderr.columns,
  };
}

/** Writes `line` plus a newline to stdout. */
export function println(io: Io, line = ''): void {
  io.out(line + '\n');
}

/** Writes `line` plus a newline to stderr. */
export function eprintln(io: Io, line = ''): void {
  io.err(line + '\n');
}
