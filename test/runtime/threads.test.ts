/**
 * Threads (LoadOptions.threads): outputs bit-identical to one thread for 1..4 threads on models of
 * every weight encoding and op family the pool splits (conv, depthwise, pointwise, FC, transformer,
 * palettized, block-sparse, f16, int8), odd sizes and batches; the kernel threads end on dispose();
 * the one-thread warning is given once and says why; trim() with threads.
 *
 * The split thresholds are lowered to 0 here, so every call of these small models that can be
 * split is split (the real thresholds keep small calls on one thread).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadModel, WpalLoadError } from '../../src/index.js';
import { buildDistilBert, buildLeNet300100, buildMobileNetV1, buildResNet, type BuiltModel, type CompressionConfig, type LayerDesc, type WeightCompression } from '../../src/models/index.js';
import { splitTuning } from '../../src/runtime/ops/parallel.js';
import { ThreadPool, resetThreadWarning } from '../../src/runtime/threads.js';
import { buildInt8Layer, buildMlp } from '../e2e/models.js';
import { Rng } from '../util/rng.js';
import { ModelWriter } from '../../src/format/write.js';
import { encodeBlockSparse, encodeDense, encodePalettized } from '../../src/encode/palette.js';

const saved = { ...splitTuning };
beforeAll(() => {
  splitTuning.work = 0;
  splitTuning.elements = 0;
});
afterEach(() => {
  splitTuning.axis = 'auto';
});
afterAll(() => Object.assign(splitTuning, saved));
afterEach(() => vi.restoreAllMocks());

type Feeds = Record<string, Float32Array | Int32Array>;

function feedsOf(built: Pick<BuiltModel, 'inputs'>, batch: number, seed: number): Feeds {
  const rng = new Rng(seed);
  const feeds: Feeds = {};
  for (const i of built.inputs) {
    const n = batch * i.shape.reduce((a, b) => a * b, 1);
    if (i.dtype === 'int32') {
      const per = i.shape.reduce((a, b) => a * b, 1);
      feeds[i.name] = Int32Array.from({ length: n }, (_, j) => (i.name === 'position_ids' ? j % per : rng.int(0, 96)));
    } else {
      feeds[i.name] = rng.floats(n, -1, 1);
    }
  }
  return feeds;
}

/** Output values that differ in any bit (NaN payloads included) between a and b. */
function bitDiffs(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  let n = 0;
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) n++;
  return n;
}

interface Case {
  name: string;
  bytes: Uint8Array;
  inputs: Pick<BuiltModel, 'inputs'>;
  batches: number[];
}

const palGrouped: CompressionConfig = { palette: { bits: 3, groupRows: 24, channelScales: true } };
const sparsePal: CompressionConfig = (l) =>
  l.kind === 'dwconv' || l.kind === 'embedding' ? { palette: { bits: 4 } } : { palette: { bits: 3 }, sparse: { block: [1, 4], sparsity: 0.5 } };
const sparseDense: CompressionConfig = (l) => (l.kind === 'dwconv' || l.kind === 'embedding' ? undefined : { sparse: { block: [4, 1], sparsity: 0.6 } });

const blocks =
  (block: [number, number], bits: number): ((l: LayerDesc) => WeightCompression) =>
  (l) =>
    l.kind === 'dwconv' || l.kind === 'embedding' ? { palette: { bits } } : { palette: { bits }, sparse: { block, sparsity: 0.5 } };

/** FullyConnected layers of odd sizes, one per gemm kernel the models above do not reach. */
function gemmZoo(seed: number): Uint8Array {
  const rng = new Rng(seed);
  const w = new ModelWriter({ name: 'gemm-zoo' });
  let x = w.input('input', [61]);
  let k = 61;
  const layers: Array<{ n: number; enc: (n: number, k: number) => ReturnType<typeof encodeDense>; int8?: boolean }> = [
    { n: 70, enc: (n, k) => encodeBlockSparse(rng.floats(n * k), n, k, { blockRows: 1, blockCols: 4, sparsity: 0.5 }, { dtype: 'float32' }) },
    { n: 68, enc: (n, k) => encodeBlockSparse(rng.floats(n * k), n, k, { blockRows: 4, blockCols: 4, sparsity: 0.5 }, { dtype: 'float32' }) },
    { n: 80, enc: (n, k) => encodeBlockSparse(rng.floats(n * k), n, k, { blockRows: 16, blockCols: 1, sparsity: 0.5 }, { dtype: 'float32' }) },
    { n: 75, enc: (n, k) => encodePalettized(rng.floats(n * k), n, k, { bits: 6, seed }) },
    { n: 66, enc: (n, k) => encodePalettized(rng.floats(n * k), n, k, { bits: 2, groupRows: 16, entryType: 'int8', seed }), int8: true },
    { n: 67, enc: (n, k) => encodePalettized(rng.floats(n * k), n, k, { bits: 1, entryType: 'int8', seed }), int8: true },
    { n: 71, enc: (n, k) => encodePalettized(rng.floats(n * k), n, k, { bits: 6, groupRows: 32, entryType: 'int8', seed }), int8: true },
  ];
  layers.forEach((l, i) => {
    const W = w.weight(`fc${i}.weight`, [l.n, k], l.enc(l.n, k));
    const b = w.weight(`fc${i}.bias`, [l.n], encodeDense(rng.floats(l.n, -0.1, 0.1)));
    x = w.op('Tanh', [w.op('FullyConnected', [x, W, b], { attrs: l.int8 ? { int8: 1 } : {} })]);
    k = l.n;
  });
  w.output(w.op('Relu', [x], { output: 'y' }));
  return w.finish();
}

/** Convs of odd geometry: dilation, strides, asymmetric pads, groups, depthwise with stride, 1x1 with stride. */
function convZoo(seed: number): Uint8Array {
  const rng = new Rng(seed);
  const w = new ModelWriter({ name: 'conv-zoo' });
  let x = w.input('input', [23, 19, 6]);
  let c = 6;
  const conv = (o: number, k: [number, number], attrs: Record<string, number | number[]>, enc?: (n: number, kk: number) => ReturnType<typeof encodeDense>) => {
    const groups = (attrs.groups as number) ?? 1;
    const kk = k[0] * k[1] * (c / groups);
    const W = w.weight(`w${o}x${c}x${k[0]}`, [o, k[0], k[1], c / groups], (enc ?? ((n, m) => encodeDense(rng.floats(n * m))))(o, kk));
    const b = w.weight(`b${o}x${c}x${k[0]}`, [o], encodeDense(rng.floats(o, -0.1, 0.1)));
    x = w.op('Relu', [w.op('Conv2D', [x, W, b], { attrs: { strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], groups: 1, ...attrs } })]);
    c = o;
  };
  conv(10, [5, 3], { dilations: [2, 1], strides: [2, 1], pads: [3, 1, 4, 2], groups: 2 });
  conv(10, [3, 3], { strides: [2, 2], pads: [1, 0, 2, 1], groups: 10 }, (n, m) => encodePalettized(rng.floats(n * m), n, m, { bits: 3, seed }));
  conv(12, [1, 1], { strides: [2, 1] });
  conv(9, [4, 2], { pads: [3, 0, 2, 1], dilations: [1, 2] }, (n, m) => encodeBlockSparse(rng.floats(n * m), n, m, { blockRows: 1, blockCols: 4, sparsity: 0.4 }, { bits: 5, seed }));
  w.output(x);
  return w.finish();
}

const built = (name: string, b: BuiltModel, batches: number[]): Case => ({ name, bytes: b.bytes, inputs: b, batches });

const CASES: Array<() => Case> = [
  () => built('MobileNet-v1 a=0.3 37x37, dense', buildMobileNetV1({ inputSize: 37, alpha: 0.3, blocks: 6, classes: 37 }), [1, 3]),
  () => built('MobileNet-v1 a=0.3 37x37, 3-bit grouped palettes + channel scales', buildMobileNetV1({ inputSize: 37, alpha: 0.3, blocks: 6, classes: 37, compression: palGrouped }), [1, 2]),
  () =>
    built(
      'ResNet-18 w=12 29x29, dense, f16 classifier',
      buildResNet({ depth: 18, width: 12, inputSize: 29, blocks: [1, 1, 1, 1], classes: 67, compression: (l) => (l.kind === 'fc' ? { dtype: 'float16' } : undefined) }),
      [1, 2],
    ),
  () => built('ResNet-50 w=8 33x33, 3-bit + 1x4 blocks 50%', buildResNet({ depth: 50, width: 8, inputSize: 33, blocks: [1, 1, 1, 1], classes: 23, compression: sparsePal }), [1]),
  () => built('ResNet-18 w=12 29x29, dense 4x1 blocks 60%', buildResNet({ depth: 18, width: 12, inputSize: 29, blocks: [1, 1, 1, 1], classes: 19, compression: sparseDense }), [2]),
  () =>
    built(
      'transformer d=48 T=13, 2-bit palettes',
      buildDistilBert({ seq: 13, layers: 2, hidden: 48, heads: 3, ffn: 100, vocab: 97, maxPositions: 16, compression: { palette: { bits: 2 } } }),
      [1, 2],
    ),
  () =>
    built(
      'transformer d=48 T=13, int8 FC',
      buildDistilBert({ seq: 13, layers: 1, hidden: 48, heads: 3, ffn: 100, vocab: 97, maxPositions: 16, compression: { palette: { bits: 4, entryType: 'int8' }, int8: true } }),
      [3],
    ),
  () =>
    built(
      'ResNet-18 w=24 23x23, dense 16x1 blocks 80%',
      buildResNet({
        depth: 18, width: 24, inputSize: 23, blocks: [1, 1, 1, 1], classes: 17,
        compression: (l) => (l.kind === 'dwconv' || l.kind === 'embedding' ? undefined : { sparse: { block: [16, 1], sparsity: 0.8 } }),
      }),
      [1, 2],
    ),
  () =>
    built(
      'ResNet-18 w=16 25x25, 4-bit + 16x1 blocks 50%',
      buildResNet({ depth: 18, width: 16, inputSize: 25, blocks: [1, 1, 1, 1], classes: 40, compression: blocks([16, 1], 4) }),
      [1, 2],
    ),
  () =>
    built(
      'transformer d=64 T=11, 2-bit + 4x4 blocks 50%; int8 3-bit',
      buildDistilBert({
        seq: 11, layers: 1, hidden: 64, heads: 4, ffn: 136, vocab: 97, maxPositions: 16,
        compression: (l) => (l.name.includes('ffn') ? { palette: { bits: 3, entryType: 'int8' }, int8: true } : blocks([4, 4], 2)(l)),
      }),
      [1, 3],
    ),
  () =>
    built(
      'MobileNet-v1 a=0.3 37x37, int8 4-bit (convs and FC on int8 activations)',
      buildMobileNetV1({ inputSize: 37, alpha: 0.3, blocks: 6, classes: 37, compression: { palette: { bits: 4, entryType: 'int8' }, int8: true } }),
      [1, 2],
    ),
  () =>
    built(
      'ResNet-50 w=8 33x33, int8 3-bit grouped palettes (convs on int8 activations)',
      buildResNet({ depth: 50, width: 8, inputSize: 33, blocks: [1, 1, 1, 1], classes: 23, compression: { palette: { bits: 3, groupRows: 16, entryType: 'int8' }, int8: true } }),
      [1, 3],
    ),
  () => ({ name: 'conv zoo: dilation, strides, asymmetric pads, groups, strided depthwise and 1x1', bytes: convZoo(4), inputs: { inputs: [{ name: 'input', shape: [23, 19, 6], dtype: 'float32' }] } as never, batches: [1, 2] }),
  () => ({ name: 'FC zoo: dense 1x4 / 4x4 / 16x1 blocks, 6-bit, int8 1 / 2 / 6-bit', bytes: gemmZoo(9), inputs: { inputs: [{ name: 'input', shape: [61], dtype: 'float32' }] } as never, batches: [1, 13] }),
  () => ({ name: 'MLP: grouped palettes, 8x1 dense blocks, 1x4 palettized f16 blocks', bytes: buildMlp(5), inputs: { inputs: [{ name: 'input', shape: [203], dtype: 'float32' }] } as never, batches: [1, 5] }),
  () => ({ name: 'FC 97x203 int8 path', bytes: buildInt8Layer(3, true), inputs: { inputs: [{ name: 'input', shape: [203], dtype: 'float32' }] } as never, batches: [1, 4] }),
];

/** Kernels whose calls were split, over the bit-identity cases. */
const splitKernels = new Set<string>();
let pools = 0;
let poolsThatWorked = 0;

describe('outputs are bit-identical for 1..4 threads', () => {
  for (const make of CASES) {
    const c = make();
    it(c.name, async () => {
      const one = await loadModel(c.bytes, { threads: 1 });
      expect(one.threads).toBe(1);
      const runs = vi.spyOn(ThreadPool.prototype, 'run');
      try {
        for (const batch of c.batches) {
          const feeds = feedsOf(c.inputs, batch, 100 + batch);
          const want = one.run(feeds);
          for (const [threads, axis] of [[2, 'auto'], [3, 'auto'], [4, 'auto'], [2, 'rows'], [3, 'channels']] as const) {
            splitTuning.axis = axis;
            const m = await loadModel(c.bytes, { threads });
            try {
              expect(m.threads).toBe(threads);
              const before = runs.mock.calls.length;
              const got = m.run(feeds);
              expect(runs.mock.calls.length - before, 'kernel calls split').toBeGreaterThan(0);
              poolsThatWorked += (m as unknown as { pool: ThreadPool }).pool.workerSlices > 0 ? 1 : 0;
              pools++;
              runs.mock.calls.forEach((call, i) => {
                const name = (runs.mock.contexts[i] as unknown as { names: string[] }).names[call[0]];
                splitKernels.add(/_(gemm|conv2d|dwconv2d)_/.test(name) ? `${name} (${axis})` : name);
              });
              for (const name of Object.keys(want)) {
                expect(got[name].shape).toEqual(want[name].shape);
                expect(bitDiffs(got[name].data, want[name].data), `${name}, ${threads} threads (gemm / conv2d split: ${axis}), batch ${batch}`).toBe(0);
              }
            } finally {
              m.dispose();
            }
          }
        }
      } finally {
        one.dispose();
      }
    });
  }

  it('the cases above split every kernel family the pool splits', () => {
    console.log(`kernels split: ${[...splitKernels].sort().join(', ')}; kernel threads ran slices in ${poolsThatWorked} of ${pools} models`);
    // The main thread runs what the kernel threads do not claim in time: for these small models
    // often everything (waking a thread takes longer than the call). See the next test.
    const gemms = [
      'f32_gemm_dense_2x4__simd', 'f32_gemm_p8f32_2x4__simd_slab', 'f32_gemm_f16_2x4__simd_slab', 'f32_gemm_p8f32_bs16x1_1x16__simd', 'f32_gemm_p8f32_bs4x4_1x4__simd',
      'i8_gemm_p4i8_4x1__simd_swz', 'f32_gemm_dense_bs4x1_4x4__simd', 'f32_gemm_dense_bs8x1_4x8__simd', 'f32_gemm_p8f32_bs__ref', 'i8_gemm_p4i8_4x1__simd_planes',
      'f32_gemm_dense_bs1x4_4x1__simd', 'f32_gemm_dense_bs4x4_1x4__simd', 'f32_gemm_dense_bs16x1_1x16__simd',
      'i8_gemm_p1i8_4x1__simd_planes', 'i8_gemm_p2i8_4x1__simd_planes', 'i8_gemm_p8i8_4x1__simd',
    ];
    const convs = [
      'f32_conv2d_dense_4x8__simd', 'f32_conv2d_p8f32_4x8__simd', 'f32_conv2d_p8f32_bs_4x8__simd', 'f32_conv2d_dense_bs_4x8__simd',
      'f32_dwconv2d_dense_1x8__simd', 'f32_dwconv2d_p8f32_1x8__simd', 'i8_conv2d_p8i8_4x8__simd',
    ];
    const others = [
      'f32_matmul_4x8__simd',
      'f32_layernorm__simd', 'f32_softmax__simd', 'f32_vgelu__simd', 'f32_vrelu__simd', 'f32_vadd__simd',
    ];
    for (const k of [...[...gemms, ...convs].flatMap((g) => [`${g} (rows)`, `${g} (channels)`]), ...others]) {
      expect(splitKernels, k).toContain(k);
    }
  });

  it('kernel threads take slices of a call that is long enough to wait for them', async () => {
    const rng = new Rng(11);
    const w = new ModelWriter({ name: 'big-fc' });
    const xIn = w.input('input', [1536]);
    w.output(w.op('FullyConnected', [xIn, w.weight('fc.weight', [1536, 1536], encodeDense(rng.floats(1536 * 1536)))], { output: 'y' }));
    const bytes = w.finish();
    const feeds = { input: rng.floats(24 * 1536) };
    const one = await loadModel(bytes, { threads: 1 });
    const four = await loadModel(bytes, { threads: 4 });
    try {
      const want = one.run(feeds).y.data;
      for (let i = 0; i < 3; i++) expect(bitDiffs(four.run(feeds).y.data, want)).toBe(0);
      const pool = (four as unknown as { pool: ThreadPool }).pool;
      console.log(`FC 1536x1536, batch 24, 4 threads, 3 runs (4 slices each): ${pool.workerSlices} slices ran on kernel threads`);
      expect(pool.workerSlices).toBeGreaterThan(0);
    } finally {
      one.dispose();
      four.dispose();
    }
  });

  it('reference kernels (kernels: "ref") split the same way', async () => {
    const b = buildResNet({ depth: 18, width: 8, inputSize: 21, blocks: [1, 1, 1, 1], classes: 11, compression: palGrouped });
    const feeds = feedsOf(b, 2, 7);
    const one = await loadModel(b.bytes, { threads: 1, kernels: 'ref' });
    const three = await loadModel(b.bytes, { threads: 3, kernels: 'ref' });
    try {
      const want = one.run(feeds).logits.data;
      expect(bitDiffs(three.run(feeds).logits.data, want)).toBe(0);
    } finally {
      one.dispose();
      three.dispose();
    }
  });

  it('at the real thresholds too, after trim() (the kernel threads move to the new memory)', async () => {
    Object.assign(splitTuning, saved);
    try {
      const b = buildMobileNetV1({ inputSize: 64, alpha: 0.5, classes: 10 });
      const feeds = feedsOf(b, 1, 3);
      const big = feedsOf(b, 9, 4);
      const one = await loadModel(b.bytes, { threads: 1 });
      const two = await loadModel(b.bytes, { threads: 2, retainArenaBytes: 0 });
      try {
        const want = one.run(feeds).logits.data;
        const wantBig = one.run(big).logits.data;
        expect(bitDiffs(two.run(feeds).logits.data, want)).toBe(0);
        // retainArenaBytes 0: every run ends with trim(), a new shared memory and new kernel-thread instances.
        expect(bitDiffs(two.run(big).logits.data, wantBig)).toBe(0);
        await two.threadsReady();
        expect(bitDiffs(two.run(feeds).logits.data, want)).toBe(0);
      } finally {
        one.dispose();
        two.dispose();
      }
    } finally {
      splitTuning.work = 0;
      splitTuning.elements = 0;
    }
  });
});

describe('the memory grows while kernel threads are attached', () => {
  // A kernel thread's instance keeps the memory bounds it saw until it refreshes them; before the
  // PAGES control word (src/runtime/threads.ts) kernel threads trapped with "memory access out of
  // bounds" on bytes the main thread had just grown into (first seen with 12 models loaded at once).
  it('12 models with kernel threads, run in turns: every call succeeds and matches one thread', async () => {
    const configs = [undefined, { palette: { bits: 4 } }, { palette: { bits: 2 } }, { palette: { bits: 4, entryType: 'int8' as const }, int8: true }];
    const x = new Rng(4).floats(784);
    const models = [];
    try {
      for (const c of configs) {
        const b = buildLeNet300100({ compression: c });
        const one = await loadModel(b.bytes, { threads: 1 });
        const want = one.run({ input: x }).logits.data;
        one.dispose();
        for (let i = 0; i < 3; i++) models.push({ m: await loadModel(b.bytes, { threads: 2 }), want });
      }
      for (let round = 0; round < 20; round++) {
        for (const { m, want } of models) for (let i = 0; i < 20; i++) expect(bitDiffs(m.run({ input: x }).logits.data, want)).toBe(0);
      }
    } finally {
      for (const { m } of models) m.dispose();
    }
  });
});

describe('thread count', () => {
  const smallNet = buildMobileNetV1({ inputSize: 32, alpha: 0.25, blocks: 2, classes: 5 });
  const small = smallNet.bytes;

  it('threads must be an integer from 1 to 16', async () => {
    for (const bad of [0, 1.5, 17, -1, '2', Number.NaN]) {
      await expect(loadModel(small, { threads: bad as number })).rejects.toThrow(WpalLoadError);
    }
  });

  it('by default a small model starts no threads; a large one starts min(cores, 4)', async () => {
    const m = await loadModel(small);
    expect(m.threads).toBe(1);
    m.dispose();
    const { availableParallelism } = await import('node:os');
    const large = await loadModel(buildMobileNetV1({ inputSize: 96, alpha: 0.5, blocks: 6, classes: 10 }).bytes);
    expect(large.threads).toBe(Math.min(availableParallelism(), 4));
    large.dispose();
  });

  it('without SharedArrayBuffer: one thread, and one warning that says why and how to fix it', async () => {
    resetThreadWarning();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    vi.stubGlobal('SharedArrayBuffer', undefined);
    try {
      const a = await loadModel(small, { threads: 2 });
      const b = await loadModel(small, { threads: 4 });
      const c = await loadModel(small, { threads: 1 });
      expect([a.threads, b.threads, c.threads]).toEqual([1, 1, 1]);
      expect(warn).toHaveBeenCalledTimes(1);
      const text = String(warn.mock.calls[0][0]);
      expect(text).toMatch(/threads: 2 was asked for/);
      expect(text).toMatch(/SharedArrayBuffer/);
      expect(text).toMatch(/Cross-Origin-Opener-Policy: same-origin/);
      expect(text).toMatch(/Cross-Origin-Embedder-Policy: require-corp/);
      expect(text).toMatch(/threads: 1/);
      for (const m of [a, b, c]) m.dispose();
    } finally {
      vi.unstubAllGlobals();
      resetThreadWarning();
    }
  });

  it('kernel threads that cannot start: one thread, and the warning says so', async () => {
    resetThreadWarning();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    vi.spyOn(ThreadPool, 'create').mockRejectedValue(new WpalLoadError('a kernel thread did not start: no answer in 20 s'));
    try {
      const m = await loadModel(small, { threads: 3 });
      expect(m.threads).toBe(1);
      expect(m.run({ [smallNet.inputs[0].name]: new Float32Array(32 * 32 * 3).fill(0.5) })).toBeDefined();
      m.dispose();
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toMatch(/2 kernel thread\(s\) could not start \(a kernel thread did not start: no answer in 20 s\).*worker-src blob:/);
    } finally {
      resetThreadWarning();
    }
  });
});

describe('kernel threads end with the model', () => {
  /** Threads of this process (Linux: /proc/self/task). */
  const osThreads = () => readdirSync('/proc/self/task').length;
  const until = async (cond: () => boolean, ms = 10_000) => {
    const end = Date.now() + ms;
    while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    return cond();
  };

  it.skipIf(process.platform !== 'linux')('dispose() terminates them (OS thread count back where it was)', async () => {
    const b = buildMobileNetV1({ inputSize: 32, alpha: 0.25, blocks: 2, classes: 5 });
    // Let threads from earlier tests finish leaving.
    await new Promise((r) => setTimeout(r, 200));
    const before = osThreads();
    const m = await loadModel(b.bytes, { threads: 4 });
    m.run(feedsOf(b, 1, 1));
    expect(osThreads()).toBeGreaterThanOrEqual(before + 3);
    m.dispose();
    expect(await until(() => osThreads() <= before)).toBe(true);
  });

  it('a process that loaded a threaded model exits by itself, disposed or not', () => {
    const child = fileURLToPath(new URL('./threads-exit-child.ts', import.meta.url));
    for (const mode of ['dispose', 'forget']) {
      const t0 = Date.now();
      const r = spawnSync(process.execPath, ['--import', 'tsx', child, mode], { encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain(`ran on 3 threads (${mode})`);
      console.log(`child (${mode}) exited in ${Date.now() - t0} ms`);
    }
  }, 120_000);
});
