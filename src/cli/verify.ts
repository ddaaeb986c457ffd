/**
 * `wpal verify`: re-measures what a .wpal file claims — its size, the memory the runtime holds for
 * its weights, and its accuracy on the full test set — checks the claims given on the command line
 * and the accuracy recorded in the file's metadata, prints a report and exits 1 when a claim fails.
 */
import { helpText, parseArgs, type CommandSpec } from './util/args.js';
import { DATA_OPTIONS, describeSplit } from './util/data.js';
import { EXIT_FAIL, EXIT_OK, UsageError } from './util/errors.js';
import { println, type Io } from './util/io.js';
import { recordedAccuracy } from './util/meta.js';
import { readWpalFile, runtimeAccuracy, testSplitFor } from './util/model.js';
import { readModel } from '../format/read.js';
import { WpalFormatError } from '../format/errors.js';
import { loadModel } from '../runtime/load.js';
import { Progress } from './util/progress.js';
import { formatBytes, percent } from './util/size.js';
import { table } from './util/table.js';

/** How far (as a fraction) the re-measured accuracy may fall below the accuracy a file records: 0.1 point. */
export const RECORDED_ACCURACY_TOLERANCE = 0.001;

export const spec: CommandSpec = {
  name: 'verify',
  summary: "re-measure a .wpal file's size, memory and accuracy and check its claims",
  usage: '<file.wpal> [--data NAME] [--max-size S] [--min-accuracy A] [--max-memory S] [--json]',
  positionals: [{ name: 'file.wpal', description: 'the model file', required: true }],
  options: {
    ...DATA_OPTIONS,
    'max-size': { type: 'size', value: 'S', description: 'claim: the file is at most S bytes (B, KB = 1000, KiB = 1024, MB, MiB, ...)' },
    'min-accuracy': { type: 'string', value: 'A', description: 'claim: top-1 accuracy on the test set is at least A (0.99 or 99%)' },
    'max-memory': { type: 'size', value: 'S', description: 'claim: the runtime holds the weights in at most S bytes (weightsInMemoryBytes)' },
    batch: { type: 'int', value: 'N', min: 1, max: 65536, description: 'examples per run() call (default 256)' },
    limit: { type: 'int', value: 'N', min: 1, description: 'quick runs only: measure on the first N test examples; accuracy claims are then "not verified: subset" (exit 1)' },
    json: { type: 'boolean', description: 'print one JSON object: fileBytes, weightsInMemoryBytes, accuracy, examples, claims, pass' },
  },
  notes: [
    'An accuracy recorded in the file (metadata property "accuracy", written by `wpal train`) is a claim too: it fails\n' +
      `when the re-measured accuracy is more than ${RECORDED_ACCURACY_TOLERANCE * 100} point below it, or was measured on another data set.`,
    'Exit code: 0 when every claim holds, 1 when one fails or cannot be verified (accuracy on a --limit subset), when the\n' +
      'file does not match its checksum (format 1.2 on: damaged), or the file or data cannot be read; 2 on a bad command line.',
    'Example: wpal verify lenet5.8k.wpal --data mnist --max-size 8KB --min-accuracy 0.99',
  ],
};

export interface Claim {
  name: 'max-size' | 'max-memory' | 'min-accuracy' | 'recorded-accuracy';
  /** The claimed bound (bytes, or accuracy as a fraction). */
  limit: number;
  measured: number;
  /** True only when the claim was checked and holds. */
  pass: boolean;
  /** False when the claim could not be checked: an accuracy measured on a subset (--limit). */
  verified: boolean;
  /** What the claim says, in words. */
  description: string;
  note?: string;
}

/** "0.99" -> 0.99, "99%" -> 0.99, "99.5 %" -> 0.995. */
export function parseAccuracy(text: string, what: string): number {
  const t = text.trim();
  const pct = t.endsWith('%');
  const v = Number(pct ? t.slice(0, -1) : t);
  const a = pct ? Number((v / 100).toFixed(12)) : v;
  if (t === '' || t === '%' || !Number.isFinite(a)) throw new UsageError(`${what}: cannot read ${JSON.stringify(text)} as an accuracy; use a fraction like 0.99 or a percentage like 99%`);
  if (a < 0 || a > 1) throw new UsageError(`${what}: ${text} is not an accuracy between 0 and 1 (or 0% and 100%)${!pct && a > 1 && a <= 100 ? `; did you mean ${text}%?` : ''}`);
  return a;
}

export async function run(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv, spec);
  if (args.help) {
    io.out(helpText(spec));
    return EXIT_OK;
  }
  const o = args.options;
  const file = args.positionals[0]!;
  const maxSize = o['max-size'] as number | undefined;
  const maxMemory = o['max-memory'] as number | undefined;
  const minAccuracy = o['min-accuracy'] !== undefined ? parseAccuracy(String(o['min-accuracy']), '--min-accuracy') : undefined;

  // A file that does not match its checksum fails here, before any measurement.
  const bytes = readWpalFile(file);
  let info;
  try {
    info = readModel(bytes);
  } catch (e) {
    if (!(e instanceof WpalFormatError) || e.damagedTensors === undefined) throw e;
    if (o['json'] === true) println(io, JSON.stringify({ file, checksum: 'mismatch', damagedTensors: e.damagedTensors, error: e.message, pass: false }, null, 2));
    else {
      println(io, `wpal verify ${file}`);
      println(io, `  checksum           MISMATCH: ${e.message}`);
      println(io);
      println(io, 'FAIL: the file is damaged; no claim about it can hold');
    }
    return EXIT_FAIL;
  }
  // Already verified by readModel just now.
  const model = await loadModel(bytes, { verifyChecksums: false });
  const props = model.metadata.properties;
  const test = testSplitFor(model, file, o);
  const dataset = test.dataset;
  const progress = new Progress(io, test.count);
  const acc = runtimeAccuracy(model, test, (o['batch'] as number | undefined) ?? 256, (done) => progress.update(done));
  progress.finish();
  const fileBytes = bytes.length;
  const weightsInMemoryBytes = model.memoryReport().weightsInMemoryBytes;
  model.dispose();

  const partial = test.count < test.full;
  const claims: Claim[] = [];
  if (maxSize !== undefined) {
    claims.push({ name: 'max-size', limit: maxSize, measured: fileBytes, pass: fileBytes <= maxSize, verified: true, description: `file size <= ${formatBytes(maxSize)}` });
  }
  if (maxMemory !== undefined) {
    claims.push({
      name: 'max-memory',
      limit: maxMemory,
      measured: weightsInMemoryBytes,
      pass: weightsInMemoryBytes <= maxMemory,
      verified: true,
      description: `weights in memory <= ${formatBytes(maxMemory)}`,
    });
  }
  if (minAccuracy !== undefined) {
    // An accuracy measured on part of the test set says nothing about the whole: never a PASS.
    claims.push({ name: 'min-accuracy', limit: minAccuracy, measured: acc.accuracy, pass: !partial && acc.accuracy >= minAccuracy, verified: !partial, description: `accuracy >= ${percent(minAccuracy)}` });
  }
  const rec = recordedAccuracy(model.metadata);
  if (rec) {
    const notes: string[] = [];
    let pass = Number.isFinite(rec.accuracy) && acc.accuracy >= rec.accuracy - RECORDED_ACCURACY_TOLERANCE;
    if (!Number.isFinite(rec.accuracy)) notes.push(`the file's accuracy property ${JSON.stringify(props['accuracy'])} is not a number`);
    // Fails whatever the subset: a claim that is not a number, or about another data set.
    let definite = !Number.isFinite(rec.accuracy);
    if (rec.dataset !== undefined && rec.dataset !== dataset) {
      pass = false;
      definite = true;
      notes.push(`recorded on ${rec.dataset}, measured on ${dataset}`);
    }
    if (rec.examples !== undefined && rec.examples !== acc.examples) notes.push(`recorded on ${rec.examples} examples, measured on ${acc.examples}`);
    claims.push({
      name: 'recorded-accuracy',
      limit: rec.accuracy,
      measured: acc.accuracy,
      pass: pass && !partial,
      verified: !partial || definite,
      description: `accuracy recorded in the file (${Number.isFinite(rec.accuracy) ? percent(rec.accuracy) : props['accuracy']}), within ${RECORDED_ACCURACY_TOLERANCE * 100} point`,
      ...(notes.length ? { note: notes.join('; ') } : {}),
    });
  }
  const pass = claims.every((c) => c.pass);
  const unverified = claims.filter((c) => !c.verified).length;
  const checksum = info.checksum === 'verified' ? 'verified' : 'none';

  if (o['json'] === true) {
    println(
      io,
      JSON.stringify(
        {
          file,
          dataset,
          fileBytes,
          weightsInMemoryBytes,
          accuracy: acc.accuracy,
          correct: acc.correct,
          examples: acc.examples,
          fullTestSet: !partial,
          checksum,
          claims: claims.map(({ name, limit, measured, pass, verified, note }) => ({
            name, limit, measured, pass, ...(verified ? {} : { verified, status: 'not verified: subset' }), ...(note ? { note } : {}),
          })),
          pass,
        },
        null,
        2,
      ),
    );
    return pass ? EXIT_OK : EXIT_FAIL;
  }

  println(io, `wpal verify ${file}`);
  println(io, `  checksum           ${checksum === 'verified' ? 'verified (XXH64, the whole file)' : `no checksum (format ${info.formatMajor}.${info.formatMinor} file; checksums came in 1.2): damage cannot be detected`}`);
  println(io, `  file size          ${formatBytes(fileBytes)}`);
  println(io, `  weights in memory  ${formatBytes(weightsInMemoryBytes)}`);
  println(
    io,
    `  accuracy           ${percent(acc.accuracy)} (${acc.correct.toLocaleString('en-US')}/${acc.examples.toLocaleString('en-US')} ${dataset} ${test.splitName} ${test.unit}${test.origin ? ` (${test.origin})` : ''}` +
      `${partial ? `: ONLY the first ${acc.examples} of ${test.full} (--limit), not the full ${test.splitName} set` : `, the full ${test.splitName} set`})`,
  );
  println(io);
  if (claims.length === 0) {
    println(io, 'no claims to check: give --max-size, --min-accuracy or --max-memory (the file records no accuracy)');
    return EXIT_OK;
  }
  const show = (c: Claim, v: number) => (c.name === 'max-size' || c.name === 'max-memory' ? `${v.toLocaleString('en-US')} B` : Number.isFinite(v) ? percent(v) : String(v));
  io.out(
    table(
      ['claim', 'limit', 'measured', 'result'],
      claims.map((c) => [c.description, show(c, c.limit), show(c, c.measured), (!c.verified ? 'not verified: subset' : c.pass ? 'PASS' : 'FAIL') + (c.note ? `  (${c.note})` : '')]),
      [false, true, true, false],
    ),
  );
  println(io);
  const failed = claims.filter((c) => c.verified && !c.pass).length;
  const of = `of ${claims.length} claim${claims.length > 1 ? 's' : ''}`;
  if (pass) println(io, `PASS: all ${claims.length} claim${claims.length > 1 ? 's' : ''} hold`);
  else if (failed) println(io, `FAIL: ${failed} ${of} fail${failed === 1 ? 's' : ''}${unverified ? `, ${unverified} not verified (accuracy measured on a subset: --limit)` : ''}`);
  else println(io, `NOT VERIFIED: ${unverified} ${of} measured on only ${acc.examples} of ${test.full} ${test.unit} (--limit); run without --limit to check ${unverified > 1 ? 'them' : 'it'}`);
  return pass ? EXIT_OK : EXIT_FAIL;
}
