// Symmetric int8 quantization of one activation row, shared by every i8 gemm kernel so the
// reference and SIMD kernels produce the same integers:
//   amax = max_k |x[k]|,  scale = amax / 127,  q[k] = nearest(x[k] * (127 / amax))  in [-127, 127]
// (nearest = round half to even; amax = 0 gives scale 0 and q = 0).

/** max |x[k]| over k floats at xr (SIMD; max is exact, so the order does not matter). */
@inline export function absMax(xr: usize, k: i32): f32 {
  let vm = f32x4.splat(0);
  let c = 0;
  for (; c + 4 <= k; c += 4) vm = f32x4.max(vm, f32x4.abs(v128.load(xr + (<usize>c << 2))));
  let am = max(max(f32x4.extract_lane(vm, 0), f32x4.extract_lane(vm, 1)), max(f32x4.extract_lane(vm, 2), f32x4.extract_lane(vm, 3)));
  for (; c < k; c++) am = max(am, abs(load<f32>(xr + (<usize>c << 2))));
  return am;
}

/**
 * max |x[k]| as absMax, with f32x4.pmax (x64 maxps) instead of f32x4.max, which V8 expands on x64
 * into a NaN / signed-zero fix-up sequence (about 8 instructions). Equal to absMax for finite x
 * (all values are >= +0 after abs); a NaN is skipped in the SIMD part. The i8 conv kernels use it.
 */
@inline export function absMaxP(xr: usize, k: i32): f32 {
  let vm = f32x4.splat(0);
  let c = 0;
  for (; c + 4 <= k; c += 4) vm = f32x4.pmax(vm, f32x4.abs(v128.load(xr + (<usize>c << 2))));
  let am = max(max(f32x4.extract_lane(vm, 0), f32x4.extract_lane(vm, 1)), max(f32x4.extract_lane(vm, 2), f32x4.extract_lane(vm, 3)));
  for (; c < k; c++) am = max(am, abs(load<f32>(xr + (<usize>c << 2))));
  return am;
}

/** 127 / amax, or 0 for an all-zero row. */
@inline export function quantInv(amax: f32): f32 {
  return amax > 0 ? <f32>127 / amax : 0;
}

@inline export function quantScale(amax: f32): f32 {
  return amax / <f32>127;
}

@inline export function quantize1(v: f32, inv: f32): i32 {
  return <i32>nearest(v * inv);
}
