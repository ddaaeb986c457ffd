/**
 * Differentiable ops of a small transformer, on the training kernels (text-kernels.ts). Activations
 * are [B, T, D] row-major (token rows of D), the layout of the runtime's [T, D] per example, so
 * trained tensors export to src/models/text.ts unchanged.
 *
 * Heads are not split into their own tensors: head h of a [B, T, D] activation is the column slice
 * h*dh .. (h+1)*dh of every token row, and the attention GEMMs read and write those slices in place
 * through their row strides (D floats). That is the runtime's Reshape [T, heads, dh] + Transpose
 * [heads, T, dh] (and back) without a copy in either direction, forward or backward.
 */
import type { Engine } from './tensor.js';
import { Tensor } from './tensor.js';
import type { TrainModule } from './module.js';
import { textKernels } from './text-kernels.js';

const TRANS_A = 1;
const TRANS_B = 2;

function gemmSlots(mod: TrainModule, flags: number, alpha: number, beta: number): number {
  const p = mod.slots();
  mod.i32[p] = flags;
  mod.f32[p + 1] = alpha;
  mod.f32[p + 2] = beta;
  return mod.params;
}

/** dst (+)= src over n floats: the gradient of an identity path (add, residual). */
function passGrad(e: Engine, src: number, t: Tensor): void {
  const dst = e.gradPtr(t);
  if (e.accum(t)) textKernels(e.mod).vadd(t.size, dst, src, dst);
  else e.mod.f32.copyWithin(dst >> 2, src >> 2, (src >> 2) + t.size);
  e.wrote(t);
}

/** Token ids [B, T] as an arena int32 tensor (no gradient); every id must be in [0, vocab). */
export function idsTensor(e: Engine, ids: ArrayLike<number>, shape: readonly number[], vocab: number): Tensor {
  const t = new Tensor(shape, e.mod.alloc(ids.length * 4), false);
  if (t.size !== ids.length) throw new Error(`idsTensor: ${ids.length} ids for shape [${shape}]`);
  const v = e.mod.i32;
  const base = t.ptr >> 2;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!(Number.isInteger(id) && id >= 0 && id < vocab)) throw new RangeError(`token id ${id} at position ${i} is outside the table [0, ${vocab})`);
    v[base + i] = id;
  }
  return t;
}

/** y[..., :] = table[ids[...], :]: ids an int32 tensor (idsTensor), table [V, D]; y [...ids.shape, D]. */
export function embedding(e: Engine, ids: Tensor, table: Tensor): Tensor {
  const [V, D] = table.shape;
  const K = textKernels(e.mod);
  // the kernels skip an id outside the table (release build): refuse it here instead
  const iv = e.mod.i32;
  for (let i = 0, o = ids.ptr >> 2; i < ids.size; i++) {
    const id = iv[o + i];
    if (!(id >= 0 && id < V)) throw new RangeError(`embedding ${table.name}: token id ${id} at position ${i} is outside the table [0, ${V})`);
  }
  const y = e.tensor([...ids.shape, D], table.requiresGrad);
  K.embed(ids.size, D, V, ids.ptr, table.ptr, 0, y.ptr, D * 4, 0);
  e.record(y, () => {
    K.embedgrad(ids.size, D, V, ids.ptr, y.root.grad, e.gradPtr(table), D * 4, e.accum(table));
    e.wrote(table);
  });
  return y;
}

/** LayerNorm over the last axis (biased variance, as the runtime's LayerNorm): gamma, beta [D]. */
export function layerNorm(e: Engine, x: Tensor, gamma: Tensor, beta: Tensor, eps = 1e-5): Tensor {
  const D = x.shape[x.shape.length - 1];
  if (gamma.size !== D || beta.size !== D) throw new Error(`layerNorm: gamma / beta must have ${D} values`);
  const M = x.size / D;
  const mod = e.mod;
  const K = textKernels(mod);
  const y = e.tensor(x.shape, x.requiresGrad || gamma.requiresGrad || beta.requiresGrad);
  let p = mod.slots();
  mod.f32[p] = eps;
  K.layernorm(M, D, x.ptr, y.ptr, gamma.ptr, beta.ptr, D * 4, D * 4, mod.params);
  e.record(y, () => {
    const wantGB = gamma.requiresGrad || beta.requiresGrad;
    if (wantGB && e.accum(gamma) !== e.accum(beta)) throw new Error(`layerNorm ${gamma.name}: gamma and beta gradients are out of step`);
    p = mod.slots();
    mod.f32[p] = eps;
    mod.i32[p + 1] = x.requiresGrad ? e.accum(x) : 0;
    mod.i32[p + 2] = wantGB ? e.accum(gamma) : 0;
    // dx is needed for the kernel's ABI; a scratch row block when x takes no gradient
    const dx = x.requiresGrad ? e.gradPtr(x) : mod.alloc(x.size * 4);
    K.layernormgrad(M, D, x.ptr, y.root.grad, gamma.ptr, dx, wantGB ? e.gradPtr(gamma) : 0, wantGB ? e.gradPtr(beta) : 0, D * 4, D * 4, D * 4, mod.params);
    if (x.requiresGrad) e.wrote(x);
    if (wantGB) {
      e.wrote(gamma);
      e.wrote(beta);
    }
  });
  return y;
}

/** The exact (erf) GELU, as the runtime's Gelu: y = x Phi(x). */
export function gelu(e: Engine, x: Tensor): Tensor {
  const K = textKernels(e.mod);
  const y = e.tensor(x.shape, x.requiresGrad);
  K.vgelu(x.size, x.ptr, y.ptr);
  e.record(y, () => {
    K.vgelugrad(x.size, x.ptr, y.root.grad, e.gradPtr(x), e.accum(x));
    e.wrote(x);
  });
  return y;
}

/** y = a + b (same shape): a residual connection. */
export function add(e: Engine, a: Tensor, b: Tensor): Tensor {
  if (a.size !== b.size) throw new Error(`add: shapes [${a.shape}] and [${b.shape}] differ`);
  const y = e.tensor(a.shape, a.requiresGrad || b.requiresGrad);
  textKernels(e.mod).vadd(a.size, a.ptr, b.ptr, y.ptr);
  e.record(y, () => {
    if (a.requiresGrad) passGrad(e, y.root.grad, a);
    if (b.requiresGrad) passGrad(e, y.root.grad, b);
  });
  return y;
}

/** Softmax over the last axis. */
export function softmax(e: Engine, x: Tensor): Tensor {
  const n = x.shape[x.shape.length - 1];
  const m = x.size / n;
  const K = textKernels(e.mod);
  const y = e.tensor(x.shape, x.requiresGrad);
  K.softmax(m, n, x.ptr, y.ptr, n * 4, n * 4);
  e.record(y, () => {
    K.softmaxgrad(m, n, y.ptr, y.root.grad, e.gradPtr(x), n * 4, n * 4, n * 4, e.accum(x));
    e.wrote(x);
  });
  return y;
}

function headGeometry(what: string, a: Tensor, heads: number): [number, number, number, number] {
  if (a.shape.length !== 3) throw new Error(`${what}: expected [B, T, D], got [${a.shape}]`);
  const [B, T, D] = a.shape;
  if (D % heads !== 0) throw new Error(`${what}: D = ${D} is not a multiple of ${heads} heads`);
  return [B, T, D, D / heads];
}

/**
 * Attention scores S[b][h] = alpha Q_h K_h^T: q [B, T, D], k [B, S, D] (D = heads x dh; head h is
 * the column slice h*dh..) -> [B, heads, T, S]. The runtime's MatMul(q heads, k heads, transpose_b, alpha).
 */
export function attentionScores(e: Engine, q: Tensor, k: Tensor, heads: number, alpha: number): Tensor {
  const [B, T, D, dh] = headGeometry('attentionScores', q, heads);
  const S = k.shape[1];
  if (k.shape[0] !== B || k.shape[2] !== D) throw new Error(`attentionScores: k [${k.shape}] does not match q [${q.shape}]`);
  const mod = e.mod;
  const y = e.tensor([B, heads, T, S], q.requiresGrad || k.requiresGrad);
  for (let b = 0; b < B; b++) for (let h = 0; h < heads; h++) {
    mod.k.tgemm(T, S, dh, q.ptr + (b * T * D + h * dh) * 4, k.ptr + (b * S * D + h * dh) * 4, 0, y.ptr + (b * heads + h) * T * S * 4, D * 4, D * 4, S * 4, gemmSlots(mod, TRANS_B, alpha, 0));
  }
  e.record(y, () => {
    const dy = y.root.grad;
    if (q.requiresGrad) {
      // dQ_h (+)= alpha dS K_h
      const dq = e.gradPtr(q), beta = e.accum(q);
      for (let b = 0; b < B; b++) for (let h = 0; h < heads; h++) {
        mod.k.tgemm(T, dh, S, dy + (b * heads + h) * T * S * 4, k.ptr + (b * S * D + h * dh) * 4, 0, dq + (b * T * D + h * dh) * 4, S * 4, D * 4, D * 4, gemmSlots(mod, 0, alpha, beta));
      }
      e.wrote(q);
    }
    if (k.requiresGrad) {
      // dK_h (+)= alpha dS^T Q_h
      const dk = e.gradPtr(k), beta = e.accum(k);
      for (let b = 0; b < B; b++) for (let h = 0; h < heads; h++) {
        mod.k.tgemm(S, dh, T, dy + (b * heads + h) * T * S * 4, q.ptr + (b * T * D + h * dh) * 4, 0, dk + (b * S * D + h * dh) * 4, S * 4, D * 4, D * 4, gemmSlots(mod, TRANS_A, alpha, beta));
      }
      e.wrote(k);
    }
  });
  return y;
}

/**
 * Attention output O[b][:, h] = P[b][h] V_h: p [B, heads, T, S], v [B, S, D] -> [B, T, D], heads
 * merged back into the column slices (the runtime's MatMul, Transpose [T, heads, dh], Reshape [T, D]).
 */
export function attentionContext(e: Engine, p: Tensor, v: Tensor, heads: number): Tensor {
  const [B, S, D, dh] = headGeometry('attentionContext', v, heads);
  if (p.shape.length !== 4 || p.shape[0] !== B || p.shape[1] !== heads || p.shape[3] !== S) throw new Error(`attentionContext: probabilities [${p.shape}] do not match v [${v.shape}] with ${heads} heads`);
  const T = p.shape[2];
  const mod = e.mod;
  const y = e.tensor([B, T, D], p.requiresGrad || v.requiresGrad);
  for (let b = 0; b < B; b++) for (let h = 0; h < heads; h++) {
    mod.k.tgemm(T, dh, S, p.ptr + (b * heads + h) * T * S * 4, v.ptr + (b * S * D + h * dh) * 4, 0, y.ptr + (b * T * D + h * dh) * 4, S * 4, D * 4, D * 4, gemmSlots(mod, 0, 1, 0));
  }
  e.record(y, () => {
    const dy = y.root.grad;
    if (p.requiresGrad) {
      // dP (+)= dO_h V_h^T
      const dp = e.gradPtr(p), beta = e.accum(p);
      for (let b = 0; b < B; b++) for (let h = 0; h < heads; h++) {
        mod.k.tgemm(T, S, dh, dy + (b * T * D + h * dh) * 4, v.ptr + (b * S * D + h * dh) * 4, 0, dp + (b * heads + h) * T * S * 4, D * 4, D * 4, S * 4, gemmSlots(mod, TRANS_B, 1, beta));
      }
      e.wrote(p);
    }
    if (v.requiresGrad) {
      // dV_h (+)= P^T dO_h
      const dv = e.gradPtr(v), beta = e.accum(v);
      for (let b = 0; b < B; b++) for (let h = 0; h < heads; h++) {
        mod.k.tgemm(S, dh, T, p.ptr + (b * heads + h) * T * S * 4, dy + (b * T * D + h * dh) * 4, 0, dv + (b * S * D + h * dh) * 4, S * 4, D * 4, D * 4, gemmSlots(mod, TRANS_A, 1, beta));
      }
      e.wrote(v);
    }
  });
  return y;
}

/** Mean over the sequence axis: [B, T, D] -> [B, D] (every position counts, padding included). */
export function meanPool(e: Engine, x: Tensor): Tensor {
  if (x.shape.length !== 3) throw new Error(`meanPool: expected [B, T, D], got [${x.shape}]`);
  const [B, T, D] = x.shape;
  const K = textKernels(e.mod);
  const y = e.tensor([B, D], x.requiresGrad);
  K.seqmean(B, T, D, x.ptr, y.ptr);
  e.record(y, () => {
    K.seqmeangrad(B, T, D, y.root.grad, e.gradPtr(x), e.accum(x));
    e.wrote(x);
  });
  return y;
}
