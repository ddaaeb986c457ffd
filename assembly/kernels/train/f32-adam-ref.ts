// f32_adam__ref: one Adam step with decoupled weight decay (AdamW; wd = 0 is Adam):
//   m[i] = b1 * m[i] + (1 - b1) * g[i];   v[i] = b2 * v[i] + (1 - b2) * g[i]^2
//   w[i] -= lr * (m[i] * c1 / (sqrt(v[i] * c2) + eps) + wd * w[i])
//   c1 = 1 / (1 - b1^t), c2 = 1 / (1 - b2^t) at step t >= 1 (bias corrections, from the host)
// (n, w, g, m, v, params): f32 arrays of n elements, 4-byte aligned.
// params: | 0 lr | 1 b1 | 2 b2 | 3 eps | 4 wd | 5 c1 | 6 c2 | 7 0 |   (f32 bits)
// f32 arithmetic in the order written; reference of f32_adam__simd (same result bit for bit:
// sqrt is correctly rounded in both).
export function f32_adam__ref(n: i32, w: usize, g: usize, m: usize, v: usize, params: usize): void {
  assert(n >= 0 && ((w | g | m | v) & 3) == 0);
  const lr = load<f32>(params), b1 = load<f32>(params, 4), b2 = load<f32>(params, 8), eps = load<f32>(params, 12);
  const wd = load<f32>(params, 16), c1 = load<f32>(params, 20), c2 = load<f32>(params, 24);
  const d1: f32 = 1 - b1, d2: f32 = 1 - b2;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const gi = load<f32>(g + o), wi = load<f32>(w + o);
    const mi = b1 * load<f32>(m + o) + d1 * gi;
    const vi = b2 * load<f32>(v + o) + d2 * (gi * gi);
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(w + o, wi - lr * ((mi * c1) / (Mathf.sqrt(vi * c2) + eps) + wd * wi));
  }
}
