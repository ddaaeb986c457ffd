/**
 * Window ops of the graph trainer with no training kernel, as plain loops over NHWC activations:
 * average pooling (padding excluded from the count, as the runtime's AvgPool) and grouped /
 * depthwise convolution (weights [O, kh, kw, C/groups]). A depthwise layer does kh*kw multiply-adds
 * per output, so loops cost little next to the pointwise GEMMs around it; groups = 1 convs take the
 * im2col + GEMM path of ops.ts.
 */
import { convOutDim } from '../../format/ops.js';
import type { Engine, Tensor } from './tensor.js';

export interface Window {
  kernel: [number, number];
  strides: [number, number];
  /** [top, left, bottom, right] */
  pads: [number, number, number, number];
  dilations: [number, number];
}

function outSize(x: Tensor, w: Window): [number, number] {
  const [, H, W] = x.shape;
  const [kh, kw] = w.kernel;
  const oh = convOutDim(H, kh, w.strides[0], w.pads[0], w.pads[2], w.dilations[0]);
  const ow = convOutDim(W, kw, w.strides[1], w.pads[1], w.pads[3], w.dilations[1]);
  if (!(oh >= 1 && ow >= 1)) throw new Error(`window ${kh}x${kw} does not fit the input [${x.shape}]`);
  return [oh, ow];
}

/**
 * Calls f(o, i) for every output pixel o (index of [B, OH, OW]) and every input pixel i (index of
 * [B, H, W]) its window covers inside the image, in window order.
 */
function forWindows(x: Tensor, win: Window, f: (o: number, i: number, tap: number) => void): [number, number] {
  const [B, H, W] = x.shape;
  const [OH, OW] = outSize(x, win);
  const [kh, kw] = win.kernel;
  for (let b = 0; b < B; b++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const o = (b * OH + oy) * OW + ox;
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * win.strides[0] - win.pads[0] + ky * win.dilations[0];
          if (iy < 0 || iy >= H) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * win.strides[1] - win.pads[1] + kx * win.dilations[1];
            if (ix < 0 || ix >= W) continue;
            f(o, (b * H + iy) * W + ix, ky * kw + kx);
          }
        }
      }
    }
  }
  return [OH, OW];
}

/** Average pooling over the window's pixels inside the image (padding not counted). */
export function avgPool(e: Engine, x: Tensor, win: Window): Tensor {
  const [B, , , C] = x.shape;
  const [OH, OW] = outSize(x, win);
  const y = e.tensor([B, OH, OW, C], x.requiresGrad);
  const counts = new Float32Array(B * OH * OW);
  forWindows(x, win, (o) => { counts[o]++; });
  const m = e.mod.f32;
  const xi = x.ptr >> 2, yi = y.ptr >> 2;
  m.fill(0, yi, yi + y.size);
  forWindows(x, win, (o, i) => { for (let c = 0; c < C; c++) m[yi + o * C + c] += m[xi + i * C + c] / counts[o]; });
  e.record(y, () => {
    const dx = e.sumGrad(x);
    const g = e.mod.f32;
    const dy = y.root.grad >> 2;
    forWindows(x, win, (o, i) => { for (let c = 0; c < C; c++) g[dx + i * C + c] += g[dy + o * C + c] / counts[o]; });
    e.wrote(x);
  });
  return y;
}

/** Grouped convolution, NHWC: x [B, H, W, C], weight [O, kh, kw, C/groups], bias [O] or null. */
export function groupedConv2d(e: Engine, x: Tensor, w: Tensor, b: Tensor | null, win: Omit<Window, 'kernel'>, groups: number): Tensor {
  const [B, , , C] = x.shape;
  const [O, kh, kw, cg] = w.shape;
  const og = O / groups;
  if (cg * groups !== C || !Number.isInteger(og)) throw new Error(`conv ${w.name}: weight [${w.shape}] with ${groups} groups does not fit ${C} input channels`);
  const full: Window = { ...win, kernel: [kh, kw] };
  const [OH, OW] = outSize(x, full);
  const y = e.tensor([B, OH, OW, O], x.requiresGrad || w.requiresGrad || (b?.requiresGrad ?? false));
  // y[o] += x[i, g*cg + c] * w[oc, tap, c] for oc in group g
  const each = (f: (yo: number, xo: number, wo: number) => void) =>
    forWindows(x, full, (o, i, tap) => {
      for (let oc = 0; oc < O; oc++) {
        const g0 = Math.floor(oc / og) * cg;
        for (let c = 0; c < cg; c++) f(o * O + oc, i * C + g0 + c, (oc * kh * kw + tap) * cg + c);
      }
    });
  recordProducts(e, y, x, w, b, each);
  return y;
}

/**
 * Forward and backward of y = bias + sum of products x[xo] * w[wo] into y[yo], for layers written
 * as loops over their products (`each` calls f once per product): grouped convolution here and
 * ConvTranspose (ops-spatial.ts). y [..., O] is set to the bias, then accumulated.
 */
export function recordProducts(
  e: Engine, y: Tensor, x: Tensor, w: Tensor, b: Tensor | null, each: (f: (yo: number, xo: number, wo: number) => void) => void,
): void {
  const O = y.shape[y.shape.length - 1];
  const pixels = y.size / O;
  const m = e.mod.f32;
  const xi = x.ptr >> 2, wi = w.ptr >> 2, yi = y.ptr >> 2;
  for (let p = 0; p < pixels; p++) for (let o = 0; o < O; o++) m[yi + p * O + o] = b ? m[(b.ptr >> 2) + o] : 0;
  each((yo, xo, wo) => { m[yi + yo] += m[xi + xo] * m[wi + wo]; });
  e.record(y, () => {
    const dx = x.requiresGrad ? e.sumGrad(x) : -1;
    const dw = w.requiresGrad ? e.sumGrad(w) : -1;
    const db = b?.requiresGrad ? e.sumGrad(b) : -1;
    const g = e.mod.f32;
    const dy = y.root.grad >> 2;
    each((yo, xo, wo) => {
      const d = g[dy + yo];
      if (dx >= 0) g[dx + xo] += d * g[wi + wo];
      if (dw >= 0) g[dw + wo] += d * g[xi + xo];
    });
    if (db >= 0) for (let p = 0; p < pixels; p++) for (let o = 0; o < O; o++) g[db + o] += g[dy + p * O + o];
    if (dx >= 0) e.wrote(x);
    if (dw >= 0) e.wrote(w);
    if (db >= 0) e.wrote(b!);
  });
}
