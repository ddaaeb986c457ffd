/**
 * `wpal compress <dense.wpal> --data mnist --bits 2 [--sparsity 0.9 --block 1x4] [--distill] -o out.wpal`:
 * checks the options against the model and the data, runs the compress pipeline
 * (src/trainer/pipeline.ts: DKM fine-tuning of any model's graph, pruning, distillation, target
 * sizes) and prints its progress and result. --epochs 0 is post-training compression (compress-post.ts).
 */
import { readDenseModel } from '../trainer/compress.js';
import { compress, compressSettings, takesTokenIds } from '../trainer/pipeline.js';
import { layerSummary, parseLayerSpec, spec, targetFromOptions } from './compress-args.js';
import { fullWidths } from '../trainer/widths.js';
import { parseWidths } from './train.js';
import { helpText, parseArgs } from './util/args.js';
import { dataForModel, describeSplit } from './util/data.js';
import { isTextData } from '../trainer/data/load.js';
import { readModel } from '../format/read.js';
import type { BuildExtra, DenseModel } from '../trainer/compress.js';
import type { PipelineOptions } from '../trainer/pipeline.js';
import type { LoadedData, Split } from '../trainer/data/load.js';
import type { PaletteEntryType } from '../trainer/allocate/size.js';
import { CliError, EXIT_OK, UsageError } from './util/errors.js';
import { println, processIo, type Io } from './util/io.js';
import { checkOutput, writeOutput } from './util/output.js';
import { packageVersion } from './util/meta.js';
import { readTeacher, readWpalFile, teacherInputs } from './util/model.js';
import { shiftMisfit } from '../trainer/engine/augment.js';
import { Progress } from './util/progress.js';
import { formatBytes, formatDuration, percent } from './util/size.js';

export { spec, targetFromOptions };

export async function run(argv: string[], io: Io = processIo()): Promise<number> {
  const args = parseArgs(argv, spec);
  if (args.help) {
    io.out(helpText(spec));
    return EXIT_OK;
  }
  const o = args.options;
  const input = args.positionals[0];
  if (input === undefined) throw new UsageError('the dense .wpal file is required');
  if (o['int8'] === true && o['palette-entries'] !== undefined && o['palette-entries'] !== 'float32') throw new UsageError(`--int8 writes int8 palette entries; it does not go with --palette-entries ${o['palette-entries']}`);
  if (o['epochs'] === 0) return (await import('./compress-post.js')).runPostTraining(input, o, o['layer'] !== undefined ? parseLayerSpec(o['layer'] as string) : undefined, io);
  const req = compressRequest(o, input);
  const { dense, data, monitor, outFile, targetBytes } = req;
  const { train, test } = req.splits;
  const { bits, epochs } = compressSettings(dense, req.options);
  const progress = new Progress(io, 0);
  const { bytes, report } = await compress(dense, req.splits, {
    ...req.options,
    onEvent: (e) => {
      if (e.kind === 'start' || e.kind === 'extend') progress.extend(e.examples);
      else if (e.kind === 'note') progress.line(`${e.text.replace('val acc', `${monitor.splitName} acc`)}  ${formatDuration(progress.elapsed)}`);
      else if (e.kind === 'widths') {
        progress.line(`target ${formatBytes(e.targetBytes)} is below the smallest file block masks over the full-width layers allow (${formatBytes(e.minBytes)}): keeping ${e.widths.join(',')} of ${e.full.join(',')} filters/neurons (~${formatBytes(e.estimatedBytes)} at ${e.bits} bits)`);
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
  const json = o['json'] === true;
  const r = report.result;
  const acc = report.accuracy;
  const trainSeconds = report.trainSeconds;
  await writeOutput(outFile, bytes);
  const result = {
    file: outFile, fileBytes: bytes.length, ...(targetBytes !== undefined ? { targetBytes } : {}), dataset: data.dataset, bits, epochs, accuracy: acc.accuracy, examples: acc.examples,
    engineAccuracy: r.accuracy, imagesPerSecond: r.imagesPerSecond, trainSeconds,
    layers: r.layers.map((l) => ({ name: l.name, bits: l.bits, groupRows: l.groupRows, sparsity: l.sparsity ?? 0, block: l.block })),
  };
  if (json) println(io, JSON.stringify(result, null, 2));
  else {
    if (targetBytes !== undefined) println(io, `target ${formatBytes(targetBytes)}: per-layer bits and sparsity chosen from the layers' sensitivity (${percent(bytes.length / targetBytes, 1)} of the target used)`);
    println(io, `wrote ${outFile}: ${formatBytes(bytes.length)}, ${layerSummary(result.layers)}`);
    println(io, `${test.splitName} accuracy ${percent(acc.accuracy)} (${describeSplit(test, acc.correct)}, measured on the written file)`);
    const dkmEpochs = r.history.length;
    println(io, `fine-tuned ${dkmEpochs} epoch${dkmEpochs > 1 ? 's' : ''}${report.structured ? ` after removing whole filters / neurons (${report.structured})` : ''} in ${formatDuration(trainSeconds)} (${Math.round(r.imagesPerSecond).toLocaleString('en-US')} ${train.unit}/s)`);
  }
  return EXIT_OK;
}

/** What a compress command asks for, checked, with its data loaded: what the library's compress() takes. */
export interface CompressRequest {
  input: string;
  outFile: string;
  dense: DenseModel;
  data: LoadedData;
  splits: { train: Split; val: Split; test: Split };
  /** The split each epoch's accuracy is measured on (val, else test). */
  monitor: Split;
  targetBytes: number | undefined;
  options: Omit<PipelineOptions, 'onEvent'>;
}

/**
 * The options of `wpal compress INPUT ...` (parsed by parseArgs with `spec`; not --epochs 0) as a
 * library request: every check that needs no training (UsageError / CliError), the data read as the
 * input file records it, and the pipeline's options (only those given: compress() fills in the
 * model's defaults). scripts/results.ts runs its rows' commands through this and compress().
 */
export function compressRequest(o: Record<string, unknown>, input: string): CompressRequest {
  if (o['calibration'] !== undefined) throw new UsageError('--calibration is for post-training compression (--epochs 0)');
  if (o['data'] === undefined) throw new UsageError('--data is required (mnist, fashion-mnist, sst2 or the path of your data)');
  if (o['output'] === undefined) throw new UsageError('-o FILE is required (the .wpal file to write)');
  const dataset = o['data'] as string;
  const outFile = o['output'] as string;
  const teacherFile = o['teacher'] as string | undefined;
  if (teacherFile === undefined && o['distill'] !== true && (o['temperature'] !== undefined || o['alpha'] !== undefined)) throw new UsageError('--temperature and --alpha need --distill (or --teacher FILE)');
  // Before any work: never over the input, never into a missing or read-only folder.
  checkOutput(outFile, [{ path: input, what: 'input file' }, ...teacherInputs(teacherFile)]);
  const teacher = teacherFile !== undefined ? readTeacher(teacherFile) : undefined;

  const inputBytes = readWpalFile(input);
  const dense = readDenseModel(inputBytes);
  const text = takesTokenIds(dense);
  if (text !== isTextData(dataset)) throw new UsageError(text ? `${input} takes token ids: compress it on sst2 or your text data, not ${dataset}` : `${input} takes images or features: ${dataset} is text`);
  const targetBytes = targetFromOptions(o, dense);
  const full = fullWidths(dense);
  const widthFlag = o['widths'] !== undefined ? 'widths' : o['hidden'] !== undefined ? 'hidden' : undefined;
  if (widthFlag && full.length === 0) throw new UsageError(`--${widthFlag}: no layer of ${input} can lose filters or neurons (a fully connected or conv layer feeding another through channel-wise ops)`);
  const widths = widthFlag ? parseWidths(o[widthFlag] as string, `--${widthFlag}`, full.length) : undefined;
  widths?.forEach((w, i) => { if (w > full[i]) throw new UsageError(`--${widthFlag}: ${w} units is more than the ${full[i]} the model has`); });
  // --prune-epochs: block pruning before DKM (with a target: to the allocator's sparsities), or the
  // structured stage's epochs when there is one (--widths, or a target that needs whole filters removed)
  const structuredEpochs = o['prune-epochs'] as number | undefined;
  const pruneEpochs = widths ? 0 : (o['prune-epochs'] as number | undefined) ?? 0;
  const layerSpec = o['layer'] !== undefined ? parseLayerSpec(o['layer'] as string) : undefined;
  const sparsity = (o['sparsity'] as number | undefined) ?? 0;
  if (pruneEpochs > 0 && targetBytes === undefined) {
    if (sparsity === 0 && !Object.values(layerSpec ?? {}).some((l) => (l.sparsity ?? 0) > 0)) throw new UsageError('--prune-epochs needs something to prune: --sparsity X or a layer with sparsity=X');
  }
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
  // Only the options given: the pipeline fills in the model's defaults (compressSettings).
  const given = <T>(k: string, as: string = k): Record<string, T> => (o[k] !== undefined ? { [as]: o[k] as T } : {});
  const options = {
    ...given<number>('bits'), ...given<number>('group-rows', 'groupRows'), ...given<number>('sparsity'), ...given<string>('block'),
    ...given<number>('epochs'), ...given<number>('batch', 'batchSize'), ...given<number>('lr'), ...given<'sgd' | 'adam'>('optimizer'), ...given<number>('tau'), ...given<number>('seed'), ...(o['shift'] ? { shift: o['shift'] as number } : {}),
    ...(o['distill'] === true || teacher ? { distill: { ...given<number>('temperature'), ...given<number>('alpha') } } : {}),
    ...(teacher ? { teacher } : {}),
    ...(targetBytes !== undefined ? { targetBytes } : {}),
    ...(layerSpec ? { layers: layerSpec } : {}),
    ...(widths ? { widths } : {}),
    ...(structuredEpochs !== undefined ? { structuredEpochs } : {}),
    pruneEpochs,
    ...(o['strip-metadata'] === true ? { stripMetadata: true } : {}),
    ...(o['int8'] === true ? { int8: true } : {}),
    ...given<PaletteEntryType>('palette-entries', 'paletteEntries'),
    ...(o['alloc-bits'] !== undefined ? { allocationBits: parseAllocBits(o['alloc-bits'] as string, targetBytes) } : {}),
  };
  const shiftWhy = options.shift ? shiftMisfit(data.shape, text ? 'int32' : 'float32') : undefined;
  if (shiftWhy) throw new UsageError(`--shift: ${shiftWhy}`);
  const { batchSize: batch } = compressSettings(dense, options);
  if (Math.floor(train.count / batch) === 0) throw new UsageError(`--batch ${batch} is larger than the ${train.count} training examples`);
  return {
    input, outFile, dense, data, splits: { train, val: monitor, test }, monitor, targetBytes,
    options: { dataset: data.dataset, record, properties: data.record.properties, trainer: `wpal compress (wasm-palette ${packageVersion()})`, ...options },
  };
}

/** --alloc-bits "2,3,4": index bits 0..8 (0 = float32 values), only with a target size. */
function parseAllocBits(text: string, targetBytes: number | undefined): number[] {
  if (targetBytes === undefined) throw new UsageError('--alloc-bits chooses among bits for --target-size / --ratio; give one of them');
  const bits = text.split(',').map((t) => Number(t.trim()));
  if (!bits.length || bits.some((b) => !Number.isInteger(b) || b < 0 || b > 8)) throw new UsageError(`--alloc-bits ${JSON.stringify(text)}: expected index bits 0..8, comma-separated (0 = float32 values)`);
  return [...new Set(bits)].sort((a, b) => a - b);
}
