/**
 * Choosing how many filters / neurons of a LeNet to keep when a target size is below what block
 * masks over the full-width layers can reach (a mask costs a bit per block of every layer, kept
 * or not; removing whole units costs nothing). One scale g shrinks every layer by its profile
 * (LeNet-5: conv1 g, conv2 0.8 g, fc1 0.25 g of the full width; LeNet-300-100: g for every hidden
 * layer), the largest g whose estimated file at `bits` per weight fits the target. The LeNet-5
 * profile is the shape of the narrow nets measured best per byte (docs/results.md: 5,10,32 and
 * 6,12,32 of 20,50,500 at >= 99.0%); a greedy cut by bytes per log-width, tried first, thinned
 * conv2 to 4 filters at 8 KB, because conv2 filters also feed fc1's columns.
 */
import type { DenseModel } from './engine/archs.js';

export interface WidthPlan {
  /** Units kept per layer: LeNet-5 conv1, conv2, fc1; LeNet-300-100 the hidden layers. */
  widths: number[];
  /** Full widths of the model given. */
  full: number[];
  /** Estimated file bytes at `bits` with these widths. */
  estimatedBytes: number;
}

export interface WidthOptions {
  /** Index bits the estimate assumes for every weight (default 4). */
  bits?: number;
  /** Graph + metadata bytes of the file, besides the weights (measured by the caller). */
  overheadBytes: number;
  /** Fewest units a layer keeps (default 2). */
  minWidth?: number;
}

const align16 = (n: number) => Math.ceil(n / 16) * 16;

/** Palettized weight (rows byte-aligned, one palette of 2^bits float32) + float32 bias, each blob 16-aligned. */
function layerBytes(rows: number, cols: number, bits: number): number {
  return align16(rows * Math.ceil((cols * bits) / 8)) + align16(4 << bits) + align16(4 * rows);
}

/** [rows, cols] of every weight for the widths (in order), plus the fixed last layer. */
function layerShapes(m: DenseModel, w: number[]): Array<[number, number]> {
  if (m.kind === 'lenet-5') {
    const inC = m.shapes['conv1.weight'][3];
    const spatial = m.shapes['fc1.weight'][1] / m.shapes['conv2.weight'][0];
    const classes = m.shapes['fc2.weight'][0];
    return [[w[0], 25 * inC], [w[1], 25 * w[0]], [w[2], spatial * w[1]], [classes, w[2]]];
  }
  if (m.kind === 'lenet-300-100') {
    const shapes: Array<[number, number]> = [];
    let fanIn = m.shapes['fc1.weight'][1];
    for (const n of w) { shapes.push([n, fanIn]); fanIn = n; }
    let last = 1;
    while (m.shapes[`fc${last + 1}.weight`]) last++;
    shapes.push([m.shapes[`fc${last}.weight`][0], fanIn]);
    return shapes;
  }
  throw new Error(`chooseWidths: ${m.kind} has no filters or neurons to remove (LeNet-5 and LeNet-300-100 only)`);
}

/** The full widths of a LeNet (conv1, conv2, fc1 / the hidden layers). */
export function fullWidths(m: DenseModel): number[] {
  if (m.kind === 'lenet-5') return [m.shapes['conv1.weight'][0], m.shapes['conv2.weight'][0], m.shapes['fc1.weight'][0]];
  const out: number[] = [];
  for (let i = 1; m.shapes[`fc${i + 1}.weight`]; i++) out.push(m.shapes[`fc${i}.weight`][0]);
  return out;
}

export function estimateBytes(m: DenseModel, widths: number[], bits: number, overheadBytes: number): number {
  return overheadBytes + layerShapes(m, widths).reduce((a, [r, c]) => a + layerBytes(r, c, bits), 0);
}

/** Width profile per layer (fraction of g). */
function profileOf(m: DenseModel, n: number): number[] {
  return m.kind === 'lenet-5' ? [1, 0.8, 0.25] : new Array<number>(n).fill(1);
}

/** The widths whose estimated file at `bits` fits `targetBytes` (see the header); throws when even minWidth everywhere does not. */
export function chooseWidths(m: DenseModel, targetBytes: number, o: WidthOptions): WidthPlan {
  const bits = o.bits ?? 4;
  const minWidth = o.minWidth ?? 2;
  const full = fullWidths(m);
  const profile = profileOf(m, full.length);
  const at = (g: number) => full.map((f, i) => Math.min(f, Math.max(minWidth, Math.round(f * profile[i] * g))));
  const size = (x: number[]) => estimateBytes(m, x, bits, o.overheadBytes);
  for (let g = 1; g > 1e-3; g *= 0.97) {
    const w = at(g);
    if (size(w) <= targetBytes) return { widths: w, full, estimatedBytes: size(w) };
  }
  const w = full.map(() => minWidth);
  throw new RangeError(`even ${minWidth} units per layer at ${bits}-bit take ~${size(w)} B, over the target ${targetBytes} B`);
}
