// Shared by the matmul kernels: params slots (8 x 32-bit values at the params pointer).
//
//   | 0: flags (bit 0: B transposed) | 1: alpha (f32 bits) | 2: A batch stride | 3: B batch stride |
//   | 4: C batch stride | 5..7: reserved, 0 |                 (batch strides in bytes)

export const MM_FLAGS: usize = 0;
export const MM_ALPHA: usize = 4;
export const MM_A_BATCH: usize = 8;
export const MM_B_BATCH: usize = 12;
export const MM_C_BATCH: usize = 16;
export const MM_TRANS_B: i32 = 1;
