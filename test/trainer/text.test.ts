/**
 * The text classifier on the training engine: every transformer op's backward pass against central
 * differences of its float64 forward (test/oracle/text.ts) on tiny tensors, with SIMD and ref
 * kernels and the debug build; the engine's logits, trained from the graph src/models/text.ts
 * builds, against the runtime's on the same file; a short real SST-2 run that learns well above chance.
 */
import { describe, expect, it } from 'vitest';
import {
  Engine, TrainModule, add, attentionContext, attentionScores, embedding, evaluate, gelu, idsTensor, layerNorm, meanPool, softmax,
  graphNet, trainTextClassifier,
} from '../../src/trainer/engine/index.js';
import { freshModel } from '../../src/trainer/architectures.js';
import { buildDenseModel, denseModelOf, readDenseModel } from '../../src/trainer/compress.js';
import { buildTextClassifier, textClassifierIds, textClassifierWords } from '../../src/models/text.js';
import { loadModel } from '../../src/index.js';
import { hashedExamples, hashedIds, loadSst2, fnv1a32, HASHED_TOKENIZER_ID } from '../../src/trainer/data/index.js';
import { Rng } from '../util/rng.js';
import { attentionOracle, embeddingOracle, geluOracle, layerNormOracle, seqMeanOracle, softmaxOracle } from '../oracle/text.js';

import { CONFIGS, checkOp } from '../util/gradcheck.js';

describe('transformer ops: backward vs float64 central differences', () => {
  for (const [build, isa] of CONFIGS) {
    it(`embedding, layerNorm, gelu, add, softmax, meanPool (${build} build, ${isa} kernels)`, () => {
      const ids = [3, 0, 3, 1, 4, 3];
      checkOp(build, isa, 1, [{ shape: [5, 6] }], (e, [t]) => embedding(e, idsTensor(e, ids, [2, 3], 5), t),
        ([t]) => embeddingOracle(ids, t, 6), 'embedding (repeated ids)');
      for (const [M, D] of [[3, 5], [2, 16], [4, 7]]) {
        checkOp(build, isa, 10 + D, [{ shape: [M, D], lo: -2, hi: 2 }, { shape: [D], lo: 0.5, hi: 1.5 }, { shape: [D] }],
          (e, [x, g, b]) => layerNorm(e, x, g, b, 1e-5), ([x, g, b]) => layerNormOracle(x, g, b, M, D, 1e-5), `layerNorm ${M}x${D}`);
      }
      checkOp(build, isa, 20, [{ shape: [3, 7], lo: -4, hi: 4 }], (e, [x]) => gelu(e, x), ([x]) => x.map(geluOracle), 'gelu');
      checkOp(build, isa, 21, [{ shape: [2, 9] }, { shape: [2, 9] }], (e, [a, b]) => add(e, a, b), ([a, b]) => a.map((v, i) => v + b[i]), 'add');
      // the same tensor on both sides: its gradient is accumulated
      checkOp(build, isa, 22, [{ shape: [5] }], (e, [a]) => add(e, a, a), ([a]) => a.map((v) => 2 * v), 'add(a, a)');
      checkOp(build, isa, 23, [{ shape: [3, 6], lo: -3, hi: 3 }], (e, [x]) => softmax(e, x), ([x]) => softmaxOracle(x, 3, 6), 'softmax');
      checkOp(build, isa, 24, [{ shape: [2, 5, 3] }], (e, [x]) => meanPool(e, x), ([x]) => seqMeanOracle(x, 2, 5, 3), 'meanPool');
    });

    it(`multi-head attention: scores, softmax, context (${build} build, ${isa} kernels)`, () => {
      for (const [B, T, S, D, H] of [[1, 3, 3, 4, 2], [2, 5, 4, 6, 3], [2, 4, 4, 8, 1]]) {
        const alpha = 1 / Math.sqrt(D / H);
        checkOp(build, isa, 30 + B * T * S, [{ shape: [B, T, D] }, { shape: [B, S, D] }, { shape: [B, S, D] }],
          (e, [q, k, v]) => attentionContext(e, softmax(e, attentionScores(e, q, k, H, alpha)), v, H),
          ([q, k, v]) => attentionOracle(q, k, v, B, T, S, D, H, alpha), `attention B${B} T${T} S${S} D${D} H${H}`);
      }
      // self-attention: q = k = v is one tensor, three gradient contributions
      checkOp(build, isa, 40, [{ shape: [2, 3, 4] }],
        (e, [x]) => attentionContext(e, softmax(e, attentionScores(e, x, x, 2, 0.7)), x, 2),
        ([x]) => attentionOracle(x, x, x, 2, 3, 3, 4, 2, 0.7), 'self-attention q = k = v');
    });
  }
});

const SMALL = { seq: 12, buckets: 50, dim: 16, layers: 2, heads: 4, ffn: 24 };

describe('text classifier: engine vs runtime', () => {
  it('the .wpal file of the engine weights gives the engine logits (padding included)', async () => {
    const w = freshModel('transformer', { seed: 3, classes: 2, inputShape: [SMALL.seq], text: SMALL }).weights;
    // non-trivial LayerNorm values (they start at 1 / 0)
    const rng = new Rng(5);
    for (const v of Object.values(w)) if (v.length <= SMALL.ffn) for (let i = 0; i < v.length; i++) v[i] += rng.uniform(-0.2, 0.2);
    const built = buildTextClassifier({ ...SMALL, weights: { values: w } });
    const e2 = new Engine(new TrainModule());
    const net2 = graphNet(e2, readDenseModel(built.bytes));
    const B = 4;
    const ids = Int32Array.from({ length: B * SMALL.seq }, (_, i) => (i % SMALL.seq > 8 ? 0 : rng.int(1, SMALL.buckets - 1)));
    e2.beginStep();
    const want = e2.read(net2.forward(idsTensor(e2, ids, [B, SMALL.seq], SMALL.buckets)));
    expect(Object.keys(built.weights).sort()).toEqual(net2.params.map((p) => p.name).sort());
    const model = await loadModel(built.bytes);
    expect(model.inputs).toEqual([{ name: 'input_ids', shape: [SMALL.seq], dtype: 'int32' }]);
    const got = model.run({ input_ids: { data: ids, shape: [B, SMALL.seq] } }).logits;
    expect(got.shape).toEqual([B, 2]);
    for (let i = 0; i < want.length; i++) expect(Math.abs(got.data[i] - want[i]), `logit ${i}`).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(want[i])));
    expect(model.metadata.task).toBe('text-classification');
    expect(model.metadata.outputLabels).toEqual(['negative', 'positive']);
    expect(model.metadata.properties).toMatchObject({ tokenizer: HASHED_TOKENIZER_ID, seq: '12', buckets: '50', pad_id: '0' });
    // the host helper tokenizes from the metadata alone
    expect(Array.from(textClassifierIds("It 's a Charming film", model.metadata.properties))).toEqual(Array.from(hashedIds("it 's a charming film", { seq: 12, buckets: 50 })));
    // ... and says which words it read: one per id, cut at seq
    expect(textClassifierWords("It's a Charming film, isn't it?", model.metadata.properties)).toEqual(['it', "'s", 'a', 'charming', 'film', ',', 'is', "n't", 'it', '?']);
    expect(textClassifierWords('a b c d e f g h i j k l m n', model.metadata.properties)).toHaveLength(12);
    expect(() => textClassifierWords('x', { ...model.metadata.properties, tokenizer: 'other' })).toThrow(/tokenizer/);
  });
});

describe('text classifier with a learned position table', () => {
  it('positions: an Add of a [seq, dim] constant after the word table; the engine trains it and gives the runtime logits', async () => {
    const m = freshModel('transformer', { seed: 4, classes: 2, inputShape: [SMALL.seq], text: { ...SMALL, positions: true } });
    const table = m.graph.tensors.find((t) => t.name === 'embeddings.position_embeddings.weight')!;
    expect(table.shape).toEqual([SMALL.seq, SMALL.dim]);
    expect(m.graph.metadata.properties.positions).toBe('learned');
    const e = new Engine(new TrainModule());
    const net = graphNet(e, m);
    expect(net.params.map((p) => p.name)).toContain('embeddings.position_embeddings.weight');
    const rng = new Rng(9);
    const B = 3;
    const ids = Int32Array.from({ length: B * SMALL.seq }, () => rng.int(0, SMALL.buckets - 1));
    e.gradEnabled = false;
    e.beginStep();
    const want = e.read(net.forward(idsTensor(e, ids, [B, SMALL.seq], SMALL.buckets)));
    const model = await loadModel(buildDenseModel(m).bytes);
    const got = model.run({ input_ids: { data: ids, shape: [B, SMALL.seq] } }).logits.data;
    for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i]), `logit ${i}`).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(want[i])));
    // the same ids at other positions give other logits: the model sees order
    const swapped = Int32Array.from(ids);
    for (let t = 0; t < SMALL.seq / 2; t++) [swapped[t], swapped[SMALL.seq - 1 - t]] = [swapped[SMALL.seq - 1 - t], swapped[t]];
    const other = model.run({ input_ids: { data: swapped, shape: [B, SMALL.seq] } }).logits.data;
    expect(Array.from(other.subarray(0, 2))).not.toEqual(Array.from(got.subarray(0, 2)));
  });
});

describe('text classifier pooling', () => {
  it('pool max: a ReduceMax over the positions; a training step moves the weights, and the file of the trained weights gives the engine logits', async () => {
    const m = freshModel('transformer', { seed: 6, classes: 2, inputShape: [SMALL.seq], text: { ...SMALL, pool: 'max' } });
    const types = m.graph.ops.map((op) => op.type);
    expect(types.filter((t) => t === 'ReduceMax')).toHaveLength(1);
    expect(types).not.toContain('GlobalAveragePool');
    expect(m.graph.metadata.properties.pool).toBe('max');
    const e = new Engine(new TrainModule());
    const net = graphNet(e, m);
    const rng = new Rng(12);
    const B = 8;
    // every example padded after a few words, so pads and words both reach the max
    const ids = Int32Array.from({ length: B * SMALL.seq }, (_, i) => (i % SMALL.seq > 5 ? 0 : rng.int(1, SMALL.buckets - 1)));
    const data = { x: Float32Array.from(ids), y: Int32Array.from({ length: B }, (_, i) => i % 2), count: B };
    const before = net.exportWeights();
    trainTextClassifier(e, net, data, { epochs: 1, batchSize: B, lr: 1e-2, wordDropout: 0, seed: 1 });
    const trained = denseModelOf(net, m);
    // the gradient flows through the max into the layers below it, down to the word table
    for (const name of ['classifier.weight', 'transformer.layer.0.attention.q_lin.weight', 'embeddings.word_embeddings.weight']) {
      expect(trained.weights[name], name).toBeDefined();
      expect(Array.from(trained.weights[name]!), name).not.toEqual(Array.from(before[name]!));
    }
    e.gradEnabled = false;
    e.beginStep();
    const want = e.read(net.forward(idsTensor(e, ids, [B, SMALL.seq], SMALL.buckets)));
    const model = await loadModel(buildDenseModel(trained).bytes);
    expect(model.metadata.properties.pool).toBe('max');
    const got = model.run({ input_ids: { data: ids, shape: [B, SMALL.seq] } }).logits.data;
    expect(got.length).toBe(B * 2);
    for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i]), `logit ${i}`).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(want[i])));
  });

  it('the default pools by the max; pool mean is the graph before the option, with no pool property', () => {
    const plain = buildTextClassifier(SMALL);
    expect(Array.from(buildTextClassifier({ ...SMALL, pool: 'max' }).bytes)).toEqual(Array.from(plain.bytes));
    expect(readDenseModel(plain.bytes).graph.metadata.properties.pool).toBe('max');
    const g = readDenseModel(buildTextClassifier({ ...SMALL, pool: 'mean' }).bytes).graph;
    expect(g.ops.slice(-4).map((op) => op.type)).toEqual(['Reshape', 'GlobalAveragePool', 'Reshape', 'FullyConnected']);
    expect(g.metadata.properties.pool).toBeUndefined();
    expect(() => buildTextClassifier({ ...SMALL, pool: 'min' as 'max' })).toThrow(/pool "min"/);
  });
});

describe('hashed ids', () => {
  it('FNV-1a 32 of the published test vectors; ids in 1..buckets-1, padded with 0, cut at seq', () => {
    // FNV test vectors (Fowler / Noll / Vo): "" -> 0x811c9dc5, "a" -> 0xe40c292c, "foobar" -> 0xbf9cf968
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
    const ids = hashedIds('a b c', { seq: 5, buckets: 7 });
    expect(Array.from(ids.subarray(3))).toEqual([0, 0]);
    expect(ids[0]).toBe(1 + (0xe40c292c % 6));
    expect(hashedIds('a b c d e f', { seq: 2, buckets: 7 }).length).toBe(2);
    expect(() => hashedIds('x', { seq: 0, buckets: 7 })).toThrow(RangeError);
  });
});

describe('SST-2', () => {
  it('a short run on 4,000 training phrases learns well above chance on dev', () => {
    const cfg = { seq: 24, buckets: 2048, dim: 32, layers: 1, heads: 2, ffn: 64 };
    const tr = loadSst2('train'), dv = loadSst2('dev');
    const train = hashedExamples(tr.sentences.slice(0, 4000), tr.labels.slice(0, 4000), cfg);
    const dev = hashedExamples(dv.sentences, dv.labels, cfg);
    const e = new Engine(new TrainModule());
    const net = graphNet(e, freshModel('transformer', { seed: 1, classes: 2, inputShape: [cfg.seq], text: cfg }));
    const hist = trainTextClassifier(e, net, train, { epochs: 3, lr: 3e-3, seed: 1 });
    const acc = evaluate(e, net, dev).accuracy;
    // chance is 50.9 % (the dev majority class); measured about 66 %
    expect(hist[2].loss).toBeLessThan(hist[0].loss);
    expect(acc).toBeGreaterThan(0.6);
  });
});
