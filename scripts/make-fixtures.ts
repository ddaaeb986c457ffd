/**
 * Writes the compat fixtures of the current format version (run once per released version with
 * `npx tsx scripts/make-fixtures.ts`; existing fixtures are never overwritten or regenerated).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { encodeBlockSparse, encodeDense, encodePalettized } from '../src/encode/palette.js';
import { ModelWriter } from '../src/format/write.js';
import { FORMAT_MAJOR, FORMAT_MINOR } from '../src/format/version.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'test', 'fixtures', 'format', `v${FORMAT_MAJOR}.${FORMAT_MINOR}`);
const file = join(dir, 'mlp.wpal');
if (existsSync(file)) {
  console.log(`${file} exists; fixtures are never regenerated`);
  process.exit(0);
}

// The recipe of this version's fixture (test/fixtures/format/v<maj>.<min>/recipe.ts) is written first, by hand.
const { fixtureValues, METADATA, SEED } = (await import(pathToFileURL(join(dir, 'recipe.ts')).href)) as typeof import('../test/fixtures/format/v1.2/recipe.js');
const v = fixtureValues();
const w = new ModelWriter(METADATA);
const x = w.input('input', [12]);
const W1 = w.weight('fc1.weight', [8, 12], encodePalettized(v.fc1, 8, 12, { bits: 3, groupRows: 4, entryType: 'float16', channelScales: true, seed: SEED }));
const b1 = w.weight('fc1.bias', [8], encodeDense(v.b1));
const h1 = w.op('Relu', [w.op('FullyConnected', [x, W1, b1], { output: 'fc1' })], { output: 'relu1' });
const W2 = w.weight('fc2.weight', [6, 8], encodeBlockSparse(v.fc2, 6, 8, { blockRows: 2, blockCols: 3, keep: v.keep2 }, { dtype: 'float16' }));
const h2 = w.op('Gelu', [w.op('FullyConnected', [h1, W2], { output: 'fc2' })], { output: 'gelu2' });
const W3 = w.weight('fc3.weight', [4, 6], encodeBlockSparse(v.fc3, 4, 6, { blockRows: 1, blockCols: 2, keep: v.keep3 }, { bits: 2, entryType: 'int8', seed: SEED }));
const b3 = w.weight('fc3.bias', [4], encodeDense(v.b3));
const logits = w.op('FullyConnected', [h2, W3, b3], { output: 'logits' });
w.output(w.op('Softmax', [logits], { output: 'probs' }));
mkdirSync(dir, { recursive: true });
writeFileSync(file, w.finish());
console.log(`wrote ${file}`);
