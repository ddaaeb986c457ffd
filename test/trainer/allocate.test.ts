/**
 * Automatic per-layer allocation (src/trainer/allocate): the size model against real builds
 * (LeNet-300-100, LeNet-5), targets met within [97%, 100%] by allocation + build alone, a sensitive
 * layer getting more bits on a constructed sensitivity table, --ratio / --target-size, infeasible
 * targets, and compressModel({ targetBytes }) end to end on an MNIST subset.
 */
import { describe, expect, it } from 'vitest';
import { Engine, SGD, TrainModule, evaluate, graphNet, trainEpoch } from '../../src/trainer/engine/index.js';
import { freshModel } from '../../src/trainer/architectures.js';
import { buildDenseModel, compressModel, denseModelOf, readDenseModel, type DenseModel, type LayerSetting } from '../../src/trainer/compress.js';
import { loadImageDataset } from '../../src/trainer/data/index.js';
import { buildLeNet300100, buildLeNet5 } from '../../src/models/lenet.js';
import type { CompressionConfig, LayerDesc } from '../../src/models/common.js';
import {
  InfeasibleTargetError, allocate, calibrateSizeModel, denseF32Bytes, exactBytes, measureSensitivity, targetForRatio,
  type Allocation, type Choice, type SensitivityTable,
} from '../../src/trainer/allocate/index.js';
import { parseBlock } from '../../src/trainer/prune/prune.js';
import { spec as compressSpec, targetFromOptions } from '../../src/cli/compress.js';
import { parseArgs } from '../../src/cli/util/args.js';

const train = loadImageDataset('mnist', 'train');
const test = loadImageDataset('mnist', 'test');
const sub = (d: typeof train, n: number) => ({ x: d.x.subarray(0, n * 784), y: d.y.subarray(0, n), count: n });

/** The config compressModel writes for per-layer settings (palette bits, (d + 0.5) / blocks sparsity). */
function configOfSettings(settings: Record<string, LayerSetting>): CompressionConfig {
  return (l: LayerDesc) => {
    const s = settings[l.name.replace(/\.weight$/, '')];
    if (!s) return undefined;
    const b = parseBlock(s.block ?? '1x4') as [number, number];
    return {
      ...(s.bits ? { palette: { bits: s.bits, groupRows: s.groupRows ?? 0, iters: 1 } } : {}),
      ...(s.sparsity ? { sparse: { block: b, sparsity: s.sparsity } } : {}),
    };
  };
}

function expectMeets(a: Allocation, m: DenseModel, target: number): number {
  const bytes = buildDenseModel(m, configOfSettings(a.settings)).bytes.length;
  expect(bytes).toBe(a.fileBytes);
  expect(bytes).toBeLessThanOrEqual(target);
  expect(bytes).toBeGreaterThanOrEqual(0.97 * target);
  expect(Math.abs(a.predictedBytes - bytes)).toBeLessThan(200);
  return bytes;
}

describe('size model', () => {
  const configs: Choice[][] = [
    [{ bits: 2, sparsity: 0 }, { bits: 3, sparsity: 0.5 }, { bits: 8, sparsity: 0 }, { bits: 1, sparsity: 0.95 }],
    [{ bits: 1, sparsity: 0.95 }, { bits: 1, sparsity: 0.9 }, { bits: 4, sparsity: 0.3 }, { bits: 6, sparsity: 0.77 }],
    [{ bits: 6, sparsity: 0.77 }, { bits: 0, sparsity: 0.5 }, { bits: 0, sparsity: 0 }, { bits: 2, sparsity: 0.1 }],
    [{ bits: 3, sparsity: 0.33 }, { bits: 5, sparsity: 0 }, { bits: 1, sparsity: 0.5 }, { bits: 7, sparsity: 0.9 }],
  ];
  for (const [arch, m] of [['LeNet-300-100', readDenseModel(buildLeNet300100().bytes)], ['LeNet-5', readDenseModel(buildLeNet5().bytes)]] as const) {
    for (const block of ['1x4', '4x4', '16x1']) {
      it(`${arch}, ${block} blocks: predicted file size within 64 B of the real build`, () => {
        const size = calibrateSizeModel(m, { block });
        for (const cfg of configs) {
          const choices = size.layers.map((_, i) => cfg[i]);
          const real = exactBytes(m, choices, { block });
          expect(Math.abs(size.predict(choices) - real), JSON.stringify(choices)).toBeLessThanOrEqual(64);
        }
      }, 20_000);
    }
  }
});

describe('allocate on a LeNet-300-100 trained on 2,000 MNIST images', () => {
  const e = new Engine(new TrainModule());
  const fresh = freshModel('lenet300-100', { seed: 1, classes: 10, inputShape: [784] });
  const net = graphNet(e, fresh);
  const opt = new SGD(e, net.params, { lr: 0.05, momentum: 0.9 });
  for (let ep = 0; ep < 2; ep++) trainEpoch(e, net, opt, sub(train, 2000), { batchSize: 64, seed: ep + 1 });
  const dense = denseModelOf(net, fresh);
  const denseAcc = evaluate(e, net, sub(test, 1000)).accuracy;
  const calibration = sub(train, 1000);
  let table1x4: SensitivityTable | undefined;
  const sens1x4 = () => (table1x4 ??= measureSensitivity(dense, { block: '1x4', bits: [1, 2, 3, 4, 6, 8], sparsities: [0, 0.5, 0.75, 0.9, 0.95], calibration }));

  it('sensitivity table: monotone, 0 at 8 bits dense, pruning 95% hurts more than 8-bit clustering', () => {
    const t = sens1x4();
    expect(t.layers).toEqual(['fc1.weight', 'fc2.weight', 'fc3.weight']);
    for (const L of t.loss) {
      for (let b = 0; b < L.length; b++) for (let s = 0; s < L[b].length; s++) {
        if (b + 1 < L.length) expect(L[b][s]).toBeGreaterThanOrEqual(L[b + 1][s]);
        if (s > 0) expect(L[b][s]).toBeGreaterThanOrEqual(L[b][s - 1]);
      }
      expect(L[L.length - 1][0]).toBeLessThan(0.01);
      expect(L[0][L[0].length - 1]).toBeGreaterThan(L[L.length - 1][0]);
    }
  }, 20_000);

  for (const [label, target] of [['20 KB', 20_000], ['40 KB', 40_000]] as const) {
    it(`target ${label} (1x4 blocks): the built file is <= target and >= 97% of it`, () => {
      const a = allocate(dense, undefined, { targetBytes: target, block: '1x4', sensitivity: sens1x4() });
      expectMeets(a, dense, target);
      expect(a.layers.map((l) => l.name)).toEqual(['fc1.weight', 'fc2.weight', 'fc3.weight']);
    }, 20_000);
  }

  it('target 8 KiB (4x4 blocks, sensitivity measured inside allocate): <= target, >= 97%', () => {
    const a = allocate(dense, calibration, { targetBytes: 8192, block: '4x4' });
    expectMeets(a, dense, 8192);
    expect(a.sensitivity.examples).toBe(1000);
    for (const l of a.layers) expect(l.block).toEqual([4, 4]);
  }, 20_000);

  it('a larger target never gives a higher predicted loss', () => {
    let prev = Infinity;
    for (const target of [16_000, 24_000, 35_000, 60_000, 120_000]) {
      const a = allocate(dense, undefined, { targetBytes: target, sensitivity: sens1x4() });
      expect(a.fileBytes).toBeLessThanOrEqual(target);
      expect(a.fileBytes).toBeGreaterThanOrEqual(0.97 * target);
      expect(a.lossIncrease).toBeLessThanOrEqual(prev + 1e-12);
      prev = a.lossIncrease;
    }
  }, 20_000);

  it('infeasible targets: a clear error naming the smallest achievable size', () => {
    let err: unknown;
    try {
      allocate(dense, undefined, { targetBytes: 5000, sensitivity: sens1x4() });
    } catch (x) {
      err = x;
    }
    expect(err).toBeInstanceOf(InfeasibleTargetError);
    const ie = err as InfeasibleTargetError;
    const all = (c: Choice) => [c, c, c];
    // the smallest file: every layer 1-bit at 95% (fc3's 250 blocks: floor(0.95 x 250) = 237 dropped)
    expect(ie.minBytes).toBe(exactBytes(dense, all({ bits: 1, sparsity: 0.95 }), { block: '1x4' }));
    expect(ie.message).toContain(`${ie.minBytes.toLocaleString('en-US')} B`);
    expect(ie.message).toMatch(/below the smallest achievable file/);
    // just at the minimum works
    const a = allocate(dense, undefined, { targetBytes: ie.minBytes, sensitivity: sens1x4() });
    expect(a.fileBytes).toBe(ie.minBytes);
    expect(() => allocate(dense, undefined, { targetBytes: 10_000_000, sensitivity: sens1x4() })).toThrow(/above the largest file/);
  }, 20_000);

  it('end to end: compressModel({ targetBytes: 30 KB }) fine-tunes to the allocation, file within [97%, 100%], accuracy well above chance', () => {
    const target = 30_000;
    const r = compressModel(dense, sub(train, 2000), { targetBytes: target, epochs: 1, batchSize: 64, test: sub(test, 1000), allocation: { calibration: 1000 } });
    const bytes = r.build().bytes.length;
    expect(bytes).toBeLessThanOrEqual(target);
    expect(bytes).toBeGreaterThanOrEqual(0.97 * target);
    expect(r.allocation!.fileBytes).toBe(bytes);
    expect(r.layers.map((l) => l.bits)).toEqual(r.allocation!.layers.map((l) => l.bits));
    expect(r.accuracy!).toBeGreaterThan(0.6);
    expect(r.accuracy!).toBeGreaterThan(denseAcc - 0.15);
  }, 40_000);
});

describe('a sensitive layer gets more bits (constructed sensitivity)', () => {
  const m = readDenseModel(buildLeNet300100().bytes);
  const bits = [1, 2, 3, 4, 6, 8];
  const sparsities = [0, 0.5, 0.75, 0.9, 0.95];
  // loss increase = scale x (2^-bits + sparsity): a layer's scale is its sensitivity
  const table = (scales: number[]): SensitivityTable => ({
    layers: ['fc1.weight', 'fc2.weight', 'fc3.weight'], bits, sparsities, baseLoss: 0.3, baseAccuracy: 0.9, examples: 0, seconds: 0,
    loss: scales.map((k) => bits.map((b) => sparsities.map((s) => k * (2 ** -b + s)))),
    accuracy: scales.map(() => bits.map(() => sparsities.map(() => 0.9))),
  });
  it('fc2 sensitive, fc1 insensitive: fc2 gets more bits; swapped: fc1 does', () => {
    // 59,000 B: the room for weights 60,000 B left before format 1.3 (compact files spend ~0.9 KB
    // less on the graph); at 60,000 B the swapped case ties at 2 bits each (fc2 95% pruned).
    const target = 59_000;
    const a = allocate(m, undefined, { targetBytes: target, sensitivity: table([0.01, 10, 0.01]) });
    // more bits, or as many bits with fewer blocks pruned
    const favoured = (x: { bits: number; sparsity: number }, y: { bits: number; sparsity: number }) => x.bits > y.bits || (x.bits === y.bits && x.sparsity < y.sparsity);
    const [f1, f2] = a.layers;
    expect(favoured(f2, f1), JSON.stringify(a.layers)).toBe(true);
    expect(f2.sparsity).toBeLessThanOrEqual(f1.sparsity);
    const b = allocate(m, undefined, { targetBytes: target, sensitivity: table([10, 0.01, 0.01]) });
    expect(favoured(b.layers[0], b.layers[1]), JSON.stringify(b.layers)).toBe(true);
    for (const x of [a, b]) expect(x.fileBytes).toBeGreaterThanOrEqual(0.97 * target);
  });

  it('every budget is used to 97-100%, whatever the reserve: the exact file moving in 16-byte steps cannot stall the search', () => {
    // A trained LeNet-300-100 at --ratio 60 with 1x16 blocks once ended in 6,768 B at 30% accuracy:
    // the search lowered its budget 2 B at a time, the built file stayed at 17,776 B, and after seven
    // tries every layer fell to 1 bit and 95% pruned. Sweep the reserve over that ground.
    const t = table([1, 0.3, 0.1]);
    const target = targetForRatio(m, 60);
    for (let reserve = 200; reserve <= 900; reserve += 20) {
      const a = allocate(m, undefined, { targetBytes: target, block: '1x16', sensitivity: t, reserveBytes: reserve });
      const used = a.fileBytes / (target - reserve);
      expect(used, `reserve ${reserve}: ${a.fileBytes} B`).toBeLessThanOrEqual(1);
      expect(used, `reserve ${reserve}: ${a.fileBytes} B`).toBeGreaterThanOrEqual(0.97);
    }
  });
});

describe('--target-size / --ratio', () => {
  const m = readDenseModel(buildLeNet300100().bytes);
  const opts = (argv: string[]) => parseArgs(['dense.wpal', ...argv], compressSpec).options;
  it('--ratio 30 means target = dense float32 bytes / 30', () => {
    expect(denseF32Bytes(m)).toBe(266_610 * 4);
    expect(targetFromOptions(opts(['--ratio', '30']), m)).toBe(Math.floor(1_066_440 / 30));
    expect(targetForRatio(m, 30)).toBe(35_548);
  });
  it('--target-size parses B / KB / KiB; conflicts are usage errors', () => {
    expect(targetFromOptions(opts(['--target-size', '8KiB']), m)).toBe(8192);
    expect(targetFromOptions(opts(['--target-size', '20KB']), m)).toBe(20_000);
    expect(targetFromOptions(opts(['--target-size', '12345']), m)).toBe(12_345);
    expect(targetFromOptions(opts([]), m)).toBeUndefined();
    expect(() => targetFromOptions(opts(['--target-size', '8KB', '--ratio', '30']), m)).toThrow(/not both/);
    expect(() => targetFromOptions(opts(['--target-size', '8KB', '--bits', '2']), m)).toThrow(/--bits cannot be combined/);
    expect(() => opts(['--target-size', '8 parsecs'])).toThrow(/cannot read/);
  });
});
