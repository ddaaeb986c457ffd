// Second half of the decode-then-dot gemm kernels: one decoded weight row (f32 in an L1-sized
// buffer) against every batch row, 4 batch rows per pass so each buffer vector is loaded once
// per 4 rows. Writes y[i][j] = epilogue(dot) for all i.
import { epilogue, hsum } from './gemm';

export function dotRowsF32(
  wb: usize, k: i32, m: i32, x: usize, xs: usize, y: usize, ys: usize, j: i32, cs: usize, bias: usize,
): void {
  const k4 = k & ~3;
  const yo = <usize>j << 2;
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const x0 = x + <usize>i * xs, x1 = x0 + xs, x2 = x1 + xs, x3 = x2 + xs;
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
    for (let c = 0; c < k4; c += 4) {
      const o = <usize>c << 2;
      const v = v128.load(wb + o);
      a0 = f32x4.add(a0, f32x4.mul(v, v128.load(x0 + o)));
      a1 = f32x4.add(a1, f32x4.mul(v, v128.load(x1 + o)));
      a2 = f32x4.add(a2, f32x4.mul(v, v128.load(x2 + o)));
      a3 = f32x4.add(a3, f32x4.mul(v, v128.load(x3 + o)));
    }
    let s0 = hsum(a0), s1 = hsum(a1), s2 = hsum(a2), s3 = hsum(a3);
    for (let c = k4; c < k; c++) {
      const o = <usize>c << 2;
      const v = load<f32>(wb + o);
      s0 += v * load<f32>(x0 + o); s1 += v * load<f32>(x1 + o);
      s2 += v * load<f32>(x2 + o); s3 += v * load<f32>(x3 + o);
    }
    const yr = y + <usize>i * ys + yo;
    store<f32>(yr, epilogue(s0, j, cs, bias));
    store<f32>(yr + ys, epilogue(s1, j, cs, bias));
    store<f32>(yr + 2 * ys, epilogue(s2, j, cs, bias));
    store<f32>(yr + 3 * ys, epilogue(s3, j, cs, bias));
  }
  for (; i < m; i++) {
    const x0 = x + <usize>i * xs;
    // two accumulators: the add latency, not the loads, bounds a single chain
    let a0 = f32x4.splat(0), a1 = a0;
    let c = 0;
    for (; c + 8 <= k; c += 8) {
      const o = <usize>c << 2;
      a0 = f32x4.add(a0, f32x4.mul(v128.load(wb + o), v128.load(x0 + o)));
      a1 = f32x4.add(a1, f32x4.mul(v128.load(wb + o, 16), v128.load(x0 + o, 16)));
    }
    if (c < k4) {
      const o = <usize>c << 2;
      a0 = f32x4.add(a0, f32x4.mul(v128.load(wb + o), v128.load(x0 + o)));
      c += 4;
    }
    let s = hsum(f32x4.add(a0, a1));
    for (; c < k; c++) s += load<f32>(wb + (<usize>c << 2)) * load<f32>(x0 + (<usize>c << 2));
    store<f32>(y + <usize>i * ys + yo, epilogue(s, j, cs, bias));
  }
}
