/**
 * What Model.run() accepts as an input, and the check that every float input is finite.
 * Reading the caller's object (which may have getters, or be a Proxy) happens here, before the
 * run touches memory; the finite check runs on the copy in linear memory, with a SIMD kernel
 * (assembly/kernels/check), so it costs a small fraction of a run.
 */
import { WpalInputError } from './errors.js';

/** Name, per-example shape and element type of a model input or output. */
export interface TensorSpec {
  name: string;
  /** Without the batch dimension. */
  shape: number[];
  /** float32 for activations; int32 for token ids (Embedding inputs). */
  dtype: 'float32' | 'int32';
}

/** The typed array that carries a tensor of each dtype. */
export type TensorData = Float32Array | Int32Array;

/** An input given with its shape: [batch, ...model input shape]. */
export interface ShapedInput {
  data: TensorData;
  shape: number[];
}

/** The typed array of one input and its batch, after checking its type and size against `spec`. */
export function batchOf(name: string, value: unknown, spec: TensorSpec): { data: TensorData; batch: number } {
  const Want = spec.dtype === 'int32' ? Int32Array : Float32Array;
  const per = spec.shape.reduce((a, b) => a * b, 1);
  const expect = `[batch, ${spec.shape.join(', ')}] (${per} floats per example)`;
  let data: unknown = value;
  if (value && typeof value === 'object' && !ArrayBuffer.isView(value) && 'data' in value) {
    const shaped = value as ShapedInput;
    data = shaped.data;
    const shape: unknown = shaped.shape;
    if (!Array.isArray(shape) || shape.length !== spec.shape.length + 1 || spec.shape.some((d, i) => d !== shape[i + 1])) {
      throw new WpalInputError(`input "${name}": shape [${String(shape)}] does not match ${expect}`);
    }
    if (!(data instanceof Want) || data.length !== shape.reduce((a: number, b: number) => a * b, 1)) {
      throw new WpalInputError(`input "${name}": data length does not match its shape [${shape.join(', ')}]`);
    }
  }
  if (!(data instanceof Want)) {
    const got = data === null ? 'null' : ArrayBuffer.isView(data) ? data.constructor.name : typeof data;
    throw new WpalInputError(`input "${name}": expected a ${Want.name}, got ${got}`);
  }
  const batch = data.length / per;
  if (!Number.isInteger(batch) || batch < 1) {
    throw new WpalInputError(`input "${name}": ${data.length} floats is not a whole number of examples of ${expect}`);
  }
  return { data, batch };
}

/** The error for a non-finite value at flat index `i` of input `spec`. */
export function nonFiniteError(spec: TensorSpec, data: Float32Array, i: number): WpalInputError {
  const per = spec.shape.reduce((a, b) => a * b, 1);
  return new WpalInputError(
    `input "${spec.name}": value ${i} is ${data[i]} (example ${Math.floor(i / per)}, element ${i % per}); ` +
      'inputs must be finite. Pass { allowNonFinite: true } to run() (or loadModel()) to let NaN and Infinity through',
  );
}
