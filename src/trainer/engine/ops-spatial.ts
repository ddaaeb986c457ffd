/**
 * The format 1.1 spatial ops on the graph trainer, as plain loops over activations with the batch
 * axis first (as ops-window.ts): Slice (any rank, negative steps), Resize (2-D NHWC, nearest or
 * bilinear, every ONNX coordinate mode: the same index tables as the runtime, format/ops-spatial.ts
 * resizeAxis) and ConvTranspose (NHWC, weights [O, kh, kw, C/groups], written as ONNX defines it:
 * each input pixel scatters into the output pixels its taps reach). Each backward is the transpose
 * of its forward: Slice and Resize scatter the output gradient back to the elements they read,
 * ConvTranspose gathers it.
 */
import { convTransposeOutDim, resizeAxis, type SliceAxis } from '../../format/ops-spatial.js';
import type { AttrValue } from '../../format/types.js';
import type { Engine, Tensor } from './tensor.js';
import { recordProducts } from './ops-window.js';

/** Row-major strides of a shape. */
function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

/**
 * x [B, ...shape] sliced along the per-example axes of `axes` (sliceAxes of the format: start, step,
 * count per axis; axis 0 of `axes` is the first per-example axis). For every output element, the
 * index of the input element it copies.
 */
function sliceSources(x: Tensor, axes: readonly SliceAxis[]): Int32Array {
  const inShape = x.shape;
  const outShape = [inShape[0], ...axes.map((a) => a.count)];
  const inStr = strides(inShape);
  const n = outShape.reduce((a, b) => a * b, 1);
  const src = new Int32Array(n);
  const idx = new Array<number>(outShape.length).fill(0);
  for (let o = 0; o < n; o++) {
    let i = idx[0] * inStr[0];
    for (let d = 1; d < outShape.length; d++) {
      const a = axes[d - 1];
      i += (a.start + idx[d] * a.step) * inStr[d];
    }
    src[o] = i;
    for (let d = outShape.length - 1; d >= 0; d--) {
      if (++idx[d] < outShape[d]) break;
      idx[d] = 0;
    }
  }
  return src;
}

/** ONNX Slice of x [B, ...]; `axes` from format/ops-spatial.ts sliceAxes on the per-example shape. */
export function slice(e: Engine, x: Tensor, axes: readonly SliceAxis[]): Tensor {
  const src = sliceSources(x, axes);
  const y = e.tensor([x.shape[0], ...axes.map((a) => a.count)], x.requiresGrad);
  const m = e.mod.f32;
  const xi = x.ptr >> 2, yi = y.ptr >> 2;
  for (let o = 0; o < src.length; o++) m[yi + o] = m[xi + src[o]];
  e.record(y, () => {
    const dx = e.sumGrad(x);
    const g = e.mod.f32;
    const dy = y.root.grad >> 2;
    for (let o = 0; o < src.length; o++) g[dx + src[o]] += g[dy + o];
    e.wrote(x);
  });
  return y;
}

/**
 * ONNX Resize of x [B, H, W, C] to [B, OH, OW, C]: nearest copies the source pixel of the tables;
 * linear interpolates rows then columns as the runtime's kernel does, y = lerp(lerp(x00, x01, tx),
 * lerp(x10, x11, tx), ty), whose gradient sends dy to the four sources by the bilinear weights.
 */
export function resize(e: Engine, x: Tensor, attrs: Readonly<Record<string, AttrValue>>, outHW: [number, number], scales: [number, number]): Tensor {
  const [B, H, W, C] = x.shape;
  const [OH, OW] = outHW;
  const rows = resizeAxis(attrs, H, OH, scales[0]);
  const cols = resizeAxis(attrs, W, OW, scales[1]);
  const linear = attrs.mode !== 'nearest';
  const y = e.tensor([B, OH, OW, C], x.requiresGrad);
  /** Calls f(output pixel, input pixel, weight) for the 1 (nearest) or 4 (linear) sources of each output pixel. */
  const each = (f: (o: number, i: number, wgt: number) => void) => {
    for (let b = 0; b < B; b++) {
      for (let oy = 0; oy < OH; oy++) {
        const r0 = rows.i0[oy], r1 = rows.i1[oy], ty = rows.t[oy];
        for (let ox = 0; ox < OW; ox++) {
          const o = (b * OH + oy) * OW + ox;
          const c0 = cols.i0[ox], c1 = cols.i1[ox], tx = cols.t[ox];
          const at = (r: number, c: number) => (b * H + r) * W + c;
          if (!linear) {
            f(o, at(r0, c0), 1);
            continue;
          }
          f(o, at(r0, c0), (1 - ty) * (1 - tx));
          f(o, at(r0, c1), (1 - ty) * tx);
          f(o, at(r1, c0), ty * (1 - tx));
          f(o, at(r1, c1), ty * tx);
        }
      }
    }
  };
  const m = e.mod.f32;
  const xi = x.ptr >> 2, yi = y.ptr >> 2;
  m.fill(0, yi, yi + y.size);
  each((o, i, wgt) => { for (let c = 0; c < C; c++) m[yi + o * C + c] += wgt * m[xi + i * C + c]; });
  e.record(y, () => {
    const dx = e.sumGrad(x);
    const g = e.mod.f32;
    const dy = y.root.grad >> 2;
    each((o, i, wgt) => { for (let c = 0; c < C; c++) g[dx + i * C + c] += wgt * g[dy + o * C + c]; });
    e.wrote(x);
  });
  return y;
}

export interface TransposeWindow {
  strides: [number, number];
  /** [top, left, bottom, right] */
  pads: [number, number, number, number];
  dilations: [number, number];
  outputPadding: [number, number];
  groups: number;
}

/**
 * ONNX ConvTranspose, NHWC: x [B, H, W, C], weight [O, kh, kw, C/groups], bias [O] or null; every
 * input pixel (iy, ix) adds x * W[o][ky][kx][ci] into output pixel (iy*sh - pt + ky*dh, ix*sw - pl +
 * kx*dw) when that lies inside the output.
 */
export function convTranspose(e: Engine, x: Tensor, w: Tensor, b: Tensor | null, win: TransposeWindow): Tensor {
  const [B, H, W, C] = x.shape;
  const [O, kh, kw, cg] = w.shape;
  const groups = win.groups;
  const og = O / groups;
  if (cg * groups !== C || !Number.isInteger(og)) throw new Error(`conv transpose ${w.name}: weight [${w.shape}] with ${groups} groups does not fit ${C} input channels`);
  const [sh, sw] = win.strides, [dh, dw] = win.dilations, [pt, pl, pb, pr] = win.pads;
  const OH = convTransposeOutDim(H, kh, sh, pt, pb, dh, win.outputPadding[0]);
  const OW = convTransposeOutDim(W, kw, sw, pl, pr, dw, win.outputPadding[1]);
  const y = e.tensor([B, OH, OW, O], x.requiresGrad || w.requiresGrad || (b?.requiresGrad ?? false));
  /** f(output element, input element, weight element) for every product of the definition. */
  const each = (f: (yo: number, xo: number, wo: number) => void) => {
    for (let bi = 0; bi < B; bi++) {
      for (let iy = 0; iy < H; iy++) {
        for (let ix = 0; ix < W; ix++) {
          const xp = ((bi * H + iy) * W + ix) * C;
          for (let ky = 0; ky < kh; ky++) {
            const oy = iy * sh - pt + ky * dh;
            if (oy < 0 || oy >= OH) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ox = ix * sw - pl + kx * dw;
              if (ox < 0 || ox >= OW) continue;
              const yp = ((bi * OH + oy) * OW + ox) * O;
              for (let o = 0; o < O; o++) {
                const g0 = Math.floor(o / og) * cg;
                const wp = ((o * kh + ky) * kw + kx) * cg;
                for (let ci = 0; ci < cg; ci++) f(yp + o, xp + g0 + ci, wp + ci);
              }
            }
          }
        }
      }
    }
  };
  recordProducts(e, y, x, w, b, each);
  return y;
}
