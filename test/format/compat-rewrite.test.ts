/**
 * Older files against their rewrite in the current format (compact): a format 1.0 file in the 1.0 layout (written here,
 * table by table, with no checksums) and the frozen 1.0 / 1.2 fixtures read back as the same model
 * after rewriteModel (compact, the current version), and where this build runs them, compute the same outputs bit
 * for bit. Names, shapes, attributes, metadata and every weight byte are compared.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { encodeDense, encodePalettized } from '../../src/encode/palette.js';
import { DType } from '../../src/format/generated/wpal_generated.js';
import { readModel } from '../../src/format/read.js';
import { rewriteModel } from '../../src/format/rewrite.js';
import { FORMAT_MAJOR, FORMAT_MINOR } from '../../src/format/version.js';
import { loadModel } from '../../src/runtime/load.js';
import { WpalEngineError } from '../../src/runtime/errors.js';
import { Rng } from '../util/rng.js';
import { comparable, rawModel, type RawWeight } from './helpers.js';

/** input [8, 8, 1] -> Conv2D 3x3 (4 filters, 3-bit palette, bias) -> Relu -> MaxPool 2 -> Flatten -> FC 5 (dense f32) in the 1.0 layout. */
function v10Conv(): Uint8Array {
  const rng = new Rng(10);
  const conv = encodePalettized(rng.floats(4 * 9), 4, 9, { bits: 3, seed: 1 });
  const fc = encodeDense(rng.floats(5 * 36));
  const pal = (e: typeof conv): RawWeight => ({ palettized: { bits: e.palettized!.bits, entries: e.palettized!.entries, indices: e.palettized!.indices } });
  return rawModel({
    major: 1,
    minor: 0,
    tensors: [
      { name: 'image', shape: [8, 8, 1] },
      { name: 'conv.w', shape: [4, 3, 3, 1], weight: pal(conv) },
      { name: 'conv.b', shape: [4], weight: { dense: { data: encodeDense(rng.floats(4)).dense!.data } } },
      { name: 'conv', shape: [6, 6, 4] },
      { name: 'relu', shape: [6, 6, 4] },
      { name: 'pool', shape: [3, 3, 4] },
      { name: 'flat', shape: [36] },
      { name: 'fc.w', shape: [5, 36], weight: { dense: { dtype: DType.Float32, data: fc.dense!.data } } },
      { name: 'scores', shape: [5] },
    ],
    ops: [
      { type: 'Conv2D', inputs: [0, 1, 2], outputs: [3] },
      { type: 'Relu', inputs: [3], outputs: [4] },
      { type: 'MaxPool', inputs: [4], outputs: [5], attrs: [{ name: 'kernel', ints: [2, 2] }, { name: 'strides', ints: [2, 2] }, { name: 'pads', ints: [0, 0, 0, 0] }] },
      { type: 'Flatten', inputs: [5], outputs: [6] },
      { type: 'FullyConnected', inputs: [6, 7], outputs: [8] },
    ],
    inputs: [0],
    outputs: [8],
  });
}

async function sameOutputs(a: Uint8Array, b: Uint8Array): Promise<'same' | 'no kernel'> {
  let ma, mb;
  try {
    ma = await loadModel(a);
  } catch (e) {
    // A layer this build has no kernel for: the rewrite must hit the same gap.
    expect(e).toBeInstanceOf(WpalEngineError);
    await expect(loadModel(b)).rejects.toThrow(String((e as Error).message));
    return 'no kernel';
  }
  mb = await loadModel(b);
  const rng = new Rng(21);
  const batch = 4;
  const inputs = Object.fromEntries(ma.inputs.map((s) => [s.name, rng.floats(batch * s.shape.reduce((x, y) => x * y, 1))]));
  const ya = ma.run(inputs);
  const yb = mb.run(inputs);
  for (const o of ma.outputs) {
    expect(yb[o.name].shape).toEqual(ya[o.name].shape);
    expect(Buffer.from(yb[o.name].data.buffer).equals(Buffer.from(ya[o.name].data.buffer)), o.name).toBe(true);
  }
  ma.dispose();
  mb.dispose();
  return 'same';
}

describe('compat: older files and their compact rewrite', () => {
  it('a 1.0-layout conv net (written here, no checksums) runs exactly like its compact rewrite', async () => {
    const old = v10Conv();
    const before = readModel(old);
    expect([before.formatMajor, before.formatMinor, before.checksum]).toEqual([1, 0, 'none']);
    const after = rewriteModel(before);
    const info = readModel(after);
    expect([info.formatMajor, info.formatMinor, info.checksum]).toEqual([FORMAT_MAJOR, FORMAT_MINOR, 'verified']);
    // Every name, shape, attribute (defaults filled in) and weight byte; 1.0 stored every
    // intermediate name, and the rewrite keeps them (rewriteModel keeps names a file has).
    expect(comparable(info)).toEqual(comparable(before));
    expect(info.tensors.map((t) => t.name)).toEqual(['image', 'conv.w', 'conv.b', 'conv', 'relu', 'pool', 'flat', 'fc.w', 'scores']);
    expect(after.length).toBeLessThan(old.length);
    expect(await sameOutputs(old, after)).toBe('same');
  });

  for (const version of ['1.0', '1.2', '1.3']) {
    it(`the frozen ${version} fixture: its compact rewrite is the same model (and runs the same where it runs)`, async () => {
      const bytes = new Uint8Array(readFileSync(new URL(`../fixtures/format/v${version}/mlp.wpal`, import.meta.url)));
      const before = readModel(bytes);
      const after = rewriteModel(before);
      const info = readModel(after);
      expect(info.formatMinor).toBe(FORMAT_MINOR);
      // Intermediate names: the 1.0 fixture stored them; its rewrite keeps them (it had them).
      expect(comparable(info)).toEqual(comparable(before));
      expect(after.length).toBeLessThan(bytes.length);
      await sameOutputs(bytes, after);
    });
  }
});
