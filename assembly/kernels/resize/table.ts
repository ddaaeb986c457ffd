// params slots and table entries of the resize family (ABI: assembly/kernels/conv2d/README.md,
// "resizenearest, resizebilinear"), shared by its kernels. Not a kernel.
//
//   params (8 x i32): | 0: H | 1: W | 2: C | 3: OH | 4: OW | 5: row table | 6: column table | 7: 0 |
//
//   nearest tables:   i32 [OH] source rows, i32 [OW] source columns
//   bilinear tables:  [OH] entries of 12 bytes: | i0: i32 | i1: i32 | t: f32 |  (rows; columns [OW])
//                     the value at the entry is lerp(v[i0], v[i1], t) = v[i0] + (v[i1] - v[i0]) * t
//
// The host builds the tables once at load from the ONNX coordinate transform (clamped indices).

export const R_H: usize = 0;
export const R_W: usize = 4;
export const R_C: usize = 8;
export const R_OH: usize = 12;
export const R_OW: usize = 16;
export const R_ROWS: usize = 20;
export const R_COLS: usize = 24;

/** Table preconditions (debug build only): sizes >= 1, tables present, every index in range. */
export function checkResize(n: i32, xs: i32, ys: i32, params: usize, entry: usize): void {
  const H = load<i32>(params + R_H), W = load<i32>(params + R_W), C = load<i32>(params + R_C);
  const OH = load<i32>(params + R_OH), OW = load<i32>(params + R_OW);
  assert(n >= 1 && H >= 1 && W >= 1 && C >= 1 && OH >= 1 && OW >= 1 && ((xs | ys) & 3) == 0);
  assert(n == 1 || (xs >= H * W * C * 4 && ys >= OH * OW * C * 4));
  const rows = <usize>load<u32>(params + R_ROWS), cols = <usize>load<u32>(params + R_COLS);
  assert(rows != 0 && cols != 0);
  if (ASC_NO_ASSERT) return; // the release build skips the table walk below
  for (let i = 0; i < OH; i++) {
    const e = rows + <usize>i * entry;
    assert(<u32>load<i32>(e) < <u32>H && (entry == 4 || <u32>load<i32>(e, 4) < <u32>H));
  }
  for (let i = 0; i < OW; i++) {
    const e = cols + <usize>i * entry;
    assert(<u32>load<i32>(e) < <u32>W && (entry == 4 || <u32>load<i32>(e, 4) < <u32>W));
  }
}
