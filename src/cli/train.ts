/**
 * `wpal train`: trains LeNet-5 or LeNet-300-100 on MNIST / Fashion-MNIST / image folders / NumPy
 * arrays, or the text transformer on SST-2 / text files, with the project's engine
 * (src/trainer/engine), following the accuracy on the validation split, measures the written
 * file through the runtime on the test split, and writes a dense float32 .wpal whose metadata
 * records the provenance, how the data was read (preprocessing, classes, splits) and that accuracy.
 */
import { ARCHITECTURES, TEXT_DEFAULTS, TEXT_POOLS, TEXT_TRAIN_DEFAULTS, TRAIN_DEFAULTS, WpalTrainError, train, trainSettings, type ArchName, type TextPool, type TrainOptions } from '../trainer/train.js';
import { helpText, parseArgs, type CommandSpec } from './util/args.js';
import { DATA_OPTIONS, USER_DATA_OPTIONS, checkOptionsFitData, describeSplit, loadCliData, splitSettingsOf, userOptionsOf } from './util/data.js';
import { dataKind, type LoadedData, type Split } from '../trainer/data/load.js';
import { basename } from 'node:path';
import { CliError, EXIT_OK, UsageError } from './util/errors.js';
import { println, type Io } from './util/io.js';
import { checkOutput, writeOutput } from './util/output.js';
import { packageVersion } from './util/meta.js';
import { readTeacher, teacherInputs } from './util/model.js';
import { shiftMisfit } from '../trainer/engine/augment.js';
import { Progress } from './util/progress.js';
import { formatBytes, formatDuration, percent } from './util/size.js';

export const spec: CommandSpec = {
  name: 'train',
  summary: 'train a network on a data set and write it as a dense .wpal',
  usage: '--data NAME|PATH --arch ARCH -o FILE [options]',
  positionals: [],
  options: {
    ...DATA_OPTIONS,
    ...USER_DATA_OPTIONS,
    arch: { type: 'string', value: 'ARCH', choices: ARCHITECTURES, description: 'architecture: lenet5 (default for images), lenet300-100 (default for flat arrays), transformer (text: sst2, .csv/.tsv/.jsonl; the default there)' },
    epochs: { type: 'int', value: 'N', min: 1, description: `epochs (default ${TRAIN_DEFAULTS.epochs}; transformer ${TEXT_TRAIN_DEFAULTS.epochs})` },
    batch: { type: 'int', value: 'N', min: 1, max: 4096, description: `mini-batch size (default ${TRAIN_DEFAULTS.batch})` },
    lr: { type: 'number', value: 'X', min: 0, description: `peak learning rate (default ${TRAIN_DEFAULTS.sgdLr} for sgd, ${TRAIN_DEFAULTS.adamLr} for adam), cosine-decayed to 0` },
    optimizer: { type: 'string', value: 'NAME', choices: ['sgd', 'adam'], description: 'sgd (momentum 0.9, weight decay 5e-4; default) or adam' },
    'weight-decay': { type: 'number', value: 'X', min: 0, description: `weight decay (default ${TRAIN_DEFAULTS.weightDecay} with SGD; transformer: AdamW, ${TEXT_TRAIN_DEFAULTS.weightDecay})` },
    widths: { type: 'string', value: 'K1,K2,N', description: 'lenet5: conv1 filters, conv2 filters, fc1 units (default 20,50,500); narrower nets are structured pruning by construction' },
    hidden: { type: 'string', value: 'N,N,...', description: 'lenet300-100: hidden layer widths (default 300,100)' },
    teacher: { type: 'string', value: 'FILE[,FILE...]', description: 'distill from this trained .wpal (e.g. a dense LeNet-5), or from several (an ensemble: the mean of their logits): loss = (1 - alpha) CE + alpha T^2 KL on softened logits' },
    temperature: { type: 'number', value: 'T', min: 0.01, description: `distillation temperature (default ${TRAIN_DEFAULTS.temperature})` },
    alpha: { type: 'number', value: 'X', min: 0, max: 1, description: `distillation weight (default ${TRAIN_DEFAULTS.alpha})` },
    seq: { type: 'int', value: 'N', min: 1, max: 4096, description: `transformer: token ids per sentence, longer ones are cut (default ${TEXT_DEFAULTS.seq})` },
    buckets: { type: 'int', value: 'N', min: 2, max: 1 << 24, description: `transformer: hashed word buckets = word-table rows (default ${TEXT_DEFAULTS.buckets})` },
    dim: { type: 'int', value: 'N', min: 1, max: 4096, description: `transformer: model width (default ${TEXT_DEFAULTS.dim})` },
    layers: { type: 'int', value: 'N', min: 1, max: 64, description: `transformer: attention blocks (default ${TEXT_DEFAULTS.layers})` },
    heads: { type: 'int', value: 'N', min: 1, max: 64, description: `transformer: attention heads, dividing --dim (default ${TEXT_DEFAULTS.heads})` },
    ffn: { type: 'int', value: 'N', min: 1, max: 16384, description: `transformer: feed-forward width (default ${TEXT_DEFAULTS.ffn})` },
    positions: { type: 'boolean', description: 'transformer: add a learned position table to the word embeddings' },
    pool: { type: 'string', value: 'NAME', choices: TEXT_POOLS, description: `transformer: how the positions become one vector, mean or max over them (default ${TEXT_DEFAULTS.pool})` },
    'word-dropout': { type: 'number', value: 'P', min: 0, max: 0.99, description: `transformer: probability that a training word becomes [PAD] (default ${TEXT_TRAIN_DEFAULTS.wordDropout})` },
    seed: { type: 'int', value: 'N', min: 0, max: 2 ** 32 - 1, description: `seed of the initialization and the shuffles (default ${TRAIN_DEFAULTS.seed})` },
    shift: { type: 'int', value: 'N', min: 0, max: 64, description: 'images: move every training image by up to N pixels each way (edge pixels repeated), a fresh draw per step; a --teacher is then run on each batch as shifted (default 0)' },
    limit: { type: 'int', value: 'N', min: 1, description: 'quick runs: the first N examples of the train, val and test splits (after the carves)' },
    output: { type: 'string', short: 'o', value: 'FILE', description: 'the .wpal file to write (required)' },
    json: { type: 'boolean', description: 'print the result as one JSON object on stdout' },
  },
  notes: [
    'Prints progress (loss, accuracy, images/s, ETA) on stderr: one redrawn line on a terminal, one line per epoch in logs/CI.',
    'Splits: the per-epoch accuracy is measured on the validation split, the data\'s own (val/, x_val.npy, val.csv) or\n' +
      'carved from the training data (--val-fraction, default 10%, seeded, stratified; built-in sets too), and the file keeps\n' +
      'the weights of the epoch with the best validation accuracy; the final accuracy is measured on the test split, through\n' +
      'the runtime on the written file. Your data without a test split gets one carved first\n' +
      '(--test-fraction, default 20%). The test split never steers training.',
    'Your own data (--data PATH):\n' +
      '  image folder   PATH/<class>/*.png|jpg or PATH/{train,val,test}/<class>/...; classes = folder names (sorted);\n' +
      '                 decoded with pngjs / jpeg-js, resized to --image-size (triangle filter, antialiased), RGB or --grayscale\n' +
      '  NumPy          PATH/ holding x_train.npy y_train.npy [x_val.npy y_val.npy] [x_test.npy y_test.npy], or PATH.npz with\n' +
      '                 those keys; x (N, F), (N, H, W) or (N, H, W, C); y integer classes 0..K-1\n' +
      '  text           PATH.csv|.tsv|.jsonl (one pool) or PATH/ holding train.* [val.*] [test.*]; --text-column, --label-column;\n' +
      '                 words hashed as for sst2 (--seq, --buckets)\n' +
      '  Inputs become x\' = (x * scale - mean) / std (--scale, --mean, --std).',
    'The file records in its metadata properties: dataset, arch, epochs, batch, optimizer, lr, seed, train_examples,\n' +
      'val_examples, kept_epoch and val_accuracy (the epoch kept and its validation accuracy), train_seconds, and the test\n' +
      'accuracy measured through the runtime on the written file (accuracy, accuracy_examples, accuracy_dataset), which\n' +
      '`wpal verify` checks. For your own data also how it was read (the\n' +
      'Preprocessing table: scale, mean, std; output labels = class names; data_format, image_size, image_channels,\n' +
      'image_resize, text_column, label_column, split_seed, test_fraction, val_fraction), so compress, eval and verify\n' +
      'read the same examples from the file and --data PATH.',
    'Example: wpal train --data ./digits --grayscale --image-size 28x28 --arch lenet5 -o digits.wpal   (digits/<class>/*.png)',
    'Example: wpal train --data mnist --arch lenet5 --epochs 20 -o lenet5.dense.wpal',
    `Transformer (sst2): AdamW (lr ${TEXT_TRAIN_DEFAULTS.lr}, weight decay ${TEXT_TRAIN_DEFAULTS.weightDecay}, 5% warmup then cosine), word dropout ${TEXT_TRAIN_DEFAULTS.wordDropout}, ${TEXT_TRAIN_DEFAULTS.epochs} epochs by default;\n` +
      'measured on the 872-sentence dev set (SST-2\'s test.tsv has no labels). Words are hashed into --buckets rows (no vocabulary in the file).',
    'Example: wpal train --data sst2 --arch transformer -o sst2.dense.wpal',
    'Example: wpal train --data mnist --arch lenet5 --widths 5,10,32 --teacher lenet5.dense.wpal --epochs 25 --lr 0.01 -o lenet5-narrow.dense.wpal',
  ],
};

/** "5,10,32" -> [5, 10, 32], checking count and range. */
export function parseWidths(text: string, option: string, count?: number): number[] {
  const v = text.split(',').map((x) => Number(x.trim()));
  if (v.length === 0 || v.some((x) => !Number.isInteger(x) || x < 1 || x > 65536) || (count !== undefined && v.length !== count)) {
    throw new UsageError(`${option} ${JSON.stringify(text)}: expected ${count ?? 'one or more'} positive integers separated by commas`);
  }
  return v;
}

/** Why LeNet-5 cannot take examples of `shape` (square, side a multiple of 4, at least 16), or undefined. */
function lenet5Misfit(shape: readonly number[]): string | undefined {
  const [h, w] = shape;
  if (shape.length === 3 && h === w && h! % 4 === 0 && h! >= 16) return undefined;
  return `lenet5 takes square images whose side is a multiple of 4, at least 16 (e.g. --image-size 28x28); the examples are [${shape.join(', ')}]: use --arch lenet300-100${shape.length === 3 ? ' or another --image-size' : ''}`;
}

export async function run(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv, spec);
  if (args.help) {
    io.out(helpText(spec));
    return EXIT_OK;
  }
  const o = args.options;
  const { outFile, data, splits, options } = trainRequest(o);
  const { train: trainSplit, val, test } = splits;
  const netArch = options.arch;
  const { epochs, batchSize: batch } = trainSettings(options);
  const steps = Math.floor(trainSplit.count / batch);
  const classes = data.classes.length;
  const perEpoch = steps * batch;
  const progress = new Progress(io, perEpoch * epochs);
  // The per-epoch accuracy is the validation split's (the engine's, on float32 weights); the test split only measures the written file.
  let lastVal = NaN;
  const accuracyOf = (a: number) => (val ? { accuracy: a, accuracyLabel: `${val.splitName} acc` } : {});
  let trained;
  try {
    trained = await train(splits, {
      ...options,
      onStep: (ep, done, loss) => progress.update(ep * perEpoch + done, { label: `epoch ${ep + 1}/${epochs}`, loss, ...(ep > 0 ? accuracyOf(lastVal) : {}) }),
      onEpoch: (h) => {
        lastVal = h.valAccuracy ?? NaN;
        const label = `epoch ${h.epoch}/${epochs}`;
        progress.update(h.epoch * perEpoch, { label, loss: h.loss, ...accuracyOf(lastVal) });
        progress.line(
          `${label}  loss ${h.loss.toFixed(4)}  train acc ${percent(h.trainAccuracy)}  ${val ? `${val.splitName} acc ${percent(lastVal)}  ` : ''}` +
            `${Math.round(perEpoch / h.seconds).toLocaleString('en-US')} ${trainSplit.unit}/s  ` +
            (h.epoch < epochs ? `ETA ${formatDuration(progress.eta)}` : `took ${formatDuration(progress.elapsed)}`),
        );
      },
    });
  } catch (e) {
    if (e instanceof WpalTrainError) throw new CliError(e.message.replace('lower the learning rate', 'lower --lr').replace(/^teacher /, '--teacher '), { cause: e });
    throw e;
  }
  progress.finish();
  const { bytes, report } = trained;
  const acc = report.accuracy;
  const trainSeconds = report.trainSeconds;
  const imagesPerSecond = report.examplesPerSecond;
  await writeOutput(outFile, bytes);

  const json = o['json'] === true;
  const result = {
    file: outFile,
    fileBytes: bytes.length,
    arch: netArch,
    dataset: data.dataset,
    classes,
    epochs,
    trainExamples: trainSplit.count,
    valExamples: val?.count ?? 0,
    trainSeconds,
    imagesPerSecond,
    accuracy: acc.accuracy,
    examples: acc.examples,
    testSplit: test.origin ?? `${test.splitName} (the data's own)`,
    ...(val ? { valAccuracy: report.valAccuracy, keptEpoch: report.keptEpoch } : {}),
  };
  if (json) {
    println(io, JSON.stringify(result, null, 2));
  } else {
    println(io, `wrote ${outFile}: ${formatBytes(bytes.length)}, ${netArch} dense float32${data.user ? `, ${classes} classes, input [${data.shape.join(', ')}]` : ''}`);
    println(
      io,
      `${test.splitName} accuracy ${percent(acc.accuracy)} (${describeSplit(test, acc.correct)}, measured on the written file)`,
    );
    if (val && report.valAccuracy !== undefined) {
      println(io, `${val.splitName} accuracy ${percent(report.valAccuracy)} (${describeSplit(val)}, epoch ${report.keptEpoch} of ${epochs}: the best, whose weights the file holds; float32 weights in the trainer)`);
    }
    println(
      io,
      `trained ${epochs} epoch${epochs > 1 ? 's' : ''} x ${perEpoch.toLocaleString('en-US')} ${trainSplit.unit} in ${formatDuration(trainSeconds)} ` +
        `(${Math.round(imagesPerSecond).toLocaleString('en-US')} ${trainSplit.unit}/s including evaluation)`,
    );
  }
  return EXIT_OK;
}

/** What a train command asks for, checked, with its data loaded: what the library's train() takes. */
export interface TrainRequest {
  outFile: string;
  data: LoadedData;
  splits: { train: Split; val?: Split; test: Split };
  options: Omit<TrainOptions, 'onStep' | 'onEpoch'>;
}

/**
 * The options of `wpal train ...` (parsed by parseArgs with `spec`) as a library request: every check
 * that needs no training (UsageError / CliError), the data loaded and carved, the teacher read, and
 * train()'s options. scripts/results.ts runs its rows' commands through this and train().
 */
export function trainRequest(o: Record<string, unknown>): TrainRequest {
  if (o['data'] === undefined) throw new UsageError('--data is required (mnist, fashion-mnist, sst2 or the path of your data)');
  if (o['output'] === undefined) throw new UsageError('-o FILE is required (the .wpal file to write)');
  const dataset = o['data'] as string;
  const kind = dataKind(dataset);
  const textData = kind === 'text';
  const arch = (o['arch'] as ArchName | undefined) ?? (textData ? 'transformer' : 'lenet5');
  const text = arch === 'transformer';
  if (text !== textData) throw new UsageError(text ? `--arch transformer trains on text (sst2, .csv, .tsv, .jsonl), not ${dataset}` : `${dataset} is text: use --arch transformer, not ${arch}`);
  const userOptions = userOptionsOf(o, dataset);
  checkOptionsFitData(o, { dataset: basename(dataset.replace(/[\\/]+$/, '')) || dataset, kind });
  const textOnly = ['seq', 'buckets', 'dim', 'layers', 'heads', 'ffn', 'word-dropout', 'positions', 'pool'].filter((k) => o[k] !== undefined);
  if (!text && textOnly.length > 0) throw new UsageError(`--${textOnly[0]} is an option of --arch transformer`);
  if (text) {
    for (const k of ['widths', 'hidden', 'teacher']) if (o[k] !== undefined) throw new UsageError(`--${k} is not an option of --arch transformer`);
    if (o['optimizer'] === 'sgd') throw new UsageError('--arch transformer trains with AdamW only (--optimizer adam)');
  }
  const textConfig = text
    ? { seq: (o['seq'] as number | undefined) ?? TEXT_DEFAULTS.seq, buckets: (o['buckets'] as number | undefined) ?? TEXT_DEFAULTS.buckets, dim: (o['dim'] as number | undefined) ?? TEXT_DEFAULTS.dim, layers: (o['layers'] as number | undefined) ?? TEXT_DEFAULTS.layers, heads: (o['heads'] as number | undefined) ?? TEXT_DEFAULTS.heads, ffn: (o['ffn'] as number | undefined) ?? TEXT_DEFAULTS.ffn }
    : undefined;
  if (textConfig && textConfig.dim % textConfig.heads !== 0) throw new UsageError(`--dim ${textConfig.dim} is not a multiple of --heads ${textConfig.heads}`);
  const limit = o['limit'] as number | undefined;
  const outFile = o['output'] as string;
  const dataDir = o['data-dir'] as string | undefined;
  if (o['widths'] !== undefined && o['hidden'] !== undefined) throw new UsageError('give --widths (lenet5) or --hidden (lenet300-100), not both');
  const widths = o['widths'] !== undefined ? parseWidths(o['widths'] as string, '--widths', 3) : o['hidden'] !== undefined ? parseWidths(o['hidden'] as string, '--hidden') : undefined;
  const teacherFile = o['teacher'] as string | undefined;
  if (teacherFile === undefined && (o['temperature'] !== undefined || o['alpha'] !== undefined)) throw new UsageError('--temperature and --alpha need --teacher FILE');

  // Fail before training, not after it.
  checkOutput(outFile, teacherInputs(teacherFile));

  const data = loadCliData({
    data: dataset, want: ['train', 'val', 'test'], splits: splitSettingsOf(o), user: userOptions,
    ...(dataDir !== undefined ? { dataDir } : {}), ...(limit !== undefined ? { limit } : {}), ...(textConfig ? { text: textConfig } : {}),
  });
  const trainSplit = data.train!;
  const test = data.test!;
  const val: Split | undefined = data.val;
  // Flat examples (arrays of shape (N, F)) go to the fully connected net unless --arch says otherwise.
  const netArch: ArchName = o['arch'] === undefined && !text && data.shape.length === 1 ? 'lenet300-100' : arch;
  if (netArch === 'lenet5' && lenet5Misfit(data.shape)) throw new UsageError(lenet5Misfit(data.shape)!);
  const shiftWhy = o['shift'] ? shiftMisfit(data.shape, text ? 'int32' : 'float32') : undefined;
  if (shiftWhy) throw new UsageError(`--shift: ${shiftWhy}`);
  if (o['widths'] !== undefined && netArch !== 'lenet5') throw new UsageError('--widths is for --arch lenet5 (use --hidden for lenet300-100)');
  if (o['hidden'] !== undefined && netArch !== 'lenet300-100') throw new UsageError('--hidden is for --arch lenet300-100 (use --widths for lenet5)');
  const given = (k: string) => o[k] as number | undefined;
  const settings = trainSettings({
    arch: netArch, epochs: given('epochs'), batchSize: given('batch'), lr: given('lr'), optimizer: o['optimizer'] as 'sgd' | 'adam' | undefined,
    weightDecay: given('weight-decay'), wordDropout: given('word-dropout'), seed: given('seed'),
  });
  const { epochs, batchSize: batch } = settings;
  const steps = Math.floor(trainSplit.count / batch);
  if (steps === 0) throw new UsageError(`--batch ${batch} is larger than the ${trainSplit.count} training examples`);

  const teacher = teacherFile !== undefined ? readTeacher(teacherFile) : undefined;
  const { preprocessing, outputLabels } = data.record;
  return {
    outFile, data, splits: { train: trainSplit, ...(val ? { val } : {}), test },
    options: {
      arch: netArch, classes: data.classes.length, inputShape: data.shape, ...(widths ? { widths } : {}), ...(textConfig ? { text: { ...textConfig, positions: o['positions'] === true, ...(o['pool'] !== undefined ? { pool: o['pool'] as TextPool } : {}) } } : {}),
      ...settings,
      ...(o['shift'] ? { shift: o['shift'] as number } : {}),
      ...(teacher ? { teacher: { ...teacher, ...(o['temperature'] !== undefined ? { temperature: o['temperature'] as number } : {}), ...(o['alpha'] !== undefined ? { alpha: o['alpha'] as number } : {}) } } : {}),
      dataset: data.dataset, trainer: `wpal train (wasm-palette ${packageVersion()})`,
      record: { ...(preprocessing ? { preprocessing } : {}), ...(outputLabels ? { outputLabels } : {}) }, properties: data.record.properties,
    },
  };
}
