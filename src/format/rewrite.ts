/**
 * rewriteModel: a read model written again by today's ModelWriter. The weights are copied blob for
 * blob (so the model computes exactly what it did), the graph, attributes and metadata are the
 * same; what changes is what the writer adds, e.g. the format 1.2 checksums of an older file.
 */
import { weightBlobs } from '../encode/decode.js';
import type { ModelInfo } from './types.js';
import { ModelWriter, type TensorHandle } from './write.js';
import { WpalFormatError } from './errors.js';

export function rewriteModel(info: ModelInfo): Uint8Array {
  const producer = new Map<number, number>();
  info.ops.forEach((op, i) => op.outputs.forEach((t) => producer.set(t, i)));
  const isOutput = new Set(info.outputs);
  // Intermediate activations are stored without names unless the file named them.
  const activationNames = info.tensors.some((t) => producer.has(t.index) && !isOutput.has(t.index) && !t.name.startsWith('#'));
  const m = info.metadata;
  const w = new ModelWriter({
    ...(m.name !== undefined ? { name: m.name } : {}),
    ...(m.description !== undefined ? { description: m.description } : {}),
    ...(m.task !== undefined ? { task: m.task } : {}),
    ...(m.preprocessing ? { preprocessing: m.preprocessing } : {}),
    outputLabels: m.outputLabels,
    properties: m.properties,
    activationNames,
  });
  const handles = new Map<number, TensorHandle>();
  const inputs = new Set(info.inputs);
  // Tensors in file order: inputs and weights as they come, op outputs through their op (the
  // writer creates an op's output after its inputs, so the indices come out the same).
  for (const t of info.tensors) {
    if (handles.has(t.index)) continue;
    if (inputs.has(t.index)) handles.set(t.index, w.input(t.name, t.shape, t.dtype));
    else if (t.weight) {
      const blobs = weightBlobs(info, t);
      const p = t.weight.palettized;
      if (blobs.palettized && p && p.numPalettes === 1) blobs.palettized.groupSize = 0;
      handles.set(t.index, w.weight(t.name, t.shape, blobs));
    } else {
      const o = producer.get(t.index);
      if (o === undefined) throw new WpalFormatError(`rewriteModel: tensor ${t.index} is neither an input, a weight nor an op output`);
      const op = info.ops[o];
      const named = isOutput.has(t.index) || activationNames;
      const out = w.op(op.type, op.inputs.map((i) => (i < 0 ? null : handles.get(i))), { attrs: op.attrs, ...(named ? { output: t.name } : {}) });
      handles.set(t.index, out);
    }
  }
  for (const t of info.outputs) w.output(handles.get(t)!);
  return w.finish();
}
