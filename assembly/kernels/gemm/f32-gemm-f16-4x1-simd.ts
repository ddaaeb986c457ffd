// f32_gemm_f16_4x1__simd: y[i][j] = chscale[j] * sum_k f32(W[j][k]) * x[i][k] + bias[j], W binary16
//
//   w row j: | h0 h1 h2 h3 h4 h5 h6 h7 | h8 ...   8 halves -> widen to u32 -> exact f16->f32
//            (assembly/common/f16.ts: subnormals, inf, nan kept) -> row buffer -> 4-batch-row dot
//
// m < 4 (batch 1-3, where a row buffer is written and read once per batch row): fused instead, 4
// output channels per pass sharing each x load; 8 halves -> 2 interleaves with zero (halves in the
// high 16 bits) -> f16x4HiToF32x4 (3 ops per 4, finite weights) -> the same two accumulators and sum
// order as dotRowsF32's single-row loop, so both paths give the same bits.
//
// scratch: row buffer roundup(k, 8) f32. Preconditions: k, n, m >= 1; finite weights (validated at
// load). Ref: f32_gemm_f16__ref.
import { P_CHSCALE, P_SCRATCH, paramPtr, epilogue, hsum } from '../../common/gemm';
import { f16ToF32, f16x4ToF32x4, f16x4HiToF32x4 } from '../../common/f16';
import { dotRowsF32 } from '../../common/rowdot';

export function f32_gemm_f16_4x1__simd(
  m: i32, n: i32, k: i32,
  x: usize, w: usize, pal: usize, mask: usize, bias: usize, y: usize,
  x_stride: i32, y_stride: i32, params: usize,
): void {
  const wb = paramPtr(params, P_SCRATCH);
  assert(m >= 1 && n >= 1 && k >= 1 && wb != 0 && (wb & 15) == 0);
  assert(x_stride >= k * 4 && y_stride >= n * 4);
  const cs = paramPtr(params, P_CHSCALE);
  const rowB = <usize>k << 1;
  if (m < 4) {
    for (let i = 0; i < m; i++) fusedRow(n, k, x + <usize>i * <usize>x_stride, w, rowB, y + <usize>i * <usize>y_stride, cs, bias);
    return;
  }
  for (let j = 0; j < n; j++) {
    const wr = w + <usize>j * rowB;
    let c = 0;
    for (; c + 8 <= k; c += 8) {
      const v = v128.load(wr + (<usize>c << 1));
      const dst = wb + (<usize>c << 2);
      v128.store(dst, f16x4ToF32x4(i32x4.extend_low_i16x8_u(v)));
      v128.store(dst, f16x4ToF32x4(i32x4.extend_high_i16x8_u(v)), 16);
    }
    for (; c < k; c++) store<f32>(wb + (<usize>c << 2), f16ToF32(<u32>load<u16>(wr + (<usize>c << 1))));
    dotRowsF32(wb, k, m, x, <usize>x_stride, y, <usize>y_stride, j, cs, bias);
  }
}

/** The low / high 4 of 8 halves as f32x4. */
@inline function lo4(v: v128): v128 {
  return f16x4HiToF32x4(i16x8.shuffle(i16x8.splat(0), v, 0, 8, 1, 9, 2, 10, 3, 11));
}
@inline function hi4(v: v128): v128 {
  return f16x4HiToF32x4(i16x8.shuffle(i16x8.splat(0), v, 4, 12, 5, 13, 6, 14, 7, 15));
}

/** One batch row xr against every output channel, 4 channels per pass (sum order of dotRowsF32's single rows). */
function fusedRow(n: i32, k: i32, xr: usize, w: usize, rowB: usize, yr: usize, cs: usize, bias: usize): void {
  const k4 = k & ~3;
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const w0 = w + <usize>j * rowB, w1 = w0 + rowB, w2 = w1 + rowB, w3 = w2 + rowB;
    let a0 = f32x4.splat(0), b0 = a0, a1 = a0, b1 = a0, a2 = a0, b2 = a0, a3 = a0, b3 = a0;
    let c = 0;
    for (; c + 8 <= k; c += 8) {
      const xo = xr + (<usize>c << 2), wo = <usize>c << 1;
      const xl = v128.load(xo), xh = v128.load(xo, 16);
      const v0 = v128.load(w0 + wo), v1 = v128.load(w1 + wo), v2 = v128.load(w2 + wo), v3 = v128.load(w3 + wo);
      a0 = f32x4.add(a0, f32x4.mul(lo4(v0), xl)); b0 = f32x4.add(b0, f32x4.mul(hi4(v0), xh));
      a1 = f32x4.add(a1, f32x4.mul(lo4(v1), xl)); b1 = f32x4.add(b1, f32x4.mul(hi4(v1), xh));
      a2 = f32x4.add(a2, f32x4.mul(lo4(v2), xl)); b2 = f32x4.add(b2, f32x4.mul(hi4(v2), xh));
      a3 = f32x4.add(a3, f32x4.mul(lo4(v3), xl)); b3 = f32x4.add(b3, f32x4.mul(hi4(v3), xh));
    }
    if (c < k4) {
      // 4 halves: an 8-byte load (the row may end here)
      const xl = v128.load(xr + (<usize>c << 2)), wo = <usize>c << 1;
      a0 = f32x4.add(a0, f32x4.mul(lo4(v128.load64_zero(w0 + wo)), xl));
      a1 = f32x4.add(a1, f32x4.mul(lo4(v128.load64_zero(w1 + wo)), xl));
      a2 = f32x4.add(a2, f32x4.mul(lo4(v128.load64_zero(w2 + wo)), xl));
      a3 = f32x4.add(a3, f32x4.mul(lo4(v128.load64_zero(w3 + wo)), xl));
      c += 4;
    }
    let s0 = hsum(f32x4.add(a0, b0)), s1 = hsum(f32x4.add(a1, b1)), s2 = hsum(f32x4.add(a2, b2)), s3 = hsum(f32x4.add(a3, b3));
    for (; c < k; c++) {
      const xv = load<f32>(xr + (<usize>c << 2)), wo = <usize>c << 1;
      s0 += f16ToF32(<u32>load<u16>(w0 + wo)) * xv; s1 += f16ToF32(<u32>load<u16>(w1 + wo)) * xv;
      s2 += f16ToF32(<u32>load<u16>(w2 + wo)) * xv; s3 += f16ToF32(<u32>load<u16>(w3 + wo)) * xv;
    }
    store<f32>(yr + (<usize>j << 2), epilogue(s0, j, cs, bias));
    store<f32>(yr + (<usize>(j + 1) << 2), epilogue(s1, j + 1, cs, bias));
    store<f32>(yr + (<usize>(j + 2) << 2), epilogue(s2, j + 2, cs, bias));
    store<f32>(yr + (<usize>(j + 3) << 2), epilogue(s3, j + 3, cs, bias));
  }
  for (; j < n; j++) {
    const w0 = w + <usize>j * rowB;
    let a0 = f32x4.splat(0), b0 = a0;
    let c = 0;
    for (; c + 8 <= k; c += 8) {
      const v0 = v128.load(w0 + (<usize>c << 1));
      const xo = xr + (<usize>c << 2);
      a0 = f32x4.add(a0, f32x4.mul(lo4(v0), v128.load(xo))); b0 = f32x4.add(b0, f32x4.mul(hi4(v0), v128.load(xo, 16)));
    }
    if (c < k4) {
      a0 = f32x4.add(a0, f32x4.mul(lo4(v128.load64_zero(w0 + (<usize>c << 1))), v128.load(xr + (<usize>c << 2))));
      c += 4;
    }
    let s = hsum(f32x4.add(a0, b0));
    for (; c < k; c++) s += f16ToF32(<u32>load<u16>(w0 + (<usize>c << 1))) * load<f32>(xr + (<usize>c << 2));
    store<f32>(yr + (<usize>j << 2), epilogue(s, j, cs, bias));
  }
}
