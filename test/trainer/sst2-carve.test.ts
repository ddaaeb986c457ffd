/**
 * SST-2's validation carve holds out whole sentences: the 67,349 training phrases are cut from
 * about 6,900 sentences, and a phrase-level carve put substrings of the same sentences in train and
 * val (val then rewarded memorizing: it ranked three settings in the opposite order to the dev set).
 * sentenceGroups on a hand-made pool, carveGrouped's invariants, and the real carve.
 */
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { sentenceGroups } from '../../src/trainer/data/sst2.js';
import { carveGrouped } from '../../src/trainer/data/split.js';
import { loadData } from '../../src/trainer/data/load.js';
import { loadSst2 } from '../../src/trainer/data/index.js';

describe('sentence groups', () => {
  it('puts every phrase with the longest phrase containing it as whole words', () => {
    const phrases = ['good film', 'a good film , not a great one', 'bad', 'a good', 'the bad movie', 'badly made', 'great one'];
    const g = Array.from(sentenceGroups(phrases));
    expect(g[0]).toBe(g[1]); // good film < a good film , not a great one
    expect(g[3]).toBe(g[1]);
    expect(g[6]).toBe(g[1]);
    expect(g[2]).toBe(g[4]); // bad < the bad movie
    expect(g[5]).not.toBe(g[4]); // "bad" is not a whole word of "badly made"
    expect(new Set(g).size).toBe(3);
  });

  it('carveGrouped holds whole groups, about the fraction of each class', () => {
    const groups = Int32Array.from({ length: 1000 }, (_, i) => Math.floor(i / 7));
    const labels = Int32Array.from(groups, (g) => g % 2);
    const c = carveGrouped(groups, labels, 2, 0.1, 5);
    const heldGroups = new Set(Array.from(c.held, (i) => groups[i]));
    const restGroups = new Set(Array.from(c.rest, (i) => groups[i]));
    for (const g of heldGroups) expect(restGroups.has(g)).toBe(false);
    expect(c.held.length + c.rest.length).toBe(1000);
    expect(heldGroups.size).toBe(Math.round(0.1 * 72) + Math.round(0.1 * 71));
    // the same carve on every run
    expect(Array.from(carveGrouped(groups, labels, 2, 0.1, 5).held)).toEqual(Array.from(c.held));
  });
});

const skipReal = !existsSync(new URL('../../../shared/data/sst2/train.tsv', import.meta.url));

describe.skipIf(skipReal)('real data: SST-2 validation by sentence', () => {
  it('val and train share no sentence; about 10% of the sentences are held out', () => {
    const s = loadSst2('train');
    const groups = sentenceGroups(s.sentences);
    const count = Math.max(...groups) + 1;
    expect(count).toBeGreaterThan(6500);
    expect(count).toBeLessThan(7000);
    const d = loadData({ data: 'sst2', want: ['train', 'val'], text: { seq: 32, buckets: 16384 } });
    expect(d.train!.count + d.val!.count).toBe(s.sentences.length);
    expect(d.val!.origin).toMatch(/sentences/);
    const c = carveGrouped(groups, s.labels, 2, 0.1, 0);
    const held = new Set(Array.from(c.held, (i) => groups[i]));
    expect(held.size / count).toBeGreaterThan(0.09);
    expect(held.size / count).toBeLessThan(0.11);
    // every full sentence (a group's longest phrase) is on one side only, with all its phrases
    for (const i of c.rest) expect(held.has(groups[i]!)).toBe(false);
  }, 60_000);
});
