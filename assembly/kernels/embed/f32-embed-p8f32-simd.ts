// f32_embed_p8f32__simd: embedding lookup on a palettized table (bits 1..8):
//   y[i][c] = chscale[t] * pal[t / group_rows][idx[t][c]],   t = ids[i],  i < m, c < n (dim)
// Per token row, 16 indices at a time: SIMD unpack of 2*bits bytes into 16 byte indices
// (assembly/common/unpack.ts), then
//   bits <= 4: 4 i8x16.swizzle over the palette's byte planes (assembly/common/palette.ts),
//              planes rebuilt only when the palette changes;
//   bits 5..8: 16 scalar palette loads (256 entries do not fit a swizzle table).
// The last 1..15 values of a row go through the tail buffer; chscale is one multiply per vector.
//
//   w row t: | 2b bytes: idx 0..15 | 2b bytes: idx 16..31 | ... |   LSB first, rows byte aligned
//   scratch (params slot 5, 16-byte aligned, 224 bytes):
//   | unpack ctl 64 | tmp 16 | indices 16 | planes 64 | tail 64 |
// ABI, params, id check and preconditions: as f32_embed_p8f32__ref (the reference), plus scratch.
import { P_BITS, P_GROUP_ROWS, P_CHSCALE, P_SCRATCH, param, paramPtr } from '../../common/gemm';
import { unpackSetup, unpack16, loadChunk } from '../../common/unpack';
import { buildPlanes, lookup16 } from '../../common/palette';
import { idOk } from './common';

export function f32_embed_p8f32__simd(
  m: i32, n: i32, vocab: i32, ids: usize, w: usize, pal: usize, y: usize, y_stride: i32, params: usize,
): void {
  const bits = param(params, P_BITS);
  const groupRows = param(params, P_GROUP_ROWS);
  const cs = paramPtr(params, P_CHSCALE);
  const scratch = paramPtr(params, P_SCRATCH);
  assert(m >= 0 && n >= 0 && vocab >= 1 && bits >= 1 && bits <= 8 && groupRows >= 1);
  assert(((ids | y | pal) & 3) == 0 && (y_stride & 3) == 0 && (m <= 1 || y_stride >= n * 4));
  assert(scratch != 0 && (scratch & 15) == 0);
  const ctl = scratch, tmp = scratch + 64, idxBuf = scratch + 80, planes = scratch + 96, tail = scratch + 160;
  unpackSetup(bits, ctl);
  const c0 = v128.load(ctl), c1 = v128.load(ctl, 16), m0 = v128.load(ctl, 32), m1 = v128.load(ctl, 48);
  const down = 16 - bits;
  const rowBytes = (<usize>n * <usize>bits + 7) >> 3;
  const wEnd = w + <usize>vocab * rowBytes;
  const chunkBytes = <usize>(bits << 1);
  const n16 = n & ~15;
  const swz = bits <= 4;
  let p0 = i32x4.splat(0), p1 = p0, p2 = p0, p3 = p0;
  let lastPal: usize = 0; // palette whose planes are in p0..p3 (0: none yet)
  for (let i = 0; i < m; i++) {
    const t = load<i32>(ids + (<usize>i << 2));
    const yr = y + <usize>i * <usize>y_stride;
    if (!idOk(t, vocab, yr, n)) continue;
    const pr = pal + ((<usize>(t / groupRows) << <usize>bits) << 2);
    if (swz && pr != lastPal) {
      buildPlanes(pr, bits, planes);
      p0 = v128.load(planes); p1 = v128.load(planes, 16); p2 = v128.load(planes, 32); p3 = v128.load(planes, 48);
      lastPal = pr;
    }
    const s = f32x4.splat(cs ? load<f32>(cs + (<usize>t << 2)) : 1);
    let src = w + <usize>t * rowBytes;
    for (let c = 0; c < n; c += 16, src += chunkBytes) {
      const idx = unpack16(loadChunk(src, <isize>(wEnd - src), tmp), c0, c1, m0, m1, down);
      // full chunks decode straight into y; the last partial one into the tail buffer
      const dst = c < n16 ? yr + (<usize>c << 2) : tail;
      if (swz) {
        lookup16(idx, p0, p1, p2, p3, dst);
      } else {
        v128.store(idxBuf, idx);
        for (let e: usize = 0; e < 16; e++) store<f32>(dst + (e << 2), load<f32>(pr + (<usize>load<u8>(idxBuf + e) << 2)));
      }
      if (cs) {
        v128.store(dst, f32x4.mul(v128.load(dst), s));
        v128.store(dst, f32x4.mul(v128.load(dst, 16), s), 16);
        v128.store(dst, f32x4.mul(v128.load(dst, 32), s), 32);
        v128.store(dst, f32x4.mul(v128.load(dst, 48), s), 48);
      }
      if (dst == tail) memory.copy(yr + (<usize>c << 2), tail, <usize>(n - c) << 2);
    }
  }
}
