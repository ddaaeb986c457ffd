// f32_vhswish__simd: y[i] = x * max(0, min(1, x / 6 + 0.5)), x = x[i], i < n, 4 lanes per step
// (HardSwish, ONNX opset 14). The gate is formed as (x + 3) / 6, the same number as x/6 + 0.5 in
// exact arithmetic: x + 3 is exact near x = -3 (Sterbenz), so the gate keeps its relative precision
// where it goes to 0 and the result is within 3 roundings (~1.8e-7 relative) of the ref everywhere.
// +inf -> +inf (gate 1), -inf -> NaN (-inf * gate 0, as the ref), NaN -> NaN (f32x4.min/max
// propagate it).
// Preconditions: n >= 0; x, y 4-byte aligned f32 arrays of n elements; y may equal x.
// Reference: f32_vhswish__ref.
import { loadTail, storeTail } from './math';

@inline function vHswish(v: v128): v128 {
  const t = f32x4.div(f32x4.add(v, f32x4.splat(3)), f32x4.splat(6));
  return f32x4.mul(v, f32x4.max(f32x4.splat(0), f32x4.min(f32x4.splat(1), t)));
}

export function f32_vhswish__simd(n: i32, x: usize, y: usize): void {
  assert(n >= 0);
  assert((x & 3) == 0 && (y & 3) == 0);
  const end = x + ((<usize>n & ~(<usize>3)) << 2);
  for (; x < end; x += 16, y += 16) {
    v128.store(y, vHswish(v128.load(x)));
  }
  const rem = n & 3;
  if (rem != 0) storeTail(y, vHswish(loadTail(x, rem, 0)), rem);
}
