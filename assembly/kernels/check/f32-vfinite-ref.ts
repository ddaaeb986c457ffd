// f32_vfinite__ref: the index of the first x[i] (i < n) that is NaN or +-Infinity, or -1 when all
// are finite. The runtime checks every float input with it before a run (Model.run).
//
//   f32 bits:  | s | exponent (8) | mantissa (23) |    non-finite <=> exponent = 0xff
//
// Preconditions: n >= 0; x a 4-byte aligned f32 array of n elements.
export function f32_vfinite__ref(n: i32, x: usize): i32 {
  assert(n >= 0);
  assert((x & 3) == 0);
  for (let i = 0; i < n; i++) {
    if ((load<u32>(x + (<usize>i << 2)) & 0x7f800000) == 0x7f800000) return i;
  }
  return -1;
}
