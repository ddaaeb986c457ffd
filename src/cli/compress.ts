/**
 * `wpal compress <dense.wpal> --data mnist --bits 2 [--sparsity 0.9 --block 1x4] [--distill] -o out.wpal`:
 * DKM fine-tuning of every layer of a dense LeNet-5 / LeNet-300-100 file (src/trainer/compress.ts),
 * optional block pruning (cubic schedule) and distillation from the dense model, then writes the
 * hard-assigned palettes and masks as a palettized (block-sparse) .wpal, with the test accuracy
 * measured through the runtime on the written file recorded in its metadata.
 */
import { readDenseModel, type DenseModel, type LayerSetting } from '../trainer/compress.js';
import { targetForRatio } from '../trainer/allocate/index.js';
import { compress, propertyBytes } from '../trainer/pipeline.js';
import { fullWidths } from '../trainer/widths.js';
import { parseWidths } from './train.js';
import { helpText, parseArgs, type CommandSpec } from './util/args.js';
import { DATA_OPTIONS, dataForModel, describeSplit } from './util/data.js';
import { isTextData } from '../trainer/data/load.js';
import { readModel } from '../format/read.js';
import { rewriteModel } from '../format/rewrite.js';
import type { BuildExtra } from '../trainer/compress.js';
import { CliError, EXIT_OK, UsageError } from './util/errors.js';
import { println, processIo, type Io } from './util/io.js';
import { checkOutput, writeOutput } from './util/output.js';
import { packageVersion } from './util/meta.js';
import { readWpalFile } from './util/model.js';
import { Progress } from './util/progress.js';
import { formatBytes, formatDuration, percent } from './util/size.js';

export const COMPRESS_DEFAULTS = { bits: 2, epochs: 2, lr: 0.005, batch: 128, block: '1x4', tau: 0.05, temperature: 4, alpha: 0.5, seed: 1 };

/** Defaults for the text transformer (measured in scripts/experiments/sst2.ts): one epoch of Adam, softer distillation. */
export const TEXT_COMPRESS_DEFAULTS = { epochs: 1, lr: 3e-4, optimizer: 'adam' as const, temperature: 2 };

export const spec: CommandSpec = {
  name: 'compress',
  summary: 'DKM-palettize (and block-prune) a dense .wpal by fine-tuning on a data set',
  usage: '<dense.wpal> --data NAME|PATH -o FILE [options]',
  positionals: [{ name: 'dense.wpal', description: 'a dense LeNet-5 or LeNet-300-100 file (e.g. from wpal train)', required: true }],
  options: {
    ...DATA_OPTIONS,
    bits: { type: 'int', value: 'N', min: 1, max: 8, description: `palette index bits of every layer (default ${COMPRESS_DEFAULTS.bits})` },
    'group-rows': { type: 'int', value: 'N', min: 0, description: 'output rows per palette (default 0: one palette per tensor)' },
    sparsity: { type: 'number', value: 'X', min: 0, max: 0.999, description: 'fraction of weight blocks pruned in every layer (default 0)' },
    block: { type: 'string', value: 'RxC', description: `pruning block: 1x4, 4x1, 4x4, 8x1, 16x1, row or col (default ${COMPRESS_DEFAULTS.block})` },
    'target-size': { type: 'size', value: 'S', min: 1, description: 'choose every layer\'s bits and sparsity automatically so the file is <= S and >= 97% of it (B, KB, KiB, ...; replaces --bits, --sparsity, --layer)' },
    ratio: { type: 'number', value: 'R', min: 1, description: 'as --target-size, with S = the dense float32 bytes of the weights / R' },
    layer: { type: 'string', value: 'SPEC', description: 'per-layer settings, e.g. "fc1:bits=1,sparsity=0.95;conv1:bits=4" (bits=0 leaves a layer unclustered)' },
    epochs: { type: 'int', value: 'N', min: 0, description: `DKM fine-tuning epochs (default ${COMPRESS_DEFAULTS.epochs}; transformer ${TEXT_COMPRESS_DEFAULTS.epochs}); 0 = post-training k-means of any model (imported ones too), no --data needed` },
    calibration: { type: 'string', value: 'DATA', description: 'with --epochs 0: inputs for sensitivity-weighted k-means, a data set name (its training split) or a .npy of inputs (batch first)' },
    optimizer: { type: 'string', value: 'NAME', choices: ['sgd', 'adam'], description: 'sgd + momentum 0.9 (default for the LeNets) or adam (default for the transformer)' },
    'prune-epochs': { type: 'int', value: 'N', min: 0, description: 'prune first: N epochs of block pruning on float32 weights (at 2x the lr), then DKM on the kept blocks (default 0: prune during DKM); with --widths / --hidden, the epochs of that stage (default 4)' },
    widths: { type: 'string', value: 'K1,K2,N', description: 'LeNet-5: keep this many conv1 filters, conv2 filters, fc1 neurons (whole filters / neurons pruned on float32 weights, then removed from the file)' },
    hidden: { type: 'string', value: 'N,N,...', description: 'LeNet-300-100: keep this many neurons per hidden layer (as --widths)' },
    batch: { type: 'int', value: 'N', min: 1, max: 4096, description: `mini-batch size (default ${COMPRESS_DEFAULTS.batch})` },
    lr: { type: 'number', value: 'X', min: 0, description: `peak learning rate (default ${COMPRESS_DEFAULTS.lr} with sgd, ${TEXT_COMPRESS_DEFAULTS.lr} with adam on the transformer), cosine-decayed to 0` },
    tau: { type: 'number', value: 'X', min: 1e-6, description: `DKM temperature as a fraction of the weights' std (default ${COMPRESS_DEFAULTS.tau})` },
    distill: { type: 'boolean', description: 'distill from the dense model: (1 - alpha) CE + alpha T^2 KL on softened logits' },
    temperature: { type: 'number', value: 'T', min: 0.01, description: `distillation temperature (default ${COMPRESS_DEFAULTS.temperature}; transformer ${TEXT_COMPRESS_DEFAULTS.temperature})` },
    alpha: { type: 'number', value: 'X', min: 0, max: 1, description: `distillation weight (default ${COMPRESS_DEFAULTS.alpha})` },
    seed: { type: 'int', value: 'N', min: 0, max: 2 ** 32 - 1, description: `seed of the shuffles and the k-means++ draws (default ${COMPRESS_DEFAULTS.seed})` },
    limit: { type: 'int', value: 'N', min: 1, description: 'quick runs: the first N examples of the train, val and test splits' },
    output: { type: 'string', short: 'o', value: 'FILE', description: 'the .wpal file to write (required)' },
    'strip-metadata': { type: 'boolean', description: 'keep only the metadata needed to measure the file again (as wpal strip): accuracy, data, preprocessing, labels' },
    json: { type: 'boolean', description: 'print the result as one JSON object on stdout' },
  },
  notes: [
    'Prints progress (loss, accuracy, images/s, ETA) on stderr; the per-epoch accuracy is the validation split\'s.',
    'Your own data (--data PATH) is read as the dense file records it (preprocessing, classes, the val / test carves),\n' +
      'and the output file records the same.',
    'Example: wpal compress lenet5.dense.wpal --data mnist --bits 2 --sparsity 0.9 --block 1x4 --distill -o lenet5.2bit.wpal',
    'Example: wpal compress model.wpal --epochs 0 --bits 4 --group-rows 8 [--calibration inputs.npy] -o model.4bit.wpal (any model, e.g. imported from ONNX: k-means, no training)',
    'A --target-size / --ratio below what block masks over the full-width layers allow (LeNets) removes whole filters and neurons\n' +
      'first: widths chosen so the file fits at ~4 bits (conv1 g, conv2 0.8 g, fc1 0.25 g of full), --prune-epochs (4) epochs of row pruning, then the allocator.',
    'Example: wpal compress lenet5.dense.wpal --data mnist --widths 6,12,32 --bits 4 --layer fc1:bits=2 --epochs 8 --distill -o lenet5.small.wpal',
    'Example: wpal compress lenet300.dense.wpal --data mnist --bits 2 --layer "fc1:sparsity=0.85,block=1x16;fc2:sparsity=0.7,block=1x16" --prune-epochs 8 --epochs 8 --distill -o lenet300.64x.wpal',
    'Example: wpal compress lenet300.dense.wpal --data mnist --target-size 20KB --distill -o lenet300.20kb.wpal (per-layer bits and sparsity from the layers\' sensitivity)',
  ],
};

/** "fc1:bits=1,sparsity=0.95;conv1:bits=4,block=4x1,group-rows=5" -> per-layer settings. */
export function parseLayerSpec(text: string): Record<string, LayerSetting> {
  const out: Record<string, LayerSetting> = {};
  for (const part of text.split(';').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([\w.]+):(.+)$/.exec(part);
    if (!m) throw new UsageError(`--layer ${JSON.stringify(part)}: expected NAME:key=value,...`);
    const s: LayerSetting = {};
    for (const kv of m[2].split(',')) {
      const [k, v] = kv.split('=').map((x) => x.trim());
      const num = Number(v);
      if (k === 'block') s.block = v;
      else if (!Number.isFinite(num)) throw new UsageError(`--layer ${m[1]}: ${k}=${v} is not a number`);
      else if (k === 'bits') s.bits = num;
      else if (k === 'sparsity') s.sparsity = num;
      else if (k === 'group-rows') s.groupRows = num;
      else throw new UsageError(`--layer ${m[1]}: unknown key ${k} (bits, sparsity, block, group-rows)`);
    }
    out[m[1]] = s;
  }
  return out;
}

/**
 * The target file size of --target-size / --ratio (undefined when neither is given): --ratio R is
 * the dense float32 bytes of every weight (sizeReport's denseF32Bytes) / R, rounded down.
 */
export function targetFromOptions(o: Record<string, unknown>, dense: DenseModel): number | undefined {
  const size = o['target-size'] as number | undefined;
  const ratio = o['ratio'] as number | undefined;
  if (size !== undefined && ratio !== undefined) throw new UsageError('give --target-size or --ratio, not both');
  if (size === undefined && ratio === undefined) return undefined;
  for (const k of ['bits', 'sparsity', 'layer']) {
    if (o[k] !== undefined) throw new UsageError(`--${k} cannot be combined with ${size !== undefined ? '--target-size' : '--ratio'}: the allocator chooses every layer's bits and sparsity`);
  }
  return size ?? targetForRatio(dense, ratio!);
}

export { propertyBytes };

/** "conv1.weight 4-bit, fc1.weight 2-bit 90.0% pruned"; many layers are counted per setting instead. */
function layerSummary(layers: Array<{ name: string; bits: number; sparsity: number }>): string {
  const one = (l: { bits: number; sparsity: number }) => `${l.bits}-bit${l.sparsity ? ` ${percent(l.sparsity, 1)} pruned` : ''}`;
  if (layers.length <= 6) return layers.map((l) => `${l.name} ${one(l)}`).join(', ');
  const counts = new Map<string, number>();
  for (const l of layers) counts.set(one(l), (counts.get(one(l)) ?? 0) + 1);
  return `${layers.length} weight tensors: ${[...counts].map(([k, n]) => `${n} x ${k}`).join(', ')} (wpal inspect lists them)`;
}

export async function run(argv: string[], io: Io = processIo()): Promise<number> {
  const args = parseArgs(argv, spec);
  if (args.help) {
    io.out(helpText(spec));
    return EXIT_OK;
  }
  const o = args.options;
  const input = args.positionals[0];
  if (input === undefined) throw new UsageError('the dense .wpal file is required');
  if (o['epochs'] === 0) return (await import('./compress-post.js')).runPostTraining(input, o, o['layer'] !== undefined ? parseLayerSpec(o['layer'] as string) : undefined, io);
  if (o['calibration'] !== undefined) throw new UsageError('--calibration is for post-training compression (--epochs 0)');
  if (o['data'] === undefined) throw new UsageError('--data is required (mnist, fashion-mnist, sst2 or the path of your data)');
  if (o['output'] === undefined) throw new UsageError('-o FILE is required (the .wpal file to write)');
  const dataset = o['data'] as string;
  const outFile = o['output'] as string;
  // Before any work: never over the input, never into a missing or read-only folder.
  checkOutput(outFile, [{ path: input, what: 'input file' }]);
  const bits = (o['bits'] as number | undefined) ?? COMPRESS_DEFAULTS.bits;
  const batch = (o['batch'] as number | undefined) ?? COMPRESS_DEFAULTS.batch;
  const distill = o['distill'] === true;
  const json = o['json'] === true;
  const seed = (o['seed'] as number | undefined) ?? COMPRESS_DEFAULTS.seed;

  const inputBytes = readWpalFile(input);
  const dense = readDenseModel(inputBytes);
  const text = dense.kind === 'text-transformer';
  if (text !== isTextData(dataset)) throw new UsageError(text ? `${input} is a text classifier: compress it on sst2 or your text data, not ${dataset}` : `${input} is an image model: ${dataset} is text`);
  const targetBytes = targetFromOptions(o, dense);
  const lenet = dense.kind === 'lenet-5' || dense.kind === 'lenet-300-100';
  if (o['widths'] !== undefined && dense.kind !== 'lenet-5') throw new UsageError('--widths is for a LeNet-5 (use --hidden for a LeNet-300-100)');
  if (o['hidden'] !== undefined && dense.kind !== 'lenet-300-100') throw new UsageError('--hidden is for a LeNet-300-100 (use --widths for a LeNet-5)');
  const full = lenet ? fullWidths(dense) : [];
  let widths = o['widths'] !== undefined ? parseWidths(o['widths'] as string, '--widths', 3) : o['hidden'] !== undefined ? parseWidths(o['hidden'] as string, '--hidden', full.length) : undefined;
  widths?.forEach((w, i) => { if (w > full[i]) throw new UsageError(`--${o['widths'] !== undefined ? 'widths' : 'hidden'}: ${w} units is more than the ${full[i]} the model has`); });
  // --prune-epochs: the structured stage's epochs when there may be one (--widths, or a target on a LeNet)
  const structuredEpochs = (o['prune-epochs'] as number | undefined) ?? 4;
  const pruneEpochs = widths || (targetBytes !== undefined && lenet) ? 0 : (o['prune-epochs'] as number | undefined) ?? 0;
  const layerSpec = o['layer'] !== undefined ? parseLayerSpec(o['layer'] as string) : undefined;
  const sparsity = (o['sparsity'] as number | undefined) ?? 0;
  if (pruneEpochs > 0) {
    if (targetBytes !== undefined) throw new UsageError('--prune-epochs cannot be combined with --target-size / --ratio (the allocator prunes during DKM)');
    if (sparsity === 0 && !Object.values(layerSpec ?? {}).some((l) => (l.sparsity ?? 0) > 0)) throw new UsageError('--prune-epochs needs something to prune: --sparsity X or a layer with sparsity=X');
  }
  const epochs = (o['epochs'] as number | undefined) ?? (text ? TEXT_COMPRESS_DEFAULTS.epochs : COMPRESS_DEFAULTS.epochs);
  const optimizer = (o['optimizer'] as 'sgd' | 'adam' | undefined) ?? (text ? TEXT_COMPRESS_DEFAULTS.optimizer : 'sgd');
  // The data as the file records it (your own data: preprocessing, classes, carves); the per-epoch accuracy is the validation split's.
  const info = readModel(inputBytes);
  const data = dataForModel({ metadata: info.metadata, inputs: info.inputs.map((i) => info.tensors[i]!) }, input, o, ['train', 'val', 'test']);
  const train = data.train!;
  const test = data.test!;
  const monitor = data.val ?? test;
  const io0 = info.tensors[info.inputs[0]!]!, out0 = info.tensors[info.outputs[0]!]!;
  const size = (v: readonly number[]) => v.reduce((a, b) => a * b, 1);
  if (size(io0.shape) !== size(data.shape) || size(out0.shape) !== data.classes.length) {
    throw new CliError(`${input} takes [${io0.shape.join(', ')}] and gives ${size(out0.shape)} scores; ${data.dataset} has [${data.shape.join(', ')}] examples of ${data.classes.length} classes`);
  }
  const record: BuildExtra = { ...(data.record.preprocessing ? { preprocessing: data.record.preprocessing } : {}), ...(data.record.outputLabels ? { outputLabels: data.record.outputLabels } : {}) };
  if (Math.floor(train.count / batch) === 0) throw new UsageError(`--batch ${batch} is larger than the ${train.count} training examples`);
  const progress = new Progress(io, 0);
  const { bytes: written, report } = await compress(dense, { train, val: monitor, test }, {
    dataset: data.dataset,
    record,
    properties: data.record.properties,
    trainer: `wpal compress (wasm-palette ${packageVersion()})`,
    bits,
    ...(targetBytes !== undefined ? { targetBytes } : {}),
    groupRows: (o['group-rows'] as number | undefined) ?? 0,
    sparsity,
    block: (o['block'] as string | undefined) ?? COMPRESS_DEFAULTS.block,
    ...(layerSpec ? { layers: layerSpec } : {}),
    ...(widths ? { widths } : {}),
    structuredEpochs,
    pruneEpochs,
    epochs,
    batchSize: batch,
    lr: (o['lr'] as number | undefined) ?? (optimizer === 'adam' ? (text ? TEXT_COMPRESS_DEFAULTS.lr : 5e-4) : COMPRESS_DEFAULTS.lr),
    optimizer,
    tau: (o['tau'] as number | undefined) ?? COMPRESS_DEFAULTS.tau,
    seed,
    ...(distill ? { distill: { temperature: (o['temperature'] as number | undefined) ?? (text ? TEXT_COMPRESS_DEFAULTS.temperature : COMPRESS_DEFAULTS.temperature), alpha: (o['alpha'] as number | undefined) ?? COMPRESS_DEFAULTS.alpha } } : {}),
    onEvent: (e) => {
      if (e.kind === 'start' || e.kind === 'extend') progress.extend(e.examples);
      else if (e.kind === 'note') progress.line(`${e.text.replace('val acc', `${monitor.splitName} acc`)}  ${formatDuration(progress.elapsed)}`);
      else if (e.kind === 'widths') {
        progress.line(`target ${formatBytes(e.targetBytes)} is below the smallest file block masks over the full-width layers allow (${formatBytes(e.minBytes)}): keeping ${e.widths.join(',')} of ${e.full.join(',')} filters/neurons (~${formatBytes(e.estimatedBytes)} at 4 bits)`);
      }
      else {
        const p = e.progress;
        const label = `${e.stage}epoch ${p.epoch}/${p.epochs}`;
        progress.update(e.done, { label, loss: p.loss, accuracy: p.testAccuracy ?? p.accuracy, accuracyLabel: p.testAccuracy !== undefined ? `${monitor.splitName} acc` : 'train acc' });
        if (p.testAccuracy !== undefined) progress.line(`${label}  loss ${p.loss.toFixed(4)}  train acc ${percent(p.accuracy)}  ${monitor.splitName} acc (hard) ${percent(p.testAccuracy)}  ETA ${formatDuration(progress.eta)}`);
      }
    },
  });
  progress.finish();
  // The same weights (the accuracy measured on `written` holds), less metadata.
  const bytes = o['strip-metadata'] === true ? rewriteModel(readModel(written), { stripMetadata: true }) : written;
  const r = report.result;
  const acc = report.accuracy;
  const trainSeconds = report.trainSeconds;
  await writeOutput(outFile, bytes);
  const result = {
    file: outFile, fileBytes: bytes.length, ...(targetBytes !== undefined ? { targetBytes } : {}), kind: r.kind, dataset: data.dataset, bits, epochs, accuracy: acc.accuracy, examples: acc.examples,
    engineAccuracy: r.accuracy, imagesPerSecond: r.imagesPerSecond, trainSeconds,
    layers: r.layers.map((l) => ({ name: l.name, bits: l.bits, groupRows: l.groupRows, sparsity: l.sparsity ?? 0, block: l.block })),
  };
  if (json) println(io, JSON.stringify(result, null, 2));
  else {
    if (targetBytes !== undefined) println(io, `target ${formatBytes(targetBytes)}: per-layer bits and sparsity chosen from the layers' sensitivity (${percent(bytes.length / targetBytes, 1)} of the target used)`);
    println(io, `wrote ${outFile}: ${formatBytes(bytes.length)}, ${r.kind}, ${layerSummary(result.layers)}`);
    println(io, `${test.splitName} accuracy ${percent(acc.accuracy)} (${describeSplit(test, acc.correct)}, measured on the written file)`);
    println(io, `fine-tuned ${epochs} epoch${epochs > 1 ? 's' : ''} in ${formatDuration(trainSeconds)} (${Math.round(r.imagesPerSecond).toLocaleString('en-US')} ${train.unit}/s)`);
  }
  return EXIT_OK;
}
