/**
 * Multiple-choice knapsack: pick one option per layer minimizing the summed loss with the summed
 * bytes <= budget. Exact dynamic programming over Pareto fronts of (bytes, loss) partial sums, layer
 * by layer; when a front grows past `maxFront` states it is thinned to the best state per byte
 * bucket of budget / maxFront bytes (then a byte-grid DP, exact up to that resolution). Ties in loss
 * go to the larger allocation (more bytes), so an unused budget is never preferred. Deterministic.
 */

export interface KnapsackOption {
  bytes: number;
  loss: number;
}

interface State {
  bytes: number;
  value: number;
  parent: number;
  option: number;
}

/** Indices of the chosen option per layer, or null when even the smallest options exceed the budget. */
export function solveKnapsack(options: readonly (readonly KnapsackOption[])[], budget: number, maxFront = 4000): number[] | null {
  const L = options.length;
  // tie-break toward more bytes: at most 1e-9 of loss over the whole budget
  const tiny = 1e-9 / Math.max(1, budget);
  const val = (o: KnapsackOption) => o.loss - tiny * o.bytes;
  const minRest = new Array<number>(L + 1).fill(0);
  for (let l = L - 1; l >= 0; l--) minRest[l] = minRest[l + 1] + Math.min(...options[l].map((o) => o.bytes));
  if (minRest[0] > budget) return null;
  const fronts: State[][] = [];
  let front: State[] = [{ bytes: 0, value: 0, parent: -1, option: -1 }];
  for (let l = 0; l < L; l++) {
    const cap = budget - minRest[l + 1];
    // the layer's own options, Pareto-pruned
    const opts = options[l].map((o, i) => ({ i, bytes: o.bytes, value: val(o) })).sort((a, b) => a.bytes - b.bytes || a.value - b.value || a.i - b.i);
    const own: typeof opts = [];
    for (const o of opts) if (!own.length || o.value < own[own.length - 1].value) own.push(o);
    const next: State[] = [];
    front.forEach((s, si) => {
      for (const o of own) {
        const b = s.bytes + o.bytes;
        if (b > cap) break;
        next.push({ bytes: b, value: s.value + o.value, parent: si, option: o.i });
      }
    });
    next.sort((a, b) => a.bytes - b.bytes || a.value - b.value || a.parent - b.parent || a.option - b.option);
    let pareto: State[] = [];
    for (const s of next) if (!pareto.length || s.value < pareto[pareto.length - 1].value) pareto.push(s);
    if (pareto.length > maxFront) {
      const width = budget / maxFront;
      const thin: State[] = [];
      for (const s of pareto) {
        const last = thin[thin.length - 1];
        // within a bucket keep the lowest loss (the latest in a Pareto front sorted by bytes)
        if (last && Math.floor(last.bytes / width) === Math.floor(s.bytes / width)) thin[thin.length - 1] = s;
        else thin.push(s);
      }
      pareto = thin;
    }
    fronts.push(pareto);
    front = pareto;
  }
  if (!front.length) return null;
  let best = 0;
  for (let i = 1; i < front.length; i++) if (front[i].value < front[best].value) best = i;
  const picks = new Array<number>(L);
  for (let l = L - 1, si = best; l >= 0; l--) {
    const s = fronts[l][si];
    picks[l] = s.option;
    si = s.parent;
  }
  return picks;
}
