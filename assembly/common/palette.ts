// f32 palettes of up to 16 entries as 4 byte planes, so an i8x16.swizzle per plane looks up 16
// entries at once (XNNPACK x8-lut): plane b holds byte b of every entry.
//
//   entry e (f32) = | B0 | B1 | B2 | B3 |      plane b = | B_b(e0) | B_b(e1) | ... | B_b(e15) |
//
// lookup16: 4 swizzles, then byte/half-word interleaves rebuild 4 f32x4 (entries of indices
// 0-3, 4-7, 8-11, 12-15), stored to dst.

/** Writes the 4 planes (64 bytes) of palette `pr` (2^bits <= 16 f32 entries) to dst. */
export function buildPlanes(pr: usize, bits: i32, dst: usize): void {
  v128.store(dst, i32x4.splat(0), 0);
  v128.store(dst, i32x4.splat(0), 16);
  v128.store(dst, i32x4.splat(0), 32);
  v128.store(dst, i32x4.splat(0), 48);
  const entries = 1 << bits;
  for (let e = 0; e < entries; e++) {
    const v = load<u32>(pr + (<usize>e << 2));
    store<u8>(dst + <usize>e, <u8>v);
    store<u8>(dst + 16 + <usize>e, <u8>(v >> 8));
    store<u8>(dst + 32 + <usize>e, <u8>(v >> 16));
    store<u8>(dst + 48 + <usize>e, <u8>(v >> 24));
  }
}

@inline export function lookup16(idx: v128, p0: v128, p1: v128, p2: v128, p3: v128, dst: usize): void {
  const b0 = i8x16.swizzle(p0, idx);
  const b1 = i8x16.swizzle(p1, idx);
  const b2 = i8x16.swizzle(p2, idx);
  const b3 = i8x16.swizzle(p3, idx);
  const l01 = i8x16.shuffle(b0, b1, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const h01 = i8x16.shuffle(b0, b1, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
  const l23 = i8x16.shuffle(b2, b3, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const h23 = i8x16.shuffle(b2, b3, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
  v128.store(dst, i16x8.shuffle(l01, l23, 0, 8, 1, 9, 2, 10, 3, 11), 0);
  v128.store(dst, i16x8.shuffle(l01, l23, 4, 12, 5, 13, 6, 14, 7, 15), 16);
  v128.store(dst, i16x8.shuffle(h01, h23, 0, 8, 1, 9, 2, 10, 3, 11), 32);
  v128.store(dst, i16x8.shuffle(h01, h23, 4, 12, 5, 13, 6, 14, 7, 15), 48);
}

/**
 * int8 entries for 16 byte indices from an int8 palette of `chunks` x 16 entries at pr: one swizzle
 * per 16-entry chunk, indices moved down 16 per chunk (out-of-range lanes give 0) and or-ed.
 */
@inline export function lookupI8(idx: v128, pr: usize, chunks: i32): v128 {
  let r = i8x16.swizzle(v128.load(pr), idx);
  let ic = idx;
  for (let c = 1; c < chunks; c++) {
    ic = i8x16.sub(ic, i8x16.splat(16));
    r = v128.or(r, i8x16.swizzle(v128.load(pr + (<usize>c << 4)), ic));
  }
  return r;
}
