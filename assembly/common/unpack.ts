// SIMD unpacking of LSB-first packed indices (schemas/wpal.fbs) into byte indices, natural order.
//
// Generic, any bits b in 1..8: 16 indices live in 2b <= 16 bytes. Index e sits at bit e*b, i.e.
// in bytes [e*b >> 3, +1] at shift s = e*b & 7. One swizzle per 8 indices gathers those byte
// pairs into u16 lanes; multiplying lane e by 2^(16-s-b) moves the field to the top of the lane
// (the multiply drops the bits above it); a shift right by 16-b brings it down; a narrow packs
// two halves into 16 bytes:
//
//   bytes  |76543210|76543210|...        u16 lane e: |...field(b)..s bits|  -> * 2^(16-s-b) -> >> (16-b)
//
// The control vectors (2 swizzles, 2 multipliers) depend only on b: unpackSetup writes them once
// per call into 64 bytes of scratch.

export function unpackSetup(bits: i32, dst: usize): void {
  for (let e = 0; e < 16; e++) {
    const bit = e * bits;
    const byte = bit >> 3;
    const s = bit & 7;
    const half = <usize>(e >> 3) << 4;
    const lane = <usize>(e & 7) << 1;
    store<u8>(dst + half + lane, <u8>byte);
    store<u8>(dst + half + lane + 1, <u8>(byte + 1)); // 16 for the last byte: swizzle gives 0
    store<u16>(dst + 32 + half + lane, <u16>(<i32>1 << (16 - s - bits)));
  }
}

/** 16 byte indices (natural order) from the 16 bytes `src` whose first 2*bits bytes hold them. */
@inline export function unpack16(src: v128, c0: v128, c1: v128, m0: v128, m1: v128, down: i32): v128 {
  const lo = i16x8.shr_u(i16x8.mul(i8x16.swizzle(src, c0), m0), down);
  const hi = i16x8.shr_u(i16x8.mul(i8x16.swizzle(src, c1), m1), down);
  return i8x16.narrow_i16x8_u(lo, hi);
}

/**
 * 16 bytes at p, of which only `avail` (> 0) belong to the packed data: loads in place when 16
 * are there, else goes through a zero-padded 16-byte copy at tmp (never reads past the data).
 */
@inline export function loadChunk(p: usize, avail: isize, tmp: usize): v128 {
  if (avail >= 16) return v128.load(p);
  v128.store(tmp, i32x4.splat(0));
  memory.copy(tmp, p, <usize>avail);
  return v128.load(tmp);
}

/**
 * Palettized block-sparse, blocks of 16 values: the 16 indices of one block (2*bits bytes at src,
 * byte aligned since 16*bits is a multiple of 8), looked up in the palette of each value's output
 * row (rowPal: 16 palette pointers, one per position in the block), written as 16 f32 to vals.
 */
@inline export function decodeBlock16(
  src: usize, end: usize, tmp: usize, c0: v128, c1: v128, m0: v128, m1: v128, down: i32,
  idxBuf: usize, rowPal: usize, vals: usize,
): void {
  v128.store(idxBuf, unpack16(loadChunk(src, <isize>(end - src), tmp), c0, c1, m0, m1, down));
  for (let e: usize = 0; e < 16; e++) {
    store<f32>(vals + (e << 2), load<f32>(<usize>load<u32>(rowPal + (e << 2)) + (<usize>load<u8>(idxBuf + e) << 2)));
  }
}
