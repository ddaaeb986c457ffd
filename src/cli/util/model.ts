/** Reading a .wpal file for the CLI and measuring its accuracy through the runtime. */
import { readFileSync } from 'node:fs';
import { loadModel } from '../../runtime/load.js';
import type { Model } from '../../runtime/model.js';
import { CliError, UsageError } from './errors.js';
import { readDenseModel, type DenseModel } from '../../trainer/dense-model.js';
import { dataForModel, type Split } from './data.js';
import { accuracyOf, type Accuracy } from '../../trainer/measure.js';

/** The file's bytes; a missing or unreadable file is a CliError naming it. */
export function readWpalFile(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a directory' : err.message;
    throw new CliError(`cannot read ${path}: ${why}`, { cause: e });
  }
}

/** The files of a `--teacher` value: one path, or several separated by commas (an ensemble). */
export function teacherFiles(arg: string): string[] {
  const files = arg.split(',').map((f) => f.trim());
  if (files.some((f) => f === '')) throw new UsageError(`--teacher ${JSON.stringify(arg)}: an empty file name (give FILE or FILE,FILE,...)`);
  return files;
}

/** The `--teacher` files as checkOutput's inputs (the output may overwrite none of them); [] without --teacher. */
export function teacherInputs(arg: string | undefined): { path: string; what: string }[] {
  return arg === undefined ? [] : teacherFiles(arg).map((path) => ({ path, what: '--teacher file' }));
}

/** The `--teacher` model (an ensemble when several files are given) and its recorded name (the files' base names). */
export function readTeacher(arg: string): { model: DenseModel | DenseModel[]; name: string } {
  const files = teacherFiles(arg);
  const models = files.map((f) => readDenseModel(readWpalFile(f)));
  return { model: models.length === 1 ? models[0]! : models, name: files.map((f) => f.split(/[\\/]/).pop()!).join(',') };
}

/** Loads the file into the runtime (validated; a bad file raises a WpalFormatError). */
export async function loadWpal(path: string): Promise<{ bytes: Uint8Array; model: Model }> {
  const bytes = readWpalFile(path);
  const model = await loadModel(bytes);
  return { bytes, model };
}

export type { Accuracy } from '../../trainer/measure.js';

/**
 * Checks that the model takes one example of the split (e.g. a 28x28x1 image = 784 floats, or `seq`
 * int32 token ids) and returns one score per class of the data.
 */
export function checkClassifier(model: Model, data: Split): void {
  const inp = model.inputs;
  const per = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
  const features = per(data.shape);
  const got = inp.map((i) => `${i.name} [${i.shape.join(', ')}] ${i.dtype}`).join(', ');
  if (data.unit === 'sentences') {
    if (inp.length !== 1 || inp[0]!.dtype !== 'int32' || per(inp[0]!.shape) !== features) {
      throw new CliError(`the model's inputs (${got}) are not one sequence of ${features} int32 token ids: it is not a text classifier for ${data.dataset}`);
    }
  } else if (inp.length !== 1 || inp[0]!.dtype !== 'float32' || per(inp[0]!.shape) !== features) {
    throw new CliError(`the model's inputs (${got}) are not one [${data.shape.join(', ')}] float32 example (${features} floats) of ${data.dataset}`);
  }
  const out = model.outputs[0];
  if (!out || per(out.shape) !== data.classes) {
    throw new CliError(`the model's first output ${out ? `${out.name} [${out.shape.join(', ')}]` : '(none)'} does not hold ${data.classes} class scores (the classes of ${data.dataset})`);
  }
}

/** Top-1 accuracy of the model on the split, in batches of `batch` (the last one partial). */
export function runtimeAccuracy(model: Model, data: Split, batch = 256, onProgress?: (done: number) => void): Accuracy {
  checkClassifier(model, data);
  return accuracyOf(model, data, batch, onProgress);
}

/**
 * The test split a command measures `model` on: the data set from --data, else the built-in set the
 * file records; SST-2 sentences are encoded, and the user's data read, as the file's metadata says.
 */
export function testSplitFor(model: Model, file: string, o: Record<string, unknown>): Split {
  const d = dataForModel(model, file, o, ['test']);
  if (!d.test) throw new CliError(`${d.dataset} has no test split`);
  return d.test;
}
