/**
 * Differentiable ops over the training kernels (NHWC activations, conv weights [O][kh][kw][I],
 * linear weights [out][in]: the .wpal layouts, so trained tensors export as they are). Each op
 * computes its output in the arena and records a backward closure that writes or accumulates the
 * gradients of its inputs (see Tensor: overwrite first, then accumulate).
 */
import type { Engine } from './tensor.js';
import { Tensor } from './tensor.js';
import type { TrainModule } from './module.js';

const TRANS_A = 1;
const TRANS_B = 2;

/** tgemm params: flags, alpha, beta. */
function gemmSlots(mod: TrainModule, flags: number, alpha: number, beta: number): number {
  const p = mod.slots();
  mod.i32[p] = flags;
  const f = mod.f32;
  f[p + 1] = alpha;
  f[p + 2] = beta;
  return mod.params;
}

/** conv2d forward: below this K the GEMM runs on a transposed copy of W (measured: LeNet-5 conv1,
 *  K = 25, 1.16 vs 2.07 ms per batch of 64; conv2, K = 500, is faster untransposed, 6.3 vs 8.2 ms). */
const SMALL_K = 64;

/** Rows of the dW = dY^T X product per tgemm call: keeps the chunk of X (and dY) in L2. */
const DW_CHUNK_BYTES = 512 * 1024;

/**
 * C[m][n] (+)= sum_p A[p][i] B[p][j] over p < k, in chunks of p: the weight gradient of a layer
 * whose k = batch (x pixels) is large. A rows sa bytes apart, B rows sb, C rows sc.
 */
function gemmTN(mod: TrainModule, m: number, n: number, k: number, a: number, sa: number, b: number, sb: number, c: number, sc: number, beta: number): void {
  const rows = Math.max(16, Math.floor(DW_CHUNK_BYTES / (sb + sa)));
  for (let p0 = 0; p0 < k || p0 === 0; p0 += rows) {
    const kc = Math.min(rows, k - p0);
    mod.k.tgemm(m, n, kc, a + p0 * sa, b + p0 * sb, 0, c, sa, sb, sc, gemmSlots(mod, TRANS_A, 1, p0 === 0 ? beta : 1));
    if (k === 0) break;
  }
}

/** y = x W^T + b: x [M, ...] with K = W.shape[1] elements per row, W [N, K], b [N] or null. */
export function linear(e: Engine, x: Tensor, w: Tensor, b: Tensor | null): Tensor {
  const [N, K] = w.shape;
  const M = x.shape[0];
  if (x.size !== M * K) throw new Error(`linear ${w.name}: input [${x.shape}] does not have ${K} features per row`);
  const mod = e.mod;
  const y = e.tensor([M, N], x.requiresGrad || w.requiresGrad || (b?.requiresGrad ?? false));
  mod.k.tgemm(M, N, K, x.ptr, w.ptr, b ? b.ptr : 0, y.ptr, K * 4, K * 4, N * 4, gemmSlots(mod, TRANS_B, 1, 0));
  e.record(y, () => {
    const dy = y.root.grad;
    if (w.requiresGrad) {
      // dW[N][K] = dY^T[N][M] X[M][K]
      gemmTN(mod, N, K, M, dy, N * 4, x.ptr, K * 4, e.gradPtr(w), K * 4, e.accum(w));
      e.wrote(w);
    }
    if (b && b.requiresGrad) {
      mod.k.colsum(M, N, dy, e.gradPtr(b), N * 4, e.accum(b));
      e.wrote(b);
    }
    if (x.requiresGrad) {
      // dX[M][K] = dY[M][N] W[N][K]
      mod.k.tgemm(M, K, N, dy, w.ptr, 0, e.gradPtr(x), N * 4, K * 4, K * 4, gemmSlots(mod, 0, 1, e.accum(x)));
      e.wrote(x);
    }
  });
  return y;
}

export interface Conv2dOptions {
  /** [stride_h, stride_w] or one number (default 1). */
  stride?: number | [number, number];
  /** [top, left, bottom, right] or one number (default 0 = "valid"). */
  pad?: number | [number, number, number, number];
  /** [dil_h, dil_w] or one number (default 1). */
  dilation?: number | [number, number];
}

interface Geometry {
  H: number; W: number; C: number; kh: number; kw: number;
  sh: number; sw: number; pads: [number, number, number, number]; dh: number; dw: number;
  OH: number; OW: number;
}

/** Writes the conv2d slot table (assembly/kernels/conv2d/README.md) plus slot 23 (accumulate). */
function convSlots(mod: TrainModule, g: Geometry, O: number, accumulate: number): number {
  const p = mod.slots();
  const i = mod.i32;
  i[p + 8] = g.H; i[p + 9] = g.W; i[p + 10] = g.C; i[p + 11] = O;
  i[p + 12] = g.kh; i[p + 13] = g.kw; i[p + 14] = g.sh; i[p + 15] = g.sw;
  i[p + 16] = g.pads[0]; i[p + 17] = g.pads[1]; i[p + 18] = g.pads[2]; i[p + 19] = g.pads[3];
  i[p + 20] = g.dh; i[p + 21] = g.dw; i[p + 22] = 1; i[p + 23] = accumulate;
  return mod.params;
}

function geometry(x: Tensor, kh: number, kw: number, opts: Conv2dOptions, dilated: boolean): Geometry {
  if (x.shape.length !== 4) throw new Error(`expected an NHWC [B, H, W, C] input, got [${x.shape}]`);
  const [, H, W, C] = x.shape;
  const two = (v: number | [number, number] | undefined): [number, number] => (Array.isArray(v) ? v : [v ?? 1, v ?? 1]);
  const [sh, sw] = two(opts.stride);
  const [dh, dw] = dilated ? two(opts.dilation) : [1, 1];
  const pads: [number, number, number, number] = Array.isArray(opts.pad) ? opts.pad : [opts.pad ?? 0, opts.pad ?? 0, opts.pad ?? 0, opts.pad ?? 0];
  const OH = Math.floor((H + pads[0] + pads[2] - dh * (kh - 1) - 1) / sh) + 1;
  const OW = Math.floor((W + pads[1] + pads[3] - dw * (kw - 1) - 1) / sw) + 1;
  if (!(OH >= 1 && OW >= 1)) throw new Error(`window ${kh}x${kw} does not fit the input [${x.shape}]`);
  return { H, W, C, kh, kw, sh, sw, pads, dh, dw, OH, OW };
}

/**
 * y = conv2d(x, W) + b, NHWC, groups 1: x [B, H, W, C], W [O, kh, kw, C], b [O] or null.
 * im2col + GEMM: col [B*OH*OW, K] (kept for the backward pass), y = col W^T + b;
 * backward dW = dY^T col, db = colsum(dY), dx = col2im(dY W).
 */
export function conv2d(e: Engine, x: Tensor, w: Tensor, b: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  const [O, kh, kw, Cw] = w.shape;
  const g = geometry(x, kh, kw, opts, true);
  if (Cw !== g.C) throw new Error(`conv2d ${w.name}: weight [${w.shape}] does not match input channels ${g.C}`);
  const mod = e.mod;
  const B = x.shape[0];
  const K = kh * kw * g.C;
  const P = B * g.OH * g.OW;
  const col = mod.alloc(P * K * 4);
  mod.k.im2col(B, x.ptr, col, g.H * g.W * g.C * 4, convSlots(mod, g, O, 0));
  const y = e.tensor([B, g.OH, g.OW, O], x.requiresGrad || w.requiresGrad || (b?.requiresGrad ?? false));
  if (K < SMALL_K) {
    // short dot products (conv1: K = 25) run better as a broadcast tile on W^T [K][O]
    const wt = mod.alloc(K * O * 4);
    const f = mod.f32;
    for (let o = 0, src = w.ptr >> 2; o < O; o++) for (let k = 0; k < K; k++) f[(wt >> 2) + k * O + o] = f[src + o * K + k];
    mod.k.tgemm(P, O, K, col, wt, b ? b.ptr : 0, y.ptr, K * 4, O * 4, O * 4, gemmSlots(mod, 0, 1, 0));
  } else {
    mod.k.tgemm(P, O, K, col, w.ptr, b ? b.ptr : 0, y.ptr, K * 4, K * 4, O * 4, gemmSlots(mod, TRANS_B, 1, 0));
  }
  e.record(y, () => {
    const dy = y.root.grad;
    if (w.requiresGrad) {
      gemmTN(mod, O, K, P, dy, O * 4, col, K * 4, e.gradPtr(w), K * 4, e.accum(w));
      e.wrote(w);
    }
    if (b && b.requiresGrad) {
      mod.k.colsum(P, O, dy, e.gradPtr(b), O * 4, e.accum(b));
      e.wrote(b);
    }
    if (x.requiresGrad) {
      const dcol = mod.alloc(P * K * 4);
      mod.k.tgemm(P, K, O, dy, w.ptr, 0, dcol, O * 4, K * 4, K * 4, gemmSlots(mod, 0, 1, 0));
      mod.k.col2im(B, dcol, e.gradPtr(x), g.H * g.W * g.C * 4, convSlots(mod, g, O, e.accum(x)));
      e.wrote(x);
    }
  });
  return y;
}

/** Max pooling, NHWC: window [kh, kw] (default 2x2), stride (default = window), padding (default 0). */
export function maxpool2d(e: Engine, x: Tensor, opts: { kernel?: number | [number, number] } & Omit<Conv2dOptions, 'dilation'> = {}): Tensor {
  const [kh, kw] = Array.isArray(opts.kernel) ? opts.kernel : [opts.kernel ?? 2, opts.kernel ?? 2];
  const g = geometry(x, kh, kw, { stride: opts.stride ?? [kh, kw], pad: opts.pad }, false);
  const mod = e.mod;
  const B = x.shape[0];
  const xs = g.H * g.W * g.C * 4, ys = g.OH * g.OW * g.C * 4;
  const y = e.tensor([B, g.OH, g.OW, g.C], x.requiresGrad);
  mod.k.maxpool(B, x.ptr, y.ptr, xs, ys, convSlots(mod, g, g.C, 0));
  e.record(y, () => {
    mod.k.maxpoolgrad(B, x.ptr, y.root.grad, e.gradPtr(x), xs, ys, convSlots(mod, g, g.C, e.accum(x)));
    e.wrote(x);
  });
  return y;
}

/** y = max(x, 0). */
export function relu(e: Engine, x: Tensor): Tensor {
  const y = e.tensor(x.shape, x.requiresGrad);
  e.mod.k.vrelu(x.size, x.ptr, y.ptr);
  e.record(y, () => {
    e.mod.k.vrelugrad(x.size, y.ptr, y.root.grad, e.gradPtr(x), e.accum(x));
    e.wrote(x);
  });
  return y;
}

/** [B, ...] -> [B, prod(...)]: a view (no copy, no backward step). */
export function flatten(e: Engine, x: Tensor): Tensor {
  return e.view(x, [x.shape[0], x.size / x.shape[0]]);
}

/** Integer class labels as an arena i32 tensor (no gradient). */
export function labelTensor(e: Engine, labels: ArrayLike<number>): Tensor {
  const t = new Tensor([labels.length], e.mod.alloc(labels.length * 4), false);
  e.mod.i32.set(labels, t.ptr >> 2);
  return t;
}

/**
 * Mean softmax cross-entropy of logits [M, N] against labels (i32 tensor [M], from labelTensor):
 * a scalar tensor. Fused: the backward pass is scale * (softmax - onehot), scale = dloss / M.
 */
export function softmaxCrossEntropy(e: Engine, logits: Tensor, labels: Tensor): Tensor {
  const [M, N] = logits.shape;
  if (logits.shape.length !== 2 || labels.size !== M) throw new Error(`softmaxCrossEntropy: logits [${logits.shape}] vs ${labels.size} labels`);
  const mod = e.mod;
  const rows = mod.alloc(M * 4);
  mod.slots(); // scale 0, no gradient
  mod.k.softmaxce(M, N, logits.ptr, labels.ptr, rows, 0, N * 4, N * 4, mod.params);
  const f = mod.f32;
  let s = 0;
  for (let i = 0; i < M; i++) s += f[(rows >> 2) + i];
  const loss = e.tensor([1], logits.requiresGrad);
  f[loss.ptr >> 2] = s / M;
  e.record(loss, () => {
    const q = mod.slots();
    const fv = mod.f32;
    fv[q] = fv[loss.root.grad >> 2] / M;
    mod.i32[q + 1] = e.accum(logits);
    mod.k.softmaxce(M, N, logits.ptr, labels.ptr, 0, e.gradPtr(logits), N * 4, N * 4, mod.params);
    e.wrote(logits);
  });
  return loss;
}

/** The scalar value of a [1] tensor (e.g. the loss). */
export function scalar(e: Engine, t: Tensor): number {
  return e.mod.f32[t.ptr >> 2];
}

/** Rows of logits [M, N] whose argmax equals the label (first max wins). */
export function countCorrect(e: Engine, logits: Tensor, labels: ArrayLike<number>): number {
  const [M, N] = logits.shape;
  const f = e.mod.f32;
  let ok = 0;
  for (let i = 0, o = logits.ptr >> 2; i < M; i++, o += N) {
    let best = 0;
    for (let j = 1; j < N; j++) if (f[o + j] > f[o + best]) best = j;
    if (best === labels[i]) ok++;
  }
  return ok;
}
