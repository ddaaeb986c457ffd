/**
 * Whole-sentence validation accuracy of SST-2 model files.
 *
 *   npx tsx scripts/sst2-sentence-val.ts a.wpal [b.wpal ...]
 *
 * `wpal train --data sst2` measures its validation split on every phrase of the held-out sentences
 * (6,589 phrases, median 7 words), as the training data is made; dev is 872 whole sentences (median
 * 19 words). This measures each file, through the runtime, on the whole sentences of the same
 * validation carve (the 689 longest phrases of its sentence groups, src/trainer/data/sst2.ts
 * sentenceGroups), the kind of example dev holds, so settings can be chosen on that without dev.
 * The carve is the default one (10%, split seed 1), as `wpal train` makes it without --val-fraction
 * or --split-seed.
 */
import fs from 'node:fs';
import { loadSst2, sentenceGroups } from '../src/trainer/data/sst2.js';
import { carveGrouped, valSeed, SPLIT_DEFAULTS } from '../src/trainer/data/split.js';
import { hashedIds } from '../src/trainer/data/hashed.js';
import { textEncodingOf } from '../src/trainer/data/for-model.js';
import { loadModel } from '../src/runtime/load.js';

const files = process.argv.slice(2);
if (!files.length) {
  console.error('usage: npx tsx scripts/sst2-sentence-val.ts a.wpal [b.wpal ...]');
  process.exit(2);
}
const train = loadSst2('train');
const groups = sentenceGroups(train.sentences);
const carve = carveGrouped(groups, train.labels, 2, SPLIT_DEFAULTS.valFraction, valSeed(SPLIT_DEFAULTS.seed));
// each held-out group's longest phrase: its sentence
const root = new Map<number, number>();
for (const i of carve.held) {
  const g = groups[i]!;
  const r = root.get(g);
  if (r === undefined || train.sentences[i]!.length > train.sentences[r]!.length) root.set(g, i);
}
const sentences = [...root.values()].sort((a, b) => a - b);
console.log(`validation carve: ${carve.held.length.toLocaleString('en-US')} phrases of ${sentences.length} sentences; measuring the sentences`);
for (const file of files) {
  const model = await loadModel(new Uint8Array(fs.readFileSync(file)), { threads: 1 });
  const enc = textEncodingOf(model.metadata.properties, file);
  const ids = new Int32Array(sentences.length * enc.seq);
  sentences.forEach((r, i) => ids.set(hashedIds(train.sentences[r]!, enc), i * enc.seq));
  const logits = model.run({ [model.inputs[0]!.name]: ids })[model.outputs[0]!.name]!.data as Float32Array;
  let correct = 0;
  sentences.forEach((r, i) => {
    if ((logits[2 * i + 1]! > logits[2 * i]! ? 1 : 0) === train.labels[r]) correct++;
  });
  console.log(`${file}: whole-sentence val ${((100 * correct) / sentences.length).toFixed(2)}% (${correct}/${sentences.length})`);
  model.dispose();
}
