/** One-Conv2D models with int8 palette entries (int8 = 1), for the int8 conv kernel's tests. */
import { ModelWriter } from '../../src/index.js';
import { encodeDense, encodePalettized } from '../../src/encode/palette.js';
import { Rng } from './rng.js';

export interface I8ConvCase {
  label: string;
  /** Input height and width, channels, output channels, square kernel, stride, groups. */
  hw: number;
  c: number;
  o: number;
  k: number;
  stride: number;
  groups: number;
  /** Index bits and output channels per palette (0 = one palette). */
  bits: number;
  groupRows: number;
}

/** x [hw, hw, c] -> Conv2D (int8 = 1, "same" padding, random weights and bias) -> y. */
export function buildI8Conv(c: I8ConvCase, seed: number): Uint8Array {
  const rng = new Rng(seed);
  const w = new ModelWriter({ name: 'i8-conv' });
  const x = w.input('x', [c.hw, c.hw, c.c]);
  const K = c.k * c.k * (c.c / c.groups);
  const W = w.weight('w', [c.o, c.k, c.k, c.c / c.groups], encodePalettized(rng.floats(c.o * K), c.o, K, { bits: c.bits, groupRows: c.groupRows, entryType: 'int8', seed }));
  const b = w.weight('b', [c.o], encodeDense(rng.floats(c.o)));
  const pad = c.k >> 1;
  const y = w.op('Conv2D', [x, W, b], { attrs: { strides: [c.stride, c.stride], pads: [pad, pad, pad, pad], dilations: [1, 1], groups: c.groups, int8: 1 } });
  w.output(y);
  return w.finish();
}

/** The same float32 values, bit for bit. */
export const sameBits = (a: Float32Array, b: Float32Array): boolean =>
  a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
