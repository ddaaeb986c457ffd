/**
 * NumPy broadcasting of a binary op lowered to the 2-D broadcasting kernels (assembly/kernels/
 * README.md: y[i][j] = a[i*a_stride + j*a_step] OP b[i*b_stride + j*b_step]).
 *
 * The output [batch, ...shape] is cut into groups of adjacent axes along which each operand either
 * runs (its own dimension equals the output's) or stays put (its dimension is 1 or missing; a
 * constant always stays put along the batch). Axes of size 1 are dropped and neighbours that behave
 * the same for both operands merge, so the common cases come out as one or two groups:
 *
 *   same shape                     [batch*N]            one kernel call, m = 1
 *   x [H, W, C] + bias [C] (const) [batch*H*W | C]      m = batch*H*W rows, bias stride 0
 *   x [N] * s [] (activation)      [batch | N]          s: one value per row (step 0)
 *   x [N] - c [1] (const)          [batch*N]            c: step 0, stride 0 (a scalar)
 *
 * The innermost group is the kernel's row (n), the next one its rows (m); any groups further out
 * (e.g. [H, 1, C] + [1, W, C]) are looped over here, one kernel call per index.
 */

/** One input of the op: its per-example shape, and whether it has a batch dimension (an activation). */
export interface BroadcastOperand {
  shape: readonly number[];
  batched: boolean;
}

/** Adjacent output axes merged; `a` / `b`: the operand runs along them (else it repeats). */
export interface BroadcastGroup {
  /** Elements, per example for the group that holds the batch axis. */
  size: number;
  /** Holds the batch axis (only the outermost group can). */
  batched: boolean;
  a: boolean;
  b: boolean;
}

export function broadcastGroups(out: readonly number[], a: BroadcastOperand, b: BroadcastOperand): BroadcastGroup[] {
  const r = out.length;
  const runs = (o: BroadcastOperand, k: number) => k >= r - o.shape.length && o.shape[k - (r - o.shape.length)] !== 1;
  const axes: BroadcastGroup[] = [{ size: 1, batched: true, a: a.batched, b: b.batched }];
  out.forEach((size, k) => {
    if (size > 1) axes.push({ size, batched: false, a: runs(a, k), b: runs(b, k) });
  });
  const groups: BroadcastGroup[] = [];
  for (const g of axes) {
    const last = groups[groups.length - 1];
    if (last && last.a === g.a && last.b === g.b) last.size *= g.size;
    else groups.push({ ...g });
  }
  return groups;
}

/** One kernel call, in elements (offsets from each tensor's base; strides between rows). */
export interface BroadcastCall {
  m: number;
  n: number;
  aOff: number;
  bOff: number;
  yOff: number;
  aStride: number;
  bStride: number;
  aStep: 0 | 1;
  bStep: 0 | 1;
}

/** Calls `call` once per kernel invocation that computes the whole output for `batch` examples. */
export function forEachBroadcastCall(groups: readonly BroadcastGroup[], batch: number, call: (c: BroadcastCall) => void): void {
  const sizes = groups.map((g) => g.size * (g.batched ? batch : 1));
  const k = sizes.length;
  // Element strides: an operand advances by the product of the later groups it runs along.
  const strideOf = (runs: (g: BroadcastGroup) => boolean) => {
    const s = new Array<number>(k).fill(0);
    let acc = 1;
    for (let g = k - 1; g >= 0; g--) {
      if (runs(groups[g])) {
        s[g] = acc;
        acc *= sizes[g];
      }
    }
    return s;
  };
  const sa = strideOf((g) => g.a);
  const sb = strideOf((g) => g.b);
  const sy = strideOf(() => true);
  const inner = k - 1;
  const row = k - 2;
  const base: BroadcastCall = {
    m: row >= 0 ? sizes[row] : 1,
    n: sizes[inner],
    aOff: 0,
    bOff: 0,
    yOff: 0,
    aStride: row >= 0 ? sa[row] : 0,
    bStride: row >= 0 ? sb[row] : 0,
    aStep: groups[inner].a ? 1 : 0,
    bStep: groups[inner].b ? 1 : 0,
  };
  // Odometer over the groups outside the kernel's two.
  const outer = Math.max(0, k - 2);
  const idx = new Array<number>(outer).fill(0);
  for (;;) {
    let aOff = 0;
    let bOff = 0;
    let yOff = 0;
    for (let g = 0; g < outer; g++) {
      aOff += idx[g] * sa[g];
      bOff += idx[g] * sb[g];
      yOff += idx[g] * sy[g];
    }
    call({ ...base, aOff, bOff, yOff });
    let g = outer - 1;
    while (g >= 0 && ++idx[g] === sizes[g]) idx[g--] = 0;
    if (g < 0) return;
  }
}
