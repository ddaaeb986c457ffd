// Decode-then-dense ("slab") gemm for large batch m: a slab of 4 output channels is decoded once
// into f32 scratch (4 rows of `ks` floats, row-major like dense W), then the dense 2x4 microkernel
// (assembly/kernels/gemm/f32-gemm-dense-2x4-simd.ts: 2 batch rows x 4 channels, k in lanes) runs
// over every batch row. The decode costs ~4*k lookups per slab against 4*m*k multiply-adds.
//
//   slab: | row j   : k f32 (+ pad to ks) |     rows past n (last slab) alias row 0: computed,
//         | row j+1 |                     |     never stored (storeLanes stores cnt lanes)
//         | row j+2 | row j+3             |
import { hsum4, storeLanes } from './gemm';

@inline function tail4(w0: usize, w1: usize, w2: usize, w3: usize, xr: usize, c0: i32, k: i32): v128 {
  let t0: f32 = 0, t1: f32 = 0, t2: f32 = 0, t3: f32 = 0;
  for (let c = c0; c < k; c++) {
    const o = <usize>c << 2;
    const xv = load<f32>(xr + o);
    t0 += load<f32>(w0 + o) * xv;
    t1 += load<f32>(w1 + o) * xv;
    t2 += load<f32>(w2 + o) * xv;
    t3 += load<f32>(w3 + o) * xv;
  }
  return f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(t0), 1, t1), 2, t2), 3, t3);
}

/**
 * y[i][j + r] = epilogue(sum_c W_r[c] * x[i][c]) for i < m, r < cnt (1..4), W_r = row r of the slab
 * (rows w0..w3, rows >= cnt may alias any valid row: their results are dropped).
 */
export function slabDot2x4(
  w0: usize, w1: usize, w2: usize, w3: usize, k: i32, m: i32,
  x: usize, xs: usize, y: usize, ys: usize, j: i32, cnt: i32, cs: usize, bias: usize,
): void {
  const k4 = k & ~3;
  let i = 0;
  for (; i + 2 <= m; i += 2) {
    const xa = x + <usize>i * xs;
    const xb = xa + xs;
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
    let b0 = a0, b1 = a0, b2 = a0, b3 = a0;
    for (let c = 0; c < k4; c += 4) {
      const o = <usize>c << 2;
      const va = v128.load(xa + o);
      const vb = v128.load(xb + o);
      const v0 = v128.load(w0 + o);
      const v1 = v128.load(w1 + o);
      const v2 = v128.load(w2 + o);
      const v3 = v128.load(w3 + o);
      a0 = f32x4.add(a0, f32x4.mul(v0, va)); b0 = f32x4.add(b0, f32x4.mul(v0, vb));
      a1 = f32x4.add(a1, f32x4.mul(v1, va)); b1 = f32x4.add(b1, f32x4.mul(v1, vb));
      a2 = f32x4.add(a2, f32x4.mul(v2, va)); b2 = f32x4.add(b2, f32x4.mul(v2, vb));
      a3 = f32x4.add(a3, f32x4.mul(v3, va)); b3 = f32x4.add(b3, f32x4.mul(v3, vb));
    }
    let ra = hsum4(a0, a1, a2, a3);
    let rb = hsum4(b0, b1, b2, b3);
    if (k4 < k) {
      ra = f32x4.add(ra, tail4(w0, w1, w2, w3, xa, k4, k));
      rb = f32x4.add(rb, tail4(w0, w1, w2, w3, xb, k4, k));
    }
    storeLanes(y + <usize>i * ys, j, ra, cnt, cs, bias);
    storeLanes(y + <usize>(i + 1) * ys, j, rb, cnt, cs, bias);
  }
  if (i < m) {
    const xa = x + <usize>i * xs;
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
    for (let c = 0; c < k4; c += 4) {
      const o = <usize>c << 2;
      const va = v128.load(xa + o);
      a0 = f32x4.add(a0, f32x4.mul(v128.load(w0 + o), va));
      a1 = f32x4.add(a1, f32x4.mul(v128.load(w1 + o), va));
      a2 = f32x4.add(a2, f32x4.mul(v128.load(w2 + o), va));
      a3 = f32x4.add(a3, f32x4.mul(v128.load(w3 + o), va));
    }
    let ra = hsum4(a0, a1, a2, a3);
    if (k4 < k) ra = f32x4.add(ra, tail4(w0, w1, w2, w3, xa, k4, k));
    storeLanes(y + <usize>i * ys, j, ra, cnt, cs, bias);
  }
}
