// f32_resizebilinear__simd: 2-D bilinear resize of NHWC images (formula, tables and preconditions:
// f32_resizebilinear__ref, the reference). Channels in lanes: per output pixel the 4 source pixels'
// channel vectors are combined 4 channels at a time with splatted weights, in the reference's order
// of operations (no fused multiply-add), so results equal the reference bit for bit.
//
//   | p00: c c c c | c ... |   | p01: c c c c | ... |    top    = p00 + (p01 - p00) * tx
//   | p10: c c c c | c ... |   | p11: c c c c | ... |    bottom = p10 + (p11 - p10) * tx
//                                                        y      = top + (bottom - top) * ty
import { R_W, R_C, R_OH, R_OW, R_ROWS, R_COLS, checkResize } from './table';

@inline function lerp4(a: v128, b: v128, t: v128): v128 {
  return f32x4.add(a, f32x4.mul(f32x4.sub(b, a), t));
}

@inline function lerp(a: f32, b: f32, t: f32): f32 {
  return a + (b - a) * t;
}

export function f32_resizebilinear__simd(n: i32, x: usize, y: usize, x_stride: i32, y_stride: i32, params: usize): void {
  checkResize(n, x_stride, y_stride, params, 12);
  const W = load<i32>(params + R_W), C = load<i32>(params + R_C);
  const OH = load<i32>(params + R_OH), OW = load<i32>(params + R_OW);
  const rows = <usize>load<u32>(params + R_ROWS), cols = <usize>load<u32>(params + R_COLS);
  const pixB = <usize>C << 2;
  const body = pixB & ~(<usize>15);
  for (let b = 0; b < n; b++) {
    const xi = x + <usize>b * <usize>x_stride;
    let dst = y + <usize>b * <usize>y_stride;
    for (let oy = 0; oy < OH; oy++) {
      const re = rows + <usize>oy * 12;
      const x0 = xi + <usize>(load<i32>(re) * W) * pixB, x1 = xi + <usize>(load<i32>(re, 4) * W) * pixB;
      const ty = load<f32>(re, 8);
      const tyv = f32x4.splat(ty);
      for (let ox = 0; ox < OW; ox++, dst += pixB) {
        const ce = cols + <usize>ox * 12;
        const c0 = <usize>load<i32>(ce) * pixB, c1 = <usize>load<i32>(ce, 4) * pixB;
        const tx = load<f32>(ce, 8);
        const txv = f32x4.splat(tx);
        const p00 = x0 + c0, p01 = x0 + c1, p10 = x1 + c0, p11 = x1 + c1;
        let o: usize = 0;
        for (; o < body; o += 16) {
          const top = lerp4(v128.load(p00 + o), v128.load(p01 + o), txv);
          const bottom = lerp4(v128.load(p10 + o), v128.load(p11 + o), txv);
          v128.store(dst + o, lerp4(top, bottom, tyv));
        }
        for (; o < pixB; o += 4) {
          const top = lerp(load<f32>(p00 + o), load<f32>(p01 + o), tx);
          const bottom = lerp(load<f32>(p10 + o), load<f32>(p11 + o), tx);
          store<f32>(dst + o, lerp(top, bottom, ty));
        }
      }
    }
  }
}
