/**
 * compress(model, data, options) (src/trainer/pipeline.ts), the library call behind `wpal compress`,
 * CI-sized: a LeNet-300-100 trained by train() on 2,000 MNIST images, compressed with nothing but
 * the data set's name and `distill: true`. The defaults filled in are reported; the validation split
 * is carved from the training examples when none is given; the written file is 2-bit, loads, and
 * records the accuracy measured again here; a target no setting reaches is a typed error.
 */
import { describe, expect, it } from 'vitest';
import { loadImageDataset } from '../../src/trainer/data/index.js';
import { train } from '../../src/trainer/train.js';
import { COMPRESS_DEFAULTS, WpalCompressError, compress, compressSettings, takesTokenIds } from '../../src/trainer/pipeline.js';
import { freshModel } from '../../src/trainer/architectures.js';
import { readModel } from '../../src/format/read.js';
import { loadModel } from '../../src/index.js';

const all = loadImageDataset('mnist', 'train');
const testAll = loadImageDataset('mnist', 'test');
const sub = (d: typeof all, from: number, n: number) => ({ x: d.x.subarray(from * 784, (from + n) * 784), y: d.y.subarray(from, from + n), count: n });
const data = { train: sub(all, 0, 2000), test: sub(testAll, 0, 1000) };
const meta = { dataset: 'mnist', trainer: 'test' };

describe('compress (library)', () => {
  it('compresses with the defaults, carving a validation split, and records the accuracy of the file it writes', async () => {
    const dense = (await train(data, { ...meta, arch: 'lenet300-100', classes: 10, inputShape: [28, 28, 1], epochs: 2 })).report.model;
    const notes: string[] = [];
    const { bytes, report } = await compress(dense, data, { ...meta, distill: true, onEvent: (e) => { if (e.kind === 'note') notes.push(e.text); } });
    expect(report.settings).toMatchObject({ bits: COMPRESS_DEFAULTS.bits, epochs: COMPRESS_DEFAULTS.epochs, batchSize: COMPRESS_DEFAULTS.batch, optimizer: 'sgd', lr: COMPRESS_DEFAULTS.lr, distill: { temperature: COMPRESS_DEFAULTS.temperature, alpha: COMPRESS_DEFAULTS.alpha } });
    // about 10% of the 2,000 training examples (stratified by class) were held out to choose the best epoch
    const trained = Number(report.provenance['train_examples']);
    expect(trained).toBeGreaterThanOrEqual(1790);
    expect(trained).toBeLessThanOrEqual(1810);
    expect(notes.some((n) => /val acc \(hard\)/.test(n))).toBe(true);
    const info = readModel(bytes);
    const palettized = info.tensors.filter((t) => t.weight?.palettized);
    expect(palettized.length).toBe(3);
    expect(palettized.every((t) => t.weight!.palettized!.bits === 2)).toBe(true);
    const model = await loadModel(bytes);
    const out = model.run({ [model.inputs[0]!.name]: { data: data.test.x, shape: [data.test.count, 784] } })[model.outputs[0]!.name]!.data as Float32Array;
    let correct = 0;
    for (let i = 0; i < data.test.count; i++) {
      const row = out.subarray(i * 10, i * 10 + 10);
      if (row.indexOf(Math.max(...row)) === data.test.y[i]) correct++;
    }
    expect(report.accuracy.correct).toBe(correct);
    expect(Number(model.metadata.properties['accuracy'])).toBe(correct / data.test.count);
    expect(correct / data.test.count).toBeGreaterThan(0.7);
    model.dispose();
  }, 180_000);

  it('fills in the transformer\'s own defaults', () => {
    const text = freshModel('transformer', { seed: 1, classes: 2, inputShape: [32], text: { seq: 32, buckets: 64, dim: 16, layers: 1, heads: 2, ffn: 32 } });
    expect(takesTokenIds(text)).toBe(true);
    expect(compressSettings(text, { distill: true })).toMatchObject({ optimizer: 'adam', epochs: 1, lr: 3e-4, distill: { temperature: 2 } });
    const lenet = freshModel('lenet300-100', { seed: 1, classes: 10, inputShape: [784] });
    expect(compressSettings(lenet, {})).toMatchObject({ epochs: 2, epochsAfterStructured: 8 });
    expect(compressSettings(lenet, { epochs: 3 })).toMatchObject({ epochs: 3, epochsAfterStructured: 3 });
  });

  it('stripMetadata writes only what measuring needs, and a target size reserves room for that alone', async () => {
    const lenet = freshModel('lenet300-100', { seed: 1, classes: 10, inputShape: [784], widths: [64, 32] });
    const targetBytes = 14_000;
    const run = (stripMetadata: boolean) => compress(lenet, data, { ...meta, targetBytes, epochs: 1, ...(stripMetadata ? { stripMetadata } : {}) });
    const [full, stripped] = [await run(false), await run(true)];
    const props = (b: Uint8Array) => readModel(b).metadata.properties;
    expect(props(full.bytes)['trainer']).toBe('test');
    expect(props(stripped.bytes)['trainer']).toBeUndefined();
    expect(props(stripped.bytes)['accuracy']).toBe(String(stripped.report.accuracy.accuracy));
    expect(stripped.bytes.length).toBeLessThanOrEqual(targetBytes);
    expect(full.bytes.length).toBeLessThanOrEqual(targetBytes);
    // the room the provenance took goes to the weights instead
    const weights = (b: Uint8Array) => readModel(b).tensors.reduce((a, t) => a + (t.weight ? Object.values(t.weight.palettized ?? t.weight.dense ?? {}).reduce((x: number, v) => x + ((v as { length?: number }).length ?? 0), 0) : 0), 0);
    expect(weights(stripped.bytes)).toBeGreaterThanOrEqual(weights(full.bytes));
  }, 120_000);

  it('float16 palette entries: the allocator counts them (more index bytes fit the same target), the file holds them, int8 does not go with them', async () => {
    const lenet = freshModel('lenet300-100', { seed: 1, classes: 10, inputShape: [784], widths: [64, 32] });
    const targetBytes = 14_000;
    const run = (paletteEntries?: 'float16') => compress(lenet, data, { ...meta, targetBytes, epochs: 1, ...(paletteEntries ? { paletteEntries } : {}) });
    const [f32, f16] = [await run(), await run('float16')];
    const pal = (b: Uint8Array) => readModel(b).tensors.filter((t) => t.weight?.palettized).map((t) => t.weight!.palettized!);
    expect(pal(f16.bytes).length).toBeGreaterThan(0);
    expect(pal(f16.bytes).every((p) => p.entryType === 'float16')).toBe(true);
    expect(pal(f32.bytes).every((p) => p.entryType === 'float32')).toBe(true);
    expect(f16.bytes.length).toBeLessThanOrEqual(targetBytes);
    // The bytes the smaller palettes free go to the indices (more bits, or more kept blocks): the sum
    // of bits alone can go down when the allocator keeps more blocks instead.
    const indexBytes = (b: Uint8Array) => pal(b).reduce((a, p) => a + p.indices.length, 0);
    expect(indexBytes(f16.bytes)).toBeGreaterThanOrEqual(indexBytes(f32.bytes));
    await expect(compress(lenet, data, { ...meta, bits: 2, int8: true, paletteEntries: 'float16' })).rejects.toThrow(WpalCompressError);
  }, 120_000);

  it('prune epochs with a target: the allocator (limited to the bits given) chooses first, its sparsities are pruned on float32 weights, DKM keeps its bits', async () => {
    const lenet = freshModel('lenet300-100', { seed: 1, classes: 10, inputShape: [784], widths: [64, 32] });
    const notes: string[] = [];
    const targetBytes = 9_000;
    const { bytes } = await compress(lenet, data, {
      ...meta, targetBytes, block: '1x16', pruneEpochs: 1, epochs: 1, allocationBits: [2, 3, 4],
      onEvent: (e) => { if (e.kind === 'note') notes.push(e.text); },
    });
    const allocated = notes.find((n) => n.startsWith('allocated '));
    expect(allocated, notes.join(' | ')).toBeDefined();
    expect(notes.some((n) => /^pruned 1 epoch \(float32\)/.test(n))).toBe(true);
    expect(bytes.length).toBeLessThanOrEqual(targetBytes);
    const info = readModel(bytes);
    for (const t of info.tensors.filter((t) => t.name.endsWith('.weight'))) {
      const p = t.weight!.palettized!;
      expect([2, 3, 4], t.name).toContain(p.bits);
      // the file holds what the allocator said for each layer
      const m = new RegExp(`${t.name.replace('.weight', '')} (\\d)-bit(?: (\\d+)% pruned)?`).exec(allocated!)!;
      expect(p.bits, t.name).toBe(Number(m[1]));
      expect(!!t.weight!.sparse, t.name).toBe(m[2] !== undefined);
    }
  }, 120_000);

  it('a target size no setting reaches is a WpalCompressError', async () => {
    const lenet = freshModel('lenet300-100', { seed: 1, classes: 10, inputShape: [784] });
    await expect(compress(lenet, data, { ...meta, targetBytes: 300 })).rejects.toThrow(WpalCompressError);
  }, 60_000);

  it('distills from another teacher when given one (recorded); a teacher of other inputs or classes is a typed error', async () => {
    const small = { train: sub(all, 0, 1024), val: sub(all, 1024, 256), test: sub(testAll, 0, 256) };
    const student = freshModel('lenet300-100', { seed: 1, classes: 10, inputShape: [28, 28, 1], widths: [16, 8] });
    const teacher = freshModel('lenet300-100', { seed: 2, classes: 10, inputShape: [28, 28, 1], widths: [32, 16] });
    const opts = { ...meta, bits: 2, epochs: 1, distill: true } as const;
    const own = await compress(student, small, opts);
    const taught = await compress(student, small, { ...opts, teacher: { model: teacher, name: 'big.wpal' } });
    expect(Array.from(taught.bytes)).not.toEqual(Array.from(own.bytes)); // the teacher's logits, not the student's, in the loss
    expect(readModel(taught.bytes).metadata.properties['teacher']).toBe('big.wpal');
    expect(readModel(own.bytes).metadata.properties['teacher']).toBeUndefined();
    const fiveClasses = freshModel('lenet300-100', { seed: 2, classes: 5, inputShape: [28, 28, 1], widths: [32, 16] });
    await expect(compress(student, small, { ...opts, teacher: { model: fiveClasses, name: 'five.wpal' } })).rejects.toThrow(/teacher five.wpal: it gives 5 scores, the model 10/);
    const otherInput = freshModel('lenet300-100', { seed: 2, classes: 10, inputShape: [14, 14, 1], widths: [32, 16] });
    await expect(compress(student, small, { ...opts, teacher: { model: otherInput, name: 'small.wpal' } })).rejects.toThrow(WpalCompressError);
  }, 120_000);
});
