// f32_gemm_dense_2x4__simd: y[i][j] = chscale[j] * sum_k W[j][k] * x[i][k] + bias[j]
// Tile: 2 batch rows x 4 output channels; each f32x4 of W is loaded once and used for both rows.
//
//   w: f32 [n][k]              k loop, 4 floats per step:
//   row j   |w0 w1 w2 w3|w4 ...     acc[i][r] += W[j+r][c..c+3] * x[i][c..c+3]   (8 f32x4 accumulators)
//   row j+1 |...        |           then hsum4 -> one f32x4 of 4 outputs per batch row
//   row j+2, j+3
//
// Remainders: k % 4 scalar; a last single batch row; n % 4 channels one at a time.
// Blocks of 4 channels are the outer loop, so a 4-row panel of W (16*k bytes) is streamed from
// memory once and reread from cache by the later batch-row pairs.
// Preconditions: k, n, m >= 1; strides multiples of 4, >= the row width. Ref: f32_gemm_dense__ref.
import { P_CHSCALE, paramPtr, epilogue, epilogue4, hsum, hsum4 } from '../../common/gemm';

@inline function tail4(wr: usize, rowB: usize, xr: usize, c0: i32, k: i32): v128 {
  let t0: f32 = 0, t1: f32 = 0, t2: f32 = 0, t3: f32 = 0;
  for (let c = c0; c < k; c++) {
    const o = <usize>c << 2;
    const xv = load<f32>(xr + o);
    t0 += load<f32>(wr + o) * xv;
    t1 += load<f32>(wr + rowB + o) * xv;
    t2 += load<f32>(wr + 2 * rowB + o) * xv;
    t3 += load<f32>(wr + 3 * rowB + o) * xv;
  }
  return f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(t0), 1, t1), 2, t2), 3, t3);
}

export function f32_gemm_dense_2x4__simd(
  m: i32, n: i32, k: i32,
  x: usize, w: usize, pal: usize, mask: usize, bias: usize, y: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  assert(m >= 1 && n >= 1 && k >= 1);
  assert(x_stride >= k * 4 && y_stride >= n * 4);
  const cs = paramPtr(params, P_CHSCALE);
  const rowB = <usize>k << 2;
  const k4 = k & ~3;
  const xs = <usize>x_stride;
  const ys = <usize>y_stride;
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const w0 = w + <usize>j * rowB;
    const w1 = w0 + rowB, w2 = w1 + rowB, w3 = w2 + rowB;
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
        ra = f32x4.add(ra, tail4(w0, rowB, xa, k4, k));
        rb = f32x4.add(rb, tail4(w0, rowB, xb, k4, k));
      }
      v128.store(y + <usize>i * ys + (<usize>j << 2), epilogue4(ra, j, cs, bias));
      v128.store(y + <usize>(i + 1) * ys + (<usize>j << 2), epilogue4(rb, j, cs, bias));
    }
    if (i < m) {
      // last single batch row: 4 independent accumulator chains, one per channel
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
      if (k4 < k) ra = f32x4.add(ra, tail4(w0, rowB, xa, k4, k));
      v128.store(y + <usize>i * ys + (<usize>j << 2), epilogue4(ra, j, cs, bias));
    }
  }
  for (; j < n; j++) {
    // remaining channels one at a time
    const wr = w + <usize>j * rowB;
    for (let i = 0; i < m; i++) {
      const xa = x + <usize>i * xs;
      let a = f32x4.splat(0);
      for (let c = 0; c < k4; c += 4) {
        const o = <usize>c << 2;
        a = f32x4.add(a, f32x4.mul(v128.load(wr + o), v128.load(xa + o)));
      }
      let s = hsum(a);
      for (let c = k4; c < k; c++) s += load<f32>(wr + (<usize>c << 2)) * load<f32>(xa + (<usize>c << 2));
      store<f32>(y + <usize>i * ys + (<usize>j << 2), epilogue(s, j, cs, bias));
    }
  }
}
