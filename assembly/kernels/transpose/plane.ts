// 2-D strided transpose used by f32_transpose__simd: y[b][a] = x[a][b], a < rows, b < cols;
// x rows xs bytes apart, y rows ys bytes apart. 4x4 tiles, each 4 row loads + 8 shuffles +
// 4 row stores:
//
//   r0 = | x00 x01 x02 x03 |      t0 = | x00 x10 x01 x11 |      y row 0 = | x00 x10 x20 x30 |
//   r1 = | x10 x11 x12 x13 |  ->  t1 = | x02 x12 x03 x13 |  ->  y row 1 = | x01 x11 x21 x31 |
//   r2, r3 likewise              t2, t3 from r2, r3           ...
//
// Tiles are visited in column bands of BAND values of b, so one band of y rows (BAND rows x 64
// bytes) stays in L1 while a runs over all rows. Edges (rows % 4, cols % 4) are scalar.

const BAND = 16;

@inline function tile4(x: usize, xs: usize, y: usize, ys: usize): void {
  const r0 = v128.load(x), r1 = v128.load(x + xs), r2 = v128.load(x + 2 * xs), r3 = v128.load(x + 3 * xs);
  const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5), t1 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t2 = i32x4.shuffle(r2, r3, 0, 4, 1, 5), t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(y, i32x4.shuffle(t0, t2, 0, 1, 4, 5));
  v128.store(y + ys, i32x4.shuffle(t0, t2, 2, 3, 6, 7));
  v128.store(y + 2 * ys, i32x4.shuffle(t1, t3, 0, 1, 4, 5));
  v128.store(y + 3 * ys, i32x4.shuffle(t1, t3, 2, 3, 6, 7));
}

export function transposePlane(x: usize, y: usize, rows: i32, cols: i32, xs: usize, ys: usize): void {
  const r4 = rows & ~3, c4 = cols & ~3;
  for (let b0 = 0; b0 < c4; b0 += BAND) {
    const b1 = min(b0 + BAND, c4);
    for (let a = 0; a < r4; a += 4) {
      const xr = x + <usize>a * xs, ya = y + (<usize>a << 2);
      for (let b = b0; b < b1; b += 4) tile4(xr + (<usize>b << 2), xs, ya + <usize>b * ys, ys);
    }
  }
  // right edge (b >= c4) for every row, then bottom edge (a >= r4) for the other columns
  for (let a = 0; a < rows; a++) {
    for (let b = c4; b < cols; b++) store<f32>(y + <usize>b * ys + (<usize>a << 2), load<f32>(x + <usize>a * xs + (<usize>b << 2)));
  }
  for (let a = r4; a < rows; a++) {
    for (let b = 0; b < c4; b++) store<f32>(y + <usize>b * ys + (<usize>a << 2), load<f32>(x + <usize>a * xs + (<usize>b << 2)));
  }
}
