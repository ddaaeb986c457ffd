/** Numeric comparison helpers that say where and by how much two arrays differ. */

export interface Tolerance {
  /** Allowed |a - b| <= abs + rel * |b|. */
  abs: number;
  rel: number;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Throws with the first offending index, both values and the tolerance. */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: Tolerance,
  what = 'values',
): void {
  if (actual.length !== expected.length) {
    throw new Error(`${what}: length ${actual.length} != expected ${expected.length}`);
  }
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const lim = tol.abs + tol.rel * Math.abs(e);
    if (!(Math.abs(a - e) <= lim)) {
      throw new Error(
        `${what}[${i}] = ${a}, expected ${e} (|diff| ${Math.abs(a - e)} > ${lim}; ` +
          `max |diff| over all ${maxAbsDiff(actual, expected)})`,
      );
    }
  }
}
