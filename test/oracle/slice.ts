/**
 * Oracles of Slice, written from the definitions (never from kernel code):
 *
 *  - stridedGather: the slice kernels' ABI (assembly/kernels/slice/plan.ts):
 *      y[o_0]..[o_{r-1}] = x[offset + sum_j o_j * s_j], y row-major.
 *  - onnxSlice: ONNX Slice (opset 13) as numpy / Python slicing defines it (ONNX's reference
 *    implementation is `x[tuple(slice(start, end, step))]`): per axis, Python's slice.indices rule
 *    (negative values count from the end, then start/stop are clamped to [0, d] for step > 0 and
 *    [-1, d - 1] for step < 0), then the indices start, start + step, ... while before stop.
 *
 * Both are copies: results are exact (tolerance 0, compared bit for bit).
 */

export function stridedGather(x: ArrayLike<number>, offset: number, dims: readonly number[], strides: readonly number[]): Float32Array {
  const total = dims.reduce((a, b) => a * b, 1);
  const y = new Float32Array(total);
  const idx = new Array<number>(dims.length).fill(0);
  for (let o = 0; o < total; o++) {
    let off = offset;
    for (let j = 0; j < dims.length; j++) off += idx[j] * strides[j];
    y[o] = x[off];
    for (let j = dims.length - 1; j >= 0; j--) {
      if (++idx[j] < dims[j]) break;
      idx[j] = 0;
    }
  }
  return y;
}

/** The indices Python's x[start:stop:step] selects from a sequence of length d. */
export function pySliceIndices(d: number, start: number, stop: number, step: number): number[] {
  if (step === 0) throw new Error('step 0');
  const [lower, upper] = step > 0 ? [0, d] : [-1, d - 1];
  const norm = (v: number) => {
    const a = v < 0 ? v + d : v;
    return a < lower ? lower : a > upper ? upper : a;
  };
  const out: number[] = [];
  for (let i = norm(start); step > 0 ? i < norm(stop) : i > norm(stop); i += step) out.push(i);
  return out;
}

/** ONNX Slice of ONE example of `shape`; returns the values and the output shape. */
export function onnxSlice(
  x: ArrayLike<number>, shape: readonly number[], starts: readonly number[], ends: readonly number[],
  axes?: readonly number[], steps?: readonly number[],
): { y: Float64Array; shape: number[] } {
  const r = shape.length;
  const picks = shape.map((d) => Array.from({ length: d }, (_, i) => i));
  starts.forEach((s, i) => {
    const a0 = axes && axes.length ? axes[i] : i;
    const a = a0 < 0 ? a0 + r : a0;
    picks[a] = pySliceIndices(shape[a], s, ends[i], steps && steps.length ? steps[i] : 1);
  });
  const outShape = picks.map((p) => p.length);
  const total = outShape.reduce((a, b) => a * b, 1);
  const y = new Float64Array(total);
  const inStride = shape.map((_, j) => shape.slice(j + 1).reduce((a, b) => a * b, 1));
  for (let o = 0; o < total; o++) {
    let rest = o;
    let src = 0;
    for (let j = r - 1; j >= 0; j--) {
      src += picks[j][rest % outShape[j]] * inStride[j];
      rest = Math.floor(rest / outShape[j]);
    }
    y[o] = x[src];
  }
  return { y, shape: outShape };
}
