/**
 * `wpal compress model.wpal --epochs 0 --bits N [--group-rows N] [--sparsity S --block RxC]
 * [--layer SPEC] [--calibration DATA] -o out.wpal`: post-training k-means on any model's weight
 * matrices (compressPostTraining), no data set needed; calibration data makes the k-means
 * sensitivity-weighted. This file parses and prints.
 */
import { readFileSync } from 'node:fs';
import { readModel } from '../format/read.js';
import { rewriteModel } from '../format/rewrite.js';
import type { ShapedInput } from '../runtime/model.js';
import { parseNpy } from '../trainer/data/npy.js';
import { calibrationBatches, compressPostTraining, type LayerSetting } from '../trainer/post-training.js';
import { parseBlock } from '../trainer/prune/prune.js';
import { asDataset, loadSplit, textEncodingOf } from './util/data.js';
import { CliError, EXIT_OK, UsageError } from './util/errors.js';
import { println, type Io } from './util/io.js';
import { checkOutput, writeOutput } from './util/output.js';
import { formatBytes, percent } from './util/size.js';
import { table } from './util/table.js';
import type { LayerSetting as CliLayerSetting } from '../trainer/compress.js';

const CALIBRATION_BATCH = 32;

function block(text: string, what: string): [number, number] {
  const b = parseBlock(text);
  if (!Array.isArray(b)) throw new UsageError(`${what}: post-training pruning takes RxC blocks, not ${text}`);
  return b;
}

/** Calibration batches: a data set name (its training split) or a .npy of inputs, batch first. */
function calibration(spec: string, model: Uint8Array, o: Record<string, unknown>): Record<string, ShapedInput>[] {
  const info = readModel(model);
  if (info.inputs.length !== 1) throw new UsageError(`--calibration feeds one input; the model has ${info.inputs.length}`);
  const input = info.tensors[info.inputs[0]];
  const per = input.shape.reduce((a, b) => a * b, 1);
  let x: Float32Array | Int32Array;
  let n: number;
  if (spec.endsWith('.npy')) {
    const a = parseNpy(readFileSync(spec), spec, { ints: input.dtype === 'int32' });
    n = a.shape[0] ?? 0;
    if (a.shape.slice(1).reduce((p, q) => p * q, 1) !== per) throw new CliError(`${spec}: arrays of shape [${a.shape.slice(1)}] do not fit input ${input.name} [${input.shape}]`);
    x = a.data;
  } else {
    const dataset = asDataset(spec, '--calibration');
    const split = loadSplit(dataset, 'train', o['data-dir'] as string | undefined, (o['limit'] as number | undefined) ?? 512, dataset === 'sst2' ? textEncodingOf(info.metadata.properties, 'the model') : undefined);
    if (split.x.length / split.count !== per) throw new CliError(`${spec} examples have ${split.x.length / split.count} values; input ${input.name} takes ${per}`);
    x = input.dtype === 'int32' ? Int32Array.from(split.x) : split.x;
    n = split.count;
  }
  const out = calibrationBatches(input.name, x, input.shape, n, CALIBRATION_BATCH);
  if (!out.length) throw new CliError(`--calibration ${spec} holds no examples`);
  return out;
}

export async function runPostTraining(input: string, o: Record<string, unknown>, layerSpec: Record<string, CliLayerSetting> | undefined, io: Io): Promise<number> {
  for (const k of ['data', 'target-size', 'ratio', 'distill', 'teacher', 'shift', 'widths', 'hidden', 'prune-epochs']) {
    if (o[k] !== undefined) throw new UsageError(`--${k} needs training; --epochs 0 compresses without it (give --calibration DATA for sensitivity-weighted k-means)`);
  }
  if (o['output'] === undefined) throw new UsageError('-o FILE is required (the .wpal file to write)');
  const outFile = o['output'] as string;
  checkOutput(outFile, [{ path: input, what: 'model to compress' }, ...(typeof o['calibration'] === 'string' && o['calibration'].endsWith('.npy') ? [{ path: o['calibration'], what: 'calibration data' }] : [])]);
  const bytes = new Uint8Array(readFileSync(input));
  const layers: Record<string, LayerSetting> = {};
  for (const [name, s] of Object.entries(layerSpec ?? {})) {
    layers[name] = { ...(s.bits === 0 ? { skip: true } : s.bits !== undefined ? { bits: s.bits } : {}), ...(s.sparsity !== undefined ? { sparsity: s.sparsity } : {}), ...(s.groupRows !== undefined ? { groupRows: s.groupRows } : {}), ...(s.block !== undefined ? { block: block(s.block as string, `--layer ${name}`) } : {}) };
  }
  const calib = o['calibration'] !== undefined ? calibration(o['calibration'] as string, bytes, o) : undefined;
  const { bytes: written, report } = await compressPostTraining(bytes, {
    bits: (o['bits'] as number | undefined) ?? 4,
    groupRows: (o['group-rows'] as number | undefined) ?? 0,
    sparsity: (o['sparsity'] as number | undefined) ?? 0,
    ...(o['block'] !== undefined ? { block: block(o['block'] as string, '--block') } : {}),
    layers,
    calibration: calib,
    ...(o['int8'] === true ? { int8: true } : {}),
    ...(o['palette-entries'] !== undefined ? { entryType: o['palette-entries'] as 'float32' | 'float16' } : {}),
    seed: (o['seed'] as number | undefined) ?? 1,
  });
  const out = o['strip-metadata'] === true ? rewriteModel(readModel(written), { stripMetadata: true }) : written;
  await writeOutput(outFile, out);
  if (o['json'] === true) {
    println(io, JSON.stringify({ file: outFile, fileBytes: out.length, ...report }, null, 2));
    return EXIT_OK;
  }
  println(io, table(
    ['tensor', 'op', 'shape', 'bits', 'group rows', 'sparsity', 'bytes before', 'bytes after', 'output rel. RMS'],
    report.layers.map((l) => [l.name, l.op, `[${l.shape.join(', ')}]`, String(l.bits), l.groupRows ? String(l.groupRows) : 'tensor', l.sparsity ? `${percent(l.sparsity, 1)} of ${l.block!.join('x')}` : '-', String(l.bytesBefore), String(l.bytesAfter), l.outputError.toFixed(4)]),
  ));
  for (const r of report.outputs) println(io, `output ${r.name}: relative RMS ${r.relRms.toExponential(2)}, argmax agreement ${percent(r.argmaxAgreement, 1)} (on ${report.measuredOn})`);
  println(io, `wrote ${outFile}: ${formatBytes(out.length)} (was ${formatBytes(report.bytesBefore)}, ${(report.bytesBefore / out.length).toFixed(1)}x smaller); k-means${calib ? ' weighted by calibration E[x^2]' : ''}, no training`);
  return EXIT_OK;
}
