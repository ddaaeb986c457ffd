/**
 * compressModel on the text classifier (src/trainer/compress.ts on the graph of src/models/text.ts), CI-sized: a tiny transformer trained for a few hundred steps on
 * SST-2 phrases, then DKM at mixed bits (word table 1-bit with a palette per 16 rows, the rest
 * 2-bit) with distillation: the written .wpal's runtime logits equal the engine's logits of the
 * hard-assigned weights; each layer holds at most 2^bits values per palette group; readDenseModel
 * reads the file back; the allocator plans a target size for this architecture;
 * DKM on a large word table keeps the step memory linear in the weights (no weights x centroids).
 */
import { describe, expect, it } from 'vitest';
import { Engine, TrainModule, graphNet, idsTensor, trainTextClassifier } from '../../src/trainer/engine/index.js';
import { freshModel } from '../../src/trainer/architectures.js';
import { buildDenseModel, compressModel, denseModelOf, netOf, readDenseModel, type CompressResult } from '../../src/trainer/compress.js';
import { DkmState, dkm } from '../../src/trainer/dkm/dkm.js';
import { allocate, denseF32Bytes } from '../../src/trainer/allocate/index.js';
import { hashedExamples, loadSst2 } from '../../src/trainer/data/index.js';
import { loadModel } from '../../src/index.js';
import { readModel } from '../../src/format/read.js';

const CFG = { seq: 16, buckets: 2048, dim: 16, layers: 1, heads: 2, ffn: 32 };
const tr = loadSst2('train');
const train = hashedExamples(tr.sentences.slice(0, 2048), tr.labels.slice(0, 2048), CFG);

async function expectFileMatches(r: CompressResult, ids: Int32Array, B: number): Promise<void> {
  const bytes = r.build().bytes;
  const model = await loadModel(bytes);
  const got = model.run({ input_ids: { data: ids, shape: [B, CFG.seq] } }).logits.data;
  const e = new Engine(new TrainModule());
  const net = netOf(e, { ...r.model, weights: r.weights });
  e.gradEnabled = false;
  e.beginStep();
  const want = e.read(net.forward(idsTensor(e, ids, [B, CFG.seq], CFG.buckets)));
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i]), `logit ${i}`).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(want[i])));
  const info = readModel(bytes);
  const back = readDenseModel(bytes);
  expect(back.graph.metadata.properties).toMatchObject({ seq: String(CFG.seq), heads: String(CFG.heads) });
  for (const l of r.layers) {
    expect(back.weights[l.name], l.name).toEqual(r.weights[l.name]);
    const t = info.tensors.find((x) => x.name === l.name)!;
    expect(t.weight!.palettized?.bits, l.name).toBe(l.bits);
    const rows = r.shapes[l.name][0], cols = r.weights[l.name].length / rows, g = l.groupRows || rows;
    for (let r0 = 0; r0 < rows; r0 += g) {
      expect(new Set(r.weights[l.name].subarray(r0 * cols, Math.min(rows, r0 + g) * cols)).size, `${l.name} rows ${r0}..`).toBeLessThanOrEqual(1 << l.bits);
    }
  }
}

describe('compressModel on the text classifier', () => {
  const e = new Engine(new TrainModule());
  const fresh = freshModel('transformer', { seed: 2, classes: 2, inputShape: [CFG.seq], text: CFG });
  const net = graphNet(e, fresh);
  trainTextClassifier(e, net, train, { epochs: 2, lr: 3e-3, seed: 1 });
  const dense = denseModelOf(net, fresh);

  it('mixed bits + distillation: the .wpal gives the hard-assigned logits; palettes per row group on the word table', async () => {
    const r = compressModel(dense, train, {
      bits: 2, epochs: 1, batchSize: 64, optimizer: 'adam', distill: true,
      layers: { 'embeddings.word_embeddings': { bits: 1, groupRows: 16 } },
    });
    const table = r.layers.find((l) => l.name === 'embeddings.word_embeddings.weight')!;
    expect(table).toMatchObject({ bits: 1, groupRows: 16 });
    // every rank-2 weight is clustered; LayerNorm gammas (rank 1) are not layers
    expect(r.layers.length).toBe(1 + 6 * CFG.layers + 1);
    const ids = Int32Array.from(train.x.subarray(0, 5 * CFG.seq));
    await expectFileMatches(r, ids, 5);
    const bytes = r.build().bytes.length;
    expect(denseF32Bytes(dense) / bytes).toBeGreaterThan(6);
  }, 60_000);

  it('the allocator plans a target size for the text architecture', () => {
    const target = Math.floor(denseF32Bytes(dense) / 8);
    const a = allocate(dense, train, { targetBytes: target, calibration: 256, bits: [1, 2, 4], sparsities: [0] });
    expect(a.fileBytes).toBeLessThanOrEqual(target);
    // no 97 % floor here: without pruning the word table's next width (2 -> 3 bits) is a 4 KiB step
    expect(a.fileBytes).toBeGreaterThan(a.minBytes);
    expect(a.layers.every((l) => [1, 2, 4].includes(l.bits))).toBe(true);
    expect(a.layers.map((l) => l.name)).toContain('embeddings.word_embeddings.weight');
    expect(buildDenseModel(dense).bytes.length).toBeGreaterThan(denseF32Bytes(dense));
  }, 60_000);

  it('with sparsity allowed, the allocator prunes other layers but never the word table; the file loads', async () => {
    // 1/13 of the dense bytes: at 2 bits and no pruning the file (11,120 B since format 1.3's
    // compact graph) must reach 97% of the target, which 1/12 (11,686 B) no longer allows.
    const target = Math.floor(denseF32Bytes(dense) / 13);
    const a = allocate(dense, train, { targetBytes: target, calibration: 256, bits: [1, 2], sparsities: [0, 0.5, 0.9] });
    expect(a.layers.find((l) => l.name === 'embeddings.word_embeddings.weight')!.sparsity).toBe(0);
    const r = compressModel(dense, train, { targetBytes: target, allocation: { calibration: 256, bits: [1, 2], sparsities: [0, 0.5, 0.9] }, epochs: 1, batchSize: 64, optimizer: 'adam' });
    expect(r.layers.find((l) => l.name === 'embeddings.word_embeddings.weight')!.sparsity ?? 0).toBe(0);
    const model = await loadModel(r.build().bytes); // the runtime has no block-sparse Embedding kernel: a pruned table would not load
    model.dispose();
    // a global sparsity skips the table; asking for a sparse table is a clear error
    const g = compressModel(dense, train, { bits: 2, sparsity: 0.5, epochs: 1, batchSize: 64, optimizer: 'adam' });
    expect(g.layers.find((l) => l.name === 'embeddings.word_embeddings.weight')!.sparsity ?? 0).toBe(0);
    expect(g.layers.find((l) => l.name === 'classifier.weight')!.sparsity).toBeGreaterThan(0.4);
    expect(() => compressModel(dense, train, { bits: 2, epochs: 1, layers: { 'embeddings.word_embeddings': { sparsity: 0.5 } } })).toThrow(/embedding table cannot be block-sparse/);
  }, 120_000);
});

describe('DKM memory on a large word table', () => {
  it('one DKM forward + backward step on a 16384 x 64 table at 4 bits takes O(weights) arena, not weights x centroids', () => {
    const e = new Engine(new TrainModule());
    const table = e.parameter('embeddings.word_embeddings.weight', [16384, 64], new Float32Array(16384 * 64).map((_, i) => Math.sin(i)));
    const st = new DkmState(e, table, { bits: 4, groupRows: 0 });
    e.beginStep();
    const before = e.mod.stats().arena;
    const w = dkm(e, table, st);
    e.backwardFrom(w, new Float32Array(table.size).fill(1e-3));
    const used = e.mod.stats().arena - before;
    const weightBytes = table.size * 4;
    // w~ and its gradient (2 x weight bytes) plus small per-group buffers; 16 centroids x weights x 4 B would be 64 MiB
    expect(used).toBeLessThan(2.5 * weightBytes);
    expect(e.readGrad(table).some((v) => v !== 0)).toBe(true);
  });
});
