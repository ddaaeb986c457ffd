// f32_maskmul__simd: as f32_maskmul__ref (same f32 operations: bit-exact), 4 lanes per step.
export function f32_maskmul__simd(n: i32, x: usize, mask: usize, y: usize, accumulate: i32): void {
  assert(n >= 0 && ((x | mask | y) & 3) == 0);
  const zero = f32x4.splat(0);
  const body = (<usize>n & ~(<usize>3)) << 2;
  if (accumulate) {
    for (let o: usize = 0; o < body; o += 16) v128.store(y + o, f32x4.add(v128.and(v128.load(x + o), f32x4.ne(v128.load(mask + o), zero)), v128.load(y + o)));
  } else {
    for (let o: usize = 0; o < body; o += 16) v128.store(y + o, v128.and(v128.load(x + o), f32x4.ne(v128.load(mask + o), zero)));
  }
  for (let o = body; o < (<usize>n << 2); o += 4) {
    let v: f32 = load<f32>(mask + o) != 0 ? load<f32>(x + o) : 0;
    if (accumulate) v += load<f32>(y + o);
    store<f32>(y + o, v);
  }
}
