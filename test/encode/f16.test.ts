import { describe, expect, it } from 'vitest';
import { f16ArrayToF32, f16BitsToF32, f32ArrayToF16, f32ToF16Bits, roundToF16 } from '../../src/encode/f16.js';
import { Rng } from '../util/rng.js';

describe('float16', () => {
  const known: [number, number][] = [
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [0.5, 0x3800],
    [65504, 0x7bff], // largest finite
    [65519.99, 0x7bff],
    [65520, 0x7c00], // halfway to 65536: ties to even -> overflow to inf
    [Infinity, 0x7c00],
    [-Infinity, 0xfc00],
    [0.1, 0x2e66],
    [1 / 3, 0x3555],
    [2 ** -14, 0x0400], // smallest normal
    [2 ** -24, 0x0001], // smallest subnormal
    [2 ** -25, 0x0000], // tie between 0 and 2^-24: even (0)
    [1.5 * 2 ** -25, 0x0001],
    [3 * 2 ** -25, 0x0002], // tie between 1 and 2 ulps: even (2)
    [1023 * 2 ** -24, 0x03ff], // largest subnormal
    [1 + 2 ** -11, 0x3c00], // tie: even
    [1 + 3 * 2 ** -11, 0x3c02], // tie: even (up)
    [1e-10, 0x0000],
  ];
  for (const [x, h] of known) {
    it(`${x} -> 0x${h.toString(16)}`, () => {
      expect(f32ToF16Bits(x)).toBe(h);
      if (h !== 0x7c00 && h !== 0xfc00 && x !== 65519.99 && x !== 1e-10 && Math.abs(x) >= 2 ** -24 && Number.isInteger(Math.log2(Math.abs(x)) * 1)) {
        expect(f16BitsToF32(h)).toBe(x);
      }
    });
  }
  it('decodes known bit patterns', () => {
    expect(f16BitsToF32(0x3c00)).toBe(1);
    expect(f16BitsToF32(0x7bff)).toBe(65504);
    expect(f16BitsToF32(0x0001)).toBe(2 ** -24);
    expect(f16BitsToF32(0x03ff)).toBe(1023 * 2 ** -24);
    expect(Object.is(f16BitsToF32(0x8000), -0)).toBe(true);
    expect(f16BitsToF32(0xfc00)).toBe(-Infinity);
    expect(f16BitsToF32(0x7e00)).toBeNaN();
  });
  it('NaN stays NaN', () => {
    const h = f32ToF16Bits(NaN);
    expect(h & 0x7c00).toBe(0x7c00);
    expect(h & 0x3ff).not.toBe(0);
  });
  it('every float16 bit pattern round-trips through float32', () => {
    for (let h = 0; h < 65536; h++) {
      const x = f16BitsToF32(h);
      if (Number.isNaN(x)) continue;
      expect(f32ToF16Bits(x)).toBe(h);
    }
  });
  it('rounds to the nearest float16 (random values)', () => {
    const rng = new Rng(16);
    for (let i = 0; i < 20000; i++) {
      const x = Math.fround(rng.normal() * 2 ** rng.int(-26, 17));
      const h = f32ToF16Bits(x);
      const y = f16BitsToF32(h);
      if (!Number.isFinite(y)) {
        expect(Math.abs(x)).toBeGreaterThanOrEqual(65520);
        continue;
      }
      // Neighbours in magnitude: neither is strictly closer.
      const mag = h & 0x7fff;
      for (const n of [mag - 1, mag + 1]) {
        if (n < 0 || n > 0x7bff) continue;
        const z = f16BitsToF32((h & 0x8000) | n);
        expect(Math.abs(x - y)).toBeLessThanOrEqual(Math.abs(x - z));
      }
    }
  });
  it('array helpers agree with the scalar ones', () => {
    const xs = Float32Array.from([0, 1, -1.5, 0.1, 70000, 2 ** -20]);
    const bits = f32ArrayToF16(xs);
    expect([...bits]).toEqual([...xs].map(f32ToF16Bits));
    expect([...f16ArrayToF32(bits)]).toEqual([...xs].map(roundToF16));
  });
});
