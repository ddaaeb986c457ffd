/**
 * Writes the demo's two LeNet-5 files into examples/digits/models/:
 *   lenet5.wpal        compressed: convs 4/2-bit palettes, fc1 2-bit + 4x4 blocks 90% dropped, fc2 4-bit
 *   lenet5-dense.wpal  the same weights, dense float32
 * and models.json (names, sizes, whether the weights are trained).
 *
 * Weights: until the trainer lands, the builder's seeded random weights ("untrained"; the page says
 * so). With trained weights, pass a JSON file of dense float32 values by tensor name
 * (`--weights trained.json`, the layout of src/models) and they are used instead.
 *
 *   npx tsx examples/digits/make-models.ts [--weights trained.json]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildLeNet5, type WeightCompression, type LayerDesc } from '../../src/models/index.js';

export const MODELS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'models');

function compression(l: LayerDesc): WeightCompression {
  if (l.name.startsWith('conv1')) return { palette: { bits: 4 } };
  if (l.name.startsWith('conv2')) return { palette: { bits: 2, groupSize: 10 } };
  if (l.name.startsWith('fc1')) return { palette: { bits: 2 }, sparse: { block: [4, 4], sparsity: 0.9 } };
  return { palette: { bits: 4 } };
}

export interface DemoModels {
  compressed: { file: string; bytes: number };
  dense: { file: string; bytes: number };
  trained: boolean;
}

export function makeModels(outDir = MODELS_DIR, trainedValues?: Record<string, number[]>): DemoModels {
  mkdirSync(outDir, { recursive: true });
  const trained = trainedValues !== undefined;
  const properties: Record<string, string> = trained ? { weights: 'trained' } : { weights: 'untrained', note: 'untrained weights (trainer pending)' };
  const weights = trained ? { values: trainedValues } : { seed: 5 };
  const pal = buildLeNet5({ name: 'lenet-5 (palettized)', weights, compression, properties });
  // The dense file gets the same weights the compressed one was made from.
  const dense = buildLeNet5({ name: 'lenet-5 (dense f32)', weights: { values: pal.weights }, properties });
  writeFileSync(join(outDir, 'lenet5.wpal'), pal.bytes);
  writeFileSync(join(outDir, 'lenet5-dense.wpal'), dense.bytes);
  const info: DemoModels = {
    compressed: { file: 'lenet5.wpal', bytes: pal.bytes.length },
    dense: { file: 'lenet5-dense.wpal', bytes: dense.bytes.length },
    trained,
  };
  writeFileSync(join(outDir, 'models.json'), JSON.stringify(info, null, 2) + '\n');
  return info;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--weights');
  const values = i > 0 ? (JSON.parse(readFileSync(process.argv[i + 1], 'utf8')) as Record<string, number[]>) : undefined;
  const info = makeModels(MODELS_DIR, values);
  console.log(`wrote ${MODELS_DIR}: ${info.compressed.file} ${info.compressed.bytes} B, ${info.dense.file} ${info.dense.bytes} B` + (info.trained ? '' : ' (untrained weights: trainer pending)'));
}
