/**
 * Oracles of Resize (2-D, NHWC images [H, W, C] per example), written from the definitions, never
 * from kernel or runtime code:
 *
 *  - resizeFromTables: the resize kernels' ABI (assembly/kernels/resize/table.ts): nearest copies
 *    x[rows[oy]][cols[ox]]; bilinear interpolates along W between (c0, c1) with weight tx, then along
 *    H between (r0, r1) with weight ty, in float64.
 *  - onnxResize: ONNX Resize (opsets 11-19), modes nearest and linear, from the operator text and its
 *    reference implementation: per axis, the output coordinate x maps to
 *        half_pixel           (x + 0.5) / scale - 0.5
 *        pytorch_half_pixel   (x + 0.5) / scale - 0.5 if the output length > 1, else 0
 *        align_corners        x * (in - 1) / (out - 1) (0 if out = 1)
 *        asymmetric           x / scale
 *        tf_half_pixel_for_nn (x + 0.5) / scale
 *    with scale = the given scale, else out / in. Nearest: round_prefer_floor / round_prefer_ceil
 *    (a tie .5 goes down / up, else to the nearest), floor, ceil; the index is clamped to [0, in-1].
 *    Linear: the two neighbours floor(xo), floor(xo) + 1 of the edge-padded input (index clamped to
 *    [0, in-1]) with weights 1 - r, r (r = xo - floor(xo)), applied along W then along H.
 *
 * Tolerance: nearest exact. Bilinear, per output, with m = the largest |x| of its 4 source values:
 * vs oracle 2^-20 * m (3 f32 lerps plus f32 weights); SIMD vs its ref: equal bit for bit.
 */

export const BILINEAR_TOL = 2 ** -20;

export interface ResizeGeom { H: number; W: number; C: number; OH: number; OW: number }

/** Bilinear table entry: source indices and the weight of the second. */
export interface LerpEntry { i0: number; i1: number; t: number }

export function resizeFromTables(
  kind: 'nearest' | 'bilinear', nb: number, g: ResizeGeom, x: ArrayLike<number>,
  rows: ArrayLike<number> | readonly LerpEntry[], cols: ArrayLike<number> | readonly LerpEntry[],
): { y: Float64Array; mag: Float64Array } {
  const { H, W, C, OH, OW } = g;
  const y = new Float64Array(nb * OH * OW * C);
  const mag = new Float64Array(y.length);
  const at = (b: number, r: number, c: number, ch: number) => x[((b * H + r) * W + c) * C + ch];
  for (let b = 0; b < nb; b++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) for (let ch = 0; ch < C; ch++) {
    const i = ((b * OH + oy) * OW + ox) * C + ch;
    if (kind === 'nearest') {
      y[i] = at(b, (rows as ArrayLike<number>)[oy], (cols as ArrayLike<number>)[ox], ch);
      continue;
    }
    const re = (rows as readonly LerpEntry[])[oy], ce = (cols as readonly LerpEntry[])[ox];
    const v = [[re.i0, ce.i0], [re.i0, ce.i1], [re.i1, ce.i0], [re.i1, ce.i1]].map(([r, c]) => at(b, r, c, ch));
    const top = v[0] * (1 - ce.t) + v[1] * ce.t;
    const bottom = v[2] * (1 - ce.t) + v[3] * ce.t;
    y[i] = top * (1 - re.t) + bottom * re.t;
    mag[i] = Math.max(...v.map(Math.abs));
  }
  return { y, mag };
}

export interface OnnxResizeAttrs {
  mode: 'nearest' | 'linear';
  coordinate_transformation_mode: string;
  nearest_mode: string;
  /** [scale_h, scale_w], or undefined: out / in. */
  scales?: readonly number[];
}

/** Source coordinate of output coordinate x along one axis (ONNX coordinate_transformation_mode). */
export function sourceCoord(mode: string, x: number, scale: number, inLen: number, outLen: number): number {
  switch (mode) {
    case 'half_pixel': return (x + 0.5) / scale - 0.5;
    case 'pytorch_half_pixel': return outLen > 1 ? (x + 0.5) / scale - 0.5 : 0;
    case 'align_corners': return outLen === 1 ? 0 : (x * (inLen - 1)) / (outLen - 1);
    case 'asymmetric': return x / scale;
    case 'tf_half_pixel_for_nn': return (x + 0.5) / scale;
    default: throw new Error(`oracle: coordinate mode ${mode}`);
  }
}

function nearestIndex(mode: string, xo: number, inLen: number): number {
  const f = Math.floor(xo);
  const r = xo - f;
  let i: number;
  if (r === 0) i = f;
  else if (mode === 'round_prefer_floor') i = r <= 0.5 ? f : f + 1;
  else if (mode === 'round_prefer_ceil') i = r < 0.5 ? f : f + 1;
  else if (mode === 'floor') i = f;
  else if (mode === 'ceil') i = f + 1;
  else throw new Error(`oracle: nearest mode ${mode}`);
  return Math.min(Math.max(i, 0), inLen - 1);
}

/** Linear interpolation of the edge-padded sequence v at source coordinate xo. */
function interp1d(v: (i: number) => number, xo: number, inLen: number): number {
  const f = Math.floor(xo);
  const r = xo - f;
  const clamp = (i: number) => Math.min(Math.max(i, 0), inLen - 1);
  return (1 - r) * v(clamp(f)) + r * v(clamp(f + 1));
}

/** ONNX Resize of nb NHWC images [H, W, C] to [OH, OW, C], float64. */
export function onnxResize(nb: number, g: ResizeGeom, x: ArrayLike<number>, a: OnnxResizeAttrs): Float64Array {
  const { H, W, C, OH, OW } = g;
  const sh = a.scales ? a.scales[0] : OH / H;
  const sw = a.scales ? a.scales[1] : OW / W;
  const ys = Array.from({ length: OH }, (_, oy) => sourceCoord(a.coordinate_transformation_mode, oy, sh, H, OH));
  const xs = Array.from({ length: OW }, (_, ox) => sourceCoord(a.coordinate_transformation_mode, ox, sw, W, OW));
  const y = new Float64Array(nb * OH * OW * C);
  const at = (b: number, r: number, c: number, ch: number) => x[((b * H + r) * W + c) * C + ch];
  for (let b = 0; b < nb; b++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) for (let ch = 0; ch < C; ch++) {
    const i = ((b * OH + oy) * OW + ox) * C + ch;
    if (a.mode === 'nearest') {
      y[i] = at(b, nearestIndex(a.nearest_mode, ys[oy], H), nearestIndex(a.nearest_mode, xs[ox], W), ch);
    } else {
      // along W for every source row, then along H
      y[i] = interp1d((r) => interp1d((c) => at(b, r, c, ch), xs[ox], W), ys[oy], H);
    }
  }
  return y;
}
