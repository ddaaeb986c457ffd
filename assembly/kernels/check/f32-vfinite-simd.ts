// f32_vfinite__simd: the index of the first x[i] (i < n) that is NaN or +-Infinity, or -1.
// 16 floats per step: each lane's exponent compared with all-ones, the four masks or-ed, so the
// loop has one branch per 64 bytes; the block that has a hit is scanned again to find the index.
// The 0..15 element tail runs the scalar test.
// Preconditions: n >= 0; x a 4-byte aligned f32 array of n elements. Reference: f32_vfinite__ref.
export function f32_vfinite__simd(n: i32, x: usize): i32 {
  assert(n >= 0);
  assert((x & 3) == 0);
  const exp = i32x4.splat(0x7f800000);
  const blocks = n >> 4;
  for (let b = 0; b < blocks; b++) {
    const p = x + (<usize>b << 6);
    const m0 = i32x4.eq(v128.and(v128.load(p), exp), exp);
    const m1 = i32x4.eq(v128.and(v128.load(p, 16), exp), exp);
    const m2 = i32x4.eq(v128.and(v128.load(p, 32), exp), exp);
    const m3 = i32x4.eq(v128.and(v128.load(p, 48), exp), exp);
    if (v128.any_true(v128.or(v128.or(m0, m1), v128.or(m2, m3)))) {
      for (let i = 0; i < 16; i++) if ((load<u32>(p + (<usize>i << 2)) & 0x7f800000) == 0x7f800000) return (b << 4) + i;
    }
  }
  for (let i = blocks << 4; i < n; i++) {
    if ((load<u32>(x + (<usize>i << 2)) & 0x7f800000) == 0x7f800000) return i;
  }
  return -1;
}
