/**
 * Metadata kept on request (src/format/metadata.ts): the kept properties are the ones the trainer,
 * the data record and the text tokenizer write (checked against their own definitions), a stripped
 * file keeps what eval / verify read and drops the rest, and computes exactly what it did.
 */
import { describe, expect, it } from 'vitest';
import { ESSENTIAL_PROPERTIES, stripMetadata } from '../../src/format/metadata.js';
import { readModel } from '../../src/format/read.js';
import { rewriteModel } from '../../src/format/rewrite.js';
import { ModelWriter } from '../../src/format/write.js';
import { encodeDense } from '../../src/encode/palette.js';
import { buildTextClassifier, textClassifierIds } from '../../src/models/text.js';
import { ACCURACY, ACCURACY_DATASET, ACCURACY_EXAMPLES } from '../../src/trainer/measure.js';
import { DATA_FORMAT, recordUserData, requestFromMetadata } from '../../src/trainer/data/meta.js';
import type { UserData } from '../../src/trainer/data/user.js';
import { loadModel } from '../../src/runtime/load.js';
import { Rng } from '../util/rng.js';

/** A data record with every property recordUserData writes: images, text columns, carved test and val splits. */
function fullRecord() {
  const d = {
    format: 'image-folder',
    path: '/x',
    name: 'x',
    kind: 'images',
    classes: ['a', 'b'],
    shape: [4, 4, 1],
    splits: {},
    carved: { val: 0.1, test: 0.2, seed: 3 },
    image: { height: 4, width: 4, channels: 1, resize: 'crop', scale: 1 / 255, mean: [0.5], std: [0.25] },
    textColumns: { text: 'sentence', label: 'label' },
  } as unknown as UserData;
  return recordUserData(d, { seed: 3, valFraction: 0.1, testFraction: 0.2 });
}

describe('stripMetadata', () => {
  it('keeps the accuracy claim, every key of the data record and the text encoding, as their writers define them', () => {
    for (const k of [ACCURACY, ACCURACY_DATASET, ACCURACY_EXAMPLES, DATA_FORMAT, 'dataset']) expect(ESSENTIAL_PROPERTIES).toContain(k);
    const record = fullRecord();
    expect(Object.keys(record.properties).length).toBeGreaterThanOrEqual(9);
    for (const k of Object.keys(record.properties)) expect(ESSENTIAL_PROPERTIES, k).toContain(k);
    const text = readModel(buildTextClassifier({ seq: 5, buckets: 20, dim: 8, heads: 2, ffn: 8, layers: 1 }).bytes).metadata;
    const stripped = stripMetadata(text);
    // The ids a host computes for a sentence come out the same from the stripped properties.
    const s = 'a film that is not bad at all';
    expect(textClassifierIds(s, stripped.properties)).toEqual(textClassifierIds(s, text.properties));
    expect(stripped.outputLabels).toEqual(text.outputLabels);
  });

  it('the data request a stripped file gives is the one the full file gives', () => {
    const record = fullRecord();
    const meta = { ...record, name: 'm', task: 't', properties: { ...record.properties, trainer: 'x', epochs: '3', lr: '0.1' }, outputLabels: record.outputLabels ?? [] };
    const full = { ...meta, preprocessing: { layout: 'HWC', scale: 1 / 255, mean: [0.5], std: [0.25] } };
    const w = new ModelWriter({ ...full, stripMetadata: true });
    w.output(w.op('Relu', [w.input('input', [4, 4, 1])]));
    const stripped = readModel(w.finish()).metadata;
    expect(stripped.name).toBeUndefined();
    expect(stripped.task).toBeUndefined();
    expect(Object.keys(stripped.properties).sort()).toEqual(Object.keys(record.properties).sort());
    const unstripped = new ModelWriter(full);
    unstripped.output(unstripped.op('Relu', [unstripped.input('input', [4, 4, 1])]));
    const fullMeta = readModel(unstripped.finish()).metadata;
    expect(requestFromMetadata(stripped, [4, 4, 1])).toEqual(requestFromMetadata(fullMeta, [4, 4, 1]));
  });

  it('rewriteModel(..., { stripMetadata }) drops the rest, keeps the model: same weights, same outputs, smaller file', async () => {
    const rng = new Rng(6);
    const w = new ModelWriter({
      name: 'a model with a long name',
      description: 'd'.repeat(200),
      task: 'image-classification',
      preprocessing: { layout: 'HW', scale: 0.5, mean: [0.1], std: [2] },
      outputLabels: ['no', 'yes'],
      properties: { accuracy: '0.9', accuracy_examples: '100', accuracy_dataset: 'mnist', dataset: 'mnist', trainer: 'wpal train', epochs: '10', trained_at: '2026-12-07' },
    });
    const x = w.input('input', [6]);
    w.output(w.op('FullyConnected', [x, w.weight('fc1.weight', [2, 6], encodeDense(rng.floats(12)))], { output: 'logits' }));
    const bytes = w.finish();
    const info = readModel(bytes);
    const out = rewriteModel(info, { stripMetadata: true });
    const after = readModel(out);
    expect(after.metadata).toEqual({
      preprocessing: { layout: 'HW', scale: 0.5, mean: [Math.fround(0.1)], std: [2] }, // float32 in the file
      outputLabels: ['no', 'yes'],
      properties: { accuracy: '0.9', accuracy_examples: '100', accuracy_dataset: 'mnist', dataset: 'mnist' },
    });
    expect(out.length).toBeLessThan(bytes.length - 200);
    // A list keeps those properties instead.
    expect(readModel(rewriteModel(info, { stripMetadata: ['epochs'] })).metadata.properties).toEqual({ epochs: '10' });
    const [a, b] = await Promise.all([loadModel(bytes), loadModel(out)]);
    const input = { input: rng.floats(12) };
    expect(b.run(input)['logits'].data).toEqual(a.run(input)['logits'].data);
    a.dispose();
    b.dispose();
  });

  it('a model without metadata has no Metadata table in a compact file (it reads as empty)', () => {
    const w = new ModelWriter();
    w.output(w.op('Relu', [w.input('input', [3])]));
    const info = readModel(w.finish());
    expect(info.metadata).toEqual({ outputLabels: [], properties: {} });
  });
});
