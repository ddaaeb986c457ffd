// f32_softmaxgrad__ref: the backward pass of a row softmax from its output y, per row r < m of n:
//   dx[i] (+)= y[i] * (dy[i] - sum_j dy[j] y[j])
// The row dot product in float64. accumulate 0: dx overwritten (old contents never read).
// Preconditions: m, n >= 0; pointers 4-byte aligned; strides in bytes, multiples of 4, >= 4n when
// m > 1; dx may equal dy (same stride), never y. Scalar reference for f32_softmaxgrad__simd.

export function f32_softmaxgrad__ref(
  m: i32, n: i32, y: usize, dy: usize, dx: usize, y_stride: i32, dy_stride: i32, dx_stride: i32, accumulate: i32,
): void {
  assert(m >= 0 && n >= 0);
  assert(((y | dy | dx) & 3) == 0 && ((y_stride | dy_stride | dx_stride) & 3) == 0);
  assert(m <= 1 || (y_stride >= n * 4 && dy_stride >= n * 4 && dx_stride >= n * 4));
  for (let r = 0; r < m; r++) {
    const yr = y + <usize>r * <usize>y_stride;
    const gr = dy + <usize>r * <usize>dy_stride;
    const dr = dx + <usize>r * <usize>dx_stride;
    let s: f64 = 0;
    for (let i = 0; i < n; i++) s += <f64>load<f32>(yr + (<usize>i << 2)) * <f64>load<f32>(gr + (<usize>i << 2));
    for (let i = 0; i < n; i++) {
      const o = <usize>i << 2;
      let t = <f32>(<f64>load<f32>(yr + o) * (<f64>load<f32>(gr + o) - s));
      if (accumulate) t += load<f32>(dr + o);
      store<f32>(dr + o, t);
    }
  }
}
