/**
 * Random shifts of training images (src/trainer/engine/augment.ts, `--shift N`): the move itself
 * against a direct definition (edge pixels repeated, NHWC); the draws bounded by N, different per
 * step and per example, the same for the same step (so a teacher's copy of the batch moves with the
 * student's: batchTeacher's logits equal the teacher's on the student's shifted batch); training
 * and compressing with it record it in the file; a non-image model is a typed error.
 */
import { describe, expect, it } from 'vitest';
import { shiftAugment, shiftImage, shiftMisfit } from '../../src/trainer/engine/augment.js';
import { Engine, TrainModule } from '../../src/trainer/engine/index.js';
import { loadBatch, type Batch } from '../../src/trainer/engine/loop.js';
import { batchTeacher, teacherLogits } from '../../src/trainer/teacher.js';
import { freshModel } from '../../src/trainer/architectures.js';
import { train } from '../../src/trainer/train.js';
import { compress, WpalCompressError } from '../../src/trainer/pipeline.js';
import { readDenseModel } from '../../src/trainer/dense-model.js';
import { loadImageDataset } from '../../src/trainer/data/index.js';
import { loadModel } from '../../src/index.js';

/** The pixel (y, x, c) of an H x W x C image moved by (dy, dx): source clamped to the image. */
const moved = (src: Float32Array, H: number, W: number, C: number, dy: number, dx: number, y: number, x: number, c: number) =>
  src[(Math.min(H - 1, Math.max(0, y - dy)) * W + Math.min(W - 1, Math.max(0, x - dx))) * C + c];

describe('random shifts of images', () => {
  it('moves an image by whole pixels, repeating the edge (HWC and CHW)', () => {
    const H = 5, W = 7, C = 2;
    const src = Float32Array.from({ length: H * W * C }, (_, i) => i * 1.5 - 7);
    for (const [dy, dx] of [[0, 0], [1, 0], [0, -2], [2, 3], [-4, -6], [5, 7]]) {
      const dst = new Float32Array(src.length);
      shiftImage(src, dst, H, W, C, dy, dx);
      for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < C; c++) {
        expect(dst[(y * W + x) * C + c]).toBe(moved(src, H, W, C, dy, dx, y, x, c));
      }
    }
    // channel first ([C, H, W], an imported ONNX model's input): the same move of each channel plane
    const chwAt = (img: Float32Array, y: number, x: number, c: number) => img[c * H * W + y * W + x];
    for (const [dy, dx] of [[1, -1], [-2, 3]]) {
      const dst = new Float32Array(src.length);
      shiftImage(src, dst, H, W, C, dy, dx, 'CHW');
      for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < C; c++) {
        expect(chwAt(dst, y, x, c)).toBe(chwAt(src, Math.min(H - 1, Math.max(0, y - dy)), Math.min(W - 1, Math.max(0, x - dx)), c));
      }
    }
    // (1, 0): row 0 repeats the old row 0, row 1 holds it too, the old last row is gone
    const dst = new Float32Array(src.length);
    shiftImage(src, dst, H, W, C, 1, 0);
    expect(Array.from(dst.subarray(W * C, 2 * W * C))).toEqual(Array.from(src.subarray(0, W * C)));
  });

  /** A batch of B random images [H, W, 1] in an engine's arena, and the shifts found in them after apply. */
  const H = 9, W = 8, B = 64;
  const images = Float32Array.from({ length: B * H * W }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 % 1);
  const data = { x: images, y: new Int32Array(B), count: B };
  const order = Uint32Array.from({ length: B }, (_, i) => i);
  const batchAt = (step: number): Batch => ({ epoch: 0, step, order, start: 0, size: B, labels: new Int32Array(B) });
  const shiftsAfter = (maxShift: number, seed: number, step: number) => {
    const e = new Engine(new TrainModule());
    e.beginStep();
    const x = loadBatch(e, data, order, 0, B, [H, W, 1], new Int32Array(B));
    shiftAugment([H, W, 1], maxShift, seed).apply(e, x, batchAt(step));
    const out = e.read(x);
    const found: string[] = [];
    for (let i = 0; i < B; i++) {
      const src = images.subarray(i * H * W, (i + 1) * H * W), got = out.subarray(i * H * W, (i + 1) * H * W);
      let match: string | undefined;
      for (let dy = -maxShift; dy <= maxShift && !match; dy++) for (let dx = -maxShift; dx <= maxShift && !match; dx++) {
        let same = true;
        for (let y = 0; y < H && same; y++) for (let xx = 0; xx < W && same; xx++) same = got[y * W + xx] === moved(src, H, W, 1, dy, dx, y, xx, 0);
        if (same) match = `${dy},${dx}`;
      }
      expect(match, `example ${i}: not a shift within ${maxShift}`).toBeDefined();
      found.push(match!);
    }
    return found;
  };

  it('draws every shift within N, differently per example and per step, the same for the same step and seed', () => {
    const a = shiftsAfter(2, 1, 0);
    expect(new Set(a).size).toBeGreaterThan(10); // 25 possible moves over 64 examples
    expect(a.some((s) => s.startsWith('-2,') || s.startsWith('2,'))).toBe(true);
    expect(shiftsAfter(2, 1, 0)).toEqual(a);
    expect(shiftsAfter(2, 1, 1)).not.toEqual(a);
    expect(shiftsAfter(2, 2, 0)).not.toEqual(a);
    expect(shiftsAfter(1, 1, 5).every((s) => s.split(',').every((v) => Math.abs(Number(v)) <= 1))).toBe(true);
  });

  it('shows a teacher the batch moved as the student saw it', () => {
    const teacher = freshModel('lenet5', { seed: 3, classes: 10, inputShape: [28, 28, 1], widths: [4, 6, 16] });
    const all = loadImageDataset('mnist', 'test');
    const d = { x: all.x.subarray(0, 32 * 784), y: all.y.subarray(0, 32), count: 32 };
    const ord = Uint32Array.from({ length: 32 }, (_, i) => 31 - i);
    const b: Batch = { epoch: 0, step: 7, order: ord, start: 0, size: 32, labels: new Int32Array(32) };
    const aug = shiftAugment([28, 28, 1], 2, 1);
    // the student's copy, moved
    const e = new Engine(new TrainModule());
    e.beginStep();
    const xs = loadBatch(e, d, ord, 0, 32, [28, 28, 1], new Int32Array(32));
    aug.apply(e, xs, b);
    const shifted = e.read(xs);
    const want = teacherLogits(teacher, { x: shifted, y: new Int32Array(32), count: 32 });
    const got = batchTeacher(teacher, d, { augment: aug })(b);
    expect(Array.from(got)).toEqual(Array.from(want));
    // and differently from the unmoved batch
    e.beginStep();
    const unmoved = e.read(loadBatch(e, d, ord, 0, 32, [28, 28, 1], new Int32Array(32)));
    expect(Array.from(unmoved)).not.toEqual(Array.from(shifted));
    const plain = teacherLogits(teacher, { x: unmoved, y: new Int32Array(32), count: 32 });
    expect(Array.from(got)).not.toEqual(Array.from(plain));
  });

  it('is refused for a model that does not take images', () => {
    expect(shiftMisfit([28, 28, 1])).toBeUndefined();
    expect(shiftMisfit([784])).toMatch(/apply to images/);
    expect(shiftMisfit([32], 'int32')).toMatch(/int32 \[32\]/);
    expect(() => shiftAugment([784], 1, 1)).toThrow(/apply to images/);
    expect(() => shiftAugment([28, 28, 1], 0, 1)).toThrow(/whole number of pixels/);
  });

  it('trains and compresses with shifts, recorded in the files; a non-image model is a typed error', async () => {
    const tr = loadImageDataset('mnist', 'train'), te = loadImageDataset('mnist', 'test');
    const sub = (d: typeof tr, from: number, n: number) => ({ x: d.x.subarray(from * 784, (from + n) * 784), y: d.y.subarray(from, from + n), count: n });
    const splits = { train: sub(tr, 0, 1024), val: sub(tr, 1024, 256), test: sub(te, 0, 256) };
    const base = { classes: 10, inputShape: [28, 28, 1], dataset: 'mnist', trainer: 'test' };
    const teacher = freshModel('lenet5', { seed: 2, classes: 10, inputShape: [28, 28, 1], widths: [4, 6, 16] });
    const { bytes } = await train(splits, { ...base, arch: 'lenet5', widths: [4, 6, 16], epochs: 1, shift: 2, teacher: { model: teacher, name: 't.wpal' } });
    const m = await loadModel(bytes);
    expect(m.metadata.properties['augment_shift']).toBe('2');
    m.dispose();
    const c = await compress(readDenseModel(bytes), splits, { dataset: 'mnist', trainer: 'test', bits: 2, epochs: 1, distill: true, shift: 1 });
    const mc = await loadModel(c.bytes);
    expect(mc.metadata.properties['augment_shift']).toBe('1');
    mc.dispose();
    const flat = freshModel('lenet300-100', { seed: 1, classes: 10, inputShape: [784], widths: [8, 8] });
    const flatSplits = { train: splits.train, val: splits.val, test: splits.test };
    await expect(compress(flat, flatSplits, { dataset: 'mnist', trainer: 'test', bits: 2, epochs: 1, shift: 1 })).rejects.toThrow(WpalCompressError);
  }, 120_000);
});
