/** `wpal eval`: runs a .wpal file through the runtime on the full test set and prints its accuracy. */
import { helpText, parseArgs, type CommandSpec } from './util/args.js';
import { DATA_OPTIONS, describeSplit } from './util/data.js';
import { EXIT_OK } from './util/errors.js';
import { println, type Io } from './util/io.js';
import { recordedAccuracy } from './util/meta.js';
import { loadWpal, runtimeAccuracy, testSplitFor } from './util/model.js';
import { Progress } from './util/progress.js';
import { formatDuration, percent } from './util/size.js';

export const spec: CommandSpec = {
  name: 'eval',
  summary: 'measure the accuracy of a .wpal file on the test set, through the runtime',
  usage: '<file.wpal> [--data NAME] [options]',
  positionals: [{ name: 'file.wpal', description: 'the model file', required: true }],
  options: {
    ...DATA_OPTIONS,
    batch: { type: 'int', value: 'N', min: 1, max: 65536, description: 'examples per run() call (default 256)' },
    limit: { type: 'int', value: 'N', min: 1, description: 'quick runs: only the first N test examples' },
    json: { type: 'boolean', description: 'print one JSON object: file, dataset, accuracy, correct, examples, seconds' },
  },
  notes: [
    '--data defaults to the built-in data set the file records (metadata property accuracy_dataset or dataset). A file\n' +
      'trained on your own data needs --data PATH; the examples are read as the file records (preprocessing, classes,\n' +
      'the carved test split), so the accuracy is the one train measured.',
    'Example: wpal eval lenet5.8k.wpal --data mnist',
  ],
};

export async function run(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv, spec);
  if (args.help) {
    io.out(helpText(spec));
    return EXIT_OK;
  }
  const o = args.options;
  const file = args.positionals[0]!;
  const { model } = await loadWpal(file);
  const test = testSplitFor(model, file, o);
  const dataset = test.dataset;
  const progress = new Progress(io, test.count);
  const acc = runtimeAccuracy(model, test, (o['batch'] as number | undefined) ?? 256, (done) => progress.update(done));
  progress.finish();
  const rec = recordedAccuracy(model.metadata);
  if (o['json'] === true) {
    println(
      io,
      JSON.stringify(
        {
          file,
          dataset,
          accuracy: acc.accuracy,
          correct: acc.correct,
          examples: acc.examples,
          fullTestSet: test.count === test.full,
          seconds: acc.seconds,
          ...(rec ? { recordedAccuracy: rec.accuracy } : {}),
        },
        null,
        2,
      ),
    );
    return EXIT_OK;
  }
  println(
    io,
    `${file}: accuracy ${percent(acc.accuracy)} (${describeSplit(test, acc.correct)}) in ${formatDuration(acc.seconds)} ` +
      `(${Math.round(acc.examples / acc.seconds).toLocaleString('en-US')} ${test.unit}/s)`,
  );
  if (rec) println(io, `the file records accuracy ${percent(rec.accuracy)}${rec.examples !== undefined ? ` on ${rec.examples} examples` : ''}${rec.dataset ? ` of ${rec.dataset}` : ''}`);
  return EXIT_OK;
}
