/**
 * The element-type table (src/format/elements.ts): for every row, what `round` says the decoder will
 * read back is what `pack` then `read` give, bit for bit, on random values (odd counts, unaligned
 * buffers, several palettes with their own scales); the stored size is count x bytes; and the
 * rounding is the type's own (float32 = Math.fround, float16 = nearest f16, int8 = symmetric, scale
 * max|v|/127) computed here in float64 independently of the table.
 */
import { describe, expect, it } from 'vitest';
import { DENSE_ELEMENTS, DTYPE_NAME, ELEMENTS, ENTRY_ELEMENTS, elementOf } from '../../src/format/elements.js';
import { DType } from '../../src/format/generated/wpal_generated.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}

describe('element types', () => {
  for (const e of Object.values(ELEMENTS)) {
    it(`${e.name}: round, pack, read agree bit for bit; ${e.bytes} bytes per element`, () => {
      const r = rng(7);
      for (const n of [1, 3, 16, 37]) {
        const palettes = 3;
        const raw = Float64Array.from({ length: n * palettes }, () => r() * 5);
        const rounded = new Float64Array(raw.length);
        const scales = new Float32Array(palettes);
        const packed = new Uint8Array(1 + raw.length * e.bytes); // +1: read from an odd offset too
        for (let p = 0; p < palettes; p++) {
          const q = e.round(raw.subarray(p * n, (p + 1) * n));
          rounded.set(q.values, p * n);
          scales[p] = q.scale;
          const bytes = e.pack(q.values, q.scale);
          expect(bytes.length).toBe(n * e.bytes);
          packed.set(bytes, 1 + p * n * e.bytes);
        }
        for (const offset of [0, 1]) {
          const src = offset ? packed.subarray(1) : packed.slice(1);
          const out = new Float32Array(raw.length);
          e.read(src, out, e.scaled ? scales : undefined, n);
          for (let i = 0; i < out.length; i++) expect(out[i], `${e.name} n=${n} i=${i}`).toBe(Math.fround(rounded[i]!));
        }
      }
    });
  }

  it('rounds as the type says (float64 reference)', () => {
    const v = [0.1, -2.5, 1e-3, 65519, 3.14159];
    expect(Array.from(ELEMENTS.float32.round(v).values)).toEqual(v.map(Math.fround));
    // float16: 11 significant bits, ties to even
    const f16 = (x: number) => {
      const e = Math.floor(Math.log2(Math.abs(x)));
      const step = 2 ** (Math.max(e, -14) - 10);
      const q = x / step;
      const f = Math.floor(q);
      const t = q - f === 0.5 ? (f % 2 === 0 ? f : f + 1) : Math.round(q);
      return t * step;
    };
    expect(Array.from(ELEMENTS.float16.round(v).values)).toEqual(v.map(f16));
    const q = ELEMENTS.int8.round(v);
    const scale = Math.fround(65519 / 127);
    expect(q.scale).toBe(scale);
    expect(Array.from(q.values)).toEqual(v.map((x) => Math.fround(Math.round(x / scale) * scale)));
  });

  it('says which types hold dense values and palette entries, and maps schema values', () => {
    expect(DENSE_ELEMENTS).toEqual(['float32', 'float16']);
    expect(ENTRY_ELEMENTS).toEqual(['float32', 'float16', 'int8']);
    expect(elementOf('int32')).toBeUndefined();
    expect(elementOf('toString')).toBeUndefined();
    expect(elementOf(DTYPE_NAME[DType.Float16]!)?.name).toBe('float16');
    expect(elementOf(DTYPE_NAME[DType.Int32]!)).toBeUndefined();
  });
});
