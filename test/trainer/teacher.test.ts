/**
 * Distillation teachers (src/trainer/teacher.ts): an ensemble's logits are the mean of its models'
 * (over a data set, and per shifted batch), and a model of the ensemble that does not fit the
 * student is named by its position.
 */
import { describe, expect, it } from 'vitest';
import { shiftAugment } from '../../src/trainer/engine/augment.js';
import type { Batch } from '../../src/trainer/engine/loop.js';
import { batchTeacher, teacherLogits, teacherMisfit } from '../../src/trainer/teacher.js';
import { freshModel } from '../../src/trainer/architectures.js';
import { loadImageDataset } from '../../src/trainer/data/index.js';

const lenet = (seed: number, widths = [4, 6, 16]) => freshModel('lenet5', { seed, classes: 10, inputShape: [28, 28, 1], widths });
const all = loadImageDataset('mnist', 'test');
const data = { x: all.x.subarray(0, 24 * 784), y: all.y.subarray(0, 24), count: 24 };

/** Element-wise mean in float64, rounded once. */
function mean(arrays: Float32Array[]): number[] {
  return Array.from(arrays[0]!, (_, i) => Math.fround(arrays.reduce((s, a) => s + a[i]!, 0) / arrays.length));
}

function expectNear(got: ArrayLike<number>, want: ArrayLike<number>): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / Math.max(1, Math.abs(want[i]!)));
  expect(worst).toBeLessThan(1e-6);
}

describe('an ensemble of teachers', () => {
  const models = [lenet(1), lenet(2), lenet(3, [5, 8, 20])];

  it('gives the mean of its models\' logits over a data set (one model: its own logits)', () => {
    const each = models.map((m) => teacherLogits(m, data, 10));
    expectNear(teacherLogits(models, data, 10), mean(each));
    expect(Array.from(teacherLogits([models[0]!], data, 10))).toEqual(Array.from(each[0]!));
    // The models differ, so the mean is none of them.
    expect(Array.from(each[0]!)).not.toEqual(Array.from(each[1]!));
  });

  it('gives the mean of its models\' logits on a batch moved as the student saw it', () => {
    const b: Batch = { epoch: 0, step: 3, order: Uint32Array.from({ length: 24 }, (_, i) => (i * 7) % 24), start: 4, size: 16, labels: new Int32Array(16) };
    const augment = shiftAugment([28, 28, 1], 2, 5);
    const each = models.map((m) => batchTeacher(m, data, { augment })(b));
    expectNear(batchTeacher(models, data, { augment })(b), mean(each));
  });

  it('names the model that does not fit the student, by its position', () => {
    const student = lenet(9);
    expect(teacherMisfit(student, models)).toBeUndefined();
    const other = freshModel('lenet300-100', { seed: 1, classes: 5, inputShape: [784], widths: [8, 8] });
    expect(teacherMisfit(student, [models[0]!, other])).toMatch(/^model 2 of 2: it gives 5 scores, the model 10$/);
    expect(teacherMisfit(student, other)).toMatch(/^it gives 5 scores/);
    expect(teacherMisfit(student, [])).toMatch(/no models/);
  });
});
