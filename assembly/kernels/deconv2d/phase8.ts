// SIMD core of the deconv2d kernels: 8 output channels of one group against every output pixel of
// every image, 4 pixels per step (tile 4x8: 8 f32x4 accumulators), as a gather over output pixels.
//
//   wb (scratch): [K][8] f32, row k = | W[j0][k] ... W[j0+7][k] |, filled by conv2d/block8.ts's
//                 packers (dense, palettized, block-sparse) or packF16x8 below.
//
// Output pixel (oy, ox) takes tap (ky, kx) from input row iy = (oy + pad_t - ky*dil_h) / stride_h
// when the division is exact. Output rows are split into stride_h phases py = oy mod stride_h; in
// one phase the exact taps are one arithmetic run (the solutions of ky*dil_h = py + pad_t mod
// stride_h):
//
//   ky = ky0, ky0 + kst, ky0 + 2 kst, ...     kst = stride_h / gcd(stride_h, dil_h)
//   iy = j + cy0 - t*dcy   (oy = py + j*stride_h, t-th tap, dcy = dil_h / gcd(stride_h, dil_h))
//
// and columns likewise (phase px), so no MAC is spent on a tap that cannot exist (stride 2 with a
// 4x4 kernel: 4 taps per pixel, not 16). A tile is 4 pixels of one phase in one output row
// (ox, ox + stride_w, ...): one input row per ky tap, 4 input pixels per kx tap, each pointed at
// `zero` (Ig zero floats) when it lies outside the image; the inner loop has no branches.
import { param, storeLanes } from '../../common/gemm';
import { f16ToF32 } from '../../common/f16';
import {
  P_IN_H, P_IN_W, P_IN_C, P_OUT_C, P_KH, P_KW, P_STRIDE_H, P_STRIDE_W, P_PAD_T, P_PAD_L, P_DIL_H, P_DIL_W, P_GROUPS,
} from '../conv2d/common';
import { deconvOutH, deconvOutW } from './common';

/** f16 rows j0..j0+cnt-1 of w ([O][K] binary16) into wb ([K][8] f32); lanes cnt..7 = 0. */
export function packF16x8(w: usize, K: i32, j0: i32, cnt: i32, wb: usize): void {
  memory.fill(wb, 0, <usize>K << 5);
  for (let r = 0; r < cnt; r++) {
    const src = w + ((<usize>(j0 + r) * <usize>K) << 1);
    const dst = wb + (<usize>r << 2);
    for (let k = 0; k < K; k++) store<f32>(dst + (<usize>k << 5), f16ToF32(<u32>load<u16>(src + (<usize>k << 1))));
  }
}

@inline function gcd(a: i32, b: i32): i32 {
  while (b) { const t = a % b; a = b; b = t; }
  return a;
}

@inline function floorMod(a: i32, m: i32): i32 {
  const r = a % m;
  return r < 0 ? r + m : r;
}

/**
 * First tap k0 of phase p along one axis (k*dil = p + pad mod stride), or -1 when the phase has none;
 * kst = stride / gcd(stride, dil) is the distance between taps of one phase.
 */
@inline function firstTap(p: i32, pad: i32, k: i32, stride: i32, dil: i32, kst: i32): i32 {
  const end = min(k, kst);
  for (let t = 0; t < end; t++) if (floorMod(p + pad - t * dil, stride) == 0) return t;
  return -1;
}

/** y for channels j0..j0+cnt-1 (cnt 1..8, all in group g) from packed wb; see the top of this file. */
export function deconvBlock8(
  nb: i32, x: usize, xs: usize, y: usize, ys: usize, params: usize,
  wb: usize, g: i32, j0: i32, cnt: i32, zero: usize, cs: usize, bias: usize,
): void {
  const H = param(params, P_IN_H), W = param(params, P_IN_W), C = param(params, P_IN_C), O = param(params, P_OUT_C);
  const kh = param(params, P_KH), kw = param(params, P_KW), sh = param(params, P_STRIDE_H), sw = param(params, P_STRIDE_W);
  const pt = param(params, P_PAD_T), pl = param(params, P_PAD_L), dh = param(params, P_DIL_H), dw = param(params, P_DIL_W);
  const Ig = C / param(params, P_GROUPS);
  const OH = deconvOutH(params), OW = deconvOutW(params);
  const gy = gcd(sh, dh), gx = gcd(sw, dw);
  const kstY = sh / gy, kstX = sw / gx, dcy = dh / gy, dcx = dw / gx;
  const cOff = <usize>(g * Ig) << 2;
  const pixB = <usize>C << 2;
  const ciB = <usize>Ig << 2;
  const yPixB = <usize>O << 2;
  const tapB = <usize>Ig << 5; // one tap of wb: Ig rows of 8 f32
  for (let img = 0; img < nb; img++) {
    const xi = x + <usize>img * xs + cOff;
    const yi = y + <usize>img * ys;
    for (let py = 0; py < min(sh, OH); py++) {
      const ky0 = firstTap(py, pt, kh, sh, dh, kstY);
      const nky = ky0 < 0 ? 0 : (kh - 1 - ky0) / kstY + 1;
      const cy0 = ky0 < 0 ? 0 : (py + pt - ky0 * dh) / sh; // exact
      for (let px = 0; px < min(sw, OW); px++) {
        const kx0 = firstTap(px, pl, kw, sw, dw, kstX);
        const nkx = kx0 < 0 ? 0 : (kw - 1 - kx0) / kstX + 1;
        const cx0 = kx0 < 0 ? 0 : (px + pl - kx0 * dw) / sw;
        for (let oy = py, j = 0; oy < OH; oy += sh, j++) {
          const yrow = yi + <usize>(oy * OW) * yPixB;
          for (let ox = px, i = 0; ox < OW; ox += sw << 2, i += 4) {
            const np = min(4, (OW - 1 - ox) / sw + 1);
            let a0 = f32x4.splat(0), b0 = a0, a1 = a0, b1 = a0, a2 = a0, b2 = a0, a3 = a0, b3 = a0;
            for (let t = 0; t < nky; t++) {
              const iy = j + cy0 - t * dcy;
              if (<u32>iy >= <u32>H) continue; // the whole tile's row is outside the image
              const xrow = xi + <usize>(iy * W) * pixB;
              const wky = wb + <usize>((ky0 + t * kstY) * kw) * tapB;
              for (let u = 0; u < nkx; u++) {
                const ix = i + cx0 - u * dcx;
                // unsigned compares: one test catches both < 0 and >= W; tail pixels read zero
                const p0 = <u32>ix < <u32>W ? xrow + <usize>ix * pixB : zero;
                const p1 = np > 1 && <u32>(ix + 1) < <u32>W ? xrow + <usize>(ix + 1) * pixB : zero;
                const p2 = np > 2 && <u32>(ix + 2) < <u32>W ? xrow + <usize>(ix + 2) * pixB : zero;
                const p3 = np > 3 && <u32>(ix + 3) < <u32>W ? xrow + <usize>(ix + 3) * pixB : zero;
                let wt = wky + <usize>(kx0 + u * kstX) * tapB;
                for (let o: usize = 0; o < ciB; o += 4) {
                  const w0 = v128.load(wt), w1 = v128.load(wt, 16);
                  const v0 = v128.load32_splat(p0 + o), v1 = v128.load32_splat(p1 + o);
                  const v2 = v128.load32_splat(p2 + o), v3 = v128.load32_splat(p3 + o);
                  a0 = f32x4.add(a0, f32x4.mul(w0, v0)); b0 = f32x4.add(b0, f32x4.mul(w1, v0));
                  a1 = f32x4.add(a1, f32x4.mul(w0, v1)); b1 = f32x4.add(b1, f32x4.mul(w1, v1));
                  a2 = f32x4.add(a2, f32x4.mul(w0, v2)); b2 = f32x4.add(b2, f32x4.mul(w1, v2));
                  a3 = f32x4.add(a3, f32x4.mul(w0, v3)); b3 = f32x4.add(b3, f32x4.mul(w1, v3));
                  wt += 32;
                }
              }
            }
            const step = <usize>sw * yPixB;
            const yp = yrow + <usize>ox * yPixB;
            store8(yp, j0, a0, b0, cnt, cs, bias);
            if (np > 1) store8(yp + step, j0, a1, b1, cnt, cs, bias);
            if (np > 2) store8(yp + 2 * step, j0, a2, b2, cnt, cs, bias);
            if (np > 3) store8(yp + 3 * step, j0, a3, b3, cnt, cs, bias);
          }
        }
      }
    }
  }
}

@inline function store8(yr: usize, j0: i32, a: v128, b: v128, cnt: i32, cs: usize, bias: usize): void {
  storeLanes(yr, j0, a, cnt, cs, bias);
  if (cnt > 4) storeLanes(yr, j0 + 4, b, cnt - 4, cs, bias);
}
