/**
 * A damaged file never loads: every single-bit flip of the published LeNet-5 (format 1.2, with
 * checksums), every one of its ~34k bits, and seeded random mutations of it and of a 1.7 MB
 * dense LeNet-5 all end in a typed WpalError from loadModel. Not one loads and runs.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadModel, WpalError, WpalFormatError } from '../../src/index.js';
import { buildLeNet5 } from '../../src/models/lenet.js';
import { Rng } from '../util/rng.js';

const published = new Uint8Array(readFileSync(new URL('../../models/lenet5-mnist-400x.wpal', import.meta.url)));

/** Loads `bytes`; returns the error, or fails the test when the file loads or the error is untyped. */
async function loadError(bytes: Uint8Array, what: string): Promise<WpalError> {
  let model;
  try {
    model = await loadModel(bytes);
  } catch (e) {
    if (e instanceof WpalError) return e;
    throw new Error(`${what}: not a WpalError: ${String(e)}`, { cause: e });
  }
  model.dispose();
  throw new Error(`${what}: the damaged file loaded`);
}

function mutate(good: Uint8Array, rng: Rng): Uint8Array {
  const bad = good.slice();
  // 1 to 8 bits, anywhere (the fuzzer)
  const bits = rng.int(1, 8);
  for (let k = 0; k < bits; k++) bad[rng.int(0, bad.length - 1)] ^= 1 << rng.int(0, 7);
  return bad;
}

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

describe('corrupted files never load', () => {
  it(`every single-bit flip of the published LeNet-5 (${published.length * 8} flips) -> WpalError`, async () => {
    const kinds = new Map<string, number>();
    for (let i = 0; i < published.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const bad = published.slice();
        bad[i] ^= 1 << bit;
        const e = await loadError(bad, `byte ${i} bit ${bit}`);
        const kind = e instanceof WpalFormatError && e.damagedTensors ? (e.damagedTensors.length ? 'tensor named' : 'header/graph/metadata') : e.name;
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      }
    }
    // Nearly all are caught by the checksum; the rest earlier (size, identifier, root offset, vtable bounds).
    expect(kinds.get('tensor named')).toBeGreaterThan(2000 * 8);
    expect([...kinds.values()].reduce((a, b) => a + b, 0)).toBe(published.length * 8);
  }, 120_000);

  it('3,000 seeded random 1-8 bit mutations of the published LeNet-5 -> WpalError', async () => {
    const rng = new Rng(406);
    for (let k = 0; k < 3000; k++) {
      const bad = mutate(published, rng);
      if (same(bad, published)) continue; // two flips of the same bit
      await loadError(bad, `[seed 406] mutation ${k}`);
    }
  }, 120_000);

  it('a 1.7 MB dense LeNet-5: 600 seeded single-bit flips and 400 random mutations -> WpalError', async () => {
    const good = buildLeNet5({ weights: { seed: 5 } }).bytes;
    expect(good.length).toBeGreaterThan(1_700_000);
    const rng = new Rng(1725);
    for (let k = 0; k < 600; k++) {
      const bad = good.slice();
      const i = rng.int(0, good.length - 1);
      const bit = rng.int(0, 7);
      bad[i] ^= 1 << bit;
      await loadError(bad, `[seed 1725] flip ${k}: byte ${i} bit ${bit}`);
    }
    for (let k = 0; k < 400; k++) {
      const bad = mutate(good, rng);
      if (same(bad, good)) continue;
      await loadError(bad, `[seed 1725] mutation ${k}`);
    }
  }, 120_000);
});
