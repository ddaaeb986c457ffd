/**
 * Choosing how many filters / neurons to keep when a target size is below what block masks over
 * the full-width layers can reach (a mask costs a bit per block of every layer, kept or not;
 * removing whole units costs nothing). One scale g shrinks every shrinkable layer (structure.ts)
 * by its profile, the largest g whose estimated file at `bits` per weight fits the target. The
 * profile follows the shape of the narrow LeNet-5s measured best per byte (docs/results.md: 5,10,32
 * and 6,12,32 of 20,50,500 at >= 99.0%), read from the graph: the first conv layer g, later conv
 * layers 0.8 g, a fully connected layer fed by convs 0.25 g, fully connected layers of a plain MLP
 * g. A greedy cut by bytes per log-width, tried first, thinned conv2 to 4 filters at 8 KB, because
 * conv2 filters also feed fc1's columns.
 */
import type { DenseModel } from './dense-model.js';
import { compressibleLayers } from './engine/graph-net.js';
import { shrinkableUnits, type Unit } from './structure.js';

export interface WidthPlan {
  /** Units kept per shrinkable layer (structure.ts order). */
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

/** [rows, cols] of every compressible weight when the shrinkable layers keep `w` units. */
function layerShapes(m: DenseModel, units: readonly Unit[], w: readonly number[]): Array<[number, number]> {
  const rowsOf = new Map(units.map((u, i) => [u.weight, w[i]]));
  const fedBy = new Map(units.map((u, i) => [u.next, i]));
  return compressibleLayers(m).map((l) => {
    const rows = l.shape[0];
    const cols = l.shape.slice(1).reduce((a, b) => a * b, 1);
    const i = fedBy.get(l.name);
    return [rowsOf.get(l.name) ?? rows, i === undefined ? cols : (cols / units[i].width) * w[i]];
  });
}

/** The full widths of the shrinkable layers. */
export function fullWidths(m: DenseModel): number[] {
  return shrinkableUnits(m).map((u) => u.width);
}

export function estimateBytes(m: DenseModel, widths: number[], bits: number, overheadBytes: number): number {
  return overheadBytes + layerShapes(m, shrinkableUnits(m), widths).reduce((a, [r, c]) => a + layerBytes(r, c, bits), 0);
}

/** Width profile per layer (fraction of g), see the header. */
function profileOf(units: readonly Unit[]): number[] {
  const anyConv = units.some((u) => u.kind === 'conv');
  let convs = 0;
  return units.map((u) => (u.kind === 'conv' ? (convs++ === 0 ? 1 : 0.8) : anyConv && u.afterConv ? 0.25 : 1));
}

/** The widths whose estimated file at `bits` fits `targetBytes` (see the header); throws when even minWidth everywhere does not. */
export function chooseWidths(m: DenseModel, targetBytes: number, o: WidthOptions): WidthPlan {
  const bits = o.bits ?? 4;
  const minWidth = o.minWidth ?? 2;
  const units = shrinkableUnits(m);
  if (units.length === 0) throw new RangeError('no layer of this model can lose filters or neurons');
  const full = units.map((u) => u.width);
  const profile = profileOf(units);
  const at = (g: number) => full.map((f, i) => Math.min(f, Math.max(minWidth, Math.round(f * profile[i] * g))));
  const size = (x: number[]) => estimateBytes(m, x, bits, o.overheadBytes);
  for (let g = 1; g > 1e-3; g *= 0.97) {
    const w = at(g);
    if (size(w) <= targetBytes) return { widths: w, full, estimatedBytes: size(w) };
  }
  const w = full.map(() => minWidth);
  throw new RangeError(`even ${minWidth} units per layer at ${bits}-bit take ~${size(w)} B, over the target ${targetBytes} B`);
}
