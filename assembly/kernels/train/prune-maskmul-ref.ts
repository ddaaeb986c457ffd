// f32_maskmul__ref: y[i] = (mask[i] != 0 ? x[i] : +0) (+ y[i] when accumulate), i.e. x * mask for a
// 0 / 1 mask but with +0 (not -0) where dropped: the block-pruning mask applied
// to a weight (forward), to its gradient (backward) or in place to the parameter after an update.
export function f32_maskmul__ref(n: i32, x: usize, mask: usize, y: usize, accumulate: i32): void {
  assert(n >= 0 && ((x | mask | y) & 3) == 0);
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    let v: f32 = load<f32>(mask + o) != 0 ? load<f32>(x + o) : 0;
    if (accumulate) v += load<f32>(y + o);
    store<f32>(y + o, v);
  }
}
