// f32_resizenearest__simd: 2-D nearest-neighbour resize of NHWC images (formula, tables and
// preconditions: f32_resizenearest__ref, the reference). Channels are contiguous in both images, so
// every output pixel is one copy of C floats (concat/rows.ts: 16-byte moves, memory.copy from 64 bytes).
import { copyRows } from '../concat/rows';
import { R_W, R_C, R_OH, R_OW, R_ROWS, R_COLS, checkResize } from './table';

export function f32_resizenearest__simd(n: i32, x: usize, y: usize, x_stride: i32, y_stride: i32, params: usize): void {
  checkResize(n, x_stride, y_stride, params, 4);
  const W = load<i32>(params + R_W), C = load<i32>(params + R_C);
  const OH = load<i32>(params + R_OH), OW = load<i32>(params + R_OW);
  const rows = <usize>load<u32>(params + R_ROWS), cols = <usize>load<u32>(params + R_COLS);
  const pixB = <usize>C << 2;
  const rowB = <usize>W * pixB;
  for (let b = 0; b < n; b++) {
    const xi = x + <usize>b * <usize>x_stride;
    let dst = y + <usize>b * <usize>y_stride;
    for (let oy = 0; oy < OH; oy++) {
      const xr = xi + <usize>load<i32>(rows + (<usize>oy << 2)) * rowB;
      if (oy > 0 && load<i32>(rows + (<usize>oy << 2)) == load<i32>(rows + (<usize>(oy - 1) << 2))) {
        // same source row as the previous output row (upsampling): copy that output row
        memory.copy(dst, dst - <usize>OW * pixB, <usize>OW * pixB);
        dst += <usize>OW * pixB;
        continue;
      }
      for (let ox = 0; ox < OW; ox++, dst += pixB) {
        copyRows(1, pixB, xr + <usize>load<i32>(cols + (<usize>ox << 2)) * pixB, dst, 0, 0);
      }
    }
  }
}
