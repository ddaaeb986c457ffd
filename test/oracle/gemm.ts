/**
 * float64 oracle of the gemm family, written from the definition in assembly/kernels/README.md and
 * the bit layouts of schemas/wpal.fbs (decoded here, never by kernel code):
 *
 *   y[i][j] = chscale[j] * sum_k W[j][k] * x[i][k] + bias[j]
 *
 * Input domain (what the tests draw): x, dense W, f32 palette entries, chscale, bias uniform in [-1, 1]
 * (chscale in [0.5, 2]); f16 weights are any finite half (subnormals included) plus, in one case,
 * inf/nan; int8 palette entries in [-128, 127] with palette scales in [2^-8, 2^-4].
 *
 * Tolerance (stated once, used by test/kernels/gemm.test.ts), with eps = 2^-24 and, per output,
 *   mag[i][j] = |chscale[j]| * sum_k |W[j][k] * x[i][k]| + |bias[j]|:
 *  - f32 kernels vs oracle: |y - y64| <= (k + 4) * eps * mag  (the worst-case rounding bound of a k-term
 *    f32 dot product in any summation order, one product rounding, the scale and the bias);
 *  - f32 SIMD vs its ref: twice that (both sit inside the bound around y64);
 *  - i8 kernels vs oracle: x is rounded to q * s with s = max|x[i]| / 127, so |q*s - x| <= s/2 (+ f32
 *    rounding of the scale, 2^-20 |x|): |y - y64| <= |chscale| * sum_k |W| * (s/2 + 2^-20 |x|) + 8 eps * mag;
 *  - i8 SIMD vs the i8 ref: equal bit for bit (same integers, same float epilogue).
 */

export const EPS32 = 2 ** -24;

export function f32Tol(k: number, mag: number): number {
  return (k + 4) * EPS32 * mag;
}

/** IEEE binary16 bits -> number, from the definition (sign, 5-bit exponent bias 15, 10-bit mantissa). */
export function f16Value(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** Index `i` of an LSB-first stream of `bits`-bit values starting at byte `byteOffset`. */
export function bitField(bytes: Uint8Array, byteOffset: number, i: number, bits: number): number {
  let v = 0;
  for (let b = 0; b < bits; b++) {
    const bit = i * bits + b;
    v |= ((bytes[byteOffset + (bit >> 3)] >> (bit & 7)) & 1) << b;
  }
  return v;
}

/** Packed rows (each row ceil(k*bits/8) bytes, byte aligned) -> [n*k] indices. */
export function decodeRows(bytes: Uint8Array, n: number, k: number, bits: number): Int32Array {
  const rowBytes = Math.ceil((k * bits) / 8);
  const out = new Int32Array(n * k);
  for (let j = 0; j < n; j++) for (let c = 0; c < k; c++) out[j * k + c] = bitField(bytes, j * rowBytes, c, bits);
  return out;
}

/**
 * Block-sparse [n, k]: mask (one bit per R x C block, mask rows padded to bytes, LSB first) and the
 * kept values in row-major block order; `value(v)` returns kept value number v. Dropped -> 0.
 */
export function decodeBlockSparse(
  n: number, k: number, R: number, C: number, mask: Uint8Array, value: (v: number) => number,
): Float64Array {
  const gr = Math.ceil(n / R);
  const gc = Math.ceil(k / C);
  const rowBytes = Math.ceil(gc / 8);
  const out = new Float64Array(n * k);
  let t = 0;
  for (let br = 0; br < gr; br++) {
    for (let bc = 0; bc < gc; bc++) {
      if (!((mask[br * rowBytes + (bc >> 3)] >> (bc & 7)) & 1)) continue;
      for (let r = 0; r < R; r++) {
        for (let c = 0; c < C; c++) {
          const row = br * R + r;
          const col = bc * C + c;
          if (row < n && col < k) out[row * k + col] = value(t * R * C + r * C + c);
        }
      }
      t++;
    }
  }
  return out;
}

export interface OracleOut {
  y: Float64Array; // [m*n]
  mag: Float64Array; // [m*n], see the tolerance above
}

/** y = chscale * (W x) + bias in float64; W is [n*k] already decoded; x rows are [m*k] dense. */
export function gemmOracle(
  m: number, n: number, k: number, x: ArrayLike<number>, W: ArrayLike<number>,
  chscale?: ArrayLike<number>, bias?: ArrayLike<number>,
): OracleOut {
  const y = new Float64Array(m * n);
  const mag = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let a = 0;
      for (let c = 0; c < k; c++) {
        const p = W[j * k + c] * x[i * k + c];
        s += p;
        a += Math.abs(p);
      }
      const cs = chscale ? chscale[j] : 1;
      const b = bias ? bias[j] : 0;
      y[i * n + j] = cs * s + b;
      mag[i * n + j] = Math.abs(cs) * a + Math.abs(b);
    }
  }
  return { y, mag };
}

/** Allowed |y - y64| of an i8 kernel (tolerance above); W already includes the palette scales. */
export function i8Tol(
  m: number, n: number, k: number, x: ArrayLike<number>, W: ArrayLike<number>, mag: Float64Array,
  chscale?: ArrayLike<number>,
): Float64Array {
  const tol = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    let amax = 0;
    for (let c = 0; c < k; c++) amax = Math.max(amax, Math.abs(x[i * k + c]));
    const s = amax / 127;
    for (let j = 0; j < n; j++) {
      let q = 0;
      for (let c = 0; c < k; c++) q += Math.abs(W[j * k + c]) * (s / 2 + 2 ** -20 * Math.abs(x[i * k + c]));
      tol[i * n + j] = Math.abs(chscale ? chscale[j] : 1) * q + 8 * EPS32 * mag[i * n + j];
    }
  }
  return tol;
}
