// params layout of the slice family (ABI: assembly/kernels/layernorm/README.md, "slice"), shared by
// its kernels. Not a kernel.
//
//   params (20 x i32): | 0: offset | 1..9: output dims d_0..d_8 | 10..18: input strides s_0..s_8 | 19: 0 |
//
// offset and strides are in elements; strides are signed (a negative step walks backwards).

export const S_OFFSET: usize = 0;
export const S_DIMS: usize = 4;      // slot 1
export const S_STRIDES: usize = 40;  // slot 10
export const S_MAX_RANK: i32 = 9;

@inline export function sliceDim(params: usize, a: i32): i32 {
  return load<i32>(params + S_DIMS + (<usize>a << 2));
}

@inline export function sliceStride(params: usize, a: i32): i32 {
  return load<i32>(params + S_STRIDES + (<usize>a << 2));
}
