// f32_softmaxgrad__simd: as f32_softmaxgrad__ref (the reference; ABI there), 4 lanes per step: the
// row dot product sum dy y in f32 lanes (then a horizontal sum), dx = y (dy - s) (+ dx); the 1..3
// element tail as a partial vector. Error vs float64: a few ulp of |y| (|dy| + sum |dy y|).
import { loadTail, storeTail } from '../eltwise/math';
import { hsum } from '../../common/gemm';

export function f32_softmaxgrad__simd(
  m: i32, n: i32, y: usize, dy: usize, dx: usize, y_stride: i32, dy_stride: i32, dx_stride: i32, accumulate: i32,
): void {
  assert(m >= 0 && n >= 0);
  assert(((y | dy | dx) & 3) == 0 && ((y_stride | dy_stride | dx_stride) & 3) == 0);
  assert(m <= 1 || (y_stride >= n * 4 && dy_stride >= n * 4 && dx_stride >= n * 4));
  const body = (<usize>n & ~(<usize>3)) << 2;
  const rem = n & 3;
  for (let r = 0; r < m; r++) {
    const yr = y + <usize>r * <usize>y_stride;
    const gr = dy + <usize>r * <usize>dy_stride;
    const dr = dx + <usize>r * <usize>dx_stride;
    let a = f32x4.splat(0);
    for (let o: usize = 0; o < body; o += 16) a = f32x4.add(a, f32x4.mul(v128.load(yr + o), v128.load(gr + o)));
    if (rem) a = f32x4.add(a, f32x4.mul(loadTail(yr + body, rem, 0), loadTail(gr + body, rem, 0)));
    const s = f32x4.splat(hsum(a));
    for (let o: usize = 0; o < body; o += 16) {
      let t = f32x4.mul(v128.load(yr + o), f32x4.sub(v128.load(gr + o), s));
      if (accumulate) t = f32x4.add(t, v128.load(dr + o));
      v128.store(dr + o, t);
    }
    if (rem) {
      let t = f32x4.mul(loadTail(yr + body, rem, 0), f32x4.sub(loadTail(gr + body, rem, 0), s));
      if (accumulate) t = f32x4.add(t, loadTail(dr + body, rem, 0));
      storeTail(dr + body, t, rem);
    }
  }
}
