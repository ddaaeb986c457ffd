import { readFileSync } from 'node:fs';
import { Builder } from 'flatbuffers';
import { describe, expect, it } from 'vitest';
import { WpalError, WpalFormatError } from '../../src/format/errors.js';
import { Model, Palettized, Tensor, Weight } from '../../src/format/generated/wpal_generated.js';
import { readModel } from '../../src/format/read.js';
import type { ModelInfo } from '../../src/format/types.js';
import { Rng, withSeed } from '../util/rng.js';
import { readOrWpalError, smallModel } from './helpers.js';


for (const layout of ['compact', 'tables'] as const) describe(`hostile input (${layout} layout, format ${layout === 'compact' ? '1.3' : '1.2'})`, () => {
  const good = smallModel(2, layout);

  it('every truncated prefix -> WpalError (unless only trailing zero padding is cut)', () => {
    let end = good.length;
    while (good[end - 1] === 0) end--;
    for (let n = 0; n < good.length; n++) {
      const r = readOrWpalError(good.subarray(0, n));
      if (n < end) expect(r, `prefix of ${n} bytes`).toBeInstanceOf(WpalError);
    }
  });

  it('every byte changed (xor 0xff, xor 0x01, xor 0x80) -> WpalError: the checksum covers every byte', () => {
    for (const x of [0xff, 0x01, 0x80]) {
      for (let i = 0; i < good.length; i++) {
        const bad = good.slice();
        bad[i] ^= x;
        expect(readOrWpalError(bad), `byte ${i} ^ ${x}`).toBeInstanceOf(WpalError);
      }
    }
  });

  it('random multi-byte corruption (seeded) -> WpalError, quickly', () => {
    const seed = 77;
    withSeed(seed, () => {
      const rng = new Rng(seed);
      const t0 = performance.now();
      for (let k = 0; k < 3000; k++) {
        const bad = good.slice();
        const flips = rng.int(1, 4);
        for (let j = 0; j < flips; j++) bad[rng.int(0, bad.length - 1)] = rng.int(0, 255);
        if (bad.every((b, i) => b === good[i])) continue;
        expect(readOrWpalError(bad), `mutation ${k}`).toBeInstanceOf(WpalError);
      }
      expect(performance.now() - t0).toBeLessThan(20000);
    });
  });

  it('huge vector lengths -> WpalFormatError, without allocating', () => {
    for (let i = 0; i + 4 <= good.length; i += 4) {
      const bad = good.slice();
      new DataView(bad.buffer).setUint32(i, 0x7ffffff0, true);
      readOrWpalError(bad);
    }
  });

});

describe('hostile input', () => {
  const good = smallModel(2);
  const v10 = new Uint8Array(readFileSync(new URL('../fixtures/format/v1.0/mlp.wpal', import.meta.url)));

  it('a file without checksums (format 1.0): every byte changed -> ModelInfo or WpalError', () => {
    let accepted = 0;
    for (const x of [0xff, 0x01, 0x80]) {
      for (let i = 0; i < v10.length; i++) {
        const bad = v10.slice();
        bad[i] ^= x;
        if (!(readOrWpalError(bad) instanceof WpalError)) accepted++;
      }
    }
    // Some changes land in float data or padding and leave a valid 1.0 file: nothing can tell.
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThan(v10.length * 3);
  });

  it('random byte strings -> WpalError', () => {
    const rng = new Rng(5);
    for (let k = 0; k < 2000; k++) {
      const bytes = rng.bytes(rng.int(0, 300));
      if (k % 2 && bytes.length >= 8) bytes.set([0x57, 0x50, 0x41, 0x4c], 4); // "WPAL"
      if (k % 4 === 1 && bytes.length >= 8) bytes.set([rng.int(8, Math.min(255, bytes.length - 1)) & ~3, 0, 0, 0], 0);
      expect(readOrWpalError(bytes)).toBeInstanceOf(WpalError);
    }
  });

  it('one table shared by 200k vector entries is rejected, fast', () => {
    const b = new Builder(1 << 20);
    b.prep(16, 0);
    const name = b.createString('x');
    const shape = Tensor.createShapeVector(b, [1]);
    Tensor.startTensor(b);
    Tensor.addName(b, name);
    Tensor.addShape(b, shape);
    const t = Tensor.endTensor(b);
    const tv = Model.createTensorsVector(b, new Array(200_000).fill(t));
    Model.startModel(b);
    Model.addFormatMajor(b, 1);
    Model.addTensors(b, tv);
    Model.finishModelBuffer(b, Model.endModel(b));
    const bytes = b.asUint8Array().slice();
    const t0 = performance.now();
    expect(() => readModel(bytes)).toThrow(/too many objects/);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('many weights sharing one big channel_scales vector are rejected, fast', () => {
    const rows = 20000;
    const b = new Builder(1 << 20);
    b.prep(16, 0);
    const cs = Palettized.createChannelScalesVector(b, new Float32Array(rows).fill(1));
    b.startVector(1, rows, 16);
    for (let i = 0; i < rows; i++) b.addInt8(0);
    const indices = b.endVector();
    b.startVector(1, 8, 16);
    for (let i = 0; i < 8; i++) b.addInt8(0);
    const entries = b.endVector();
    const tensors = Array.from({ length: 2000 }, (_, i) => {
      const p = Palettized.createPalettized(b, 1, 0, 0, entries, 0, cs, indices);
      Weight.startWeight(b);
      Weight.addPalettized(b, p);
      const w = Weight.endWeight(b);
      const name = b.createString(`w${i}`);
      const shape = Tensor.createShapeVector(b, [rows, 1]);
      Tensor.startTensor(b);
      Tensor.addName(b, name);
      Tensor.addShape(b, shape);
      Tensor.addWeight(b, w);
      return Tensor.endTensor(b);
    });
    const tv = Model.createTensorsVector(b, tensors);
    Model.startModel(b);
    Model.addFormatMajor(b, 1);
    Model.addTensors(b, tv);
    Model.finishModelBuffer(b, Model.endModel(b));
    const bytes = b.asUint8Array().slice();
    const t0 = performance.now();
    expect(() => readModel(bytes)).toThrow(/reads more data than it holds/);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('not a Uint8Array -> WpalFormatError', () => {
    expect(() => readModel(new ArrayBuffer(64) as unknown as Uint8Array)).toThrow(WpalFormatError);
  });
  it('wrong identifier says so', () => {
    const bad = good.slice();
    bad.set([0x54, 0x46, 0x4c, 0x33], 4); // "TFL3"
    expect(() => readModel(bad)).toThrow(/file identifier is "TFL3", expected "WPAL"/);
  });
});
