// f32_sgd__simd: as f32_sgd__ref (the reference; same f32 operations in the same order), 4 lanes
// per step, 1..3 element remainder by the scalar formula.
export function f32_sgd__simd(n: i32, w: usize, g: usize, v: usize, params: usize): void {
  assert(n >= 0 && ((w | g | v) & 3) == 0);
  const lr = load<f32>(params), mu = load<f32>(params, 4), wd = load<f32>(params, 8);
  const nesterov = load<i32>(params, 12) != 0;
  assert(v != 0 || mu == 0);
  const vlr = f32x4.splat(lr), vmu = f32x4.splat(mu), vwd = f32x4.splat(wd);
  const body = (<usize>n & ~(<usize>3)) << 2;
  for (let o: usize = 0; o < body; o += 16) {
    const wi = v128.load(w + o);
    const gi = f32x4.add(v128.load(g + o), f32x4.mul(vwd, wi));
    let step = gi;
    if (v) {
      const vi = f32x4.add(f32x4.mul(vmu, v128.load(v + o)), gi);
      v128.store(v + o, vi);
      step = nesterov ? f32x4.add(gi, f32x4.mul(vmu, vi)) : vi;
    }
    v128.store(w + o, f32x4.sub(wi, f32x4.mul(vlr, step)));
  }
  for (let o = body; o < (<usize>n << 2); o += 4) {
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
