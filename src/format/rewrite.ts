/**
 * rewriteModel: a read model written again by today's ModelWriter. The weights are copied blob for
 * blob (so the model computes exactly what it did) unless `weights` gives a new encoding for a
 * tensor; the graph, attributes and metadata are the same; `extraOutputs` makes intermediate
 * activations graph outputs too (calibration and per-layer error reports read them). What the
 * writer adds or how it stores the graph changes too: an older file comes out in today's format
 * (1.3, compact, with checksums) unless `layout` asks for the tables (1.2).
 */
import { weightBlobs, type EncodedWeight, type WeightBlobs } from '../encode/decode.js';
import type { AttrValue, ModelInfo, PreprocessingInfo } from './types.js';
import { ModelWriter, type TensorHandle } from './write.js';
import { WpalFormatError } from './errors.js';

export interface RewriteOptions {
  /** New stored form of weight tensors, by tensor index. */
  weights?: ReadonlyMap<number, EncodedWeight | WeightBlobs>;
  /** Activations to add as graph outputs (after the model's own), under the given names. */
  extraOutputs?: readonly { tensor: number; name: string }[];
  /** New shapes of weight tensors, by tensor index (a layer with filters removed; activations follow by shape inference). */
  shapes?: ReadonlyMap<number, readonly number[]>;
  /** Attributes to set on ops, by op index (e.g. FullyConnected int8 = 1). */
  attrs?: ReadonlyMap<number, Record<string, AttrValue>>;
  /** Metadata properties to set or replace. */
  properties?: Record<string, string>;
  /** Metadata properties of the source to leave out. */
  dropProperties?: readonly string[];
  /** Metadata fields to replace. */
  metadata?: { name?: string; preprocessing?: Partial<PreprocessingInfo>; outputLabels?: string[] };
  /**
   * Keep only the metadata needed to measure the model again (metadata.ts): true keeps the
   * properties of ESSENTIAL_PROPERTIES, a list keeps those. Default false.
   */
  stripMetadata?: boolean | readonly string[];
  /** ModelWriterOptions.layout (default compact, format 1.3; "tables" writes format 1.2). */
  layout?: 'compact' | 'tables';
}

export function rewriteModel(info: ModelInfo, opts: RewriteOptions = {}): Uint8Array {
  const producer = new Map<number, number>();
  info.ops.forEach((op, i) => op.outputs.forEach((t) => producer.set(t, i)));
  const isOutput = new Set(info.outputs);
  // Graph inputs and outputs are read directly; only intermediate activations become extra outputs.
  const extraName = new Map((opts.extraOutputs ?? []).filter((e) => !isOutput.has(e.tensor) && !info.inputs.includes(e.tensor)).map((e) => [e.tensor, e.name]));
  // Intermediate activations are stored without names unless the file named them.
  const activationNames = info.tensors.some((t) => producer.has(t.index) && !isOutput.has(t.index) && !t.name.startsWith('#'));
  const m = info.metadata;
  const over = opts.metadata ?? {};
  const name = over.name ?? m.name;
  const preprocessing = over.preprocessing ? { ...m.preprocessing, ...over.preprocessing } : m.preprocessing;
  const kept = Object.fromEntries(Object.entries(m.properties).filter(([k]) => !opts.dropProperties?.includes(k)));
  const w = new ModelWriter({
    ...(name !== undefined ? { name } : {}),
    ...(m.description !== undefined ? { description: m.description } : {}),
    ...(m.task !== undefined ? { task: m.task } : {}),
    ...(preprocessing ? { preprocessing } : {}),
    outputLabels: over.outputLabels ?? m.outputLabels,
    properties: { ...kept, ...opts.properties },
    activationNames,
    ...(opts.stripMetadata ? { stripMetadata: opts.stripMetadata } : {}),
    ...(opts.layout ? { layout: opts.layout } : {}),
  });
  const handles = new Map<number, TensorHandle>();
  const inputs = new Set(info.inputs);
  // Tensors in file order: inputs and weights as they come, op outputs through their op (the
  // writer creates an op's output after its inputs, so the indices come out the same).
  for (const t of info.tensors) {
    if (handles.has(t.index)) continue;
    if (inputs.has(t.index)) handles.set(t.index, w.input(t.name, t.shape, t.dtype));
    else if (t.weight) {
      let blobs = opts.weights?.get(t.index);
      if (!blobs) {
        const copied = weightBlobs(info, t);
        const p = t.weight.palettized;
        if (copied.palettized && p && p.numPalettes === 1) copied.palettized.groupRows = 0;
        blobs = copied;
      }
      handles.set(t.index, w.weight(t.name, opts.shapes?.get(t.index) ?? t.shape, blobs));
    } else {
      const o = producer.get(t.index);
      if (o === undefined) throw new WpalFormatError(`rewriteModel: tensor ${t.index} is neither an input, a weight nor an op output`);
      const op = info.ops[o];
      const named = isOutput.has(t.index) || activationNames;
      const outName = extraName.get(t.index) ?? (named ? t.name : undefined);
      const attrs = { ...op.attrs, ...opts.attrs?.get(o) };
      const out = w.op(op.type, op.inputs.map((i) => (i < 0 ? null : handles.get(i))), { attrs, ...(outName !== undefined ? { output: outName } : {}) });
      handles.set(t.index, out);
    }
  }
  for (const t of info.outputs) w.output(handles.get(t)!);
  for (const [t] of extraName) {
    const h = handles.get(t);
    if (!h) throw new WpalFormatError(`rewriteModel: extra output ${t} is not a tensor of the model`);
    w.output(h);
  }
  return w.finish();
}
