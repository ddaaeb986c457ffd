import { describe, expect, it } from 'vitest';
import { blockGrid, countKept, isKept } from '../../src/encode/blocksparse.js';
import { unpackRows } from '../../src/encode/bitpack.js';
import { roundToF16 } from '../../src/encode/f16.js';
import { encodeBlockSparse, encodeDense, encodePalettized, paletteValues, type EncodedWeight } from '../../src/encode/palette.js';
import { Rng, withSeed } from '../util/rng.js';

/** Every decoded value is an entry of its row's palette (times its channel scale) and, without channel scales, the nearest one. */
function checkPalettized(enc: EncodedWeight, values: Float32Array, rows: number, cols: number, kept?: (r: number, c: number) => boolean): void {
  const p = enc.palettized!;
  const k = 1 << p.bits;
  const groupRows = p.groupRows || rows;
  const pal = paletteValues(p, Math.ceil(rows / groupRows));
  const d = enc.decode();
  expect(d.length).toBe(rows * cols);
  for (let r = 0; r < rows; r++) {
    const g = Math.floor(r / groupRows);
    const entries = [...pal.subarray(g * k, g * k + k)];
    const cs = p.channelScales ? p.channelScales[r] : 1;
    const scaled = entries.map((e) => Math.fround(e * cs));
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      if (kept && !kept(r, c)) {
        expect(d[i]).toBe(0);
        continue;
      }
      expect(scaled).toContain(d[i]);
      const err = Math.abs(values[i] - d[i]);
      if (!p.channelScales) {
        for (const e of scaled) expect(err).toBeLessThanOrEqual(Math.abs(values[i] - e) + 1e-7);
      } else {
        let gap = 0;
        const s = [...scaled].sort((a, b) => a - b);
        for (let j = 1; j < s.length; j++) gap = Math.max(gap, s[j] - s[j - 1]);
        const inside = values[i] >= s[0] && values[i] <= s[s.length - 1];
        if (inside) expect(err).toBeLessThanOrEqual(gap / 2 + 1e-6 * Math.abs(cs));
      }
    }
  }
}

describe('encodePalettized', () => {
  const rows = 23;
  const cols = 17;
  for (const entryType of ['float32', 'float16', 'int8'] as const) {
    for (const groupRows of [0, 1, 5, rows]) {
      for (const channelScales of [false, true]) {
        it(`${entryType}, groupRows ${groupRows}, channelScales ${channelScales}`, () => {
          const seed = 1000 + groupRows;
          withSeed(seed, () => {
            const rng = new Rng(seed);
            // Rows of very different magnitudes, so channel scales matter.
            const v = Float32Array.from({ length: rows * cols }, (_, i) => rng.normal() * (1 + Math.floor(i / cols)));
            const bits = 1 + (groupRows % 4);
            const enc = encodePalettized(v, rows, cols, { bits, groupRows, entryType, channelScales, seed });
            const p = enc.palettized!;
            const np = Math.ceil(rows / (groupRows || rows));
            expect(p.entries.length).toBe(np * (1 << bits) * { float32: 4, float16: 2, int8: 1 }[entryType]);
            expect(p.indices.length).toBe(rows * Math.ceil((cols * bits) / 8));
            expect(p.entryScales?.length).toBe(entryType === 'int8' ? np : undefined);
            expect(p.channelScales?.length).toBe(channelScales ? rows : undefined);
            if (entryType === 'int8') {
              // scale = max|entry| / 127: the largest stored int8 of each palette is +-127.
              const q = new Int8Array(p.entries.buffer, p.entries.byteOffset, p.entries.length);
              for (let g = 0; g < np; g++) expect(Math.max(...[...q.subarray(g << bits, (g + 1) << bits)].map(Math.abs))).toBe(127);
            }
            if (entryType === 'float16') for (const e of paletteValues(p, np)) expect(roundToF16(e)).toBe(e);
            checkPalettized(enc, v, rows, cols);
            // Same seed, same bytes.
            const again = encodePalettized(v, rows, cols, { bits, groupRows, entryType, channelScales, seed });
            expect(again.palettized!.indices).toEqual(p.indices);
            expect(again.palettized!.entries).toEqual(p.entries);
          });
        });
      }
    }
  }
  it('8-bit on 256 distinct values is lossless', () => {
    const v = Float32Array.from({ length: 512 }, (_, i) => (i % 256) / 7);
    const enc = encodePalettized(v, 8, 64, { bits: 8 });
    expect(enc.decode()).toEqual(v);
    expect(unpackRows(enc.palettized!.indices, 8, 64, 8).length).toBe(512);
  });
});

describe('encodeDense', () => {
  it('float32 is exact, float16 rounds', () => {
    const v = Float32Array.from([0.1, -2, 3.14159, 1e-6]);
    expect(encodeDense(v).decode()).toEqual(v);
    expect(encodeDense(v).dense!.data.length).toBe(16);
    const h = encodeDense(v, 'float16');
    expect(h.dense!.data.length).toBe(8);
    expect([...h.decode()]).toEqual([...v].map(roundToF16));
  });
});

describe('encodeBlockSparse', () => {
  const rows = 13;
  const cols = 22;
  for (const [R, C] of [[1, 4], [4, 1], [4, 4], [8, 1], [3, 5]] as const) {
    it(`${R}x${C} blocks, dense kept values, drops the smallest blocks`, () => {
      const rng = new Rng(R * 10 + C);
      const v = rng.floats(rows * cols);
      const enc = encodeBlockSparse(v, rows, cols, { blockRows: R, blockCols: C, sparsity: 0.6 });
      const g = blockGrid(rows, cols, R, C);
      const n = g.gridRows * g.gridCols;
      const kept = countKept(enc.sparse!.mask, g);
      expect(kept).toBe(n - Math.floor(0.6 * n));
      expect(enc.dense!.data.length).toBe(kept * R * C * 4);
      const norm = (br: number, bc: number) => {
        let s = 0;
        for (let r = br * R; r < Math.min(rows, br * R + R); r++) for (let c = bc * C; c < Math.min(cols, bc * C + C); c++) s += v[r * cols + c] ** 2;
        return s;
      };
      let minKept = Infinity;
      let maxDropped = -Infinity;
      const d = enc.decode();
      for (let br = 0; br < g.gridRows; br++) for (let bc = 0; bc < g.gridCols; bc++) {
        if (isKept(enc.sparse!.mask, g, br, bc)) minKept = Math.min(minKept, norm(br, bc));
        else maxDropped = Math.max(maxDropped, norm(br, bc));
      }
      expect(maxDropped).toBeLessThanOrEqual(minKept);
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
        const k = isKept(enc.sparse!.mask, g, Math.floor(r / R), Math.floor(c / C));
        expect(d[r * cols + c]).toBe(k ? v[r * cols + c] : 0);
      }
    });
    it(`${R}x${C} blocks, palettized kept values`, () => {
      const rng = new Rng(R * 100 + C);
      const v = rng.floats(rows * cols);
      const g = blockGrid(rows, cols, R, C);
      const keep = Array.from({ length: g.gridRows * g.gridCols }, () => rng.int(0, 1));
      for (const entryType of ['float32', 'float16', 'int8'] as const) {
        const enc = encodeBlockSparse(v, rows, cols, { blockRows: R, blockCols: C, keep }, { bits: 3, groupRows: 4, entryType });
        const kept = countKept(enc.sparse!.mask, g);
        expect(enc.palettized!.indices.length).toBe(Math.ceil((kept * R * C * 3) / 8));
        checkPalettized(enc, v, rows, cols, (r, c) => keep[Math.floor(r / R) * g.gridCols + Math.floor(c / C)] === 1);
      }
    });
  }
  it('clusters only the kept weights', () => {
    // Dropped blocks hold huge values; a palette fitted to them would waste entries.
    const v = new Float32Array(4 * 8);
    for (let i = 0; i < 32; i++) v[i] = i < 16 ? (i % 4) / 4 : 1000 + i;
    const enc = encodeBlockSparse(v, 4, 8, { blockRows: 2, blockCols: 8, keep: [1, 0] }, { bits: 2 });
    const pal = [...paletteValues(enc.palettized!, 1)];
    expect(pal).toEqual([0, 0.25, 0.5, 0.75]);
    expect(enc.decode().subarray(0, 16)).toEqual(v.subarray(0, 16));
  });
});
