import { describe, expect, it } from 'vitest';
import { packedRowBytes, packRows, packStream, unpackRows, unpackStream } from '../../src/encode/bitpack.js';
import { blockGrid, countKept, gatherKept, packMask, scatterKept } from '../../src/encode/blocksparse.js';
import { Rng, withSeed } from '../util/rng.js';

describe('bitpack', () => {
  const lengths = [0, 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 33, 100, 257];
  for (let bits = 1; bits <= 8; bits++) {
    it(`stream round trip, ${bits} bits`, () => {
      const seed = 100 + bits;
      withSeed(seed, () => {
        const rng = new Rng(seed);
        for (const n of lengths) {
          const x = Uint8Array.from({ length: n }, () => rng.int(0, (1 << bits) - 1));
          const packed = packStream(x, bits);
          expect(packed.length).toBe(Math.ceil((n * bits) / 8));
          expect(unpackStream(packed, n, bits)).toEqual(x);
        }
      });
    });
    it(`rows round trip, ${bits} bits`, () => {
      const seed = 200 + bits;
      withSeed(seed, () => {
        const rng = new Rng(seed);
        for (const rows of [1, 2, 3]) {
          for (const cols of [1, 3, 7, 9, 13, 33]) {
            const x = Uint8Array.from({ length: rows * cols }, () => rng.int(0, (1 << bits) - 1));
            const packed = packRows(x, rows, cols, bits);
            expect(packed.length).toBe(rows * packedRowBytes(cols, bits));
            expect(unpackRows(packed, rows, cols, bits)).toEqual(x);
          }
        }
      });
    });
  }

  // Worked by hand from schemas/wpal.fbs: index k at bit k*bits, LSB first.
  it('3-bit stream [5, 3, 7, 1] is bytes [0xDD, 0x03]', () => {
    // bits 0-2 = 101 (5), bits 3-5 = 110 (3 LSB first), bits 6-8 = 111 (7), bits 9-11 = 100 (1)
    // byte 0 = b7..b0 = 1 1 0 1 1 1 0 1 = 0xDD; byte 1 = b8=1, b9=1 -> 0x03
    expect([...packStream([5, 3, 7, 1], 3)]).toEqual([0xdd, 0x03]);
  });
  it('2-bit rows [[1,2,3],[3,0,1]] start on byte boundaries: [0x39, 0x13]', () => {
    // row 0: 1 | 2<<2 | 3<<4 = 0x39; row 1: 3 | 0<<2 | 1<<4 = 0x13 (ceil(3*2/8) = 1 byte per row)
    expect([...packRows([1, 2, 3, 3, 0, 1], 2, 3, 2)]).toEqual([0x39, 0x13]);
  });
  it('4-bit [0xA, 0x5] is 0x5A (first index in the low nibble)', () => {
    expect([...packStream([0xa, 0x5], 4)]).toEqual([0x5a]);
  });
  it('rejects indices that do not fit', () => {
    expect(() => packStream([4], 2)).toThrow(RangeError);
  });
});

describe('block mask layout', () => {
  it('packs by hand-checked bytes: 5x10 with 2x1 blocks', () => {
    const g = blockGrid(5, 10, 2, 1); // grid 3 x 10, 2 bytes per mask row
    expect([g.gridRows, g.gridCols, g.maskRowBytes]).toEqual([3, 10, 2]);
    const keep = new Uint8Array(30);
    keep[0 * 10 + 0] = 1; // block (0,0): byte 0 bit 0
    keep[0 * 10 + 9] = 1; // block (0,9): byte 1 bit 1
    keep[2 * 10 + 8] = 1; // block (2,8): byte 5 bit 0
    expect([...packMask(keep, g)]).toEqual([0x01, 0x02, 0x00, 0x00, 0x00, 0x01]);
    expect(countKept(packMask(keep, g), g)).toBe(3);
  });
  it('gather / scatter round trip with edge blocks', () => {
    const rng = new Rng(5);
    const g = blockGrid(7, 10, 4, 3);
    const keep = Array.from({ length: g.gridRows * g.gridCols }, () => rng.int(0, 1));
    const mask = packMask(keep, g);
    const v = rng.floats(70);
    const kept = gatherKept(v, mask, g);
    expect(kept.length).toBe(countKept(mask, g) * 12);
    const back = scatterKept(kept, mask, g);
    for (let r = 0; r < 7; r++) for (let c = 0; c < 10; c++) {
      const k = keep[Math.floor(r / 4) * g.gridCols + Math.floor(c / 3)];
      expect(back[r * 10 + c]).toBe(k ? v[r * 10 + c] : 0);
    }
  });
});
