/**
 * How op glue splits one kernel call into slices for the thread pool (src/runtime/threads.ts).
 *
 * Every split is along the output and never along a sum, so each output element is computed by
 * exactly the instructions that compute it in one call, and the outputs are bit-identical for any
 * thread count. Kernels are not changed: a slice is the same kernel called on a smaller problem,
 * described by moved pointers and, where needed, its own params block.
 *
 * - gemm (FullyConnected, pointwise Conv2D): output channels [n0, n1). Weights, palette, channel
 *   scales, palette scales, mask, kept values and bias move to row n0, y to column n0 (y_stride
 *   stays). Boundaries are multiples of 16 (every gemm tile's channel count divides 16), of the
 *   block rows R and of the palette group, and for palettized block-sparse weights they fall where
 *   the kept-value bit stream is at a byte boundary. Or batch rows [i0, i1) (x and y move), when
 *   the activations are the larger operand (see gemmCall).
 * - conv2d, dwconv2d: output rows [r0, r1). The slice reads the input rows its windows touch
 *   (x moves to the first, in_h shrinks), and the padding rows it keeps are those the whole call
 *   has there (pad_t / pad_b), so a tap is in the padding in the slice exactly when it is in the
 *   call. Pixel tiles then group pixels differently, but every kernel computes each pixel on its
 *   own accumulators in the same tap order whether its tile is an edge tile or not. Or, for a
 *   conv2d with groups = 1 whose weights outweigh its output, output channels as for gemm, with
 *   out_c = the slice's channels and params slot 23 = the whole output's pixel stride; likewise a
 *   depthwise conv with more channels than output pixels (x moves to the slice's channels too).
 *   (The window split, with the two-pass int8 conv split, is in parallel-window.ts.)
 * - matmul: the batched leading axis. Element-wise ops and softmax: runs of 64 elements / rows.
 *
 * A call with less work than MIN_SPLIT_WORK (multiply-adds; elements for element-wise ops) stays on
 * the calling thread: waking a thread and collecting its slice costs about as much.
 */
import type { ModelInfo, WeightInfo } from '../../format/types.js';
import type { OpContext, RunState } from '../context.js';
import type { PreparedWeights } from './weights.js';
import { ARG_SLOTS, MAX_SLICES, type ThreadPool } from '../threads.js';
import { weightSplit } from '../../format/layout-walk.js';

/**
 * Below these a kernel call runs on one thread: `work` multiply-adds of one gemm / conv / matmul
 * call, `elements` of one element-wise / row-wise call. Measured (`npm run bench -- --split`, 2
 * threads, quiet 2-core VM): a GEMV of 16,384 multiply-adds split ran at 1.10x, 65,536 at 1.42x; a
 * 3x3 conv of 36,864 at 1.07x, 147,456 at 1.34x; Tanh over 4,096 elements at 1.56x, Relu (memory-
 * bound) at 0.83-1.03x up to 802,816 elements alone, but 1.55x inside ResNet-50. `axis` forces the gemm split ('auto':
 * see gemmCall). Read at every call: tests lower the thresholds to split every call of small
 * models, and force each axis. `slicesPerThread` (read at load): slices per call per thread;
 * more than one lets a thread that runs ahead take a slow one's share. `phaseWork`: a split int8
 * conv call of at least this many multiply-adds prepares in a first pass (windowCall).
 */
export const splitTuning: { work: number; elements: number; axis: 'auto' | 'rows' | 'channels'; slicesPerThread: number; phaseWork: number } = {
  work: 1 << 16,
  elements: 1 << 16,
  axis: 'auto',
  slicesPerThread: 1,
  phaseWork: 1 << 20,
};
/**
 * A model runs on threads by default only when its splittable kernel calls at batch 1 add up to
 * this many multiply-adds (about a millisecond on one core): below it, starting threads costs more
 * than they give back. `threads` given explicitly always starts them.
 */
export const DEFAULT_THREADS_MIN_WORK = 1 << 23;

const lcm = (a: number, b: number) => {
  const gcd = (x: number, y: number): number => (y ? gcd(y, x % y) : x);
  return (a / gcd(a, b)) * b;
};

/**
 * Boundaries 0 = b[0] < b[1] < ... < b[S] = n of at most `parts` ranges of about n / parts: inner
 * boundaries are multiples of `unit` that pass ok(), the nearest such to the even split.
 */
export function splitRange(n: number, parts: number, unit: number, ok: (b: number) => boolean = () => true): number[] {
  const out = [0];
  for (let s = 1; s < parts; s++) {
    const prev = out[out.length - 1];
    const ideal = (n * s) / parts;
    const c0 = Math.round(ideal / unit) * unit;
    let found = -1;
    for (let d = 0; found < 0 && (c0 - d * unit > prev || c0 + d * unit < n); d++) {
      for (const c of d ? [c0 - d * unit, c0 + d * unit] : [c0]) {
        if (c > prev && c < n && ok(c)) {
          found = c;
          break;
        }
      }
    }
    if (found > 0) out.push(found);
  }
  out.push(n);
  return out;
}

/**
 * As splitRange, but the ranges hold about equal shares of a work measure: cum(b) is the work of
 * [0, b) (nondecreasing, cum(n) the total). Inner boundaries are multiples of `unit` passing ok().
 */
export function splitByWeight(n: number, parts: number, unit: number, cum: (b: number) => number, ok: (b: number) => boolean = () => true): number[] {
  const total = cum(n);
  if (!(total > 0)) return splitRange(n, parts, unit, ok);
  const out = [0];
  for (let s = 1; s < parts; s++) {
    const prev = out[out.length - 1];
    const target = (total * s) / parts;
    let best = -1;
    let bestErr = Infinity;
    for (let c = (Math.floor(prev / unit) + 1) * unit; c < n; c += unit) {
      const w = cum(c);
      if (ok(c) && Math.abs(w - target) < bestErr) {
        best = c;
        bestErr = Math.abs(w - target);
      }
      if (w > target && best > 0) break;
    }
    if (best > 0) out.push(best);
  }
  out.push(n);
  return out;
}

/** Slices a step runs: their params blocks (one per thread each) and whether to split a call. */
export interface SlicePlan {
  pool: ThreadPool;
  fn: number;
  /** Number of slices. */
  count: number;
  /** Params block of slice s for thread 0 (thread t: + t * pStride), or 0 (no params). */
  params: number[];
  pStride: number;
  /** Index of the params argument (-1: none) and the slot that holds the scratch pointer (-1: none). */
  pArg: number;
}

/**
 * `count` params blocks of `slots` i32, each repeated for every thread (thread t's copy at
 * + t * slots * 4): copies of the block at `src`, then patch(s, slice's slots).
 */
export function sliceParams(ctx: OpContext, src: number, slots: number, count: number, patch: (s: number, p: Int32Array) => void): { params: number[]; pStride: number } {
  const threads = ctx.pool!.threads;
  const pStride = slots * 4;
  const base = ctx.allocStatic(count * threads * pStride);
  const proto = ctx.heap.i32(src, slots).slice();
  const params: number[] = [];
  for (let s = 0; s < count; s++) {
    const p = proto.slice();
    patch(s, p);
    const at = base + s * threads * pStride;
    for (let t = 0; t < threads; t++) ctx.heap.i32(at + t * pStride, slots).set(p);
    params.push(at);
  }
  return { params, pStride };
}

/**
 * Writes each thread's scratch pointer into slot 5 of every params copy, and for a phased int8 conv
 * split (windowCall) the shared buffer's address, `shared(rs)`, into slot 25: when either moved.
 */
export function scratchWriter(ctx: OpContext, plan: { params: number[]; pStride: number }, shared?: (rs: RunState) => number): (rs: RunState) => void {
  const threads = ctx.pool!.threads;
  let scratch = -1;
  let stride = -1;
  let sharedAt = -1;
  return (rs) => {
    const at = shared ? shared(rs) : 0;
    if (rs.scratch === scratch && rs.scratchStride === stride && at === sharedAt) return;
    const words = new Int32Array(ctx.heap.memory.buffer);
    for (const p of plan.params) {
      for (let t = 0; t < threads; t++) {
        const slots = (p + t * plan.pStride) >> 2;
        words[slots + 5] = rs.scratch + t * rs.scratchStride;
        if (shared) words[slots + 25] = at;
      }
    }
    scratch = rs.scratch;
    stride = rs.scratchStride;
    sharedAt = at;
  };
}

export const slicesFor = (ctx: OpContext) => Math.min(ctx.pool!.threads * splitTuning.slicesPerThread, MAX_SLICES);

/**
 * The split axis that measured faster (2 threads, this repo's 2-core VM, MobileNet-v1 and
 * ResNet-50 layer by layer, each axis forced in the same run): gemm on rows when m >= n, except
 * rows of k <= 32 (MobileNet's first pointwise conv: channels 1.89x, rows 1.68x); conv2d on
 * channels when K > output pixels (ResNet-50's 7x7 layer: 1.95x against 1.58x) and for the stems,
 * K <= 160 (MobileNet's 3x3 stem: 1.62x against 1.09x; ResNet-50's 7x7 stem: 1.84x against
 * 1.72x), else rows (ResNet-50 layer1 3x3: 1.98x against 1.90x).
 */
const SHORT_K_GEMM = 32;
export const SHORT_K_CONV = 160;

export type ItemsCall = (items: number, args: (i0: number, i1: number) => number[]) => void;

/**
 * Element-wise kernels over n elements run in 4-lane steps with the last n % 4 in one tail step:
 * runs of a multiple of 64 keep every element in the same step kind, lane and tail as in one call.
 */
export const ELEMENT_UNIT = 64;

export type GemmCall = (rs: RunState, m: number, x: number, y: number, xStride: number, yStride: number) => void;

/**
 * The gemm call of a layer with weights (FullyConnected, pointwise Conv2D): on the calling thread,
 * or split when a pool is there and the call is big enough. Along output channels (n) when the
 * weights are the larger operand, so each thread streams its share of them; along batch rows (m)
 * when the activations are (pointwise convs: m = pixels), so each thread's rows stay in its own
 * cache. An m split keeps every slice at >= 4 rows: the slab kernels take another path for m = 1,
 * and each row is otherwise computed by the same instructions whatever rows surround it.
 */
export function gemmCall(ctx: OpContext, pw: PreparedWeights, w: WeightInfo): GemmCall {
  const n = w.rows;
  const k = w.cols;
  const heap = ctx.heap;
  const single: GemmCall = (rs, m, x, y, xs, ys) => {
    heap.i32(pw.params, 8)[5] = rs.scratch;
    pw.kernel(m, n, k, x, pw.weights, pw.palette, pw.mask, pw.bias, y, xs, ys, pw.params);
  };
  const pool = ctx.pool;
  if (!pool) return single;
  const parts = slicesFor(ctx);
  const fn = pool.fnId(pw.row.name);
  const work = n * k;
  const nSplit = channelSlices(ctx, pw, w, parts);
  // Row slices: the layer's own params, one copy per thread.
  const rowParams = sliceParams(ctx, pw.params, 8, 1, () => {});
  const setRowScratch = scratchWriter(ctx, rowParams);
  let lastM = -1;
  let rows: number[] = [];
  return (rs, m, x, y, xs, ys) => {
    if (m * work < splitTuning.work) return single(rs, m, x, y, xs, ys);
    const axis = splitTuning.axis;
    const rowsOk = m >= 4 * parts;
    // auto: rows when the activations outweigh the weights, unless the rows are short (k <= 32: a
    // layer that writes far more than it reads per row; measured better on channels).
    const auto = m >= n && k > SHORT_K_GEMM;
    const byRows = rowsOk && (axis === 'rows' || !nSplit || (axis === 'auto' && auto));
    if (byRows) {
      if (m !== lastM) {
        rows = splitRange(m, parts, 4);
        lastM = m;
      }
      setRowScratch(rs);
      pool.run(fn, rows.length - 1, 11, rowParams.pStride, (s, c, at) => {
        const i0 = rows[s];
        c[at] = rows[s + 1] - i0;
        c[at + 1] = n;
        c[at + 2] = k;
        c[at + 3] = x + i0 * xs;
        c[at + 4] = pw.weights;
        c[at + 5] = pw.palette;
        c[at + 6] = pw.mask;
        c[at + 7] = pw.bias;
        c[at + 8] = y + i0 * ys;
        c[at + 9] = xs;
        c[at + 10] = ys;
        c[at + 11] = rowParams.params[0];
      });
      return;
    }
    if (!nSplit) return single(rs, m, x, y, xs, ys);
    nSplit.setScratch(rs);
    const { slices, params } = nSplit;
    pool.run(fn, slices.length, 11, params.pStride, (s, c, at) => {
      const sl = slices[s];
      c[at] = m;
      c[at + 1] = sl.n1 - sl.n0;
      c[at + 2] = k;
      c[at + 3] = x;
      c[at + 4] = sl.w;
      c[at + 5] = sl.pal;
      c[at + 6] = sl.mask;
      c[at + 7] = sl.bias;
      c[at + 8] = y + 4 * sl.n0;
      c[at + 9] = xs;
      c[at + 10] = ys;
      c[at + 11] = params.params[s];
    });
  };
}

/**
 * Output-channel slices of a gemm layer: where each slice's weights, palette, mask and bias start,
 * and its params blocks (channel and palette scales moved). Undefined when n is too small to cut.
 */
export function channelSlices(
  ctx: OpContext, pw: PreparedWeights, w: WeightInfo, parts: number, slots = 8, patch?: (p: Int32Array, n0: number, n1: number) => void, shared?: (rs: RunState) => number,
) {
  const n = w.rows;
  const k = w.cols;
  const int8 = pw.row.act === 'i8';
  // Where each part allows a cut and where its blobs stand there (format/layouts.ts).
  const { values: v, sparsity: sp } = weightSplit(w, ctx.info.bytes);
  const unit = lcm(lcm(16, v.unit), sp?.unit ?? 1);
  // Values a sparsity part keeps are one stream: a slice must start on a byte.
  const ok = sp && v.valueBits % 8 ? (b: number) => (sp.storedBefore(b) * v.valueBits) % 8 === 0 : undefined;
  // Rows of a sparse weight carry unequal work: cut where the work, not the rows, splits evenly.
  const bounds = sp ? splitByWeight(n, parts, unit, sp.work, ok) : splitRange(n, parts, unit, ok);
  const count = bounds.length - 1;
  if (count < 2) return undefined;
  // the runtime's palettes: int8 entries for int8 kernels, else float32
  const entryBytes = int8 ? 1 : 4;
  const slices = bounds.slice(0, -1).map((n0, s) => {
    const n1 = bounds[s + 1];
    return {
      n0,
      n1,
      w: pw.weights + (sp ? (sp.storedBefore(n0) * v.valueBits) / 8 : n0 * v.rowBytes),
      pal: pw.palette ? pw.palette + v.palettesBefore(n0) * v.paletteEntries * entryBytes : 0,
      mask: sp ? pw.mask + sp.maskBefore(n0) : 0,
      bias: pw.bias ? pw.bias + 4 * n0 : 0,
    };
  });
  const params = sliceParams(ctx, pw.params, slots, count, (s, p32) => {
    const { n0, n1 } = slices[s];
    if (p32[4]) p32[4] += 4 * n0; // channel scales
    if (p32[6]) p32[6] += 4 * v.palettesBefore(n0); // int8 palette scales
    patch?.(p32, n0, n1);
  });
  return { slices, params, setScratch: scratchWriter(ctx, params, shared) };
}

/**
 * A kernel call over independent items (matrices of a batched matmul, elements, rows): split into
 * ranges of items whose inner boundaries are multiples of `unit`. args(i0, i1) gives the call for
 * items [i0, i1); `workPerItem` (multiply-adds, or elements) sizes it against the threshold `kind`.
 */
export function itemsCall(
  ctx: OpContext,
  kernel: { name: string; fn: (...args: number[]) => void },
  unit: number,
  workPerItem: number,
  kind: 'work' | 'elements',
): ItemsCall {
  const fn = kernel.fn;
  const single = (items: number, args: (i0: number, i1: number) => number[]) => fn(...args(0, items));
  const pool = ctx.pool;
  if (!pool) return single;
  const id = pool.fnId(kernel.name);
  const parts = slicesFor(ctx);
  let lastItems = -1;
  let bounds: number[] = [];
  return (items, args) => {
    if (items * workPerItem < splitTuning[kind] || items < 2) return single(items, args);
    if (items !== lastItems) {
      bounds = splitRange(items, parts, unit);
      lastItems = items;
    }
    if (bounds.length < 3) return single(items, args);
    pool.run(id, bounds.length - 1, -1, 0, (s, c, at) => {
      const a = args(bounds[s], bounds[s + 1]);
      for (let i = 0; i < ARG_SLOTS; i++) c[at + i] = i < a.length ? a[i] : 0;
    });
  };
}

/**
 * Multiply-adds at batch 1 of the kernel calls that can be split (FullyConnected, Conv2D, MatMul)
 * and are big enough to be: what decides whether a model starts threads by default.
 */
export function splittableWork(info: ModelInfo): number {
  const elements = (t: number) => info.tensors[t].shape.reduce((a, b) => a * b, 1);
  let total = 0;
  for (const op of info.ops) {
    let work = 0;
    if (op.type === 'FullyConnected' || op.type === 'Conv2D') {
      const w = info.tensors[op.inputs[1]].weight;
      if (w) work = elements(op.outputs[0]) * w.cols;
    } else if (op.type === 'MatMul') {
      const s = info.tensors[op.inputs[0]].shape;
      work = elements(op.outputs[0]) * s[s.length - 1];
    }
    if (work >= splitTuning.work) total += work;
  }
  return total;
}
