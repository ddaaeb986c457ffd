/**
 * `wpal train`: trains LeNet-5 or LeNet-300-100 on MNIST / Fashion-MNIST with the project's engine
 * (src/trainer/engine), measures the accuracy of the written file through the runtime on the test
 * set, and writes a dense float32 .wpal whose metadata records the provenance and that accuracy.
 */
import { Engine, TEXT_DEFAULTS, TrainModule, lenet300100, lenet5, textClassifier, trainTextClassifier, type TrainableNet } from '../trainer/engine/index.js';
import { buildDenseModel, denseModelOf, readDenseModel } from '../trainer/compress.js';
import { fit, teacherLogits } from '../trainer/fit.js';
import { loadModel } from '../runtime/load.js';
import { helpText, parseArgs, type CommandSpec } from './util/args.js';
import { DATA_OPTIONS, asDataset, describeSplit, loadSplit } from './util/data.js';
import { CliError, EXIT_OK, UsageError } from './util/errors.js';
import { println, type Io } from './util/io.js';
import { checkOutput, writeOutput } from './util/output.js';
import { ACCURACY, ACCURACY_DATASET, ACCURACY_EXAMPLES, packageVersion } from './util/meta.js';
import { readWpalFile, runtimeAccuracy } from './util/model.js';
import { Progress } from './util/progress.js';
import { formatBytes, formatDuration, percent } from './util/size.js';

export const ARCHS = ['lenet5', 'lenet300-100', 'transformer'] as const;
type Arch = (typeof ARCHS)[number];

/** Defaults (LeNets): SGD + momentum 0.9, weight decay 5e-4, cosine learning-rate decay to 0 over the run. */
export const TRAIN_DEFAULTS = { epochs: 10, batch: 64, seed: 1, sgdLr: 0.02, adamLr: 1e-3, momentum: 0.9, weightDecay: 5e-4, temperature: 4, alpha: 0.7 };

/** Defaults of the text transformer (src/trainer/engine/text-train.ts: AdamW, warmup then cosine, word dropout). */
export const TEXT_TRAIN_DEFAULTS = { epochs: 2, lr: 5e-4, weightDecay: 0.1, wordDropout: 0.3 };

export const spec: CommandSpec = {
  name: 'train',
  summary: 'train a network on a data set and write it as a dense .wpal',
  usage: '--data NAME --arch ARCH -o FILE [options]',
  positionals: [],
  options: {
    ...DATA_OPTIONS,
    arch: { type: 'string', value: 'ARCH', choices: ARCHS, description: 'architecture: lenet5 (default for images), lenet300-100, transformer (sst2, the default there)' },
    epochs: { type: 'int', value: 'N', min: 1, description: `epochs (default ${TRAIN_DEFAULTS.epochs})` },
    batch: { type: 'int', value: 'N', min: 1, max: 4096, description: `mini-batch size (default ${TRAIN_DEFAULTS.batch})` },
    lr: { type: 'number', value: 'X', min: 0, description: `peak learning rate (default ${TRAIN_DEFAULTS.sgdLr} for sgd, ${TRAIN_DEFAULTS.adamLr} for adam), cosine-decayed to 0` },
    optimizer: { type: 'string', value: 'NAME', choices: ['sgd', 'adam'], description: 'sgd (momentum 0.9, weight decay 5e-4; default) or adam' },
    'weight-decay': { type: 'number', value: 'X', min: 0, description: `SGD weight decay (default ${TRAIN_DEFAULTS.weightDecay})` },
    widths: { type: 'string', value: 'K1,K2,N', description: 'lenet5: conv1 filters, conv2 filters, fc1 units (default 20,50,500); narrower nets are structured pruning by construction' },
    hidden: { type: 'string', value: 'N,N,...', description: 'lenet300-100: hidden layer widths (default 300,100)' },
    teacher: { type: 'string', value: 'FILE', description: 'distill from this trained .wpal (e.g. a dense LeNet-5): loss = (1 - alpha) CE + alpha T^2 KL on softened logits' },
    temperature: { type: 'number', value: 'T', min: 0.01, description: `distillation temperature (default ${TRAIN_DEFAULTS.temperature})` },
    alpha: { type: 'number', value: 'X', min: 0, max: 1, description: `distillation weight (default ${TRAIN_DEFAULTS.alpha})` },
    seq: { type: 'int', value: 'N', min: 1, max: 4096, description: `transformer: token ids per sentence, longer ones are cut (default ${TEXT_DEFAULTS.seq})` },
    buckets: { type: 'int', value: 'N', min: 2, max: 1 << 24, description: `transformer: hashed word buckets = word-table rows (default ${TEXT_DEFAULTS.buckets})` },
    dim: { type: 'int', value: 'N', min: 1, max: 4096, description: `transformer: model width (default ${TEXT_DEFAULTS.dim})` },
    layers: { type: 'int', value: 'N', min: 1, max: 64, description: `transformer: attention blocks (default ${TEXT_DEFAULTS.layers})` },
    heads: { type: 'int', value: 'N', min: 1, max: 64, description: `transformer: attention heads, dividing --dim (default ${TEXT_DEFAULTS.heads})` },
    ffn: { type: 'int', value: 'N', min: 1, max: 16384, description: `transformer: feed-forward width (default ${TEXT_DEFAULTS.ffn})` },
    'word-dropout': { type: 'number', value: 'P', min: 0, max: 0.99, description: `transformer: probability that a training word becomes [PAD] (default ${TEXT_TRAIN_DEFAULTS.wordDropout})` },
    seed: { type: 'int', value: 'N', min: 0, max: 2 ** 32 - 1, description: `seed of the initialization and the shuffles (default ${TRAIN_DEFAULTS.seed})` },
    limit: { type: 'int', value: 'N', min: 1, description: 'quick runs: train on the first N training examples and measure on the first N test examples' },
    output: { type: 'string', short: 'o', value: 'FILE', description: 'the .wpal file to write (required)' },
    json: { type: 'boolean', description: 'print the result as one JSON object on stdout' },
  },
  notes: [
    'Prints progress (loss, accuracy, images/s, ETA) on stderr: one redrawn line on a terminal, one line per epoch in logs/CI.',
    'The file records in its metadata properties: dataset, arch, epochs, batch, optimizer, lr, seed, train_examples,\n' +
      'train_seconds, and the test accuracy measured through the runtime on the written file (accuracy, accuracy_examples,\n' +
      'accuracy_dataset), which `wpal verify` checks.',
    'Example: wpal train --data mnist --arch lenet5 --epochs 20 -o lenet5.dense.wpal',
    'Transformer (sst2): AdamW (lr 5e-4, weight decay 0.1, 5% warmup then cosine), word dropout 0.3, 2 epochs by default;\n' +
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

function makeNet(e: Engine, arch: Arch, seed: number, widths: number[] | undefined): TrainableNet {
  return arch === 'lenet5'
    ? lenet5(e, { seed, ...(widths ? { widths: widths as [number, number, number] } : {}) })
    : lenet300100(e, { seed, ...(widths ? { hidden: widths } : {}) });
}

export async function run(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv, spec);
  if (args.help) {
    io.out(helpText(spec));
    return EXIT_OK;
  }
  const o = args.options;
  if (o['data'] === undefined) throw new UsageError('--data is required (mnist, fashion-mnist or sst2)');
  if (o['output'] === undefined) throw new UsageError('-o FILE is required (the .wpal file to write)');
  const dataset = asDataset(o['data'], '--data');
  const arch = (o['arch'] as Arch | undefined) ?? (dataset === 'sst2' ? 'transformer' : 'lenet5');
  const text = arch === 'transformer';
  if (text !== (dataset === 'sst2')) throw new UsageError(text ? `--arch transformer trains on sst2, not ${dataset}` : `sst2 is text: use --arch transformer, not ${arch}`);
  const textOnly = ['seq', 'buckets', 'dim', 'layers', 'heads', 'ffn', 'word-dropout'].filter((k) => o[k] !== undefined);
  if (!text && textOnly.length > 0) throw new UsageError(`--${textOnly[0]} is an option of --arch transformer`);
  if (text) {
    for (const k of ['widths', 'hidden', 'teacher']) if (o[k] !== undefined) throw new UsageError(`--${k} is not an option of --arch transformer`);
    if (o['optimizer'] === 'sgd') throw new UsageError('--arch transformer trains with AdamW only (--optimizer adam)');
  }
  const textConfig = text
    ? { seq: (o['seq'] as number | undefined) ?? TEXT_DEFAULTS.seq, buckets: (o['buckets'] as number | undefined) ?? TEXT_DEFAULTS.buckets, dim: (o['dim'] as number | undefined) ?? TEXT_DEFAULTS.dim, layers: (o['layers'] as number | undefined) ?? TEXT_DEFAULTS.layers, heads: (o['heads'] as number | undefined) ?? TEXT_DEFAULTS.heads, ffn: (o['ffn'] as number | undefined) ?? TEXT_DEFAULTS.ffn }
    : undefined;
  if (textConfig && textConfig.dim % textConfig.heads !== 0) throw new UsageError(`--dim ${textConfig.dim} is not a multiple of --heads ${textConfig.heads}`);
  const wordDropout = (o['word-dropout'] as number | undefined) ?? TEXT_TRAIN_DEFAULTS.wordDropout;
  const epochs = (o['epochs'] as number | undefined) ?? (text ? TEXT_TRAIN_DEFAULTS.epochs : TRAIN_DEFAULTS.epochs);
  const batch = (o['batch'] as number | undefined) ?? TRAIN_DEFAULTS.batch;
  const optimizer = (o['optimizer'] as 'sgd' | 'adam' | undefined) ?? (text ? 'adam' : 'sgd');
  const lr = (o['lr'] as number | undefined) ?? (text ? TEXT_TRAIN_DEFAULTS.lr : optimizer === 'sgd' ? TRAIN_DEFAULTS.sgdLr : TRAIN_DEFAULTS.adamLr);
  const seed = (o['seed'] as number | undefined) ?? TRAIN_DEFAULTS.seed;
  const limit = o['limit'] as number | undefined;
  const outFile = o['output'] as string;
  const dataDir = o['data-dir'] as string | undefined;
  const json = o['json'] === true;
  const weightDecay = (o['weight-decay'] as number | undefined) ?? (text ? TEXT_TRAIN_DEFAULTS.weightDecay : TRAIN_DEFAULTS.weightDecay);
  if (o['widths'] !== undefined && arch !== 'lenet5') throw new UsageError('--widths is for --arch lenet5 (use --hidden for lenet300-100)');
  if (o['hidden'] !== undefined && arch !== 'lenet300-100') throw new UsageError('--hidden is for --arch lenet300-100 (use --widths for lenet5)');
  const widths = o['widths'] !== undefined ? parseWidths(o['widths'] as string, '--widths', 3) : o['hidden'] !== undefined ? parseWidths(o['hidden'] as string, '--hidden') : undefined;
  const teacherFile = o['teacher'] as string | undefined;
  const temperature = (o['temperature'] as number | undefined) ?? TRAIN_DEFAULTS.temperature;
  const alpha = (o['alpha'] as number | undefined) ?? TRAIN_DEFAULTS.alpha;
  if (teacherFile === undefined && (o['temperature'] !== undefined || o['alpha'] !== undefined)) throw new UsageError('--temperature and --alpha need --teacher FILE');

  // Fail before training, not after it.
  checkOutput(outFile, teacherFile !== undefined ? [{ path: teacherFile, what: '--teacher file' }] : []);

  const train = loadSplit(dataset, 'train', dataDir, limit, textConfig);
  const test = loadSplit(dataset, 'test', dataDir, limit, textConfig);
  const steps = Math.floor(train.count / batch);
  if (steps === 0) throw new UsageError(`--batch ${batch} is larger than the ${train.count} training examples`);

  const teacherModel = teacherFile !== undefined ? readDenseModel(readWpalFile(teacherFile)) : undefined;
  const e = new Engine(new TrainModule());
  const net = textConfig ? textClassifier(e, { ...textConfig, seed }) : makeNet(e, arch, seed, widths);
  const perEpoch = steps * batch;
  const progress = new Progress(io, perEpoch * epochs);
  const trainAt = new Date().toISOString();
  const t0 = performance.now();
  let teacher: Float32Array | undefined;
  if (teacherModel) {
    teacher = teacherLogits(teacherModel, train);
    if (teacher.length !== train.count * 10) throw new CliError(`--teacher ${teacherFile}: its outputs have ${teacher.length / train.count} classes, ${dataset} has 10`);
  }
  let lastTest = NaN;
  const onStep = (ep: number, done: number, loss: number) => {
    progress.update(ep * perEpoch + done, { label: `epoch ${ep + 1}/${epochs}`, loss, ...(ep > 0 ? { accuracy: lastTest, accuracyLabel: `${test.splitName} acc` } : {}) });
  };
  const onEpoch = (h: { epoch: number; loss: number; trainAccuracy: number; testAccuracy?: number; seconds: number }) => {
    lastTest = h.testAccuracy!;
    const label = `epoch ${h.epoch}/${epochs}`;
    progress.update(h.epoch * perEpoch, { label, loss: h.loss, accuracy: lastTest, accuracyLabel: `${test.splitName} acc` });
    progress.line(
      `${label}  loss ${h.loss.toFixed(4)}  train acc ${percent(h.trainAccuracy)}  ${test.splitName} acc ${percent(lastTest)}  ` +
        `${Math.round(perEpoch / h.seconds).toLocaleString('en-US')} ${train.unit}/s  ` +
        (h.epoch < epochs ? `ETA ${formatDuration(progress.eta)}` : `took ${formatDuration(progress.elapsed)}`),
    );
  };
  const history = textConfig
    ? trainTextClassifier(e, net, train, { epochs, batchSize: batch, lr, weightDecay, wordDropout, seed, test, onStep, onEpoch })
    : fit(e, net, train, {
        epochs, batchSize: batch, lr, optimizer, momentum: TRAIN_DEFAULTS.momentum, weightDecay, seed, test,
        ...(teacher ? { teacher, temperature, alpha } : {}),
        onStep, onEpoch,
      }).epochs;
  progress.finish();
  const lastEpoch = history[history.length - 1];
  if (!Number.isFinite(lastEpoch.loss)) throw new CliError(`the loss diverged (${lastEpoch.loss}) in epoch ${lastEpoch.epoch}: lower --lr (now ${lr})`);
  const trainSeconds = (performance.now() - t0) / 1000;
  const imagesPerSecond = (perEpoch * epochs) / trainSeconds;

  const dense = denseModelOf(net);
  const buildFile = (properties: Record<string, string>) => buildDenseModel(dense, undefined, { properties }).bytes;
  const provenance: Record<string, string> = {
    trainer: `wpal train (wasm-palette ${packageVersion()})`,
    arch,
    ...(widths ? { [arch === 'lenet5' ? 'widths' : 'hidden']: widths.join(',') } : {}),
    dataset,
    epochs: String(epochs),
    batch: String(batch),
    optimizer,
    lr: String(lr),
    lr_schedule: 'cosine',
    ...(optimizer === 'sgd' ? { momentum: String(TRAIN_DEFAULTS.momentum), weight_decay: String(weightDecay) } : {}),
    ...(text ? { optimizer: 'adamw', weight_decay: String(weightDecay), lr_schedule: 'warmup 5% + cosine', word_dropout: String(wordDropout) } : {}),
    ...(teacherFile !== undefined ? { teacher: teacherFile.split(/[\\/]/).pop()!, distill_temperature: String(temperature), distill_alpha: String(alpha) } : {}),
    seed: String(seed),
    train_examples: String(train.count),
    train_seconds: trainSeconds.toFixed(1),
    trained_at: trainAt,
  };
  // Measure the file itself, through the runtime, then write it again with the measured accuracy
  // (same weights, so the same accuracy; only the metadata grows).
  const draft = await loadModel(buildFile(provenance));
  const acc = runtimeAccuracy(draft, test);
  draft.dispose();
  const bytes = buildFile({
    ...provenance,
    [ACCURACY]: String(acc.accuracy),
    [ACCURACY_EXAMPLES]: String(acc.examples),
    [ACCURACY_DATASET]: dataset,
  });
  await writeOutput(outFile, bytes);

  const result = {
    file: outFile,
    fileBytes: bytes.length,
    arch,
    dataset,
    epochs,
    trainExamples: train.count,
    trainSeconds,
    imagesPerSecond,
    accuracy: acc.accuracy,
    examples: acc.examples,
    engineAccuracy: lastTest,
  };
  if (json) {
    println(io, JSON.stringify(result, null, 2));
  } else {
    println(io, `wrote ${outFile}: ${formatBytes(bytes.length)}, ${arch} dense float32`);
    println(
      io,
      `${test.splitName} accuracy ${percent(acc.accuracy)} (${describeSplit(test, acc.correct)}, measured on the written file)`,
    );
    println(
      io,
      `trained ${epochs} epoch${epochs > 1 ? 's' : ''} x ${perEpoch.toLocaleString('en-US')} ${train.unit} in ${formatDuration(trainSeconds)} ` +
        `(${Math.round(imagesPerSecond).toLocaleString('en-US')} ${train.unit}/s including evaluation)`,
    );
  }
  return EXIT_OK;
}
