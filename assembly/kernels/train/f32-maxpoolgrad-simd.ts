// f32_maxpoolgrad__simd: as f32_maxpoolgrad__ref (the reference; same sums in the same order, so
// the same result bit for bit for non-NaN x). Channels in lanes, 4 at a time (1..3 remainder in
// partial vectors): the window max m = pmax over the taps, then a second scan in the same
// row-major order gives the gradient to the first tap equal to m (`todo` clears a lane once taken);
// taps that are not the max get + 0 (so a -0 in dx may become +0: the only difference to the ref).
import { param } from '../../common/gemm';
import { P_IN_H, P_IN_W, P_IN_C, P_KH, P_KW, P_STRIDE_H, P_STRIDE_W, P_PAD_T, P_PAD_L, P_PAD_B, P_PAD_R } from '../conv2d/common';
import { geoOut, P_ACCUM } from './common';
import { loadTail, storeTail } from '../eltwise/math';

@inline function ld(p: usize, cols: i32, fill: f32): v128 {
  return cols >= 4 ? v128.load(p) : loadTail(p, cols, fill);
}

export function f32_maxpoolgrad__simd(n: i32, x: usize, dy: usize, dx: usize, x_stride: i32, y_stride: i32, params: usize): void {
  const H = param(params, P_IN_H), W = param(params, P_IN_W), C = param(params, P_IN_C);
  const kh = param(params, P_KH), kw = param(params, P_KW), sh = param(params, P_STRIDE_H), sw = param(params, P_STRIDE_W);
  const pt = param(params, P_PAD_T), pl = param(params, P_PAD_L);
  const OH = geoOut(H, kh, sh, pt, param(params, P_PAD_B), 1), OW = geoOut(W, kw, sw, pl, param(params, P_PAD_R), 1);
  assert(n >= 1 && H >= 1 && W >= 1 && C >= 1 && OH >= 1 && OW >= 1);
  assert(pt < kh && pl < kw && param(params, P_PAD_B) < kh && param(params, P_PAD_R) < kw);
  const accum = param(params, P_ACCUM) != 0;
  const ninf = f32x4.splat(-Infinity), zero = f32x4.splat(0);
  for (let b = 0; b < n; b++) {
    const xi = x + <usize>b * <usize>x_stride, di = dx + <usize>b * <usize>x_stride;
    let g = dy + <usize>b * <usize>y_stride;
    if (!accum) memory.fill(di, 0, <usize>(H * W * C) << 2);
    for (let oy = 0; oy < OH; oy++) {
      const y0 = max(oy * sh - pt, 0), y1 = min(oy * sh - pt + kh, H);
      for (let ox = 0; ox < OW; ox++) {
        const x0 = max(ox * sw - pl, 0), x1 = min(ox * sw - pl + kw, W);
        for (let c = 0; c < C; c += 4) {
          const cols = min(C - c, 4);
          const co = <usize>c << 2;
          let m = ninf;
          for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0; ix < x1; ix++) {
              m = f32x4.pmax(m, ld(xi + (<usize>((iy * W + ix) * C) << 2) + co, cols, -Infinity));
            }
          }
          const gv = ld(g + co, cols, 0);
          // branch-free: which tap holds the max is data-dependent (a branch on it mispredicts)
          let todo = i32x4.splat(-1);
          for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0; ix < x1; ix++) {
              const o = (<usize>((iy * W + ix) * C) << 2) + co;
              const hit = v128.and(f32x4.eq(ld(xi + o, cols, -Infinity), m), todo);
              const d = di + o;
              const nv = f32x4.add(ld(d, cols, 0), v128.and(gv, hit));
              if (cols >= 4) v128.store(d, nv); else storeTail(d, nv, cols);
              todo = v128.andnot(todo, hit);
            }
          }
        }
        g += <usize>C << 2;
      }
    }
  }
}
