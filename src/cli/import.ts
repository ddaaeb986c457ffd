/**
 * `wpal import model.onnx -o model.wpal [--shape NAME=1x3x48x192] [--report] [--json]`: an ONNX
 * model as a .wpal file, weights stored at their true size (exact palettes, zero blocks, int8
 * QDQ levels). The work is `importOnnx` (src/onnx/import); this file parses and prints.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { importOnnx, type ImportReport } from '../onnx/import/index.js';
import { helpText, parseArgs, type CommandSpec } from './util/args.js';
import { CliError, EXIT_OK, UsageError } from './util/errors.js';
import { checkOutput, writeOutput } from './util/output.js';
import { println, type Io } from './util/io.js';
import { formatBytes } from './util/size.js';
import { table } from './util/table.js';

export const spec: CommandSpec = {
  name: 'import',
  summary: 'convert an ONNX model to .wpal, keeping its inputs, outputs and layout; weights at their true size',
  usage: '<model.onnx> -o <model.wpal> [--shape NAME=DIMS] [--report] [--json]',
  positionals: [{ name: 'model.onnx', description: 'the ONNX model (its external .data file, if any, next to it)', required: true }],
  options: {
    output: { type: 'string', short: 'o', value: 'FILE', description: 'the .wpal file to write (required)' },
    shape: { type: 'string', value: 'NAME=DIMS[,NAME=DIMS]', description: 'fix an input shape, batch first, e.g. input=1x16000 (needed for every dynamic dimension but the batch)' },
    name: { type: 'string', value: 'TEXT', description: 'model name stored in the file (default: the ONNX file name)' },
    dense: { type: 'boolean', description: 'store weight matrices dense float32 (no palette / zero-block detection)' },
    report: { type: 'boolean', description: 'print per weight: distinct values, bits and sparsity found, bytes before and after' },
    json: { type: 'boolean', description: 'print the import report as one JSON object' },
  },
  notes: [
    'The .wpal model takes and returns the ONNX model\'s own tensors: the same names, layouts and shapes,\n' +
      'with ONNX axis 0 as the batch. Convs run NHWC inside; the layout change is folded into the weights.',
    'Example: wpal import embedding_model.onnx -o embedding.wpal --report',
    'Example: wpal import melspectrogram.onnx --shape input=1x1280 -o mel.wpal',
  ],
};

/** `--shape a=1x3x4,b=1x10` -> { a: [1, 3, 4], b: [1, 10] }. */
export function parseShapes(text: string | undefined): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  if (text === undefined) return out;
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.lastIndexOf('=');
    const name = part.slice(0, eq);
    const dims = part.slice(eq + 1).split(/[x×*]/).map((d) => Number(d));
    if (eq <= 0 || !dims.length || dims.some((d) => !(Number.isSafeInteger(d) && d >= 1))) {
      throw new UsageError(`--shape: ${JSON.stringify(part)} is not NAME=DIMS with positive dimensions, e.g. input=1x3x48x192`);
    }
    if (Object.hasOwn(out, name)) throw new UsageError(`--shape: ${JSON.stringify(name)} is given twice`);
    out[name] = dims;
  }
  return out;
}

export async function run(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv, spec);
  if (args.help) {
    io.out(helpText(spec));
    return EXIT_OK;
  }
  const o = args.options;
  const file = args.positionals[0]!;
  if (o['output'] === undefined) throw new UsageError('-o FILE is required (the .wpal file to write)');
  const outFile = o['output'] as string;
  const shapes = parseShapes(o['shape'] as string | undefined);
  checkOutput(outFile, [{ path: file, what: 'ONNX model' }]);
  let onnx: Uint8Array;
  try {
    onnx = readFileSync(file);
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as Error).message}`, { cause: e });
  }
  const folder = dirname(resolve(file));
  const { bytes, report } = importOnnx(onnx, {
    shapes,
    name: (o['name'] as string | undefined) ?? basename(file).replace(/\.onnx$/i, ''),
    dense: o['dense'] === true,
    externalData: (location) => readFileSync(join(folder, location)),
  });
  await writeOutput(outFile, bytes);
  if (o['json'] === true) {
    println(io, JSON.stringify({ file: outFile, onnxBytes: onnx.length, ...report }, null, 2));
    return EXIT_OK;
  }
  printSummary(io, file, outFile, onnx.length, report, o['report'] === true);
  return EXIT_OK;
}

function printSummary(io: Io, file: string, outFile: string, onnxBytes: number, r: ImportReport, detail: boolean): void {
  const ops = (m: Record<string, number>) => Object.entries(m).map(([k, v]) => `${k} x${v}`).join(', ');
  println(io, `${file}: ${r.producer || 'unknown producer'}, opset ${r.opset}, ${formatBytes(onnxBytes)}`);
  println(io, `  ONNX ops:  ${ops(r.onnxOps)}`);
  println(io, `  .wpal ops: ${ops(r.wpalOps)}`);
  println(io, `  inputs:  ${r.inputs.map((i) => `${i.name} [${i.shape.join(', ')}] ${i.dtype}`).join('; ')}`);
  println(io, `  outputs: ${r.outputs.map((i) => `${i.name} [${i.shape.join(', ')}]`).join('; ')}`);
  const before = r.weights.reduce((a, w) => a + w.bytesBefore, 0);
  const after = r.weights.reduce((a, w) => a + w.bytesAfter, 0);
  const found = r.weights.filter((w) => w.found !== 'dense');
  println(io, `  weights: ${r.weights.length} matrices, ${formatBytes(before)} dense -> ${formatBytes(after)} stored` + (found.length ? ` (${found.length} with palettes, zero blocks or QDQ levels found)` : ' (no palettes or zero blocks found: a float model)'));
  if (detail) {
    println(io, '');
    println(io, table(
      ['tensor', 'shape', 'distinct', 'found', 'bits', 'group rows', 'sparsity', 'bytes before', 'bytes after'],
      r.weights.map((w) => [
        w.name, `[${w.shape.join(', ')}]`, w.distinct > 256 ? '>256' : String(w.distinct), w.found, w.bits ? String(w.bits) : '-',
        w.groupRows !== undefined ? String(w.groupRows) : '-', w.block ? `${(100 * w.sparsity).toFixed(1)}% of ${w.block.join('x')}` : '-',
        String(w.bytesBefore), String(w.bytesAfter),
      ]),
    ));
    for (const n of r.notes) println(io, `  note: ${n}`);
  }
  println(io, `wrote ${outFile}: ${formatBytes(r.fileBytes)} (ONNX file ${formatBytes(onnxBytes)})`);
}
