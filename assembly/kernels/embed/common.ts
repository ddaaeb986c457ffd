// Shared by the embed kernels: the id check. The runtime validates token ids before calling; a
// kernel that still meets an id outside [0, vocab) asserts (debug build) or writes a row of zeros
// (release build), so it never reads outside the table.

/** true when `t` is a valid row of the table; else (release) zeroes the n f32 at yr. */
@inline export function idOk(t: i32, vocab: i32, yr: usize, n: i32): bool {
  if (<u32>t < <u32>vocab) return true;
  assert(false, 'embed: token id out of range');
  memory.fill(yr, 0, <usize>n << 2);
  return false;
}
