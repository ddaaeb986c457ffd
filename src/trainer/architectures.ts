/**
 * The architectures `wpal train` starts from, by name: each is its src/models builder (the one
 * definition of the graph) with seeded random values (He-normal weights), read back as a
 * DenseModel for the graph trainer. Fine-tuning and compression need no name: they take any file.
 */
import { buildLeNet300100, buildLeNet5 } from '../models/lenet.js';
import { buildTextClassifier, TEXT_DEFAULTS } from '../models/text.js';
import { readDenseModel, type DenseModel } from './dense-model.js';

export const ARCHITECTURES = ['lenet5', 'lenet300-100', 'transformer'] as const;
export type ArchName = (typeof ARCHITECTURES)[number];

export interface TextShape {
  seq: number;
  buckets: number;
  dim: number;
  layers: number;
  heads: number;
  ffn: number;
}

export { TEXT_DEFAULTS };

export interface FreshOptions {
  seed: number;
  classes: number;
  /** Shape of one example: [H, W, C] images (lenet5), any shape (lenet300-100 flattens it). */
  inputShape: readonly number[];
  /** lenet5: conv1, conv2, fc1 widths; lenet300-100: the hidden widths. */
  widths?: number[];
  text?: TextShape;
}

/** A freshly initialized model of an architecture. */
export function freshModel(arch: ArchName, o: FreshOptions): DenseModel {
  const weights = { seed: o.seed };
  if (arch === 'transformer') {
    return readDenseModel(buildTextClassifier({ ...TEXT_DEFAULTS, ...o.text, classes: o.classes, weights }).bytes);
  }
  if (arch === 'lenet5') {
    const [size, , channels] = o.inputShape;
    return readDenseModel(buildLeNet5({ inputSize: size, channels, classes: o.classes, weights, ...(o.widths ? { widths: o.widths as [number, number, number] } : {}) }).bytes);
  }
  const inputSize = o.inputShape.reduce((a, b) => a * b, 1);
  return readDenseModel(buildLeNet300100({ inputSize, classes: o.classes, weights, ...(o.widths ? { hidden: o.widths } : {}) }).bytes);
}
