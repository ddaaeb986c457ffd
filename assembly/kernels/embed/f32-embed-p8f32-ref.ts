// f32_embed_p8f32__ref: embedding lookup on a palettized table (bits 1..8):
//   y[i][c] = chscale[t] * pal[t / group_rows][idx[t][c]],   t = ids[i],  i < m, c < n (dim)
//
//   w: packed indices, row t at t * ceil(n*bits/8) bytes, index c at bit c*bits, LSB first
//   byte:   |   0    |   1    | ...        e.g. bits = 3:
//   bits:   |22111000|54443332| ...        (digit = which index the bit belongs to)
//   pal: f32 [num_palettes][2^bits], palette p = t / group_rows (per tensor: group_rows = vocab)
//   params: slot 0 bits (1..8), 1 group_rows (>= 1), 4 chscale (f32 [vocab]) or 0, 5 scratch
//           (read by the SIMD kernel only), others 0 — the gemm slots.
//
// Id check, ids, y and strides: as f32_embed_dense__ref. Reference for f32_embed_p8f32__simd.
import { P_BITS, P_GROUP_ROWS, P_CHSCALE, param, paramPtr, readIndex } from '../../common/gemm';
import { idOk } from './common';

export function f32_embed_p8f32__ref(
  m: i32, n: i32, vocab: i32, ids: usize, w: usize, pal: usize, y: usize, y_stride: i32, params: usize,
): void {
  const bits = param(params, P_BITS);
  const groupRows = param(params, P_GROUP_ROWS);
  const cs = paramPtr(params, P_CHSCALE);
  assert(m >= 0 && n >= 0 && vocab >= 1 && bits >= 1 && bits <= 8 && groupRows >= 1);
  assert(((ids | y | pal) & 3) == 0 && (y_stride & 3) == 0 && (m <= 1 || y_stride >= n * 4));
  const rowBytes = (<usize>n * <usize>bits + 7) >> 3;
  for (let i = 0; i < m; i++) {
    const t = load<i32>(ids + (<usize>i << 2));
    const yr = y + <usize>i * <usize>y_stride;
    if (!idOk(t, vocab, yr, n)) continue;
    const wr = w + <usize>t * rowBytes;
    const pr = pal + ((<usize>(t / groupRows) << <usize>bits) << 2);
    const s: f32 = cs ? load<f32>(cs + (<usize>t << 2)) : 1;
    for (let c = 0; c < n; c++) {
      store<f32>(yr + (<usize>c << 2), s * load<f32>(pr + (<usize>readIndex(wr, c, bits) << 2)));
    }
  }
}
