// f32_softmax__simd: for each row r < m:
//   y[r][i] = exp(x[r][i] - max_j x[r][j]) / sum_j exp(x[r][j] - max_j x[r][j]),   i, j < n
// Three passes per row, 4 lanes per step, remainders as partial vectors:
//   1. row max (pmax: NaN lanes are skipped here, they turn the sum into NaN in pass 2);
//   2. e = exp(x - max) (vExp, ../eltwise/math.ts) stored to y, summed (in f64 lanes);
//   3. y *= 1 / sum.
// -inf entries give 0 (if the row has a finite entry); a row holding NaN or +inf, or only -inf,
// gives NaN throughout, as f32_softmax__ref.
// Error: vExp (~2e-7) + the f32 sum + rounding of x - max, which is exact only near the max: an
// entry d = x - max below the max carries up to |d| 2^-24 relative error (what a 1-ulp change of
// the inputs does anyway).
// Preconditions: m >= 0, n >= 0 (either 0: nothing); x, y 4-byte aligned; rows start x_stride /
// y_stride bytes apart (multiples of 4, >= 4n when m > 1). y may equal x when x_stride == y_stride.
// Reference: f32_softmax__ref.
import { loadTail, storeTail, vExp } from '../eltwise/math';

export function f32_softmax__simd(m: i32, n: i32, x: usize, y: usize, x_stride: i32, y_stride: i32): void {
  assert(m >= 0 && n >= 0);
  assert((x & 3) == 0 && (y & 3) == 0 && (x_stride & 3) == 0 && (y_stride & 3) == 0);
  assert(m <= 1 || (x_stride >= n * 4 && y_stride >= n * 4));
  assert(x != y || x_stride == y_stride);
  if (n == 0) return;
  const body = (<usize>n & ~(<usize>3)) << 2; // bytes handled 4 lanes at a time
  const rem = n & 3;
  for (let r = 0; r < m; r++) {
    const xr = x + <usize>r * <usize>x_stride;
    const yr = y + <usize>r * <usize>y_stride;

    // 1. max
    let vmax = f32x4.splat(-Infinity);
    for (let o: usize = 0; o < body; o += 16) vmax = f32x4.pmax(vmax, v128.load(xr + o));
    if (rem != 0) vmax = f32x4.pmax(vmax, loadTail(xr + body, rem, -Infinity));
    let mx = f32x4.pmax(vmax, v128.shuffle<f32>(vmax, vmax, 2, 3, 0, 1));
    mx = f32x4.pmax(mx, v128.shuffle<f32>(mx, mx, 1, 0, 3, 2));

    // 2. exp and sum. Each pair of vectors is added in f32 (one rounding), then into two f64x2
    //    accumulators, so the sum stays within ~1e-7 relative for any n (a plain f32x4 sum drifts
    //    to ~2e-6 at n = 10^4); the f64 adds cost ~10% next to the two exps.
    let acc0 = f64x2.splat(0);
    let acc1 = f64x2.splat(0);
    let o: usize = 0;
    for (; o + 32 <= body; o += 32) {
      const e0 = vExp(f32x4.sub(v128.load(xr + o), mx));
      const e1 = vExp(f32x4.sub(v128.load(xr + o, 16), mx));
      v128.store(yr + o, e0);
      v128.store(yr + o, e1, 16);
      const s = f32x4.add(e0, e1);
      acc0 = f64x2.add(acc0, f64x2.promote_low_f32x4(s));
      acc1 = f64x2.add(acc1, f64x2.promote_low_f32x4(v128.shuffle<f32>(s, s, 2, 3, 0, 1)));
    }
    // Leftover: at most one full vector plus the 1..3 element tail (lanes past the end hold -inf,
    // so they add exp(-inf) = 0).
    let s = f32x4.splat(0);
    if (o < body) {
      const e = vExp(f32x4.sub(v128.load(xr + o), mx));
      v128.store(yr + o, e);
      s = e;
    }
    if (rem != 0) {
      const e = vExp(f32x4.sub(loadTail(xr + body, rem, -Infinity), mx));
      storeTail(yr + body, e, rem);
      s = f32x4.add(s, e);
    }
    acc0 = f64x2.add(acc0, f64x2.promote_low_f32x4(s));
    acc1 = f64x2.add(acc1, f64x2.promote_low_f32x4(v128.shuffle<f32>(s, s, 2, 3, 0, 1)));
    acc0 = f64x2.add(acc0, acc1);
    const sum = <f32>(f64x2.extract_lane(acc0, 0) + f64x2.extract_lane(acc0, 1));

    // 3. scale (sum >= 1 unless NaN: the max entry contributes exp(0) = 1)
    const inv = f32x4.splat(<f32>1 / sum);
    for (let o: usize = 0; o < body; o += 16) v128.store(yr + o, f32x4.mul(v128.load(yr + o), inv));
    if (rem != 0) storeTail(yr + body, f32x4.mul(loadTail(yr + body, rem, 0), inv), rem);
  }
}
