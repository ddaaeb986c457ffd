/** Small models built with the writer, shared by the end-to-end, memory and bad-input tests. */
import { ModelWriter } from '../../src/format/write.js';
import { encodeBlockSparse, encodeDense, encodePalettized } from '../../src/encode/palette.js';
import { Rng } from '../util/rng.js';

/**
 * input[203] -> FC 97 (palettized, grouped palettes, channel scales, bias) -> Relu
 *            -> FC 61 (dense values, 8x1 blocks, 60% dropped) -> Relu6 = "hidden"
 *            -> FC 10 (4-bit palettized, f16 entries, 1x4 blocks, 50% dropped) -> Softmax = "probs"
 */
export function buildMlp(seed: number): Uint8Array {
  const rng = new Rng(seed);
  const w = new ModelWriter({ name: 'mlp-e2e', description: 'end-to-end test model', task: 'classification' });
  const x = w.input('input', [203]);
  const W1 = w.weight(
    'fc1.weight',
    [97, 203],
    encodePalettized(rng.floats(97 * 203), 97, 203, { bits: 3, groupRows: 32, entryType: 'float32', channelScales: true, seed }),
  );
  const b1 = w.weight('fc1.bias', [97], encodeDense(rng.floats(97, -0.1, 0.1)));
  const h1 = w.op('Relu', [w.op('FullyConnected', [x, W1, b1])]);
  const W2 = w.weight('fc2.weight', [61, 97], encodeBlockSparse(rng.floats(61 * 97), 61, 97, { blockRows: 8, blockCols: 1, sparsity: 0.6 }, { dtype: 'float32' }));
  const hidden = w.op('Relu6', [w.op('FullyConnected', [h1, W2])], { output: 'hidden' });
  const W3 = w.weight(
    'fc3.weight',
    [10, 61],
    encodeBlockSparse(rng.floats(10 * 61), 10, 61, { blockRows: 1, blockCols: 4, sparsity: 0.5 }, { bits: 4, entryType: 'float16', seed }),
  );
  const b3 = w.weight('fc3.bias', [10], encodeDense(rng.floats(10, -0.1, 0.1)));
  const probs = w.op('Softmax', [w.op('FullyConnected', [hidden, W3, b3])], { output: 'probs' });
  w.output(hidden);
  w.output(probs);
  return w.finish();
}

/**
 * A wide model whose dense float32 weights are ~8x its file: for the memory claim.
 * input[1024] -> FC 1024 (2-bit, per-tensor palette) -> Relu -> FC 1024 (4-bit, 16x1 blocks 50%) = "y"
 */
export function buildWide(seed: number): { bytes: Uint8Array; denseBytes: number } {
  const rng = new Rng(seed);
  const w = new ModelWriter({ name: 'wide' });
  const x = w.input('input', [1024]);
  const W1 = w.weight('fc1.weight', [1024, 1024], encodePalettized(rng.floats(1024 * 1024), 1024, 1024, { bits: 2, seed }));
  const h = w.op('Relu', [w.op('FullyConnected', [x, W1])]);
  const W2 = w.weight('fc2.weight', [1024, 1024], encodeBlockSparse(rng.floats(1024 * 1024), 1024, 1024, { blockRows: 16, blockCols: 1, sparsity: 0.5 }, { bits: 4, seed }));
  w.output(w.op('FullyConnected', [h, W2], { output: 'y' }));
  return { bytes: w.finish(), denseBytes: 2 * 1024 * 1024 * 4 };
}

/** input[203] -> FC 97 (4-bit, grouped palettes with int8 entries, bias) = "y", on the int8 path or not. */
export function buildInt8Layer(seed: number, int8: boolean): Uint8Array {
  const rng = new Rng(seed);
  const w = new ModelWriter({ name: 'int8-layer' });
  const x = w.input('input', [203]);
  const W = w.weight('fc.weight', [97, 203], encodePalettized(rng.floats(97 * 203), 97, 203, { bits: 4, groupRows: 32, entryType: 'int8', seed }));
  const b = w.weight('fc.bias', [97], encodeDense(rng.floats(97, -0.1, 0.1)));
  w.output(w.op('FullyConnected', [x, W, b], { attrs: { int8: int8 ? 1 : 0 }, output: 'y' }));
  return w.finish();
}
