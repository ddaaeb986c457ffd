/**
 * The format 1.1 spatial ops (Slice, Resize, ConvTranspose) for the whole-model float64 oracle of
 * test/oracle/model-ops.ts, from the per-op definitions of test/oracle/slice.ts (numpy slicing),
 * resize.ts (ONNX Resize) and deconv.ts (ONNX ConvTranspose as a scatter).
 */
import type { ModelInfo, OpInfo } from '../../src/format/types.js';
import { onnxSlice } from './slice.js';
import { onnxResize } from './resize.js';
import { deconvOracle } from './deconv.js';

const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** The op's output for the whole batch, or undefined when the op is not one of these. */
export function spatialOpOracle(
  info: ModelInfo, op: OpInfo, batch: number, val: (t: number) => Float64Array, W: (t: number) => Float64Array,
): Float64Array | undefined {
  const [i0, i1, i2] = op.inputs;
  const a = op.attrs;
  const shape = (t: number) => info.tensors[t].shape;
  switch (op.type) {
    case 'Slice': {
      const x = val(i0);
      const per = prod(shape(i0));
      const parts = Array.from({ length: batch }, (_, b) =>
        onnxSlice(x.subarray(b * per, (b + 1) * per), shape(i0), a.starts as number[], a.ends as number[], a.axes as number[], a.steps as number[]).y);
      const y = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
      parts.forEach((p, b) => y.set(p, b * p.length));
      return y;
    }
    case 'Resize': {
      const [H, W_, C] = shape(i0);
      const [OH, OW] = shape(op.outputs[0]);
      const scales = a.scales as number[];
      return onnxResize(batch, { H, W: W_, C, OH, OW }, val(i0), {
        mode: a.mode as 'nearest' | 'linear',
        coordinate_transformation_mode: a.coordinate_transformation_mode as string,
        nearest_mode: a.nearest_mode as string,
        scales: scales.length ? scales : undefined,
      });
    }
    case 'ConvTranspose': {
      const [H, W_, C] = shape(i0);
      const [O, kh, kw] = shape(i1);
      const [sh, sw] = a.strides as number[];
      const [pt, pl, pb, pr] = a.pads as number[];
      const [dh, dw] = a.dilations as number[];
      const [oph, opw] = a.output_padding as number[];
      const g = { H, W: W_, C, O, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, groups: a.groups as number, oph, opw };
      return deconvOracle(batch, g, val(i0), W(i1), undefined, i2 !== undefined && i2 >= 0 ? W(i2) : undefined).y;
    }
    default:
      return undefined;
  }
}
