// Shared @inline helpers of the gemm family (assembly/kernels/README.md, "gemm family"):
// params slots, the per-channel epilogue, packed-index reads and horizontal sums.

/** params slots (8 x i32 at the params pointer). */
export const P_BITS: usize = 0;
export const P_GROUP_ROWS: usize = 4;
export const P_BLOCK_ROWS: usize = 8;
export const P_BLOCK_COLS: usize = 12;
export const P_CHSCALE: usize = 16;
export const P_SCRATCH: usize = 20;
export const P_PALSCALE: usize = 24;
/** Slot 7: the order of the packed indices, 0 = the file's (row-major); 1 = i8_conv2d's 8-row blocks (i8-block.ts). */
export const P_WEIGHT_ORDER: usize = 28;

@inline export function param(params: usize, slotOffset: usize): i32 {
  return load<i32>(params + slotOffset);
}

@inline export function paramPtr(params: usize, slotOffset: usize): usize {
  return <usize>load<u32>(params + slotOffset);
}

/** y = acc * chscale[j] + bias[j]; chscale / bias pointers may be 0 (absent). */
@inline export function epilogue(acc: f32, j: i32, cs: usize, bias: usize): f32 {
  let v = acc;
  if (cs) v *= load<f32>(cs + (<usize>j << 2));
  if (bias) v += load<f32>(bias + (<usize>j << 2));
  return v;
}

/** The same epilogue on 4 consecutive channels j..j+3. */
@inline export function epilogue4(acc: v128, j: i32, cs: usize, bias: usize): v128 {
  let v = acc;
  if (cs) v = f32x4.mul(v, v128.load(cs + (<usize>j << 2)));
  if (bias) v = f32x4.add(v, v128.load(bias + (<usize>j << 2)));
  return v;
}

/**
 * Index number `i` of an LSB-first packed stream of `bits`-bit indices starting at `base`
 * (index i at bit i*bits). Reads only the bytes that hold the index.
 */
@inline export function readIndex(base: usize, i: i32, bits: i32): i32 {
  const bit = <usize>i * <usize>bits;
  const p = base + (bit >> 3);
  const s = <i32>(bit & 7);
  let v = <i32>load<u8>(p) >> s;
  if (s + bits > 8) v |= <i32>load<u8>(p + 1) << (8 - s);
  return v & ((1 << bits) - 1);
}

/** Sum of the 4 lanes of an f32x4. */
@inline export function hsum(a: v128): f32 {
  const s = f32x4.add(a, i32x4.shuffle(a, a, 2, 3, 0, 1));
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1);
}

/** [sum(a0), sum(a1), sum(a2), sum(a3)]: four horizontal sums as one transpose-add. */
@inline export function hsum4(a0: v128, a1: v128, a2: v128, a3: v128): v128 {
  const s01 = f32x4.add(i32x4.shuffle(a0, a1, 0, 4, 1, 5), i32x4.shuffle(a0, a1, 2, 6, 3, 7));
  const s23 = f32x4.add(i32x4.shuffle(a2, a3, 0, 4, 1, 5), i32x4.shuffle(a2, a3, 2, 6, 3, 7));
  return f32x4.add(i32x4.shuffle(s01, s23, 0, 1, 4, 5), i32x4.shuffle(s01, s23, 2, 3, 6, 7));
}

/**
 * A 64-bit word of a block-mask row: the bits of block columns [c0, c0+64) where `left` bytes of
 * the row remain at `p` and `valid` block columns remain. Never reads past the row (mask rows are
 * padded only to whole bytes) and clears the padding bits past the last block column.
 */
@inline export function maskWord(p: usize, left: i32, valid: i32): u64 {
  let w: u64 = 0;
  if (left >= 8) w = load<u64>(p);
  else for (let b = 0; b < left; b++) w |= <u64>load<u8>(p + <usize>b) << (<u64>b << 3);
  if (valid < 64) w &= (<u64>1 << <u64>valid) - 1;
  return w;
}

/** Kept blocks in the whole mask (gridRows rows of maskRowBytes bytes, gridCols columns). */
export function countKept(mask: usize, gridRows: i32, gridCols: i32): i32 {
  const maskRowBytes = (gridCols + 7) >> 3;
  let t = 0;
  for (let br = 0; br < gridRows; br++) {
    const mr = mask + <usize>br * <usize>maskRowBytes;
    for (let b = 0; b < maskRowBytes; b += 8) t += <i32>popcnt(maskWord(mr + <usize>b, maskRowBytes - b, gridCols - (b << 3)));
  }
  return t;
}

/** Stores epilogue(lane r) of `a` to y[j + r] for r < cnt (cnt may be >= 4: then all 4 lanes). */
@inline export function storeLanes(yr: usize, j: i32, a: v128, cnt: i32, cs: usize, bias: usize): void {
  if (cnt >= 4) {
    v128.store(yr + (<usize>j << 2), epilogue4(a, j, cs, bias));
    return;
  }
  if (cnt > 0) store<f32>(yr + (<usize>j << 2), epilogue(f32x4.extract_lane(a, 0), j, cs, bias));
  if (cnt > 1) store<f32>(yr + (<usize>(j + 1) << 2), epilogue(f32x4.extract_lane(a, 1), j + 1, cs, bias));
  if (cnt > 2) store<f32>(yr + (<usize>(j + 2) << 2), epilogue(f32x4.extract_lane(a, 2), j + 2, cs, bias));
}

/** x[c0 .. c0+3] with lanes at or past k set to 0 (edge block columns never read past the row). */
@inline export function loadX4(xr: usize, c0: i32, k: i32): v128 {
  if (c0 + 4 <= k) return v128.load(xr + (<usize>c0 << 2));
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(xr + (<usize>c0 << 2)));
  if (c0 + 1 < k) v = f32x4.replace_lane(v, 1, load<f32>(xr + (<usize>c0 << 2), 4));
  if (c0 + 2 < k) v = f32x4.replace_lane(v, 2, load<f32>(xr + (<usize>c0 << 2), 8));
  return v;
}
