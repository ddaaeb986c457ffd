/**
 * Gradient checks of the training engine's ops (test/trainer): the engine's vector-Jacobian product
 * of one op against central differences of a float64 oracle of its forward.
 */
import { expect } from 'vitest';
import { Engine, TrainModule, type KernelIsa, type Tensor, type TrainBuild } from '../../src/trainer/engine/index.js';
import { GRADIENT } from '../oracle/train.js';
import { Rng, withSeed } from './rng.js';

/** The builds and kernel sets every gradient test runs on. */
export const CONFIGS: Array<[TrainBuild, KernelIsa]> = [['debug', 'simd'], ['debug', 'ref'], ['simd', 'simd']];

/** Central differences of f (float64) at x, h = 1e-6 relative to 1. */
export function numericGrad(f: (x: Float64Array) => number, x0: ArrayLike<number>): Float64Array {
  const x = Float64Array.from(x0);
  const g = new Float64Array(x.length);
  const h = 1e-6;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    x[i] = v + h; const up = f(x);
    x[i] = v - h; const dn = f(x);
    x[i] = v;
    g[i] = (up - dn) / (2 * h);
  }
  return g;
}

export function expectGrad(got: Float32Array, want: Float64Array, what: string): void {
  const scale = Math.max(1, ...Array.from(want, Math.abs));
  for (let i = 0; i < want.length; i++) {
    const lim = GRADIENT.abs * scale + GRADIENT.rel * Math.abs(want[i]);
    if (!(Math.abs(got[i] - want[i]) <= lim)) throw new Error(`${what}[${i}] = ${got[i]}, finite difference ${want[i]} (|diff| ${Math.abs(got[i] - want[i])} > ${lim})`);
  }
}

export const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i] * b[i]; return s; };

/**
 * Checks the vector-Jacobian product of one op: forward on the engine, backwardFrom(y, r), and for
 * every input the gradient of L = r . f64forward(inputs) by central differences.
 */
export function checkOp(
  build: TrainBuild, isa: KernelIsa, seed: number, inputs: Array<{ shape: number[]; lo?: number; hi?: number; grad?: boolean }>,
  engineOp: (e: Engine, ts: Tensor[]) => Tensor, oracle: (vals: Float64Array[]) => ArrayLike<number>, what: string,
): void {
  withSeed(seed, () => {
    const rng = new Rng(seed);
    const e = new Engine(new TrainModule({ build, isa }));
    const vals = inputs.map((s) => rng.floats(s.shape.reduce((a, b) => a * b, 1), s.lo ?? -1, s.hi ?? 1));
    const ts = inputs.map((s, i) => (s.grad === false ? e.input(vals[i], s.shape) : e.parameter(`in${i}`, s.shape, vals[i])));
    e.beginStep();
    const y = engineOp(e, ts);
    const want = oracle(vals.map((v) => Float64Array.from(v)));
    const got = e.read(y);
    for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i]), `${what} forward[${i}]`).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(want[i])));
    const r = rng.floats(y.size);
    e.backwardFrom(y, r);
    inputs.forEach((s, k) => {
      if (s.grad === false) return;
      const num = numericGrad((x) => dot(r, oracle(vals.map((v, j) => (j === k ? x : Float64Array.from(v))))), vals[k]);
      expectGrad(e.readGrad(ts[k]), num, `${what} d/d input ${k}`);
    });
  });
}

