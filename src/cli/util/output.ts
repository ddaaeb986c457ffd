/**
 * How the CLI writes its results without ever losing data:
 *
 *  - checkOutput() runs before any work: the output must not be one of the command's input files
 *    (the same path, a symlink or a hard link to it), must not be a directory, and its folder must
 *    exist and be writable. A mistake costs no training time.
 *  - writeOutput() writes to a temporary file in the target's folder, flushes it to disk and renames
 *    it over the target (atomic on POSIX file systems): the target is always either the old file or
 *    the whole new one. Ctrl-C (SIGINT) or SIGTERM during the write is held until the rename is
 *    done, then the command exits as interrupted; a failed write removes the temporary file.
 */
import { accessSync, closeSync, constants, existsSync, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CliError, UsageError } from './errors.js';

/** Fails (before any work) when `output` cannot or must not be written. `inputs` are the files the command reads. */
export function checkOutput(output: string, inputs: ReadonlyArray<{ path: string; what: string }>): void {
  const target = resolve(output);
  for (const input of inputs) {
    if (sameFile(target, resolve(input.path))) {
      throw new UsageError(`-o ${output} is the ${input.what} (${input.path}): the input would be overwritten; write the result to another file`);
    }
  }
  const dir = dirname(target);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliError(`cannot write ${output}: the folder ${dir} does not exist`);
  if (existsSync(target) && statSync(target).isDirectory()) throw new CliError(`cannot write ${output}: it is a directory`);
  try {
    accessSync(dir, constants.W_OK);
    if (existsSync(target)) accessSync(target, constants.W_OK);
  } catch {
    throw new CliError(`cannot write ${output}: no permission to write ${existsSync(target) ? 'the file' : `in the folder ${dir}`}`);
  }
}

/** True when both paths name one file (the same path, or one inode through a link). */
function sameFile(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.ino === sb.ino && sa.dev === sb.dev;
  } catch {
    return false;
  }
}

/** The temporary file writeOutput() uses for `target`: hidden, in the same folder (so rename is atomic). */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${Date.now().toString(36)}.tmp`);
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Writes `bytes` to `output` through a temporary file and a rename. Resolves once the file is in
 * place; if a SIGINT / SIGTERM arrived meanwhile, the process then ends as that signal would have
 * ended it (the written file is whole).
 */
export async function writeOutput(output: string, bytes: Uint8Array): Promise<void> {
  const target = resolve(output);
  const tmp = tempPathFor(target);
  let interrupted: NodeJS.Signals | undefined;
  const hold = (s: NodeJS.Signals) => {
    interrupted ??= s;
  };
  for (const s of SIGNALS) process.on(s, hold);
  try {
    let fd: number | undefined;
    try {
      fd = openSync(tmp, 'wx', 0o644);
      for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
      closeSync(fd);
      fd = undefined;
      renameSync(tmp, target);
    } catch (e) {
      if (fd !== undefined) closeSync(fd);
      try {
        unlinkSync(tmp);
      } catch {
        // never created
      }
      throw new CliError(`cannot write ${output}: ${(e as Error).message}`, { cause: e });
    }
    // A signal that came during the (synchronous) write is delivered on the next turns of the loop.
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 1));
  } finally {
    for (const s of SIGNALS) process.off(s, hold);
  }
  if (interrupted) process.kill(process.pid, interrupted);
}
