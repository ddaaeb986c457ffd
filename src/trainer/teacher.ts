/**
 * A dense teacher's logits for distillation, two ways: once over the whole training set
 * (teacherLogits: a step then costs no teacher forward), or per training batch (batchTeacher: the
 * batch exactly as the student sees it, e.g. randomly shifted, at the cost of a forward pass per step).
 */
import { Engine } from './engine/tensor.js';
import { TrainModule, type KernelIsa, type TrainBuild } from './engine/module.js';
import { loadBatch, type Batch, type Examples } from './engine/loop.js';
import type { ShiftAugment } from './engine/augment.js';
import { netOf, type DenseModel } from './dense-model.js';
import { inputOf } from './engine/graph-net.js';

/** Logits [count x classes] of a dense model over `data`, without the tape, in batches. */
export function teacherLogits(model: DenseModel, data: Examples, batch = 500): Float32Array {
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
 * The teacher's logits [B x classes] of a training batch of `data`, in its own engine (no tape):
 * the batch copied again, then moved by `augment` as the student's copy was (same batch, same shifts).
 */
export function batchTeacher(model: DenseModel, data: Examples, o: { build?: TrainBuild; isa?: KernelIsa; augment?: ShiftAugment } = {}): (b: Batch) => Float32Array {
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
 * read the same values and are accepted.
 */
export function teacherMisfit(model: DenseModel, teacher: DenseModel): string | undefined {
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
