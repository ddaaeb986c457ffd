/**
 * What `wpal compress` accepts: its defaults, options and notes, and the parsing of the options that
 * are more than one value (--layer, --target-size / --ratio); compress.ts runs the command.
 */
import type { DenseModel, LayerSetting } from '../trainer/compress.js';
import { targetForRatio } from '../trainer/allocate/index.js';
import { COMPRESS_DEFAULTS, TEXT_COMPRESS_DEFAULTS } from '../trainer/pipeline.js';
import type { CommandSpec } from './util/args.js';
import { DATA_OPTIONS } from './util/data.js';
import { UsageError } from './util/errors.js';
import { percent } from './util/size.js';

export const spec: CommandSpec = {
  name: 'compress',
  summary: 'DKM-palettize (and block-prune) a dense .wpal by fine-tuning on a data set',
  usage: '<dense.wpal> --data NAME|PATH -o FILE [options]',
  positionals: [{ name: 'dense.wpal', description: 'a dense model (from wpal train, wpal import, or your own ModelWriter code)', required: true }],
  options: {
    ...DATA_OPTIONS,
    bits: { type: 'int', value: 'N', min: 1, max: 8, description: `palette index bits of every layer (default ${COMPRESS_DEFAULTS.bits})` },
    'group-rows': { type: 'int', value: 'N', min: 0, description: 'output rows per palette (default 0: one palette per tensor)' },
    sparsity: { type: 'number', value: 'X', min: 0, max: 0.999, description: 'fraction of weight blocks pruned in every layer (default 0)' },
    block: { type: 'string', value: 'RxC', description: `pruning block: 1x4, 4x1, 4x4, 8x1, 16x1, row or col (default ${COMPRESS_DEFAULTS.block})` },
    'target-size': { type: 'size', value: 'S', min: 1, description: 'choose every layer\'s bits and sparsity automatically so the file is <= S and >= 97% of it (B, KB, KiB, ...; replaces --bits, --sparsity, --layer)' },
    ratio: { type: 'number', value: 'R', min: 1, description: 'as --target-size, with S = the dense float32 bytes of the weights / R' },
    layer: { type: 'string', value: 'SPEC', description: 'per-layer settings, e.g. "fc1:bits=1,sparsity=0.95;conv1:bits=4" (bits=0 leaves a layer unclustered)' },
    epochs: { type: 'int', value: 'N', min: 0, description: `DKM fine-tuning epochs (default ${COMPRESS_DEFAULTS.epochs}, ${COMPRESS_DEFAULTS.epochsAfterStructured} after whole filters were removed; transformer ${TEXT_COMPRESS_DEFAULTS.epochs}); the best by validation accuracy is kept; 0 = post-training k-means of any model (imported ones too), no --data needed` },
    calibration: { type: 'string', value: 'DATA', description: 'with --epochs 0: inputs for sensitivity-weighted k-means, a data set name (its training split) or a .npy of inputs (batch first)' },
    optimizer: { type: 'string', value: 'NAME', choices: ['sgd', 'adam'], description: 'sgd + momentum 0.9 (default for the LeNets) or adam (default for the transformer)' },
    'prune-epochs': { type: 'int', value: 'N', min: 0, description: 'prune first: N epochs of block pruning on float32 weights (at 2x the lr), then DKM on the kept blocks (default 0: prune during DKM); with --target-size / --ratio, to the sparsities the allocator chooses (then DKM at its bits); with --widths / --hidden or a target that removes whole filters, the epochs of that stage (default 16)' },
    widths: { type: 'string', value: 'N,N,...', description: 'keep this many filters / neurons in each layer that can lose them, in graph order (LeNet-5: conv1, conv2, fc1): pruned whole on float32 weights, then removed from the file' },
    hidden: { type: 'string', value: 'N,N,...', description: 'the same as --widths (LeNet-300-100: the hidden layers)' },
    batch: { type: 'int', value: 'N', min: 1, max: 4096, description: `mini-batch size (default ${COMPRESS_DEFAULTS.batch})` },
    lr: { type: 'number', value: 'X', min: 0, description: `peak learning rate (default ${COMPRESS_DEFAULTS.lr} with sgd, ${TEXT_COMPRESS_DEFAULTS.lr} with adam on the transformer), cosine-decayed to 0` },
    tau: { type: 'number', value: 'X', min: 1e-6, description: `DKM temperature as a fraction of the weights' std (default ${COMPRESS_DEFAULTS.tau})` },
    distill: { type: 'boolean', description: 'distill from the dense model: (1 - alpha) CE + alpha T^2 KL on softened logits' },
    teacher: { type: 'string', value: 'FILE[,FILE...]', description: 'distill from this trained .wpal instead of the input model (e.g. the full-width dense model of a narrow student), or from several (an ensemble: the mean of their logits); implies --distill' },
    temperature: { type: 'number', value: 'T', min: 0.01, description: `distillation temperature (default ${COMPRESS_DEFAULTS.temperature}; transformer ${TEXT_COMPRESS_DEFAULTS.temperature})` },
    alpha: { type: 'number', value: 'X', min: 0, max: 1, description: `distillation weight (default ${COMPRESS_DEFAULTS.alpha})` },
    seed: { type: 'int', value: 'N', min: 0, max: 2 ** 32 - 1, description: `seed of the shuffles and the k-means++ draws (default ${COMPRESS_DEFAULTS.seed})` },
    shift: { type: 'int', value: 'N', min: 0, max: 64, description: 'images: move every training image by up to N pixels each way (edge pixels repeated), a fresh draw per step, the teacher shown the same (default 0)' },
    limit: { type: 'int', value: 'N', min: 1, description: 'quick runs: the first N examples of the train, val and test splits' },
    int8: { type: 'boolean', description: 'int8 palette entries (a scale per palette), and fully connected / conv layers computing on int8 activations (quantized per row / output pixel inside the kernel); the accuracy is measured so' },
    'alloc-bits': { type: 'string', value: 'N,N,...', description: 'with --target-size / --ratio: the index bits the allocator may choose from (default 1,2,3,4,6,8; 0 = float32 values)' },
    'palette-entries': { type: 'string', value: 'TYPE', choices: ['float32', 'float16'], description: 'element type of the palette entries (default float32): float16 halves every palette, the centroids rounded to half precision (not with --int8)' },
    output: { type: 'string', short: 'o', value: 'FILE', description: 'the .wpal file to write (required)' },
    'strip-metadata': { type: 'boolean', description: 'keep only the metadata needed to measure the file again (as wpal strip): accuracy, data, preprocessing, labels; a --target-size then reserves room for those alone' },
    json: { type: 'boolean', description: 'print the result as one JSON object on stdout' },
  },
  notes: [
    'Prints progress (loss, accuracy, images/s, ETA) on stderr; the per-epoch accuracy is the validation split\'s.',
    'Your own data (--data PATH) is read as the dense file records it (preprocessing, classes, the val / test carves),\n' +
      'and the output file records the same.',
    'Example: wpal compress lenet5.dense.wpal --data mnist --bits 2 --sparsity 0.9 --block 1x4 --distill -o lenet5.2bit.wpal',
    'Example: wpal compress model.wpal --epochs 0 --bits 4 --group-rows 8 [--calibration inputs.npy] -o model.4bit.wpal (any model, e.g. imported from ONNX: k-means, no training)',
    'A --target-size / --ratio below what block masks over the full-width layers allow removes whole filters and neurons\n' +
      'first (layers that feed another fc / conv layer through channel-wise ops): widths chosen so the file fits at ~3 bits\n' +
      '(first conv g, later convs 0.8 g, fc after convs 0.25 g), --prune-epochs (16) epochs of row pruning, then the allocator.',
    'Example: wpal compress lenet5.dense.wpal --data mnist --widths 6,12,32 --bits 4 --layer fc1:bits=2 --epochs 8 --distill -o lenet5.small.wpal',
    'Example: wpal compress lenet300.dense.wpal --data mnist --bits 2 --layer "fc1:sparsity=0.85,block=1x16;fc2:sparsity=0.7,block=1x16" --prune-epochs 8 --epochs 8 --distill -o lenet300.64x.wpal',
    'Example: wpal compress lenet300.dense.wpal --data mnist --target-size 20KB --distill -o lenet300.20kb.wpal (per-layer bits and sparsity from the layers\' sensitivity)',
  ],
};

/** "fc1:bits=1,sparsity=0.95;conv1:bits=4,block=4x1,group-rows=5" -> per-layer settings. */
export function parseLayerSpec(text: string): Record<string, LayerSetting> {
  const out: Record<string, LayerSetting> = {};
  for (const part of text.split(';').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([\w.]+):(.+)$/.exec(part);
    if (!m) throw new UsageError(`--layer ${JSON.stringify(part)}: expected NAME:key=value,...`);
    const s: LayerSetting = {};
    for (const kv of m[2].split(',')) {
      const [k, v] = kv.split('=').map((x) => x.trim());
      const num = Number(v);
      if (k === 'block') s.block = v;
      else if (!Number.isFinite(num)) throw new UsageError(`--layer ${m[1]}: ${k}=${v} is not a number`);
      else if (k === 'bits') s.bits = num;
      else if (k === 'sparsity') s.sparsity = num;
      else if (k === 'group-rows') s.groupRows = num;
      else throw new UsageError(`--layer ${m[1]}: unknown key ${k} (bits, sparsity, block, group-rows)`);
    }
    out[m[1]] = s;
  }
  return out;
}

/**
 * The target file size of --target-size / --ratio (undefined when neither is given): --ratio R is
 * the dense float32 bytes of every weight (sizeReport's denseF32Bytes) / R, rounded down.
 */
export function targetFromOptions(o: Record<string, unknown>, dense: DenseModel): number | undefined {
  const size = o['target-size'] as number | undefined;
  const ratio = o['ratio'] as number | undefined;
  if (size !== undefined && ratio !== undefined) throw new UsageError('give --target-size or --ratio, not both');
  if (size === undefined && ratio === undefined) return undefined;
  for (const k of ['bits', 'sparsity', 'layer']) {
    if (o[k] !== undefined) throw new UsageError(`--${k} cannot be combined with ${size !== undefined ? '--target-size' : '--ratio'}: the allocator chooses every layer's bits and sparsity`);
  }
  return size ?? targetForRatio(dense, ratio!);
}

/** "conv1.weight 4-bit, fc1.weight 2-bit 90.0% pruned"; many layers are counted per setting instead. */
export function layerSummary(layers: Array<{ name: string; bits: number; sparsity: number }>): string {
  const one = (l: { bits: number; sparsity: number }) => `${l.bits}-bit${l.sparsity ? ` ${percent(l.sparsity, 1)} pruned` : ''}`;
  if (layers.length <= 6) return layers.map((l) => `${l.name} ${one(l)}`).join(', ');
  const counts = new Map<string, number>();
  for (const l of layers) counts.set(one(l), (counts.get(one(l)) ?? 0) + 1);
  return `${layers.length} weight tensors: ${[...counts].map(([k, n]) => `${n} x ${k}`).join(', ')} (wpal inspect lists them)`;
}

