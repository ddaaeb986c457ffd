/**
 * A dense teacher's logits for distillation, two ways: once over the whole training set
 * (teacherLogits: a step then costs no teacher forward), or per training batch (batchTeacher: the
 * batch exactly as the student sees it, e.g. randomly shifted, at the cost of a forward pass per step).
 * A teacher may be an ensemble, several models of the same inputs and classes (e.g. one architecture
 * trained with different seeds): its logits are the mean of theirs, which is the logits of the
 * normalized geometric mean of their probabilities.
 */
import { Engine } from './engine/tensor.js';
import { TrainModule, type KernelIsa, type TrainBuild } from './engine/module.js';
import { loadBatch, type Batch, type Examples } from './engine/loop.js';
import type { ShiftAugment } from './engine/augment.js';
import { netOf, type DenseModel } from './dense-model.js';
import { inputOf } from './engine/graph-net.js';

/** One teacher model, or an ensemble whose logits are averaged. */
export type Teachers = DenseModel | readonly DenseModel[];

/** The models of a teacher (one, or the ensemble's). */
export function teacherModels(t: Teachers): readonly DenseModel[] {
  return Array.isArray(t) ? (t as readonly DenseModel[]) : [t as DenseModel];
}

/** Element-wise mean of equally long logit arrays (the array itself when there is one). */
function meanLogits(all: Float32Array[]): Float32Array {
  if (all.length === 1) return all[0]!;
  const out = new Float32Array(all[0]!.length);
  for (const a of all) for (let i = 0; i < out.length; i++) out[i] += a[i]!;
  for (let i = 0; i < out.length; i++) out[i] /= all.length;
  return out;
}

/** Logits [count x classes] of a teacher (an ensemble's: their mean) over `data`, without the tape, in batches. */
export function teacherLogits(t: Teachers, data: Examples, batch = 500): Float32Array {
  return meanLogits(teacherModels(t).map((m) => modelLogits(m, data, batch)));
}

function modelLogits(model: DenseModel, data: Examples, batch: number): Float32Array {
  const e = new Engine(new TrainModule());
  const net = netOf(e, model);
  e.gradEnabled = false;
  const F = data.x.length / data.count;
  let out: Float32Array | undefined;
  for (let s = 0; s < data.count; s += batch) {
    const B = Math.min(batch, data.count - s);
    e.beginStep();
    const x = e.input(data.x.subarray(s * F, (s + B) * F), [B, ...net.inputShape]);
    const logits = e.read(net.forward(x));
    out ??= new Float32Array(data.count * (logits.length / B));
    out.set(logits, s * (logits.length / B));
  }
  return out ?? new Float32Array(0);
}

/**
 * The teacher's logits [B x classes] of a training batch of `data` (an ensemble's: their mean), each
 * model in its own engine (no tape): the batch copied again, then moved by `augment` as the
 * student's copy was (same batch, same shifts).
 */
export function batchTeacher(t: Teachers, data: Examples, o: { build?: TrainBuild; isa?: KernelIsa; augment?: ShiftAugment } = {}): (b: Batch) => Float32Array {
  const each = teacherModels(t).map((m) => modelBatchTeacher(m, data, o));
  return (b) => meanLogits(each.map((f) => f(b)));
}

function modelBatchTeacher(model: DenseModel, data: Examples, o: { build?: TrainBuild; isa?: KernelIsa; augment?: ShiftAugment }): (b: Batch) => Float32Array {
  const e = new Engine(new TrainModule({ build: o.build, isa: o.isa }));
  const net = netOf(e, model);
  e.gradEnabled = false;
  let labels = new Int32Array(0);
  return (b) => {
    if (labels.length !== b.size) labels = new Int32Array(b.size);
    e.beginStep();
    // int32 ids copied as integers
    const x = loadBatch(e, data, b.order, b.start, b.size, net.inputShape, labels, net.inputDtype);
    o.augment?.apply(e, x, b);
    return e.read(net.forward(x));
  };
}

/**
 * Why `teacher` cannot teach `model` on the same examples, or undefined: another input type or size,
 * the same values in another image layout ([3, 32, 32] against [32, 32, 3]), or another number of
 * classes. Shapes that differ only by 1-sized axes or by flattening ([1, 28, 28], [28, 28, 1], [784])
 * read the same values and are accepted. An ensemble: the first of its models that does not fit, by
 * its position ("model 2 of 3: ...").
 */
export function teacherMisfit(model: DenseModel, t: Teachers): string | undefined {
  const models = teacherModels(t);
  if (!models.length) return 'an ensemble of no models';
  for (const [k, m] of models.entries()) {
    const why = modelMisfit(model, m);
    if (why) return models.length > 1 ? `model ${k + 1} of ${models.length}: ${why}` : why;
  }
  return undefined;
}

function modelMisfit(model: DenseModel, teacher: DenseModel): string | undefined {
  const a = inputOf(model), b = inputOf(teacher);
  const size = (s: readonly number[]) => s.reduce((x, y) => x * y, 1);
  const squeezed = (s: readonly number[]) => s.filter((d) => d !== 1);
  const sa = squeezed(a.shape), sb = squeezed(b.shape);
  const layouts = sa.length >= 2 && sb.length >= 2 && sa.join() !== sb.join();
  if (a.dtype !== b.dtype || size(a.shape) !== size(b.shape) || layouts) return `it takes ${b.dtype} [${b.shape.join(', ')}], the model ${a.dtype} [${a.shape.join(', ')}]`;
  const classes = (m: DenseModel) => size(m.graph.tensors[m.graph.outputs[0]!]!.shape);
  if (classes(model) !== classes(teacher)) return `it gives ${classes(teacher)} scores, the model ${classes(model)}`;
  return undefined;
}
