/**
 * `wpal train`: trains LeNet-5 or LeNet-300-100 on MNIST / Fashion-MNIST with the project's engine
 * (src/trainer/engine), measures the accuracy of the written file through the runtime on the test
 * set, and writes a dense float32 .wpal whose metadata records the provenance and that accuracy.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Adam, Engine, SGD, TrainModule, evaluate, lenet300100, lenet5, trainEpoch, type Optimizer, type TrainableNet } from '../trainer/engine/index.js';
import { buildLeNet300100, buildLeNet5 } from '../models/lenet.js';
import { loadModel } from '../runtime/load.js';
import { helpText, parseArgs, type CommandSpec } from './util/args.js';
import { DATA_OPTIONS, asDataset, loadSplit } from './util/data.js';
import { CliError, EXIT_OK, UsageError } from './util/errors.js';
import { println, type Io } from './util/io.js';
import { ACCURACY, ACCURACY_DATASET, ACCURACY_EXAMPLES, packageVersion } from './util/meta.js';
import { runtimeAccuracy } from './util/model.js';
import { Progress } from './util/progress.js';
import { formatBytes, formatDuration, percent } from './util/size.js';

export const ARCHS = ['lenet5', 'lenet300-100'] as const;
type Arch = (typeof ARCHS)[number];

/** Defaults: SGD + momentum 0.9, weight decay 5e-4, cosine learning-rate decay to 0 over the run. */
export const TRAIN_DEFAULTS = { epochs: 10, batch: 64, seed: 1, sgdLr: 0.02, adamLr: 1e-3, momentum: 0.9, weightDecay: 5e-4 };

export const spec: CommandSpec = {
  name: 'train',
  summary: 'train a network on a data set and write it as a dense .wpal',
  usage: '--data NAME --arch ARCH -o FILE [options]',
  positionals: [],
  options: {
    ...DATA_OPTIONS,
    arch: { type: 'string', value: 'ARCH', choices: ARCHS, description: 'architecture (default lenet5)' },
    epochs: { type: 'int', value: 'N', min: 1, description: `epochs (default ${TRAIN_DEFAULTS.epochs})` },
    batch: { type: 'int', value: 'N', min: 1, max: 4096, description: `mini-batch size (default ${TRAIN_DEFAULTS.batch})` },
    lr: { type: 'number', value: 'X', min: 0, description: `peak learning rate (default ${TRAIN_DEFAULTS.sgdLr} for sgd, ${TRAIN_DEFAULTS.adamLr} for adam), cosine-decayed to 0` },
    optimizer: { type: 'string', value: 'NAME', choices: ['sgd', 'adam'], description: 'sgd (momentum 0.9, weight decay 5e-4; default) or adam' },
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
  ],
};

function makeNet(e: Engine, arch: Arch, seed: number): TrainableNet {
  return arch === 'lenet5' ? lenet5(e, { seed }) : lenet300100(e, { seed });
}

function buildFile(arch: Arch, weights: Record<string, Float32Array>, properties: Record<string, string>): Uint8Array {
  const opts = { weights: { values: weights }, properties };
  return (arch === 'lenet5' ? buildLeNet5(opts) : buildLeNet300100(opts)).bytes;
}

export async function run(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv, spec);
  if (args.help) {
    io.out(helpText(spec));
    return EXIT_OK;
  }
  const o = args.options;
  if (o['data'] === undefined) throw new UsageError('--data is required (mnist or fashion-mnist)');
  if (o['output'] === undefined) throw new UsageError('-o FILE is required (the .wpal file to write)');
  const dataset = asDataset(o['data'], '--data');
  const arch = (o['arch'] as Arch | undefined) ?? 'lenet5';
  const epochs = (o['epochs'] as number | undefined) ?? TRAIN_DEFAULTS.epochs;
  const batch = (o['batch'] as number | undefined) ?? TRAIN_DEFAULTS.batch;
  const optimizer = (o['optimizer'] as 'sgd' | 'adam' | undefined) ?? 'sgd';
  const lr = (o['lr'] as number | undefined) ?? (optimizer === 'sgd' ? TRAIN_DEFAULTS.sgdLr : TRAIN_DEFAULTS.adamLr);
  const seed = (o['seed'] as number | undefined) ?? TRAIN_DEFAULTS.seed;
  const limit = o['limit'] as number | undefined;
  const outFile = o['output'] as string;
  const dataDir = o['data-dir'] as string | undefined;
  const json = o['json'] === true;

  // Fail before training, not after it.
  const outDir = dirname(resolve(outFile));
  if (!existsSync(outDir) || !statSync(outDir).isDirectory()) throw new CliError(`cannot write ${outFile}: the folder ${outDir} does not exist`);
  if (existsSync(outFile) && statSync(outFile).isDirectory()) throw new CliError(`cannot write ${outFile}: it is a directory`);

  const train = loadSplit(dataset, 'train', dataDir, limit);
  const test = loadSplit(dataset, 'test', dataDir, limit);
  const steps = Math.floor(train.count / batch);
  if (steps === 0) throw new UsageError(`--batch ${batch} is larger than the ${train.count} training examples`);

  const e = new Engine(new TrainModule());
  const net = makeNet(e, arch, seed);
  const opt: Optimizer =
    optimizer === 'sgd'
      ? new SGD(e, net.params, { lr, momentum: TRAIN_DEFAULTS.momentum, weightDecay: TRAIN_DEFAULTS.weightDecay })
      : new Adam(e, net.params, { lr });
  const totalSteps = steps * epochs;
  const perEpoch = steps * batch;
  const progress = new Progress(io, perEpoch * epochs);
  const trainAt = new Date().toISOString();
  const t0 = performance.now();
  let last = { loss: NaN, trainAccuracy: NaN, testAccuracy: NaN };
  for (let ep = 0; ep < epochs; ep++) {
    let runLoss = NaN;
    const label = `epoch ${ep + 1}/${epochs}`;
    const r = trainEpoch(e, net, opt, train, {
      batchSize: batch,
      seed: (seed + ep * 0x9e3779b1) >>> 0,
      onStep: (step, loss) => {
        const t = ep * steps + step + 1;
        opt.lr = 0.5 * lr * (1 + Math.cos((Math.PI * t) / totalSteps));
        runLoss = Number.isNaN(runLoss) ? loss : 0.98 * runLoss + 0.02 * loss;
        progress.update(ep * perEpoch + (step + 1) * batch, { label, loss: runLoss, ...(ep > 0 ? { accuracy: last.testAccuracy, accuracyLabel: 'test acc' } : {}) });
      },
    });
    const ev = evaluate(e, net, test);
    last = { loss: r.loss, trainAccuracy: r.accuracy, testAccuracy: ev.accuracy };
    progress.update((ep + 1) * perEpoch, { label, loss: r.loss, accuracy: ev.accuracy, accuracyLabel: 'test acc' });
    progress.line(
      `${label}  loss ${r.loss.toFixed(4)}  train acc ${percent(r.accuracy)}  test acc ${percent(ev.accuracy)}  ` +
        `${Math.round(r.examples / r.seconds).toLocaleString('en-US')} images/s  ` +
        (ep + 1 < epochs ? `ETA ${formatDuration(progress.eta)}` : `took ${formatDuration(progress.elapsed)}`),
    );
    if (!Number.isFinite(r.loss)) {
      progress.finish();
      throw new CliError(`the loss diverged (${r.loss}) in epoch ${ep + 1}: lower --lr (now ${lr})`);
    }
  }
  progress.finish();
  const trainSeconds = (performance.now() - t0) / 1000;
  const imagesPerSecond = (perEpoch * epochs) / trainSeconds;

  const weights = net.exportWeights();
  const provenance: Record<string, string> = {
    trainer: `wpal train (wasm-palette ${packageVersion()})`,
    arch,
    dataset,
    epochs: String(epochs),
    batch: String(batch),
    optimizer,
    lr: String(lr),
    lr_schedule: 'cosine',
    ...(optimizer === 'sgd' ? { momentum: String(TRAIN_DEFAULTS.momentum), weight_decay: String(TRAIN_DEFAULTS.weightDecay) } : {}),
    seed: String(seed),
    train_examples: String(train.count),
    train_seconds: trainSeconds.toFixed(1),
    trained_at: trainAt,
  };
  // Measure the file itself, through the runtime, then write it again with the measured accuracy
  // (same weights, so the same accuracy; only the metadata grows).
  const draft = await loadModel(buildFile(arch, weights, provenance));
  const acc = runtimeAccuracy(draft, test);
  draft.dispose();
  const bytes = buildFile(arch, weights, {
    ...provenance,
    [ACCURACY]: String(acc.accuracy),
    [ACCURACY_EXAMPLES]: String(acc.examples),
    [ACCURACY_DATASET]: dataset,
  });
  writeFileSync(outFile, bytes);

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
    engineAccuracy: last.testAccuracy,
  };
  if (json) {
    println(io, JSON.stringify(result, null, 2));
  } else {
    println(io, `wrote ${outFile}: ${formatBytes(bytes.length)}, ${arch} dense float32`);
    println(
      io,
      `test accuracy ${percent(acc.accuracy)} (${acc.correct.toLocaleString('en-US')}/${acc.examples.toLocaleString('en-US')} ${dataset} test images` +
        `${test.count < test.full ? `, first ${test.count} of ${test.full} (--limit)` : ''}, measured on the written file)`,
    );
    println(
      io,
      `trained ${epochs} epoch${epochs > 1 ? 's' : ''} x ${perEpoch.toLocaleString('en-US')} images in ${formatDuration(trainSeconds)} ` +
        `(${Math.round(imagesPerSecond).toLocaleString('en-US')} images/s including evaluation)`,
    );
  }
  return EXIT_OK;
}
