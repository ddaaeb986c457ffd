// SIMD halves of the i8 gemm kernels: quantize every batch row to int8 held in i16 lanes (same
// integers as assembly/common/quant.ts's scalar quantize1), and the int8-weights x int16-activations
// dot of one decoded weight row against all batch rows with int32 accumulators.
import { absMax, quantInv, quantScale, quantize1 } from './quant';

/** q rows of kq i16 (zero past k), xscale[i] = max|x[i]| / 127 at xsc. */
export function quantizeRowsI16(m: i32, k: i32, kq: i32, x: usize, xs: usize, xsc: usize, q: usize): void {
  for (let i = 0; i < m; i++) {
    const xr = x + <usize>i * xs;
    const qr = q + <usize>i * <usize>kq * 2;
    const amax = absMax(xr, k);
    const inv = quantInv(amax);
    store<f32>(xsc + (<usize>i << 2), quantScale(amax));
    const vinv = f32x4.splat(inv);
    let c = 0;
    for (; c + 8 <= k; c += 8) {
      const o = <usize>c << 2;
      const a = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(v128.load(xr + o), vinv)));
      const b = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(v128.load(xr + o, 16), vinv)));
      v128.store(qr + (<usize>c << 1), i16x8.narrow_i32x4_s(a, b));
    }
    for (; c < k; c++) store<i16>(qr + (<usize>c << 1), <i16>quantize1(load<f32>(xr + (<usize>c << 2)), inv));
    for (; c < kq; c++) store<i16>(qr + (<usize>c << 1), 0);
  }
}

@inline function hsumI32(a: v128): i32 {
  const s = i32x4.add(a, i32x4.shuffle(a, a, 2, 3, 0, 1));
  return i32x4.extract_lane(s, 0) + i32x4.extract_lane(s, 1);
}

@inline function epilogueI8(acc: v128, xscale: f32, pscale: f32, j: i32, cs: usize, bias: usize): f32 {
  // same operation order as i8_gemm_p8i8__ref: ((sum * xscale) * palscale) * chscale + bias
  let v = <f32>hsumI32(acc) * xscale * pscale;
  if (cs) v *= load<f32>(cs + (<usize>j << 2));
  if (bias) v += load<f32>(bias + (<usize>j << 2));
  return v;
}

/** wb: kq int8 weights (kq % 16 == 0); q: m rows of kq i16. Writes y[i][j] for all i. */
export function dotRowsI8(
  wb: usize, kq: i32, m: i32, q: usize, xsc: usize, y: usize, ys: usize, j: i32, pscale: f32, cs: usize, bias: usize,
): void {
  const qs = <usize>kq << 1;
  const yo = <usize>j << 2;
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const q0 = q + <usize>i * qs, q1 = q0 + qs, q2 = q1 + qs, q3 = q2 + qs;
    let a0 = i32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
    for (let c = 0; c < kq; c += 16) {
      const v = v128.load(wb + <usize>c);
      const lo = i16x8.extend_low_i8x16_s(v);
      const hi = i16x8.extend_high_i8x16_s(v);
      const o = <usize>c << 1;
      a0 = i32x4.add(a0, i32x4.add(i32x4.dot_i16x8_s(lo, v128.load(q0 + o)), i32x4.dot_i16x8_s(hi, v128.load(q0 + o, 16))));
      a1 = i32x4.add(a1, i32x4.add(i32x4.dot_i16x8_s(lo, v128.load(q1 + o)), i32x4.dot_i16x8_s(hi, v128.load(q1 + o, 16))));
      a2 = i32x4.add(a2, i32x4.add(i32x4.dot_i16x8_s(lo, v128.load(q2 + o)), i32x4.dot_i16x8_s(hi, v128.load(q2 + o, 16))));
      a3 = i32x4.add(a3, i32x4.add(i32x4.dot_i16x8_s(lo, v128.load(q3 + o)), i32x4.dot_i16x8_s(hi, v128.load(q3 + o, 16))));
    }
    const yr = y + <usize>i * ys + yo;
    const xi = xsc + (<usize>i << 2);
    store<f32>(yr, epilogueI8(a0, load<f32>(xi), pscale, j, cs, bias));
    store<f32>(yr + ys, epilogueI8(a1, load<f32>(xi, 4), pscale, j, cs, bias));
    store<f32>(yr + 2 * ys, epilogueI8(a2, load<f32>(xi, 8), pscale, j, cs, bias));
    store<f32>(yr + 3 * ys, epilogueI8(a3, load<f32>(xi, 12), pscale, j, cs, bias));
  }
  for (; i < m; i++) {
    const q0 = q + <usize>i * qs;
    let a0 = i32x4.splat(0), a1 = a0;
    for (let c = 0; c < kq; c += 16) {
      const v = v128.load(wb + <usize>c);
      const o = <usize>c << 1;
      a0 = i32x4.add(a0, i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(v), v128.load(q0 + o)));
      a1 = i32x4.add(a1, i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(v), v128.load(q0 + o, 16)));
    }
    store<f32>(y + <usize>i * ys + yo, epilogueI8(i32x4.add(a0, a1), load<f32>(xsc + (<usize>i << 2)), pscale, j, cs, bias));
  }
}
