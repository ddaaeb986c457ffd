// XXH64 (xxHash, 64-bit), written from the algorithm's description: the checksum of .wpal files
// (format 1.2, schemas/wpal.fbs). Scalar: the 4 lanes are independent i64 multiply chains, which
// wasm runs at native width; a v128 version has no 64-bit lane multiply to gain from.
//
//   round(acc, x) = rotl(acc + x * P2, 31) * P1              (the lane update)
//
//   state (host memory, 32 bytes):  | v1 u64 | v2 u64 | v3 u64 | v4 u64 |
//   stripe (32 bytes):              | lane 1 | lane 2 | lane 3 | lane 4 |  little-endian u64 each
//
// Streaming split: xxh64_init__ref sets the lanes from the seed, xxh64_stripes__ref consumes whole
// 32-byte stripes (any number, any alignment), xxh64_digest__ref merges the lanes (when at least one
// stripe was consumed, i.e. total >= 32), folds in the tail (< 32 bytes) and avalanches. The host
// (src/format/checksum.ts) copies input through a small buffer, so one call sequence hashes inputs
// of any size and any number of pieces.

const P1: u64 = 0x9e3779b185ebca87;
const P2: u64 = 0xc2b2ae3d27d4eb4f;
const P3: u64 = 0x165667b19e3779f9;
const P4: u64 = 0x85ebca77c2b2ae63;
const P5: u64 = 0x27d4eb2f165667c5;

// @ts-ignore: decorator
@inline function lane(acc: u64, x: u64): u64 {
  return rotl<u64>(acc + x * P2, 31) * P1;
}

// @ts-ignore: decorator
@inline function merge(h: u64, v: u64): u64 {
  return (h ^ lane(0, v)) * P1 + P4;
}

/** Lanes for `seed`, stored at `state` (32 bytes, 8-byte aligned). */
export function xxh64_init__ref(state: usize, seed: u64): void {
  assert((state & 7) == 0);
  store<u64>(state, seed + P1 + P2);
  store<u64>(state, seed + P2, 8);
  store<u64>(state, seed, 16);
  store<u64>(state, seed - P1, 24);
}

/** Consumes `len` bytes at `src` (a multiple of 32) into the lanes at `state`. */
export function xxh64_stripes__ref(state: usize, src: usize, len: usize): void {
  assert((state & 7) == 0 && len % 32 == 0);
  let v1 = load<u64>(state);
  let v2 = load<u64>(state, 8);
  let v3 = load<u64>(state, 16);
  let v4 = load<u64>(state, 24);
  const end = src + len;
  while (src < end) {
    // four independent chains: the multiplies of one stripe overlap
    v1 = lane(v1, load<u64>(src));
    v2 = lane(v2, load<u64>(src, 8));
    v3 = lane(v3, load<u64>(src, 16));
    v4 = lane(v4, load<u64>(src, 24));
    src += 32;
  }
  store<u64>(state, v1);
  store<u64>(state, v2, 8);
  store<u64>(state, v3, 16);
  store<u64>(state, v4, 24);
}

/** The hash of `total` bytes whose whole stripes went through the lanes at `state`, and whose last `tailLen` (< 32) bytes are at `tail`. */
export function xxh64_digest__ref(state: usize, seed: u64, total: u64, tail: usize, tailLen: usize): u64 {
  assert(tailLen < 32 && (total & 31) == <u64>tailLen);
  let h: u64;
  if (total >= 32) {
    const v1 = load<u64>(state);
    const v2 = load<u64>(state, 8);
    const v3 = load<u64>(state, 16);
    const v4 = load<u64>(state, 24);
    h = rotl<u64>(v1, 1) + rotl<u64>(v2, 7) + rotl<u64>(v3, 12) + rotl<u64>(v4, 18);
    h = merge(h, v1);
    h = merge(h, v2);
    h = merge(h, v3);
    h = merge(h, v4);
  } else {
    h = seed + P5;
  }
  h += total;
  let p = tail;
  const end = tail + tailLen;
  while (p + 8 <= end) {
    h ^= lane(0, load<u64>(p));
    h = rotl<u64>(h, 27) * P1 + P4;
    p += 8;
  }
  if (p + 4 <= end) {
    h ^= <u64>load<u32>(p) * P1;
    h = rotl<u64>(h, 23) * P2 + P3;
    p += 4;
  }
  while (p < end) {
    h ^= <u64>load<u8>(p) * P5;
    h = rotl<u64>(h, 11) * P1;
    p++;
  }
  // avalanche
  h ^= h >> 33;
  h *= P2;
  h ^= h >> 29;
  h *= P3;
  h ^= h >> 32;
  return h;
}
