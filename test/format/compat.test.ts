/**
 * Format compatibility: test/fixtures/format/v<maj>.<min>/mlp.wpal were written once, each by the
 * writer of its version, and are never regenerated; every later reader must read them. Expected
 * contents are recomputed from the frozen recipes (seeded values), not copied from a reader's output.
 */
import { readFileSync } from 'node:fs';
import { ByteBuffer } from 'flatbuffers';
import { describe, expect, it } from 'vitest';
import { roundToF16 } from '../../src/encode/f16.js';
import { decodeTensor, paletteValues, weightBlobs } from '../../src/encode/palette.js';
import { Model } from '../../src/format/generated/wpal_generated.js';
import { weightChecksum, weightChecksumOffset } from '../../src/format/integrity.js';
import { readModel } from '../../src/format/read.js';
import { fixtureValues, METADATA as METADATA_1_0 } from '../fixtures/format/v1.0/recipe.js';
import { METADATA as METADATA_1_2 } from '../fixtures/format/v1.2/recipe.js';
import { METADATA as METADATA_1_3 } from '../fixtures/format/v1.3/recipe.js';
import { METADATA as METADATA_1_4 } from '../fixtures/format/v1.4/recipe.js';
import { compactGraphOf, compactWeightChecksum } from '../../src/format/integrity.js';
import { blobRanges, rootFieldOffset } from './helpers.js';

const v = fixtureValues();

/** Mask bytes from keep flags, straight from the layout text: bit c of mask row r = bit (c & 7) of byte r*rowBytes + (c >> 3). */
function maskFromFlags(keep: number[], gridRows: number, gridCols: number): number[] {
  const rowBytes = Math.ceil(gridCols / 8);
  const out = new Array(gridRows * rowBytes).fill(0);
  for (let r = 0; r < gridRows; r++) for (let c = 0; c < gridCols; c++) if (keep[r * gridCols + c]) out[r * rowBytes + (c >> 3)] |= 1 << (c & 7);
  return out;
}

const FIXTURES = [
  // 1.0 stored every tensor name; from 1.0's storage rules on, the writer leaves intermediate names out.
  { version: '1.0', minor: 0, metadata: METADATA_1_0, checksum: 'none', names: ['input', 'fc1.weight', 'fc1.bias', 'fc1', 'relu1', 'fc2.weight', 'fc2', 'gelu2', 'fc3.weight', 'fc3.bias', 'logits', 'probs'] },
  { version: '1.2', minor: 2, metadata: METADATA_1_2, checksum: 'verified', names: ['input', 'fc1.weight', 'fc1.bias', '#3', '#4', 'fc2.weight', '#6', '#7', 'fc3.weight', 'fc3.bias', '#10', 'probs'] },
  // 1.3: a compact file (the weights' names are derived, not stored; "probs" is stored).
  { version: '1.3', minor: 3, metadata: METADATA_1_3, checksum: 'verified', names: ['input', 'fc1.weight', 'fc1.bias', '#3', '#4', 'fc2.weight', '#6', '#7', 'fc3.weight', 'fc3.bias', '#10', 'probs'] },
  // 1.4: the same, with the metadata in Model.meta.
  { version: '1.4', minor: 4, metadata: METADATA_1_4, checksum: 'verified', names: ['input', 'fc1.weight', 'fc1.bias', '#3', '#4', 'fc2.weight', '#6', '#7', 'fc3.weight', 'fc3.bias', '#10', 'probs'] },
] as const;

for (const fx of FIXTURES) describe(`compat: format ${fx.version} fixture`, () => {
  const bytes = new Uint8Array(readFileSync(new URL(`../fixtures/format/v${fx.version}/mlp.wpal`, import.meta.url)));
  const METADATA = fx.metadata;

  const info = readModel(bytes);
  const byName = (n: string) => info.tensors.find((t) => t.name === n)!;

  it(fx.checksum === 'none' ? 'no checksums' : 'every weight checksum matches its data', () => {
    const compact = compactGraphOf(bytes);
    if (fx.minor >= 3) {
      expect(compact!.weights.map((w) => new DataView(bytes.buffer, bytes.byteOffset).getUint32(w.checksumAt, true))).toEqual(compact!.weights.map((w) => compactWeightChecksum(bytes, w)));
      expect(compact!.weights.length).toBe(5);
      return;
    }
    const model = Model.getRootAsModel(new ByteBuffer(bytes));
    for (let i = 0; i < model.tensorsLength(); i++) {
      const w = model.tensors(i)!.weight();
      if (!w) continue;
      const at = weightChecksumOffset(w);
      if (fx.checksum === 'none') expect(at).toBe(0);
      else expect(new DataView(bytes.buffer, bytes.byteOffset).getUint32(at, true)).toBe(weightChecksum(w));
    }
  });

  it('header, graph and metadata', () => {
    expect([info.formatMajor, info.formatMinor]).toEqual([1, fx.minor]);
    expect(info.checksum).toBe(fx.checksum);
    const shapes = [[12], [8, 12], [8], [8], [8], [6, 8], [6], [6], [4, 6], [4], [4], [4]];
    expect(info.tensors.map((t) => [t.name, t.shape])).toEqual(fx.names.map((n, i) => [n, shapes[i]]));
    expect(info.ops.map((o) => [o.type, o.inputs, o.outputs, o.attrs])).toEqual([
      ['FullyConnected', [0, 1, 2], [3], { int8: 0 }],
      ['Relu', [3], [4], {}],
      ['FullyConnected', [4, 5], [6], { int8: 0 }],
      ['Gelu', [6], [7], {}],
      ['FullyConnected', [7, 8, 9], [10], { int8: 0 }],
      ['Softmax', [10], [11], { axis: -1 }],
    ]);
    expect(info.inputs).toEqual([0]);
    expect(info.outputs).toEqual([11]);
    expect(info.metadata).toEqual({ ...METADATA, preprocessing: { ...METADATA.preprocessing } });
    for (const b of blobRanges(info)) expect(b.offset % 16).toBe(0);
    // Where the metadata is stored: the Metadata table (field 6) up to 1.3, Model.meta (field 10) from 1.4.
    expect([rootFieldOffset(bytes, 6) > 0, rootFieldOffset(bytes, 10) > 0]).toEqual(fx.minor >= 4 ? [false, true] : [true, false]);
  });

  it('dense float32 biases are the recipe values', () => {
    expect(decodeTensor(info, byName('fc1.bias').index)).toEqual(v.b1);
    expect(decodeTensor(info, byName('fc3.bias').index)).toEqual(v.b3);
  });

  it('fc1: 3-bit palettes of 4 rows, float16 entries, channel scales = row max |w|', () => {
    const t = byName('fc1.weight');
    expect(t.weight!.palettized).toMatchObject({ bits: 3, groupRows: 4, numPalettes: 2, entryType: 'float16' });
    const blobs = weightBlobs(info, t);
    const cs = blobs.palettized!.channelScales!;
    const pal = paletteValues(blobs.palettized!, 2);
    for (const e of pal) expect(roundToF16(e)).toBe(e);
    const d = decodeTensor(info, t.index);
    for (let r = 0; r < 8; r++) {
      const row = v.fc1.subarray(r * 12, r * 12 + 12);
      expect(cs[r]).toBe(Math.fround(Math.max(...[...row].map(Math.abs))));
      const entries = [...pal.subarray(Math.floor(r / 4) * 8, Math.floor(r / 4) * 8 + 8)].map((e) => Math.fround(e * cs[r])).sort((a, b) => a - b);
      let gap = 0;
      for (let j = 1; j < 8; j++) gap = Math.max(gap, entries[j] - entries[j - 1]);
      for (let c = 0; c < 12; c++) {
        const got = d[r * 12 + c];
        expect(entries).toContain(got);
        const w = row[c];
        if (w >= entries[0] && w <= entries[7]) expect(Math.abs(w - got)).toBeLessThanOrEqual(gap / 2 + 1e-5);
      }
    }
  });

  it('fc2: 2x3 blocks, kept values float16, dropped blocks 0', () => {
    const t = byName('fc2.weight');
    expect(t.weight!.sparse).toMatchObject({ blockRows: 2, blockCols: 3, keptBlocks: v.keep2.filter((k) => k).length });
    expect([...weightBlobs(info, t).sparse!.mask]).toEqual(maskFromFlags(v.keep2, 3, 3));
    const d = decodeTensor(info, t.index);
    for (let r = 0; r < 6; r++) for (let c = 0; c < 8; c++) {
      const kept = v.keep2[Math.floor(r / 2) * 3 + Math.floor(c / 3)];
      expect(d[r * 8 + c]).toBe(kept ? roundToF16(v.fc2[r * 8 + c]) : 0);
    }
  });

  it('fc3: 1x2 blocks, kept values 2-bit palettized with int8 entries, nearest entry', () => {
    const t = byName('fc3.weight');
    expect(t.weight!.palettized).toMatchObject({ bits: 2, numPalettes: 1, entryType: 'int8' });
    expect([...weightBlobs(info, t).sparse!.mask]).toEqual(maskFromFlags(v.keep3, 4, 3));
    const blobs = weightBlobs(info, t);
    const q = new Int8Array(blobs.palettized!.entries.buffer, blobs.palettized!.entries.byteOffset, 4);
    expect(Math.max(...[...q].map(Math.abs))).toBe(127);
    const entries = [...paletteValues(blobs.palettized!, 1)];
    const d = decodeTensor(info, t.index);
    for (let r = 0; r < 4; r++) for (let c = 0; c < 6; c++) {
      const i = r * 6 + c;
      if (!v.keep3[r * 3 + Math.floor(c / 2)]) {
        expect(d[i]).toBe(0);
        continue;
      }
      expect(entries).toContain(d[i]);
      for (const e of entries) expect(Math.abs(v.fc3[i] - d[i])).toBeLessThanOrEqual(Math.abs(v.fc3[i] - e) + 1e-7);
    }
  });
});
