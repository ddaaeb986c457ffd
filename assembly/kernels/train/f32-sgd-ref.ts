// f32_sgd__ref: one SGD step with momentum and L2 weight decay (PyTorch's torch.optim.SGD):
//   g' = g[i] + wd * w[i];   v[i] = mu * v[i] + g';   w[i] -= lr * (nesterov ? g' + mu * v[i] : v[i])
// (n, w, g, v, params): f32 arrays of n elements (4-byte aligned, v may be 0 when mu = 0).
// params: | 0 lr (f32) | 1 momentum mu (f32) | 2 weight decay wd (f32) | 3 nesterov (0 / 1) | 4..7 0 |
// f32 arithmetic in the order written; reference of f32_sgd__simd (same result bit for bit).
export function f32_sgd__ref(n: i32, w: usize, g: usize, v: usize, params: usize): void {
  assert(n >= 0 && ((w | g | v) & 3) == 0);
  const lr = load<f32>(params), mu = load<f32>(params, 4), wd = load<f32>(params, 8);
  const nesterov = load<i32>(params, 12) != 0;
  assert(v != 0 || mu == 0);
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const wi = load<f32>(w + o);
    const gi = load<f32>(g + o) + wd * wi;
    let step = gi;
    if (v) {
      const vi = mu * load<f32>(v + o) + gi;
      store<f32>(v + o, vi);
      step = nesterov ? gi + mu * vi : vi;
    }
    store<f32>(w + o, wi - lr * step);
  }
}
