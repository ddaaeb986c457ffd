/**
 * float64 oracle of the deconv2d family (ONNX ConvTranspose), written from ONNX's definition as a
 * scatter, never from the kernels (which gather): every input pixel (iy, ix) adds its channels of
 * group g times the weights of each tap (ky, kx) into output pixel
 *
 *   oy = iy*sh - pt + ky*dh,   ox = ix*sw - pl + kx*dw     (dropped when outside [0, OH) x [0, OW))
 *   y[b][oy][ox][o] += W[o][ky][kx][ci] * x[b][iy][ix][g*Ig + ci],   g = o / (O/groups)
 *   then y = chscale[o] * y + bias[o];   OH = (H-1)*sh - pt - pb + dh*(kh-1) + 1 + oph (OW likewise)
 *
 * Weights are [O][kh][kw][C/groups] (the [O, K] view), already decoded to float64 by the test with
 * the layout decoders of test/oracle/gemm.ts (ONNX's [C][O/groups][kh][kw] permuted: row = output
 * channel).
 *
 * Input domain: x, dense W, palette entries, bias uniform in [-1, 1], chscale in [0.5, 2].
 * Tolerance (eps = 2^-24), per output, with mag = |chscale| * sum |W x| + |bias| over the taps that
 * reach it: vs oracle (K + 4) * eps * mag (f32Tol of test/oracle/gemm.ts, K = kh*kw*C/groups bounds
 * the number of terms); SIMD vs its ref: twice that.
 */

export interface DeconvGeom {
  H: number; W: number; C: number; O: number; kh: number; kw: number;
  sh: number; sw: number; pt: number; pl: number; pb: number; pr: number; dh: number; dw: number;
  groups: number; oph: number; opw: number;
}

export function deconvOutShape(g: DeconvGeom): [number, number] {
  return [
    (g.H - 1) * g.sh - g.pt - g.pb + g.dh * (g.kh - 1) + 1 + g.oph,
    (g.W - 1) * g.sw - g.pl - g.pr + g.dw * (g.kw - 1) + 1 + g.opw,
  ];
}

export function deconvOracle(
  nb: number, g: DeconvGeom, x: ArrayLike<number>, W: ArrayLike<number>, chscale?: ArrayLike<number>, bias?: ArrayLike<number>,
): { y: Float64Array; mag: Float64Array } {
  const [OH, OW] = deconvOutShape(g);
  const Ig = g.C / g.groups;
  const Og = g.O / g.groups;
  const K = g.kh * g.kw * Ig;
  const y = new Float64Array(nb * OH * OW * g.O);
  const mag = new Float64Array(y.length);
  for (let b = 0; b < nb; b++) {
    for (let iy = 0; iy < g.H; iy++) for (let ix = 0; ix < g.W; ix++) {
      for (let ky = 0; ky < g.kh; ky++) for (let kx = 0; kx < g.kw; kx++) {
        const oy = iy * g.sh - g.pt + ky * g.dh;
        const ox = ix * g.sw - g.pl + kx * g.dw;
        if (oy < 0 || oy >= OH || ox < 0 || ox >= OW) continue; // cropped by the pads
        for (let o = 0; o < g.O; o++) {
          const grp = Math.floor(o / Og);
          const i = ((b * OH + oy) * OW + ox) * g.O + o;
          for (let ci = 0; ci < Ig; ci++) {
            const p = W[o * K + (ky * g.kw + kx) * Ig + ci] * x[((b * g.H + iy) * g.W + ix) * g.C + grp * Ig + ci];
            y[i] += p;
            mag[i] += Math.abs(p);
          }
        }
      }
    }
  }
  for (let i = 0; i < y.length; i++) {
    const o = i % g.O;
    const cs = chscale ? chscale[o] : 1;
    const bb = bias ? bias[o] : 0;
    y[i] = cs * y[i] + bb;
    mag[i] = Math.abs(cs) * mag[i] + Math.abs(bb);
  }
  return { y, mag };
}
