/** Helpers for shape sweeps shared by the kernel tests. */

/** The smallest prime above n: row strides that are never a multiple of a tile or a cache line. */
export function nextPrime(n: number): number {
  const isPrime = (k: number) => {
    if (k < 2) return false;
    for (let d = 2; d * d <= k; d++) if (k % d === 0) return false;
    return true;
  };
  let k = n + 1;
  while (!isPrime(k)) k++;
  return k;
}

/** A stable seed from a test case's description (FNV-1a over the joined parts). */
export function seedOf(...parts: Array<string | number | boolean>): number {
  let h = 2166136261;
  for (const c of parts.join('/')) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return h >>> 0;
}
