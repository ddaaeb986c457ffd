/**
 * float64 oracle of the conv2d, dwconv2d and pool families, written from the definitions in
 * assembly/kernels/conv2d/README.md (never from kernel code). Activations are NHWC, weights
 * [O][kh][kw][C/groups] (the [O, K] view, K = kh*kw*C/groups), already decoded to float64 by the
 * test with the layout decoders of test/oracle/gemm.ts.
 *
 *   conv:   y[b][oy][ox][o] = chscale[o] * sum_{ky,kx,ci} W[o][ky][kx][ci] * x[b][iy][ix][g*Ig+ci] + bias[o]
 *           iy = oy*sh - pt + ky*dh, ix = ox*sw - pl + kx*dw; taps outside the image read 0.
 *   dwconv: conv with groups = C = O.
 *   maxpool: max over the window taps inside the image; avgpool: their sum / their count
 *           (padding excluded); gavgpool: mean over all H*W pixels.
 *
 * Input domain: x, dense W, palette entries, bias uniform in [-1, 1], chscale in [0.5, 2].
 * Tolerance (eps = 2^-24), per output, with mag = |chscale| * sum |W x| + |bias| (conv) or
 * sum |x| / count (avg pools):
 *  - conv / dwconv vs oracle: (K + 4) * eps * mag (f32Tol of test/oracle/gemm.ts: a K-term f32 dot
 *    in any order); SIMD vs its ref: twice that.
 *  - avgpool / gavgpool vs oracle: (count + 2) * eps * mag; SIMD vs ref: equal bit for bit (same
 *    per-channel order). maxpool: exact.
 */

export interface Geom {
  H: number; W: number; C: number; O: number; kh: number; kw: number;
  sh: number; sw: number; pt: number; pl: number; pb: number; pr: number; dh: number; dw: number; groups: number;
}

export function outDim(size: number, k: number, s: number, p0: number, p1: number, d: number): number {
  return Math.floor((size + p0 + p1 - d * (k - 1) - 1) / s) + 1;
}

export function outShape(g: Geom): [number, number] {
  return [outDim(g.H, g.kh, g.sh, g.pt, g.pb, g.dh), outDim(g.W, g.kw, g.sw, g.pl, g.pr, g.dw)];
}

export interface ConvOut {
  y: Float64Array; // [nb][OH][OW][O]
  mag: Float64Array;
}

export function convOracle(
  nb: number, g: Geom, x: ArrayLike<number>, W: ArrayLike<number>, chscale?: ArrayLike<number>, bias?: ArrayLike<number>,
): ConvOut {
  const [OH, OW] = outShape(g);
  const Ig = g.C / g.groups;
  const Og = g.O / g.groups;
  const K = g.kh * g.kw * Ig;
  const y = new Float64Array(nb * OH * OW * g.O);
  const mag = new Float64Array(y.length);
  for (let b = 0; b < nb; b++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        for (let o = 0; o < g.O; o++) {
          const grp = Math.floor(o / Og);
          let s = 0;
          let a = 0;
          for (let ky = 0; ky < g.kh; ky++) {
            for (let kx = 0; kx < g.kw; kx++) {
              const iy = oy * g.sh - g.pt + ky * g.dh;
              const ix = ox * g.sw - g.pl + kx * g.dw;
              if (iy < 0 || iy >= g.H || ix < 0 || ix >= g.W) continue; // zero padding
              for (let ci = 0; ci < Ig; ci++) {
                const p = W[o * K + (ky * g.kw + kx) * Ig + ci] * x[((b * g.H + iy) * g.W + ix) * g.C + grp * Ig + ci];
                s += p;
                a += Math.abs(p);
              }
            }
          }
          const cs = chscale ? chscale[o] : 1;
          const bb = bias ? bias[o] : 0;
          const i = ((b * OH + oy) * OW + ox) * g.O + o;
          y[i] = cs * s + bb;
          mag[i] = Math.abs(cs) * a + Math.abs(bb);
        }
      }
    }
  }
  return { y, mag };
}

export interface PoolOut {
  y: Float64Array; // [nb][OH][OW][C] (gavgpool: [nb][C])
  /** allowed |y - y64| vs the oracle */
  tol: Float64Array;
}

const EPS32 = 2 ** -24;

/** Max or average (padding excluded) pooling; geometry fields O, dh, dw, groups are ignored. */
export function poolOracle(kind: 'max' | 'avg', nb: number, g: Geom, x: ArrayLike<number>): PoolOut {
  const OH = outDim(g.H, g.kh, g.sh, g.pt, g.pb, 1);
  const OW = outDim(g.W, g.kw, g.sw, g.pl, g.pr, 1);
  const y = new Float64Array(nb * OH * OW * g.C);
  const tol = new Float64Array(y.length);
  for (let b = 0; b < nb; b++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        for (let c = 0; c < g.C; c++) {
          let m = -Infinity;
          let s = 0;
          let a = 0;
          let cnt = 0;
          for (let ky = 0; ky < g.kh; ky++) {
            for (let kx = 0; kx < g.kw; kx++) {
              const iy = oy * g.sh - g.pt + ky;
              const ix = ox * g.sw - g.pl + kx;
              if (iy < 0 || iy >= g.H || ix < 0 || ix >= g.W) continue;
              const v = x[((b * g.H + iy) * g.W + ix) * g.C + c];
              m = Math.max(m, v);
              s += v;
              a += Math.abs(v);
              cnt++;
            }
          }
          const i = ((b * OH + oy) * OW + ox) * g.C + c;
          y[i] = kind === 'max' ? m : s / cnt;
          tol[i] = kind === 'max' ? 0 : ((cnt + 2) * EPS32 * a) / cnt;
        }
      }
    }
  }
  return { y, tol };
}

export function gavgpoolOracle(nb: number, H: number, W: number, C: number, x: ArrayLike<number>): PoolOut {
  const y = new Float64Array(nb * C);
  const tol = new Float64Array(y.length);
  const P = H * W;
  for (let b = 0; b < nb; b++) {
    for (let c = 0; c < C; c++) {
      let s = 0;
      let a = 0;
      for (let p = 0; p < P; p++) {
        const v = x[(b * P + p) * C + c];
        s += v;
        a += Math.abs(v);
      }
      y[b * C + c] = s / P;
      tol[b * C + c] = ((P + 2) * EPS32 * a) / P;
    }
  }
  return { y, tol };
}
