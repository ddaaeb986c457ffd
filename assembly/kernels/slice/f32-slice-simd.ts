// f32_slice__simd: strided N-D gather, the kernel of Slice (formula, params and preconditions:
// f32_slice__ref, the reference).
//
// Plan, once per call (into a 128-byte static work area: not re-entrant, like the module): axes of
// size 1 are dropped and axis j merges into axis j+1 when s_j = s_{j+1} * d_{j+1} (e.g. slicing H of
// an [H, W, C] image leaves one contiguous run per image). Then runs of the innermost axis:
//
//   s = 1:   | x[p] x[p+1] ... |          -> copyRows (concat/rows.ts: 16-byte moves / memory.copy)
//   s = -1:  | x[p-3] x[p-2] x[p-1] x[p] | -> one load, lanes reversed by a shuffle, one store
//   other:   scalar strided loads
//
// The outer axes advance as an odometer (no divisions); the source offset follows incrementally.
import { copyRows } from '../concat/rows';
import { S_OFFSET, S_MAX_RANK, sliceDim, sliceStride } from './plan';

const WORK = memory.data(128, 16); // dims i32[9] at 0, strides i32[9] at 36, counters i32[9] at 72
const W_DIMS: usize = 0, W_STRIDES: usize = 36, W_COUNT: usize = 72;

@inline function wdim(a: i32): i32 { return load<i32>(WORK + W_DIMS + (<usize>a << 2)); }
@inline function wstride(a: i32): i32 { return load<i32>(WORK + W_STRIDES + (<usize>a << 2)); }

/** Drops size-1 axes and merges contiguous neighbours; returns the new rank (0: nothing to copy). */
function plan(rank: i32, params: usize): i32 {
  let r = 0;
  for (let a = 0; a < rank; a++) {
    const d = sliceDim(params, a), s = sliceStride(params, a);
    if (d == 0) return 0;
    if (d == 1) continue;
    if (r > 0 && wstride(r - 1) == s * d) {
      // previous axis steps over exactly this axis: one axis of d_prev * d elements, stride s
      store<i32>(WORK + W_DIMS + (<usize>(r - 1) << 2), wdim(r - 1) * d);
      store<i32>(WORK + W_STRIDES + (<usize>(r - 1) << 2), s);
      continue;
    }
    store<i32>(WORK + W_DIMS + (<usize>r << 2), d);
    store<i32>(WORK + W_STRIDES + (<usize>r << 2), s);
    r++;
  }
  if (r == 0) { // every axis has size 1: one element
    store<i32>(WORK + W_DIMS, 1);
    store<i32>(WORK + W_STRIDES, 1);
    r = 1;
  }
  return r;
}

@inline function copyRun(x: usize, off: i32, y: usize, n: i32, s: i32): void {
  if (s == 1) {
    copyRows(1, <usize>n << 2, x + (<usize>off << 2), y, 0, 0);
  } else if (s == -1) {
    let k = 0;
    for (; k + 4 <= n; k += 4) {
      const v = v128.load(x + (<usize>(off - k - 3) << 2));
      v128.store(y + (<usize>k << 2), i32x4.shuffle(v, v, 3, 2, 1, 0));
    }
    for (; k < n; k++) store<f32>(y + (<usize>k << 2), load<f32>(x + (<usize>(off - k) << 2)));
  } else {
    for (let k = 0; k < n; k++) store<f32>(y + (<usize>k << 2), load<f32>(x + (<usize>(off + k * s) << 2)));
  }
}

export function f32_slice__simd(rank: i32, x: usize, y: usize, params: usize): void {
  assert(rank >= 1 && rank <= S_MAX_RANK && ((x | y) & 3) == 0);
  for (let a = 0; a < rank; a++) assert(sliceDim(params, a) >= 0);
  const r = plan(rank, params);
  if (r == 0) return;
  const n = wdim(r - 1), s = wstride(r - 1);
  const runB = <usize>n << 2;
  memory.fill(WORK + W_COUNT, 0, 36);
  let off = load<i32>(params + S_OFFSET);
  let dst = y;
  while (true) {
    copyRun(x, off, dst, n, s);
    dst += runB;
    // odometer over the outer axes r-2 .. 0
    let a = r - 2;
    for (; a >= 0; a--) {
      const c = load<i32>(WORK + W_COUNT + (<usize>a << 2)) + 1;
      if (c < wdim(a)) {
        store<i32>(WORK + W_COUNT + (<usize>a << 2), c);
        off += wstride(a);
        break;
      }
      store<i32>(WORK + W_COUNT + (<usize>a << 2), 0);
      off -= (wdim(a) - 1) * wstride(a);
    }
    if (a < 0) return;
  }
}
