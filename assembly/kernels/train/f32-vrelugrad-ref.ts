// f32_vrelugrad__ref: the input gradient of relu, from its output (or input: same sign):
//   dx[i] = (y[i] > 0 ? dy[i] : 0) + (accumulate ? dx[i] : 0)        i < n
// (n, y, dy, dx, accumulate): f32 arrays of n elements, 4-byte aligned; dx may equal dy.
// Reference of f32_vrelugrad__simd (same result bit for bit).
export function f32_vrelugrad__ref(n: i32, y: usize, dy: usize, dx: usize, accumulate: i32): void {
  assert(n >= 0 && ((y | dy | dx) & 3) == 0);
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    let v: f32 = load<f32>(y + o) > 0 ? load<f32>(dy + o) : 0;
    if (accumulate) v = load<f32>(dx + o) + v;
    store<f32>(dx + o, v);
  }
}
