/**
 * `wpal strip <in.wpal> -o <out.wpal>`: the same model with only the metadata it needs to be
 * measured again (src/format/metadata.ts): preprocessing, output labels, the accuracy claim, the
 * data record and the text encoding. Name, description, task, training settings and provenance
 * are dropped. The file is written in the current format (1.3, compact); weights are copied byte
 * for byte, so the model computes exactly what it did.
 */
import { ESSENTIAL_PROPERTIES } from '../format/metadata.js';
import { readModel } from '../format/read.js';
import { rewriteModel } from '../format/rewrite.js';
import { helpText, parseArgs, type CommandSpec } from './util/args.js';
import { EXIT_OK, UsageError } from './util/errors.js';
import { println, type Io } from './util/io.js';
import { readWpalFile } from './util/model.js';
import { checkOutput, writeOutput } from './util/output.js';
import { formatBytes } from './util/size.js';

export const spec: CommandSpec = {
  name: 'strip',
  summary: 'drop the metadata a model does not need to be measured again (and write the current format)',
  usage: '<in.wpal> -o FILE [--keep KEY,...] [--json]',
  positionals: [{ name: 'in.wpal', description: 'the model file', required: true }],
  options: {
    output: { type: 'string', short: 'o', value: 'FILE', description: 'the .wpal file to write (required)' },
    keep: { type: 'string', value: 'KEY,...', description: 'more metadata properties to keep (besides the ones listed below)' },
    json: { type: 'boolean', description: 'print the result as one JSON object' },
  },
  notes: [
    `Kept: preprocessing, output labels and the properties ${ESSENTIAL_PROPERTIES.join(', ')}\n` +
      '(what wpal eval and wpal verify need to reproduce the numbers). Dropped: name, description, task, the other properties.',
    'The same as `wpal compress ... --strip-metadata` on a file that is already written.',
  ],
};

export async function run(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv, spec);
  if (args.help) {
    io.out(helpText(spec));
    return EXIT_OK;
  }
  const o = args.options;
  const input = args.positionals[0]!;
  if (o['output'] === undefined) throw new UsageError('-o FILE is required (the .wpal file to write)');
  const outFile = o['output'] as string;
  checkOutput(outFile, [{ path: input, what: 'input file' }]);
  const bytes = readWpalFile(input);
  const info = readModel(bytes);
  const extra = o['keep'] !== undefined ? (o['keep'] as string).split(',').map((k) => k.trim()).filter(Boolean) : [];
  const out = rewriteModel(info, { stripMetadata: [...ESSENTIAL_PROPERTIES, ...extra] });
  await writeOutput(outFile, out);
  const written = readModel(out);
  const after = written.metadata;
  const dropped = Object.keys(info.metadata.properties).filter((k) => !(k in after.properties));
  const result = {
    file: outFile,
    bytesBefore: bytes.length,
    bytesAfter: out.length,
    format: `${info.formatMajor}.${info.formatMinor} -> ${written.formatMajor}.${written.formatMinor}`,
    kept: Object.keys(after.properties),
    dropped: [...(['name', 'description', 'task'] as const).filter((k) => info.metadata[k] !== undefined), ...dropped],
  };
  if (o['json'] === true) {
    println(io, JSON.stringify(result, null, 2));
    return EXIT_OK;
  }
  println(io, `wrote ${outFile}: ${formatBytes(out.length)} (was ${formatBytes(bytes.length)}; format ${result.format})`);
  println(io, `kept    ${['preprocessing', 'output labels', ...result.kept].join(', ')}`);
  println(io, `dropped ${result.dropped.length ? result.dropped.join(', ') : '(nothing)'}`);
  return EXIT_OK;
}
