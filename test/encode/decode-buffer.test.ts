/**
 * Decoding weights of a file held in a Node Buffer that is a view into a larger pool (what
 * readFileSync and Buffer.concat give): Buffer.prototype.slice does not copy, so a decoder that
 * relied on slice().buffer read the pool from its start. Found by `wpal compress --epochs 0`.
 */
import { describe, expect, it } from 'vitest';
import { decodeTensor, encodeDense, encodePalettized } from '../../src/encode/palette.js';
import { readModel } from '../../src/format/read.js';
import { ModelWriter } from '../../src/format/write.js';
import { Rng } from '../util/rng.js';

describe('decodeTensor on a Buffer view', () => {
  it('gives the same values as on a plain Uint8Array, for dense, f16 and palettized weights', () => {
    const rng = new Rng(3);
    const w = new ModelWriter();
    const x = w.input('x', [8]);
    const a = w.op('FullyConnected', [x, w.weight('a', [4, 8], encodeDense(rng.floats(32)))]);
    const b = w.op('FullyConnected', [a, w.weight('b', [4, 4], encodeDense(rng.floats(16), 'float16'))]);
    w.output(w.op('FullyConnected', [b, w.weight('c', [4, 4], encodePalettized(rng.floats(16), 4, 4, { bits: 2, entryType: 'float16' }))]));
    const bytes = w.finish();
    const pooled = Buffer.concat([Buffer.alloc(48, 7), Buffer.from(bytes)]).subarray(48);
    const plain = readModel(bytes);
    const viewed = readModel(pooled);
    for (const t of plain.tensors.filter((t) => t.weight)) expect(decodeTensor(viewed, t.index)).toEqual(decodeTensor(plain, t.index));
  });
});
