#!/usr/bin/env node
/**
 * `wpal <command> [options]`: the command-line tool of wasm-palette. Commands are loaded only
 * when run, so `wpal inspect` does not load the trainer. Exit codes: 0 success, 1 failure (bad
 * file, missing data, a claim that fails), 2 bad command line.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EXIT_OK, EXIT_USAGE, UsageError, reportError } from './util/errors.js';
import { eprintln, processIo, type Io } from './util/io.js';
import { packageVersion } from './util/meta.js';

type Runner = (argv: string[], io: Io) => Promise<number>;

interface CommandEntry {
  summary: string;
  load: () => Promise<Runner>;
}

export const COMMANDS: Record<string, CommandEntry> = {
  train: { summary: 'train a network on a data set and write a dense .wpal', load: async () => (await import('./train.js')).run },
  import: { summary: 'convert an ONNX model to .wpal (same inputs and outputs; weights at their true size)', load: async () => (await import('./import.js')).run },
  compress: { summary: 'palettize / prune a .wpal to a bit width or a target size', load: async () => (await import('./compress.js')).run },
  eval: { summary: 'accuracy of a .wpal on the full test set, through the runtime', load: async () => (await import('./eval.js')).run },
  inspect: { summary: 'per-layer bits, sparsity, bytes and ratio of a .wpal', load: async () => (await import('./inspect.js')).run },
  verify: { summary: 're-measure size, memory and accuracy; exit 1 when a claim fails', load: async () => (await import('./verify.js')).run },
  strip: { summary: 'keep only the metadata needed to measure a .wpal again (smaller file, same model)', load: async () => (await import('./strip.js')).run },
};

export function mainHelp(): string {
  const w = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    `wpal ${packageVersion()} - train, compress, evaluate and verify .wpal models (wasm-palette)`,
    '',
    'Usage: wpal <command> [options]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(w)}  ${c.summary}`),
    '',
    'Run `wpal <command> --help` for the options of a command.',
    '',
    'Examples:',
    '  wpal train    --data mnist --arch lenet5 --epochs 20 -o lenet5.dense.wpal',
    '  wpal compress lenet5.dense.wpal --data mnist --bits 2 -o lenet5.2bit.wpal',
    '  wpal eval     lenet5.2bit.wpal --data mnist',
    '  wpal inspect  lenet5.2bit.wpal',
    '  wpal verify   lenet5.2bit.wpal --data mnist --max-size 8KB --min-accuracy 0.99',
    '  wpal compress lenet5.dense.wpal --data mnist --target-size 8KB --distill -o lenet5.8k.wpal',
    '  wpal train    --data sst2 --arch transformer -o sst2.dense.wpal',
    '  wpal compress sst2.dense.wpal --data sst2 --bits 2 --distill -o sst2.2bit.wpal',
    '  wpal import   model.onnx -o model.wpal --report',
    '  wpal strip    lenet5.2bit.wpal -o lenet5.2bit.min.wpal',
    '',
    'Sizes take B, KB / MB / GB (x1000) and KiB / MiB / GiB (x1024). The data directory is --data-dir,',
    'else $WPAL_DATA, else ../shared/data. Exit codes: 0 ok, 1 failure (bad file or data, a failed claim), 2 usage.',
    '',
  ].join('\n');
}

/** Runs `wpal <argv...>` and returns the exit code; output goes to `io` (default: the process's streams). */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const [command, ...rest] = argv;
  const debug = rest.includes('--debug');
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    if (command === 'help' && rest[0] !== undefined && COMMANDS[rest[0]]) return main([rest[0], '--help'], io);
    (command === undefined ? io.err : io.out)(mainHelp());
    return command === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (command === '--version' || command === '-V') {
    io.out(`${packageVersion()}\n`);
    return EXIT_OK;
  }
  const entry = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!entry) {
    const what = command.startsWith('-') ? `unknown option ${command} (options go after the command)` : `unknown command ${JSON.stringify(command)}`;
    return reportError(io, '', new UsageError(`${what}; commands: ${Object.keys(COMMANDS).join(', ')}`), debug);
  }
  let run: Runner;
  try {
    run = await entry.load();
  } catch (e) {
    return reportError(io, command, e, debug);
  }
  try {
    return await run(rest, io);
  } catch (e) {
    return reportError(io, command, e, debug);
  }
}

/** True when this file is the program being run (also through the npm bin symlink). */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.exitCode = reportError(processIo(), '', e, process.argv.includes('--debug'));
    },
  );
}
