// f32_adam__simd: as f32_adam__ref (the reference; same f32 operations in the same order), 4
// lanes per step, 1..3 element remainder by the scalar formula.
export function f32_adam__simd(n: i32, w: usize, g: usize, m: usize, v: usize, params: usize): void {
  assert(n >= 0 && ((w | g | m | v) & 3) == 0);
  const lr = load<f32>(params), b1 = load<f32>(params, 4), b2 = load<f32>(params, 8), eps = load<f32>(params, 12);
  const wd = load<f32>(params, 16), c1 = load<f32>(params, 20), c2 = load<f32>(params, 24);
  const d1: f32 = 1 - b1, d2: f32 = 1 - b2;
  const vlr = f32x4.splat(lr), vb1 = f32x4.splat(b1), vb2 = f32x4.splat(b2), veps = f32x4.splat(eps);
  const vwd = f32x4.splat(wd), vc1 = f32x4.splat(c1), vc2 = f32x4.splat(c2), vd1 = f32x4.splat(d1), vd2 = f32x4.splat(d2);
  const body = (<usize>n & ~(<usize>3)) << 2;
  for (let o: usize = 0; o < body; o += 16) {
    const gi = v128.load(g + o), wi = v128.load(w + o);
    const mi = f32x4.add(f32x4.mul(vb1, v128.load(m + o)), f32x4.mul(vd1, gi));
    const vi = f32x4.add(f32x4.mul(vb2, v128.load(v + o)), f32x4.mul(vd2, f32x4.mul(gi, gi)));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    const den = f32x4.add(f32x4.sqrt(f32x4.mul(vi, vc2)), veps);
    const upd = f32x4.add(f32x4.div(f32x4.mul(mi, vc1), den), f32x4.mul(vwd, wi));
    v128.store(w + o, f32x4.sub(wi, f32x4.mul(vlr, upd)));
  }
  for (let o = body; o < (<usize>n << 2); o += 4) {
    const gi = load<f32>(g + o), wi = load<f32>(w + o);
    const mi = b1 * load<f32>(m + o) + d1 * gi;
    const vi = b2 * load<f32>(v + o) + d2 * (gi * gi);
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(w + o, wi - lr * ((mi * c1) / (Mathf.sqrt(vi * c2) + eps) + wd * wi));
  }
}
