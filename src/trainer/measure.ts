/**
 * Accuracy through the runtime: what a written file really does, batch by batch. The CLI, the
 * compress pipeline and the experiment scripts measure with this one function.
 */
import type { Model } from '../runtime/model.js';
import type { Examples } from './engine/loop.js';

/** Metadata keys of the accuracy measured on a written file (by `wpal train`, `compress`; checked by `verify`). */
export const ACCURACY = 'accuracy';
export const ACCURACY_EXAMPLES = 'accuracy_examples';
export const ACCURACY_DATASET = 'accuracy_dataset';

export interface Accuracy {
  correct: number;
  examples: number;
  accuracy: number;
  seconds: number;
}

/** Top-1 accuracy of `model` (first input, first output) on the examples, in batches of `batch`. */
export function accuracyOf(model: Model, data: Examples, batch = 256, onProgress?: (done: number) => void): Accuracy {
  const input = model.inputs[0]!;
  const output = model.outputs[0]!.name;
  const per = input.shape.reduce((a, b) => a * b, 1);
  const ints = input.dtype === 'int32';
  const t0 = performance.now();
  let correct = 0;
  for (let s = 0; s < data.count; s += batch) {
    const b = Math.min(batch, data.count - s);
    const x = data.x.subarray(s * per, (s + b) * per);
    const logits = model.run({ [input.name]: { data: ints ? Int32Array.from(x) : x, shape: [b, ...input.shape] } })[output]!.data;
    const k = logits.length / b;
    for (let i = 0; i < b; i++) {
      let best = 0;
      for (let j = 1; j < k; j++) if (logits[i * k + j]! > logits[i * k + best]!) best = j;
      if (best === data.y[s + i]) correct++;
    }
    onProgress?.(s + b);
  }
  return { correct, examples: data.count, accuracy: data.count ? correct / data.count : NaN, seconds: (performance.now() - t0) / 1000 };
}
