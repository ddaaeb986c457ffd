/**
 * Block pruning (src/trainer/prune): the cubic schedule, magnitude masks over the .wpal block grid
 * (fc and conv views, every block shape of the format, edge blocks), the masked forward / gradient,
 * pruned weights staying exactly 0 through SGD with momentum and DKM, and the writer reproducing
 * the mask from the exported weights.
 */
import { describe, expect, it } from 'vitest';
import { Engine, SGD, TrainModule, labelTensor, linear, scalar, softmaxCrossEntropy } from '../../src/trainer/engine/index.js';
import { BlockPruner, cubicSparsity, masked, parseBlock } from '../../src/trainer/prune/index.js';
import { DkmState, dkm, hardAssign } from '../../src/trainer/dkm/index.js';
import { encodeBlockSparse } from '../../src/encode/palette.js';
import { Rng } from '../util/rng.js';

describe('cubic schedule', () => {
  it('goes from the initial to the final sparsity, fast first, flat at the end', () => {
    expect(cubicSparsity(0, 0, 0.9, 0, 100)).toBe(0);
    expect(cubicSparsity(100, 0, 0.9, 0, 100)).toBeCloseTo(0.9, 12);
    expect(cubicSparsity(500, 0, 0.9, 0, 100)).toBeCloseTo(0.9, 12);
    expect(cubicSparsity(50, 0, 0.9, 0, 100)).toBeCloseTo(0.9 * (1 - 0.125), 12);
    let prev = -1;
    for (let t = 0; t <= 100; t += 5) {
      const s = cubicSparsity(t, 0.1, 0.8, 0, 100);
      expect(s).toBeGreaterThanOrEqual(prev);
      prev = s;
    }
    expect(cubicSparsity(3, 0.2, 0.5, 0, 0)).toBe(0.5);
  });

  it('parses block shapes', () => {
    expect(parseBlock('1x4')).toEqual([1, 4]);
    expect(parseBlock('16x1')).toEqual([16, 1]);
    expect(parseBlock('row')).toBe('row');
    expect(() => parseBlock('4')).toThrow(/RxC/);
  });
});

describe('block masks', () => {
  const shapes: Array<[number[], string]> = [
    [[10, 23], '1x4'], [[10, 23], '4x1'], [[10, 23], '4x4'], [[17, 6], '8x1'], [[20, 5], '16x1'],
    [[7, 9], 'row'], [[7, 9], 'col'], [[6, 3, 3, 2], '1x4'], [[10, 50], '16x1'],
  ];
  for (const [shape, block] of shapes) {
    it(`[${shape}] blocks ${block}: drops the smallest-L2 blocks, and the writer reproduces the mask`, () => {
      const e = new Engine(new TrainModule());
      const rng = new Rng(shape.length * 100 + shape[0]);
      const n = shape.reduce((a, b) => a * b, 1);
      const w = e.parameter('w', shape, Float32Array.from({ length: n }, () => rng.normal()));
      const p = new BlockPruner(e, w, { block, sparsity: 0.6 });
      const before = e.read(w);
      p.step(0);
      expect(p.dropped).toBe(Math.floor(0.6 * p.blocks));
      const v = e.read(w);
      const rows = shape[0], cols = n / rows;
      // block norms: every dropped block's norm <= every kept block's norm
      const norms = new Float64Array(p.blocks);
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) norms[Math.floor(r / p.blockRows) * p.gridCols + Math.floor(c / p.blockCols)] += before[r * cols + c] ** 2;
      let maxDropped = 0, minKept = Infinity;
      for (let b = 0; b < p.blocks; b++) p.keep[b] ? (minKept = Math.min(minKept, norms[b])) : (maxDropped = Math.max(maxDropped, norms[b]));
      expect(maxDropped).toBeLessThanOrEqual(minKept);
      for (let i = 0; i < n; i++) {
        const b = Math.floor(Math.floor(i / cols) / p.blockRows) * p.gridCols + Math.floor((i % cols) / p.blockCols);
        expect(v[i]).toBe(p.keep[b] ? before[i] : 0);
      }
      const c = p.compression();
      const enc = encodeBlockSparse(v, rows, cols, { blockRows: c.block[0], blockCols: c.block[1], sparsity: c.sparsity });
      expect(enc.decode()).toEqual(v);
    });
  }

  it('the mask only grows along the schedule and lands on the final sparsity', () => {
    const e = new Engine(new TrainModule());
    const rng = new Rng(4);
    const w = e.parameter('w', [32, 64], Float32Array.from({ length: 2048 }, () => rng.normal()));
    const p = new BlockPruner(e, w, { block: '1x4', sparsity: 0.9, startStep: 0, endStep: 40, every: 10 });
    let prevKeep = Uint8Array.from(p.keep);
    const seen: number[] = [];
    for (let t = 0; t <= 50; t++) {
      p.step(t);
      for (let b = 0; b < p.blocks; b++) if (!prevKeep[b]) expect(p.keep[b]).toBe(0);
      prevKeep = Uint8Array.from(p.keep);
      seen.push(p.sparsity);
    }
    expect(seen[0]).toBe(0);
    expect(seen[10]).toBeCloseTo(Math.floor(cubicSparsity(10, 0, 0.9, 0, 40) * 512) / 512, 9);
    expect(seen[50]).toBeCloseTo(Math.floor(0.9 * 512) / 512, 9);
  });
});

describe('masked training', () => {
  it('masked op: pruned weights are 0 in the forward pass and get no gradient', () => {
    const e = new Engine(new TrainModule());
    const rng = new Rng(8);
    const w = e.parameter('w', [4, 8], rng.floats(32));
    const p = new BlockPruner(e, w, { block: '1x4', sparsity: 0.5 });
    p.step(0);
    e.beginStep();
    const y = masked(e, w, p);
    const m = p.maskValues();
    const wv = e.read(w);
    expect(e.read(y)).toEqual(Float32Array.from(wv, (v, i) => (m[i] ? v : 0)));
    const r = rng.floats(32);
    e.backwardFrom(y, r);
    expect(e.readGrad(w)).toEqual(Float32Array.from(r, (v, i) => (m[i] ? v : 0)));
  });

  it('with SGD + momentum and DKM on the kept weights, pruned weights stay exactly 0 and export as 0', () => {
    const e = new Engine(new TrainModule());
    const rng = new Rng(9);
    const w = e.parameter('w', [16, 32], Float32Array.from({ length: 512 }, () => rng.normal() * 0.3));
    const p = new BlockPruner(e, w, { block: '4x1', sparsity: 0.7, startStep: 0, endStep: 20, every: 5 });
    const st = new DkmState(e, w, { bits: 2 }, p.mask);
    const opt = new SGD(e, [w], { lr: 0.1, momentum: 0.9 });
    const x = rng.floats(8 * 32);
    const labels = [0, 1, 2, 3, 4, 5, 6, 7];
    const losses: number[] = [];
    for (let t = 0; t < 30; t++) {
      p.step(t);
      e.beginStep();
      const loss = softmaxCrossEntropy(e, linear(e, e.input(x, [8, 32]), dkm(e, w, st), null), labelTensor(e, labels));
      losses.push(scalar(e, loss));
      e.backward(loss);
      opt.step();
      p.enforce();
      const v = e.read(w), m = p.maskValues();
      for (let i = 0; i < 512; i++) if (m[i] === 0) expect(v[i]).toBe(0);
    }
    expect(losses[29]).toBeLessThan(losses[0]);
    expect(p.dropped).toBe(Math.floor(0.7 * p.blocks));
    const h = hardAssign(e, w, st);
    const m = p.maskValues();
    for (let i = 0; i < 512; i++) if (m[i] === 0) expect(h.values[i]).toBe(0);
    const kept = new Set<number>();
    for (let i = 0; i < 512; i++) if (m[i] !== 0) kept.add(h.values[i]);
    expect(kept.size).toBeLessThanOrEqual(4);
    const c = p.compression();
    const enc = encodeBlockSparse(h.values, 16, 32, { blockRows: c.block[0], blockCols: c.block[1], sparsity: c.sparsity }, { bits: 2 });
    expect(enc.decode()).toEqual(h.values);
  });
});
